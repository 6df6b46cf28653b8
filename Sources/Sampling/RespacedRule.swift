import Diffusion
import Networks
import RealModule

/// Algorithm 2 on a subsequence τ of 1…T (Nichol & Dhariwal 2021): the respaced schedule ᾱ′ᵢ = ᾱ_{τᵢ},
/// β′ᵢ = 1 − ᾱ′ᵢ/ᾱ′ᵢ₋₁, and Eq. 11 on it,
///
///     μ = (x − β′ᵢ/√(1 − ᾱ′ᵢ)·ε̂)/√α′ᵢ,  or with `clipDenoised`  μ = μ̃′ᵢ(x, clip(x̂₀)) = c₀·clip((x − √(1 − ᾱ′ᵢ)·ε̂)/√ᾱ′ᵢ) + c_x·x
///     x ← μ (+ classifier guidance's shift) + σᵢ·z,   σᵢ² = β′ᵢ or β̃′ᵢ, or from the network's v channel
///
/// with the learned rule evaluated on the respaced β′ and β̃′ (`.interpolated`: σᵢ² = exp(v·log β′ᵢ +
/// (1 − v)·log β̃′ᵢ), as improved-diffusion's respaced sampler does). The network sees its own step τᵢ.
public struct RespacedRule: ReverseRule {
    /// How σᵢ² is chosen.
    public enum Variance: Sendable, Equatable {
        /// σᵢ² = β′ᵢ or β̃′ᵢ.
        case fixed(ReverseVariance)
        /// From the network's second output channel.
        case learned(Objective.Variance)
    }

    /// τ, strictly increasing inside 1…T.
    public let steps: [Int]
    /// Values per sample.
    public let dimension: Int
    /// Values the network outputs per sample.
    public let outputDimension: Int
    /// σᵢ².
    public let variance: Variance
    /// Whether x̂₀ is clipped to the data's range [−1, 1] (Ho's and improved-diffusion's `clip_denoised`).
    public let clipDenoised: Bool
    /// The respaced schedule (S steps).
    public let respaced: NoiseSchedule

    /// The rule on `tau` of `schedule`. - Throws: `ScheduleError` for an invalid τ.
    public init(schedule: NoiseSchedule, tau: [Int], dimension: Int, outputDimension: Int? = nil, variance: Variance, clipDenoised: Bool = false) throws(ScheduleError) {
        respaced = try schedule.respaced(on: tau)
        (steps, self.dimension, self.variance, self.clipDenoised) = (tau, dimension, variance, clipDenoised)
        self.outputDimension = outputDimension ?? dimension
        if case .learned(let v) = variance {
            precondition(v.isLearned, "RespacedRule: a learned variance must be .learned or .interpolated")
            precondition(self.outputDimension == 2 * dimension, "RespacedRule: a learned variance needs 2 output channels")
        }
    }

    /// σᵢ² of a fixed variance.
    public func guidanceVariance(position i: Int) -> Double? {
        if case .fixed(let v) = variance { return respaced.sigma2(i, v) }
        return nil
    }

    /// μ of respaced step i from (x, ε̂): Eq. 11, or μ̃′ᵢ(x, clip(x̂₀)) (Eq. 7, 15 on the respaced schedule).
    func mean(step i: Int) -> (Double, Double) -> Double {
        if clipDenoised {
            let (a, s) = (respaced.sqrtAlphaBar(i), respaced.sqrtOneMinusAlphaBar(i))
            let (c0, cx) = (respaced.posteriorMeanCoefX0(i), respaced.posteriorMeanCoefXt(i))
            return { x, e in c0 * min(1, max(-1, (x - s * e) / a)) + cx * x }
        }
        let coefficient = respaced.beta(i) / respaced.sqrtOneMinusAlphaBar(i)
        let inverseRoot = 1 / respaced.alpha(i).squareRoot()
        return { x, e in (x - coefficient * e) * inverseRoot }
    }

    /// One respaced step τᵢ → τᵢ₋₁.
    public func update(
        _ x: inout [Float], output: [Double], shift: [Double]?, position i: Int, noise z: [Float], images n: Int,
        record: ((Int, Float, Float) -> Void)?
    ) {
        let (d, outputs) = (dimension, outputDimension)
        let mean = mean(step: i)
        if let record {
            let (a, s) = (respaced.sqrtAlphaBar(i), respaced.sqrtOneMinusAlphaBar(i))
            for j in 0..<(n * d) { record(j, x[j], Float((Double(x[j]) - s * output[j / d * outputs + j % d]) / a)) }
        }
        for image in 0..<n {
            for k in 0..<d {
                let j = image * d + k
                let sigma: Double
                switch variance {
                case .fixed(let v): sigma = i > 1 ? respaced.sigma2(i, v).squareRoot() : 0
                case .learned(let v): sigma = i > 1 ? Double.exp(0.5 * v.logVariance(t: i, v: output[image * outputs + d + k], schedule: respaced)) : 0
                }
                let mu = mean(Double(x[j]), output[image * outputs + k])
                x[j] = Float((shift.map { mu + $0[j] } ?? mu) + sigma * Double(z[j]))
            }
        }
    }
}
