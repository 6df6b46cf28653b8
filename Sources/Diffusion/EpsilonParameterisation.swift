import TensorCore

/// The two fixed reverse-process variances of Sec. 3.2.
public enum ReverseVariance: String, CaseIterable, Sendable {
    /// σₜ² = βₜ: optimal for x₀ ~ N(0, I) (the upper bound on reverse entropy).
    case beta
    /// σₜ² = β̃ₜ: optimal for x₀ a point mass (the lower bound).
    case betaTilde
}

/// The ε-parameterisation (Eq. 9–12, 15): predict the noise, derive everything else from it.
extension NoiseSchedule {
    /// σₜ² for the chosen fixed variance (Sec. 3.2): βₜ or β̃ₜ.
    public func sigma2(_ t: Int, _ variance: ReverseVariance) -> Double {
        switch variance {
        case .beta: return beta(t)
        case .betaTilde: return betaTilde(t)
        }
    }

    /// Eq. (11), the model mean from a noise prediction:
    /// μ_θ(xₜ, t) = (xₜ − βₜ/√(1 − ᾱₜ)·ε_θ(xₜ, t)) / √αₜ.
    /// With the true ε this is Eq. (10)'s μ̃ₜ(xₜ, x₀(xₜ, ε)).
    public func meanFromNoise(xt: Tensor<Double>, predictedNoise: Tensor<Double>, t: Int) -> Tensor<Double> {
        (xt - (beta(t) / sqrtOneMinusAlphaBar(t)) * predictedNoise) / alpha(t).squareRoot()
    }

    /// Eq. (15) (and Eq. 9 solved for x₀), the predicted data:
    /// x̂₀ = (xₜ − √(1 − ᾱₜ)·ε_θ(xₜ)) / √ᾱₜ.
    public func x0FromNoise(xt: Tensor<Double>, predictedNoise: Tensor<Double>, t: Int) -> Tensor<Double> {
        (xt - sqrtOneMinusAlphaBar(t) * predictedNoise) / sqrtAlphaBar(t)
    }

    /// The noise that takes x₀ to xₜ under Eq. (9): ε = (xₜ − √ᾱₜ·x₀) / √(1 − ᾱₜ).
    public func noiseFromX0(xt: Tensor<Double>, x0: Tensor<Double>, t: Int) -> Tensor<Double> {
        (xt - sqrtAlphaBar(t) * x0) / sqrtOneMinusAlphaBar(t)
    }

    /// Eq. (12), the weight of ‖ε − ε_θ‖² in L_{t−1}: βₜ² / (2σₜ²·αₜ·(1 − ᾱₜ)).
    /// With σₜ² = β̃ₜ it is +∞ at t = 1 (β̃₁ = 0): the t = 1 term is the decoder L₀ instead.
    /// L_simple (Eq. 14) replaces it by 1 for every t.
    public func lossWeight(_ t: Int, _ variance: ReverseVariance) -> Double {
        let s2 = sigma2(t, variance)
        if s2 == 0 { return .infinity }
        return beta(t) * beta(t) / (2 * s2 * alpha(t) * oneMinusAlphaBar(t))
    }
}
