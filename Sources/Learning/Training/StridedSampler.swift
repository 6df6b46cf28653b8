import Diffusion
import TensorCore

/// Sampling on a subsequence τ = (τ₁ < … < τ_S) of 1…T with S network evaluations per sample:
/// Algorithm 2 on the respaced schedule (σ² = β′ or β̃′), or DDIM with parameter η. The network
/// always sees its own step index τᵢ. Batch b draws its noise from `SeededGenerator(seed: seed &+ b)`,
/// as `NetworkSampler` does.
public struct StridedSampler {
    /// The update rule.
    public enum Method: Sendable, Equatable {
        /// Eq. 11 with the respaced β′ᵢ = 1 − ᾱ_{τᵢ}/ᾱ_{τᵢ₋₁}, plus σᵢ·z (σᵢ² = β′ᵢ or β̃′ᵢ).
        case ddpm(ReverseVariance)
        /// DDIM (Song et al. 2021): x̂₀ and ε̂ recombined at τᵢ₋₁, σ = η·√((1 − ᾱₛ)/(1 − ᾱₜ))·√(1 − ᾱₜ/ᾱₛ).
        case ddim(eta: Double)
        /// Eq. 11 on the respaced schedule with σᵢ² from the network's second output channel v, the
        /// variance rule evaluated on the respaced β′ and β̃′ (for `.interpolated`:
        /// σᵢ² = exp(v·log β′ᵢ + (1 − v)·log β̃′ᵢ), as Nichol & Dhariwal's respaced sampler does).
        case ddpmLearned(Objective.Variance)
    }

    /// The loaded engine.
    public let engine: any DenoisingEngine
    /// Values per sample.
    public let dimension: Int
    /// Values the engine outputs per sample: `dimension`, or twice that for a network with a variance channel.
    public let outputDimension: Int
    /// The full schedule (T steps).
    public let schedule: NoiseSchedule
    /// τ, strictly increasing inside 1…T.
    public let tau: [Int]
    /// The update rule.
    public let method: Method
    /// Whether the DDPM steps clip x̂₀ to the data's range [−1, 1] and take μ = μ̃(xₜ, clip(x̂₀)), as Ho's
    /// and improved-diffusion's samplers do (`clip_denoised`); without it the step is Eq. 11 as written.
    public let clipDenoised: Bool
    let respaced: NoiseSchedule

    /// A sampler on `tau` (default: `schedule.evenlySpacedSteps`).
    /// - Throws: `ScheduleError` for an invalid τ.
    public init(engine: any DenoisingEngine, dimension: Int, outputDimension: Int? = nil, schedule: NoiseSchedule, tau: [Int], method: Method,
                clipDenoised: Bool = false) throws(ScheduleError) {
        self.clipDenoised = clipDenoised
        self.engine = engine
        self.dimension = dimension
        self.outputDimension = outputDimension ?? dimension
        if case .ddpmLearned = method { precondition(self.outputDimension == 2 * dimension, "StridedSampler: a learned variance needs 2 output channels") }
        self.schedule = schedule
        self.tau = tau
        if case .ddpmLearned(let variance) = method { precondition(variance.isLearned, "StridedSampler: .ddpmLearned needs a learned variance") }
        self.method = method
        respaced = try schedule.respaced(on: tau)
    }

    /// `count` samples from x_{τ_S} ~ N(0, I).
    public func sample(count: Int, seed: UInt64) -> [Float] { decode(nil, count: count, seed: seed) }

    /// Runs the reverse chain from `start` at τ_S (fresh N(0, I) when nil) down to x₀.
    public func decode(_ start: [Float]?, count: Int, seed: UInt64) -> [Float] {
        precondition(start == nil || start!.count == count * dimension, "StridedSampler: start holds \(start!.count) values for \(count) samples")
        let d = dimension
        var samples = [Float](repeating: 0, count: count * d)
        for (batchIndex, first) in stride(from: 0, to: count, by: engine.capacity).enumerated() {
            let n = min(engine.capacity, count - first)
            var generator = SeededGenerator(seed: seed &+ UInt64(batchIndex))
            var x = [Float](repeating: 0, count: n * d)
            if let start { x = Array(start[(first * d)..<((first + n) * d)]) } else { x.withUnsafeMutableBufferPointer { generator.fillNormals($0.baseAddress!, count: n * d) } }
            var z = [Float](repeating: 0, count: n * d)
            for i in stride(from: tau.count, through: 1, by: -1) {
                let (t, s) = (tau[i - 1], i > 1 ? tau[i - 2] : 0)
                let output = x.withUnsafeBufferPointer { engine.forward($0.baseAddress!, steps: [Int](repeating: t, count: n)) }
                // ε_θ of value j (image j / d): the first channel of that image's outputs.
                let stride = outputDimension
                let eps = { (j: Int) -> Float in output[j / d * stride + j % d] }
                if i > 1 { z.withUnsafeMutableBufferPointer { generator.fillNormals($0.baseAddress!, count: n * d) } }
                let mean = ddpmMean(step: i)
                switch method {
                case .ddpm(let variance):
                    let sigma = i > 1 ? respaced.sigma2(i, variance).squareRoot() : 0
                    for j in 0..<(n * d) { x[j] = Float(mean(Double(x[j]), Double(eps(j))) + sigma * Double(z[j])) }
                case .ddpmLearned(let variance):
                    for image in 0..<n {
                        for j in 0..<d {
                            let k = image * d + j   // the output holds ε_θ then v for each image
                            let sigma = i > 1 ? Double.exp(0.5 * variance.logVariance(t: i, v: Double(output[image * 2 * d + d + j]), schedule: respaced)) : 0
                            x[k] = Float(mean(Double(x[k]), Double(eps(k))) + sigma * Double(z[k]))
                        }
                    }
                case .ddim(let eta):
                    for j in 0..<(n * d) {
                        x[j] = Float(schedule.ddimStep(xt: Double(x[j]), predictedNoise: Double(eps(j)), from: t, to: s, eta: eta, noise: i > 1 ? Double(z[j]) : 0))
                    }
                }
            }
            for j in 0..<(n * d) { samples[first * d + j] = x[j] }
        }
        return samples
    }

    /// μ of respaced step i from (xᵢ, ε̂): Eq. 11, (x − β′ᵢ/√(1 − ᾱ′ᵢ)·ε̂)/√α′ᵢ, or with `clipDenoised`
    /// μ̃′ᵢ(x, clip(x̂₀)) = c₀·clip((x − √(1 − ᾱ′ᵢ)·ε̂)/√ᾱ′ᵢ) + c_x·x (Eq. 7, 15 on the respaced schedule).
    func ddpmMean(step i: Int) -> (Double, Double) -> Double {
        if clipDenoised {
            let (a, s) = (respaced.sqrtAlphaBar(i), respaced.sqrtOneMinusAlphaBar(i))
            let (c0, cx) = (respaced.posteriorMeanCoefX0(i), respaced.posteriorMeanCoefXt(i))
            return { x, e in c0 * min(1, max(-1, (x - s * e) / a)) + cx * x }
        }
        let coefficient = respaced.beta(i) / respaced.sqrtOneMinusAlphaBar(i)
        let inverseRoot = 1 / respaced.alpha(i).squareRoot()
        return { x, e in (x - coefficient * e) * inverseRoot }
    }

    /// The deterministic DDIM encoder: x₀ → x_{τ_S} along τ, one network evaluation per step
    /// (at the lower step of each pair, starting from x₀ at t = 0 with ε̂ = ε_θ(x₀, τ₁)).
    public func encode(_ x0: [Float], count: Int) -> [Float] {
        let d = dimension
        var out = [Float](repeating: 0, count: count * d)
        for first in stride(from: 0, to: count, by: engine.capacity) {
            let n = min(engine.capacity, count - first)
            var x = Array(x0[(first * d)..<((first + n) * d)])
            for i in 1...tau.count {
                let (s, t) = (i > 1 ? tau[i - 2] : 0, tau[i - 1])
                // ε̂ at the lower end; at s = 0 the network is asked at τ₁ (its smallest step).
                let eps = x.withUnsafeBufferPointer { engine.forward($0.baseAddress!, steps: [Int](repeating: max(s, tau[0]), count: n)) }
                for j in 0..<(n * d) { x[j] = Float(schedule.ddimEncodeStep(xs: Double(x[j]), predictedNoise: Double(eps[j / d * outputDimension + j % d]), from: s, to: t)) }
            }
            for j in 0..<(n * d) { out[first * d + j] = x[j] }
        }
        return out
    }
}
