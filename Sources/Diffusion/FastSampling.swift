import RealModule
import TensorCore

/// Faster sampling on a subsequence τ = (τ₁ < … < τ_S = T) of 1…T: the respaced DDPM of Nichol &
/// Dhariwal (2021) and DDIM of Song et al. (2021). Both keep the network's own step index t = τᵢ.
extension NoiseSchedule {
    /// S steps spread evenly over 1…T: τᵢ = ⌈i·T/S⌉ for i = 1…S (so τ_S = T; S ≤ T).
    public func evenlySpacedSteps(_ count: Int) -> [Int] {
        precondition((1...steps).contains(count), "evenlySpacedSteps: \(count) steps outside 1…\(steps)")
        return (1...count).map { (($0 * steps) + count - 1) / count }
    }

    /// The respaced schedule on τ: β′ᵢ = 1 − ᾱ_{τᵢ}/ᾱ_{τᵢ₋₁} (ᾱ_{τ₀} = ᾱ₀ = 1), so that its ᾱ′ᵢ equals
    /// ᾱ_{τᵢ} (as the improved-DDPM code respaces). Step i of the result runs the network at t = τᵢ.
    /// - Throws: `ScheduleError` if τ is not strictly increasing inside 1…T.
    public func respaced(on tau: [Int]) throws(ScheduleError) -> NoiseSchedule {
        guard let first = tau.first, first >= 1, tau.last! <= steps, zip(tau, tau.dropFirst()).allSatisfy({ $0 < $1 }) else {
            throw .invalidSubsequence(count: tau.count, steps: steps)
        }
        var betas: [Double] = []
        var previous = 0
        for t in tau {
            // 1 − ᾱₜ/ᾱₛ = −expm1(log ᾱₜ − log ᾱₛ): no cancellation when the two are close.
            betas.append(-Double.expMinusOne(logAlphaBar(t) - logAlphaBar(previous)))
            previous = t
        }
        return try NoiseSchedule(betas: betas)
    }

    /// DDIM's σ for a step from t down to s < t with parameter η (Song et al., Eq. 16):
    /// σ = η·√((1 − ᾱₛ)/(1 − ᾱₜ))·√(1 − ᾱₜ/ᾱₛ). η = 1 on consecutive steps gives σ² = β̃ₜ; η = 0 is deterministic.
    public func ddimSigma(from t: Int, to s: Int, eta: Double) -> Double {
        precondition(s >= 0 && s < t && t <= steps, "ddimSigma: steps \(t) → \(s)")
        let ratio = -Double.expMinusOne(logAlphaBar(t) - logAlphaBar(s))  // 1 − ᾱₜ/ᾱₛ
        return eta * (oneMinusAlphaBar(s) / oneMinusAlphaBar(t) * ratio).squareRoot()
    }

    /// One DDIM step from xₜ to xₛ (s < t; s = 0 ends at x₀) given ε̂ = ε_θ(xₜ, t) and noise z:
    ///
    ///     x̂₀ = (xₜ − √(1 − ᾱₜ)·ε̂)/√ᾱₜ,   xₛ = √ᾱₛ·x̂₀ + √(1 − ᾱₛ − σ²)·ε̂ + σ·z.
    public func ddimStep(xt: Double, predictedNoise eps: Double, from t: Int, to s: Int, eta: Double, noise z: Double) -> Double {
        let sigma = ddimSigma(from: t, to: s, eta: eta)
        let x0 = (xt - sqrtOneMinusAlphaBar(t) * eps) / sqrtAlphaBar(t)
        let direction = max(0, oneMinusAlphaBar(s) - sigma * sigma).squareRoot()
        return sqrtAlphaBar(s) * x0 + direction * eps + sigma * z
    }

    /// The deterministic DDIM encoder's step from xₛ up to xₜ (s < t), the η = 0 update run backwards:
    /// xₜ = √ᾱₜ·x̂₀ + √(1 − ᾱₜ)·ε̂ with x̂₀ = (xₛ − √(1 − ᾱₛ)·ε̂)/√ᾱₛ and ε̂ = ε_θ(xₛ, s).
    public func ddimEncodeStep(xs: Double, predictedNoise eps: Double, from s: Int, to t: Int) -> Double {
        precondition(s >= 0 && s < t && t <= steps, "ddimEncodeStep: steps \(s) → \(t)")
        let x0 = (xs - sqrtOneMinusAlphaBar(s) * eps) / sqrtAlphaBar(s)
        return sqrtAlphaBar(t) * x0 + sqrtOneMinusAlphaBar(t) * eps
    }
}
