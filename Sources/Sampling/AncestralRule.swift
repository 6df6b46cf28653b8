import Diffusion
import Networks
import RealModule

/// Algorithm 2's step on the full schedule, t = `from`…1 (Ho et al. 2020, Eq. 11):
///
///     x_{t−1} = (xₜ − βₜ/√(1 − ᾱₜ)·ε_θ(xₜ, t))/√αₜ + σₜ·z,   z = 0 at t = 1,   x̂₀ = (xₜ − √(1 − ᾱₜ)·ε_θ)/√ᾱₜ (Eq. 15)
///
/// in Float for an ε-predicting network with fixed σₜ² = βₜ or β̃ₜ; for a μ-predicting network or a
/// learned variance (lesson 09's Table 2), x_{t−1} = μ_θ + σₜ·z in Double, with x̂₀ recovered from
/// μ_θ = μ̃ₜ(xₜ, x̂₀) (Eq. 7) and σₜ² = exp(`learnedVariance.logVariance`) from the second channel v.
public struct AncestralRule: ReverseRule {
    /// The schedule.
    public let schedule: NoiseSchedule
    /// Values per sample.
    public let dimension: Int
    /// σₜ² = βₜ or β̃ₜ (when not learned).
    public let variance: ReverseVariance
    /// What the network's first output is: ε_θ (Eq. 11 gives μ_θ) or μ_θ itself.
    public let prediction: Objective.Prediction
    /// How σₜ² comes from a second output channel v, or nil when σₜ² is fixed.
    public let learnedVariance: Objective.Variance?
    /// 1…`from`.
    public let steps: [Int]

    /// The rule from step `from` (default T) down to 1.
    public init(
        schedule: NoiseSchedule, dimension: Int, variance: ReverseVariance = .beta, prediction: Objective.Prediction = .noise,
        learnedVariance: Objective.Variance? = nil, from: Int? = nil
    ) {
        let from = from ?? schedule.steps
        precondition((0...schedule.steps).contains(from), "AncestralRule: start step \(from) outside 0…\(schedule.steps)")
        precondition(learnedVariance?.isLearned ?? true, "AncestralRule: learnedVariance must be .learned or .interpolated")
        (self.schedule, self.dimension, self.variance, self.prediction, self.learnedVariance) = (schedule, dimension, variance, prediction, learnedVariance)
        steps = from == 0 ? [] : Array(1...from)
    }

    /// `dimension`, or twice that with a learned variance.
    public var outputDimension: Int { learnedVariance == nil ? dimension : 2 * dimension }

    /// σₜ² of the fixed variance, for classifier guidance.
    public func guidanceVariance(position i: Int) -> Double? { schedule.sigma2(steps[i - 1], variance) }

    /// One step at t = steps[i − 1].
    public func update(
        _ x: inout [Float], output: [Double], shift: [Double]?, position i: Int, noise z: [Float], images n: Int,
        record: ((Int, Float, Float) -> Void)?
    ) {
        precondition(shift == nil, "AncestralRule: classifier guidance is on the strided sampler")
        let t = steps[i - 1]
        if prediction == .noise && learnedVariance == nil { noiseStep(&x, eps: output, t: t, count: n * dimension, noise: z, record: record) } else { generalStep(&x, output: output, t: t, images: n, noise: z, record: record) }
    }

    /// Eq. 11 in Float: xₜ₋₁ = (xₜ − βₜ/√(1 − ᾱₜ)·ε_θ)/√αₜ + σₜ·z.
    func noiseStep(_ x: inout [Float], eps: [Double], t: Int, count: Int, noise z: [Float], record: ((Int, Float, Float) -> Void)?) {
        let q = schedule.float(t)
        if let record { for i in 0..<count { record(i, x[i], q.predictedX0(x[i], noise: Float(eps[i]))) } }
        let sigma = Float(schedule.sigma2(t, variance).squareRoot())
        for i in 0..<count { x[i] = q.meanFromNoise(x[i], noise: Float(eps[i])) + (t > 1 ? sigma * z[i] : 0) }
    }

    /// xₜ₋₁ = μ_θ + σₜ·z in Double, for a μ-predicting or variance-learning network.
    func generalStep(_ x: inout [Float], output: [Double], t: Int, images n: Int, noise z: [Float], record: ((Int, Float, Float) -> Void)?) {
        let d = dimension
        let outputs = outputDimension
        let (a, b) = (schedule.posteriorMeanCoefX0(t), schedule.posteriorMeanCoefXt(t))
        let fixed = schedule.sigma2(t, variance).squareRoot()
        let (coefficient, rootAlpha) = (schedule.beta(t) / schedule.sqrtOneMinusAlphaBar(t), schedule.alpha(t).squareRoot())
        for image in 0..<n {
            for j in 0..<d {
                let i = image * d + j
                let o = output[image * outputs + j]
                let xt = Double(x[i])
                let mu = prediction == .mean ? o : (xt - coefficient * o) / rootAlpha
                record?(i, x[i], Float((mu - b * xt) / a))
                let sigma = learnedVariance.map { Double.exp(0.5 * $0.logVariance(t: t, v: output[image * outputs + d + j], schedule: schedule)) } ?? fixed
                x[i] = Float(mu + (t > 1 ? sigma * Double(z[i]) : 0))
            }
        }
    }
}
