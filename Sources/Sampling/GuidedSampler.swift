import Diffusion
import Networks
import TensorCore

/// Class-guided sampling on a subsequence τ of 1…T (respaced DDPM, lesson 11), for one requested
/// class per sample: `RespacedRule` on `ReverseChain` with `Guidance`,
///
///     classifier-free (Ho & Salimans 2021):   ε̃ = (1 + w)·ε_θ(xₜ, y) − w·ε_θ(xₜ, ∅),   then μ from ε̃
///     classifier (Dhariwal & Nichol 2021):    μ̃ = μ(xₜ, ε_θ(xₜ)) + s·σᵢ²·∇ₓ log p_φ(y∣xₜ, t)
///
/// then x ← μ + σᵢ·z with σᵢ² = β′ᵢ or β̃′ᵢ of the respaced schedule, x̂₀ clipped to [−1, 1] when
/// `clipDenoised`. Batch b draws x_T and every z from `SeededGenerator(seed: seed &+ b)`.
public struct GuidedSampler {
    /// The guidance rule.
    public enum Method {
        /// Classifier-free guidance with weight w ≥ 0 on a class-conditional network (w = 0: the conditional model).
        case classifierFree(w: Double)
        /// Classifier guidance with scale s on an unconditional network; `gradient(x, t, y)` returns
        /// ∇ₓ log p_φ(yₙ∣xₙ, t) for a batch x [n, dimension].
        case classifier(scale: Double, gradient: ([Float], Int, [Int]) -> [Float])
    }

    /// The loaded engine (a class-conditional network for `.classifierFree`).
    public let engine: any DenoisingEngine
    /// The null label ∅ (the network's class count) for classifier-free guidance.
    public let nullLabel: Int
    /// The respaced DDPM rule.
    public let rule: RespacedRule

    /// A sampler of `engine` on `tau`. - Throws: `ScheduleError` for an invalid τ.
    public init(
        engine: any DenoisingEngine, dimension: Int, nullLabel: Int, schedule: NoiseSchedule, tau: [Int], variance: ReverseVariance = .beta,
        clipDenoised: Bool = true
    ) throws(ScheduleError) {
        (self.engine, self.nullLabel) = (engine, nullLabel)
        rule = try RespacedRule(schedule: schedule, tau: tau, dimension: dimension, variance: .fixed(variance), clipDenoised: clipDenoised)
    }

    /// One sample per entry of `labels` (the class asked for), from x_{τ_S} ~ N(0, I).
    public func sample(labels: [Int], guidance method: Method, seed: UInt64) -> [Float] {
        let guidance: Guidance =
            switch method {
            case .classifierFree(let w): .classifierFree(w: w, nullLabel: nullLabel)
            case .classifier(let scale, let gradient): .classifier(scale: scale, gradient: gradient)
            }
        return ReverseChain(engines: [engine]).run(rule, from: nil, count: labels.count, seed: seed, labels: labels, guidance: guidance).samples
    }
}
