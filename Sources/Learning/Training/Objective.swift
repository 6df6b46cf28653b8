import Diffusion
import RealModule

/// What the network predicts and what Algorithm 1 minimises: the rows of Ho et al.'s Table 2.
///
///     ε-prediction, unweighted:  ‖ε − ε_θ‖²                                   (L_simple, Eq. 14)
///     ε-prediction, bound:       L_{t−1} with μ_θ from ε_θ (Eq. 11): C + βₜ²/(2σₜ²αₜ(1 − ᾱₜ))·‖ε − ε_θ‖²  (Eq. 12)
///     μ̃-prediction, bound:       L_{t−1} = ‖μ̃ₜ − μ_θ‖²/(2σₜ²) + C                 (Eq. 8)
///     μ̃-prediction, unweighted:  ‖μ̃ₜ − μ_θ‖²
///     learned diagonal Σ:        L_{t−1} = KL(N(μ̃ₜ, β̃ₜ) ‖ N(μ_θ, σ_θ²)) with σ_θ² from a second output
///
/// Every bound objective uses the decoder of Eq. 13 at t = 1 (σ₁² = β₁ when fixed). A learned variance
/// is an offset from βₜ, log σ_θ² = log βₜ + v, so an untrained network (v ≈ 0) starts at σ² = βₜ
/// instead of σ² = 1, which Adam would need thousands of steps to leave.
public struct Objective: Sendable, Equatable, CustomStringConvertible {
    /// The network's (first) output.
    public enum Prediction: String, Sendable, Equatable {
        /// ε_θ, the noise.
        case noise
        /// μ_θ, the reverse step's mean.
        case mean
    }

    /// The loss on that output.
    public enum Weighting: String, Sendable, Equatable {
        /// The squared error of the prediction, equal weight for every t.
        case unweighted
        /// The true bound's term L_{t−1} (L₀ at t = 1).
        case bound
    }

    /// The reverse variance σₜ².
    public enum Variance: Sendable, Equatable {
        /// βₜ or β̃ₜ (Sec. 3.2).
        case fixed(ReverseVariance)
        /// log σₜ² = log βₜ + v, v the network's second output channel.
        case learned
    }

    /// What the network predicts.
    public let prediction: Prediction
    /// How its error is weighted.
    public let weighting: Weighting
    /// σₜ², fixed or learned (learned requires the bound).
    public let variance: Variance

    /// An objective; a learned variance needs `weighting == .bound`.
    public init(prediction: Prediction, weighting: Weighting, variance: Variance = .fixed(.beta)) {
        precondition(variance != .learned || weighting == .bound, "Objective: a learned variance is trained on the bound")
        self.prediction = prediction
        self.weighting = weighting
        self.variance = variance
    }

    /// L_simple: ε-prediction, unweighted, σ² = β for sampling.
    public static let simple = Objective(prediction: .noise, weighting: .unweighted)

    /// Output channels the network needs: 2 with a learned variance.
    public var outputChannels: Int { variance == .learned ? 2 : 1 }

    /// "ε, L_simple", "μ̃, bound, σ² = β", "μ̃, bound, learned Σ", ….
    public var description: String {
        let target = prediction == .noise ? "ε" : "μ̃"
        switch (weighting, variance) {
        case (.unweighted, _): return prediction == .noise ? "ε, ‖ε − ε_θ‖² (L_simple)" : "μ̃, ‖μ̃ − μ_θ‖²"
        case (.bound, .fixed(let v)): return "\(target), bound L, σ² = \(v == .beta ? "β" : "β̃")"
        case (.bound, .learned): return "\(target), bound L, learned diagonal Σ"
        }
    }

    /// log σₜ² for an output v (ignored when fixed; at t = 1 a fixed σ₁² is the decoder's β₁).
    public func logVariance(t: Int, v: Double, schedule: NoiseSchedule) -> Double {
        switch variance {
        case .learned: return Double.log(schedule.beta(t)) + v
        case .fixed(let choice): return t == 1 ? Double.log(schedule.decoderVariance) : Double.log(schedule.sigma2(t, choice))
        }
    }

    /// μ_θ(xₜ, t) from the output o: Eq. (11) for ε-prediction, o itself for μ̃-prediction.
    public func mean(output o: Double, xt: Double, t: Int, schedule: NoiseSchedule) -> Double {
        prediction == .mean ? o : (xt - schedule.beta(t) / schedule.sqrtOneMinusAlphaBar(t) * o) / schedule.alpha(t).squareRoot()
    }

    /// One coordinate's loss and its derivatives in the output o and the variance output v, for x₀
    /// (on the decoder's levels), xₜ = √ᾱₜ·x₀ + √(1 − ᾱₜ)·ε and step t.
    public func loss(output o: Double, varianceOutput v: Double = 0, x0: Double, xt: Double, noise: Double, t: Int,
                     schedule: NoiseSchedule, decoder: DiscreteDecoder) -> (loss: Double, dOutput: Double, dVariance: Double) {
        let target = t == 1 ? x0 : schedule.posteriorMeanCoefX0(t) * x0 + schedule.posteriorMeanCoefXt(t) * xt   // μ̃ₜ (μ̃₁ = x₀)
        if weighting == .unweighted {
            let d = prediction == .noise ? o - noise : o - target
            return (d * d, 2 * d, 0)
        }
        let mu = mean(output: o, xt: xt, t: t, schedule: schedule)
        let dMeanDOutput = prediction == .mean ? 1 : -schedule.beta(t) / (schedule.sqrtOneMinusAlphaBar(t) * schedule.alpha(t).squareRoot())
        let logSigma2 = logVariance(t: t, v: v, schedule: schedule)
        let learned = variance == .learned
        if t == 1 {
            let (logP, dMean, dLogVariance) = decoder.logProbabilityWithGradient(level: decoder.level(nearest: x0), mean: mu, logVariance: logSigma2)
            return (-logP, -dMean * dMeanDOutput, learned ? -dLogVariance : 0)
        }
        let posteriorVariance = schedule.betaTilde(t)
        let inverse = Double.exp(-logSigma2)
        let difference = target - mu
        let kl = 0.5 * (logSigma2 - Double.log(posteriorVariance) + (posteriorVariance + difference * difference) * inverse - 1)
        return (kl, -difference * inverse * dMeanDOutput, learned ? 0.5 * (1 - (posteriorVariance + difference * difference) * inverse) : 0)
    }
}
