import Diffusion
import Networks
import RealModule
import TensorCore

/// A reverse process p_θ(x_{t−1}∣xₜ) = N(μ_θ(xₜ, t), σₜ²I) built on a network's output.
public struct ReverseModel: Sendable {
    /// How the output becomes the mean μ_θ.
    public enum Mean: Sendable {
        /// Eq. (11): μ_θ = (xₜ − βₜ/√(1 − ᾱₜ)·ε_θ)/√αₜ = μ̃ₜ(xₜ, x̂₀) with x̂₀ of Eq. (15).
        case noise
        /// μ_θ = μ̃ₜ(xₜ, clip(x̂₀)) with x̂₀ of Eq. (15) clipped to the data's range [−1, 1], as Ho's and
        /// improved-diffusion's code sample and evaluate (`clip_denoised`).
        case clippedNoise
        /// The output is μ_θ itself (μ̃-prediction); x̂₀ solves μ_θ = μ̃ₜ(xₜ, x̂₀).
        case direct
        /// μ_θ = μ̃ₜ(xₜ, x̄₀) with x̄₀ the level posterior's mean given x̂₀ (from ε_θ), whose error
        /// variance at step t is `errorVariance[t − 1]`.
        case levels(LevelPosterior, errorVariance: [Double])
    }

    /// σₜ²: fixed (βₜ or β̃ₜ for t ≥ 2, `NoiseSchedule.decoderVariance` at t = 1) or learned from the
    /// network's second output channel v (log σₜ² = log βₜ + v, or exp(v·log βₜ + (1 − v)·log β̃ₜ)), as in `Objective`.
    public typealias Variance = Objective.Variance

    /// A short name for tables.
    public let name: String
    /// The mean's rule.
    public let mean: Mean
    /// σₜ², fixed or learned.
    public let variance: Variance

    /// A model called `name` with a fixed σₜ².
    public init(name: String, mean: Mean, variance: ReverseVariance) {
        self.init(name: name, mean: mean, variance: .fixed(variance))
    }

    /// A model called `name`.
    public init(name: String, mean: Mean, variance: Variance) {
        self.name = name
        self.mean = mean
        self.variance = variance
    }

    /// The reverse process a network trained with `objective` defines.
    public init(name: String, objective: Objective) {
        self.init(name: name, mean: objective.prediction == .noise ? .noise : .direct, variance: objective.variance)
    }
}

/// Eq. (5) term by term for images x₀, the way the reference code evaluates it: every one of the T
/// terms of every image exactly (closed-form KLs, Eq. 13 at t = 1, L_T in closed form), each
/// L_{t−1} at its own fresh xₜ ~ q(xₜ∣x₀). Step t draws its noise for all images from
/// `SeededGenerator(seed: seed &+ t)`, so results do not depend on the batch size or thread count.
public struct VariationalBound {
    /// The loaded engine that computes ε_θ.
    public let engine: any DenoisingEngine
    /// Values per image.
    public let dimension: Int
    /// The diffusion schedule.
    public let schedule: NoiseSchedule
    /// The discrete decoder of Eq. (13).
    public let decoder: DiscreteDecoder
    /// Values the engine outputs per image (2 × `dimension` for a learned variance).
    public let outputDimension: Int

    /// An evaluator for `engine` (parameters already loaded).
    public init(engine: any DenoisingEngine, dimension: Int, outputDimension: Int? = nil, schedule: NoiseSchedule, decoder: DiscreteDecoder) {
        self.engine = engine
        self.dimension = dimension
        self.outputDimension = outputDimension ?? dimension
        self.schedule = schedule
        self.decoder = decoder
    }

    /// The bound of one model over a set of images, in bits per dimension.
    public struct Report: Sendable {
        /// The model.
        public let model: ReverseModel
        /// Mean over images of each term: index 0 is L₀ (t = 1), index t − 1 is L_{t−1} (t = 2…T),
        /// index T is L_T.
        public let terms: [Double]
        /// Each image's L.
        public let imageTotals: [Double]
        /// Mean over images and coordinates of (x̂₀ − x₀)² at t = 1…T (index t − 1), x̂₀ the model's
        /// own estimate (Eq. 15, or the level posterior's mean).
        public let squaredError: [Double]
        /// The same with x̂₀ clipped to the data's range [−1, 1] first, as Ho's code measures
        /// distortion (clipping never moves x̂₀ away from an x₀ inside the range).
        public let clippedSquaredError: [Double]

        /// The bound L, the mean of `imageTotals`.
        public var total: Double { imageTotals.reduce(0, +) / Double(imageTotals.count) }
        /// The standard error of `total` over images: sd/√n.
        public var standardError: Double {
            let n = Double(imageTotals.count)
            let m = total
            return (imageTotals.reduce(0) { $0 + ($1 - m) * ($1 - m) } / (n - 1) / n).squareRoot()
        }
        /// L_T.
        public var prior: Double { terms.last! }
        /// L₀.
        public var decoderTerm: Double { terms[0] }
        /// Σₜ₌₂ᵀ L_{t−1}.
        public var reverseSum: Double { terms[1..<(terms.count - 1)].reduce(0, +) }
        /// Rate(t) = L_T + Σ_{s=t}^{T−1} L_s (Sec. 4.3): the bits received once xₜ is known, for t = 1…T
        /// (and the whole L at t = 0).
        public func rate(at t: Int) -> Double {
            precondition((0...(terms.count - 1)).contains(t), "rate: t = \(t) outside 0…\(terms.count - 1)")
            return terms[t...].reduce(0, +)
        }
    }

    /// Evaluates every model on `x0` ([count, dimension], on the decoder's levels), every term of every image, or
    /// with `subsample` a stratified share of them. `progress` is called with each finished t.
    public func evaluate(
        _ x0: [Float], models: [ReverseModel], seed: UInt64, subsample: TermSubsample? = nil, progress: ((Int) -> Void)? = nil
    ) -> [Report] {
        precondition(!x0.isEmpty && x0.count % dimension == 0, "VariationalBound: \(x0.count) values are not whole images of \(dimension)")
        let d = dimension
        let count = x0.count / d
        let bits = 1 / (Double(d) * Double.log(2))
        let images = (0..<count).map { n in (0..<d).map { Double(x0[n * d + $0]) } }
        let steps = schedule.steps
        var terms = [[Double]](repeating: [Double](repeating: 0, count: steps + 1), count: models.count)
        var totals = [[Double]](repeating: [Double](repeating: 0, count: count), count: models.count)
        var errors = [[Double]](repeating: [Double](repeating: 0, count: steps), count: models.count)
        var clippedErrors = errors
        for n in 0..<count {
            let prior = schedule.priorKL(x0: Tensor(images[n])) * bits
            for m in models.indices {
                terms[m][steps] += prior / Double(count)
                totals[m][n] += prior
            }
        }
        let selected = subsample?.images(count: count, steps: steps) ?? [[Int]](repeating: Array(0..<count), count: steps)
        var noise = [Float](repeating: 0, count: count * d)
        var input = [Float](repeating: 0, count: count * d)
        var xt = [[Double]](repeating: [Double](repeating: 0, count: d), count: count)
        for t in 1...steps {
            var generator = SeededGenerator(seed: seed &+ UInt64(t))
            noise.withUnsafeMutableBufferPointer { generator.fillNormals($0.baseAddress!, count: count * d) }
            let (a, s) = (schedule.sqrtAlphaBar(t), schedule.sqrtOneMinusAlphaBar(t))
            // The images evaluated at t, packed into the first rows of `input`; each stands for count/|Sₜ| images.
            let chosen = selected[t - 1]
            precondition(!chosen.isEmpty, "VariationalBound: no image evaluates t = \(t)")
            let shown = Double(chosen.count)
            let weight = Double(count) / shown
            for (j, n) in chosen.enumerated() {
                for i in 0..<d {
                    xt[n][i] = a * images[n][i] + s * Double(noise[n * d + i])
                    input[j * d + i] = Float(xt[n][i])
                }
            }
            let predicted = predictNoise(input, count: chosen.count, t: t)
            let outputs = outputDimension
            let (ca, cb) = (schedule.posteriorMeanCoefX0(t), schedule.posteriorMeanCoefXt(t))
            var plain = [Double](repeating: 0, count: d)
            var estimate = [Double](repeating: 0, count: d)
            var mean = [Double](repeating: 0, count: d)
            var sigma2s = [Double](repeating: 0, count: d)
            for (j, n) in chosen.enumerated() {
                let output = predicted[(j * outputs)..<(j * outputs + d)].map(Double.init)
                for i in 0..<d { plain[i] = (xt[n][i] - s * output[i]) / a }
                for (m, model) in models.enumerated() {
                    switch model.mean {
                    case .noise: estimate = plain
                    case .clippedNoise: for i in 0..<d { estimate[i] = min(1, max(-1, plain[i])) }
                    case .direct: for i in 0..<d { estimate[i] = t == 1 ? output[i] : (output[i] - cb * xt[n][i]) / ca }
                    case .levels(let posterior, let errorVariance):
                        for i in 0..<d { estimate[i] = posterior.mean(estimate: plain[i], errorVariance: errorVariance[t - 1]) }
                    }
                    var squared = 0.0
                    var clipped = 0.0
                    for i in 0..<d {
                        let e = estimate[i] - images[n][i]
                        let c = min(1, max(-1, estimate[i])) - images[n][i]
                        squared += e * e
                        clipped += c * c
                    }
                    errors[m][t - 1] += squared / (shown * Double(d))
                    clippedErrors[m][t - 1] += clipped / (shown * Double(d))
                    // μ_θ = μ̃ₜ(xₜ, x̂₀): for ε-prediction that is Eq. (11)'s mean (Eq. 10); at t = 1 it is x̂₀.
                    if t == 1 { mean = estimate } else { for i in 0..<d { mean[i] = ca * estimate[i] + cb * xt[n][i] } }
                    if model.variance.isLearned {
                        for i in 0..<d { sigma2s[i] = Double.exp(model.variance.logVariance(t: t, v: Double(predicted[j * outputs + d + i]), schedule: schedule)) }
                    }
                    let term: Double
                    switch (t, model.variance) {
                    case (1, .fixed): term = schedule.decoderTerm(x0: images[n], modelMean: mean, decoder: decoder)
                    case (1, _): term = decoder.negativeLogLikelihood(x0: images[n], mean: mean, standardDeviations: sigma2s.map { $0.squareRoot() })
                    case (_, .fixed(let v)): term = schedule.reverseTerm(x0: images[n], xt: xt[n], modelMean: mean, t: t, sigma2: schedule.sigma2(t, v))
                    case (_, _): term = schedule.reverseTerm(x0: images[n], xt: xt[n], modelMean: mean, t: t, sigma2s: sigma2s)
                    }
                    terms[m][t - 1] += term * bits / shown
                    totals[m][n] += term * bits * weight
                }
            }
            progress?(t)
        }
        return models.indices.map { Report(model: models[$0], terms: terms[$0], imageTotals: totals[$0], squaredError: errors[$0], clippedSquaredError: clippedErrors[$0]) }
    }

    /// The network's output [count, outputDimension] at step t for every image, in batches of the engine's capacity.
    func predictNoise(_ input: [Float], count: Int, t: Int) -> [Float] {
        var output = [Float](repeating: 0, count: count * outputDimension)
        let (d, o) = (dimension, outputDimension)
        for first in stride(from: 0, to: count, by: engine.capacity) {
            let n = min(engine.capacity, count - first)
            input.withUnsafeBufferPointer { buffer in
                let result = engine.forward(buffer.baseAddress! + first * d, steps: [Int](repeating: t, count: n))
                for i in 0..<(n * o) { output[first * o + i] = result[i] }
            }
        }
        return output
    }
}
