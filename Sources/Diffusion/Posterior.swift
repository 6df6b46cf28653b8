import RealModule
import TensorCore

/// The forward-process posterior q(xₜ₋₁∣xₜ, x₀) = N(μ̃ₜ(xₜ, x₀), β̃ₜ I) (Eq. 6–7).
extension NoiseSchedule {
    /// Eq. (7), the posterior variance β̃ₜ = (1 − ᾱₜ₋₁)/(1 − ᾱₜ)·βₜ, for t = 1…T.
    /// β̃₁ = 0: given x₀ and x₁, x₀ is known exactly. β̃ₜ ≤ βₜ always.
    public func betaTilde(_ t: Int) -> Double {
        oneMinusAlphaBar(t - 1) / oneMinusAlphaBar(t) * beta(t)
    }

    /// Eq. (7), the coefficient of x₀ in μ̃ₜ: √ᾱₜ₋₁·βₜ/(1 − ᾱₜ), for t = 1…T (1 at t = 1).
    public func posteriorMeanCoefX0(_ t: Int) -> Double {
        sqrtAlphaBar(t - 1) * beta(t) / oneMinusAlphaBar(t)
    }

    /// Eq. (7), the coefficient of xₜ in μ̃ₜ: √αₜ·(1 − ᾱₜ₋₁)/(1 − ᾱₜ), for t = 1…T (0 at t = 1).
    public func posteriorMeanCoefXt(_ t: Int) -> Double {
        alpha(t).squareRoot() * oneMinusAlphaBar(t - 1) / oneMinusAlphaBar(t)
    }

    /// Eq. (7), the posterior mean
    /// μ̃ₜ(xₜ, x₀) = √ᾱₜ₋₁·βₜ/(1 − ᾱₜ)·x₀ + √αₜ·(1 − ᾱₜ₋₁)/(1 − ᾱₜ)·xₜ.
    public func posteriorMean(x0: Tensor<Double>, xt: Tensor<Double>, t: Int) -> Tensor<Double> {
        posteriorMeanCoefX0(t) * x0 + posteriorMeanCoefXt(t) * xt
    }

    /// log β̃ₜ with Ho's convention at t = 1: since β̃₁ = 0, log β̃₁ = −∞ is replaced by log β̃₂
    /// (`posterior_log_variance_clipped` in Ho's code). With T = 1 there is no β̃₂, and log β₁ is
    /// returned. Every other t gives log β̃ₜ exactly.
    public func logBetaTildeClipped(_ t: Int) -> Double {
        if t == 1 { return steps >= 2 ? Double.log(betaTilde(2)) : Double.log(beta(1)) }
        return Double.log(betaTilde(t))
    }
}
