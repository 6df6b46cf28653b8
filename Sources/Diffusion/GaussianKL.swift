import RealModule
import TensorCore

/// KL divergences between Gaussians, the pieces of the bound L (Eq. 5, 8).
public enum GaussianKL {
    /// KL(N(m₁, v₁) ‖ N(m₂, v₂)) in nats for one coordinate:
    /// ½·(log(v₂/v₁) + (v₁ + (m₁ − m₂)²)/v₂ − 1).
    public static func divergence(mean1: Double, variance1: Double, mean2: Double, variance2: Double) -> Double {
        0.5 * (Double.log(variance2 / variance1) + (variance1 + (mean1 - mean2) * (mean1 - mean2)) / variance2 - 1)
    }

    /// KL between diagonal Gaussians with shared per-coordinate variances, summed over coordinates:
    /// Σᵢ KL(N(m₁ᵢ, v₁) ‖ N(m₂ᵢ, v₂)).
    public static func divergence(
        mean1: Tensor<Double>, variance1: Double, mean2: Tensor<Double>, variance2: Double
    ) -> Double {
        precondition(mean1.shape == mean2.shape, "GaussianKL: shapes \(mean1.shape) and \(mean2.shape) differ")
        let squared = (mean1 - mean2).squared().sum()
        let perCoordinate = 0.5 * (Double.log(variance2 / variance1) + variance1 / variance2 - 1)
        return Double(mean1.count) * perCoordinate + 0.5 * squared / variance2
    }

    /// Eq. (8): L_{t−1} = KL(N(μ̃ₜ, β̃ₜ I) ‖ N(μ_θ, σₜ² I)) = ‖μ̃ₜ − μ_θ‖²/(2σₜ²) + C, this is the
    /// θ-free C = (D/2)·(log(σₜ²/β̃ₜ) + β̃ₜ/σₜ² − 1) for D coordinates (for t ≥ 2, where β̃ₜ > 0).
    public static func eq8Constant(dimensions: Int, betaTilde: Double, sigma2: Double) -> Double {
        0.5 * Double(dimensions) * (Double.log(sigma2 / betaTilde) + betaTilde / sigma2 - 1)
    }
}

extension NoiseSchedule {
    /// The prior term L_T = KL(q(x_T∣x₀) ‖ N(0, I)) of Eq. (5) in nats, summed over coordinates:
    /// ½·Σᵢ(ᾱ_T·x₀ᵢ² − ᾱ_T − log(1 − ᾱ_T)). The bracket −ᾱ − log(1 − ᾱ) = ᾱ²/2 + ᾱ³/3 + … is
    /// summed as a series for small ᾱ, where the direct form would cancel.
    public func priorKL(x0: Tensor<Double>) -> Double {
        let a = alphaBar(steps)
        let varianceTerm = minusLogOneMinusXMinusX(a)
        return 0.5 * (a * x0.squared().sum() + Double(x0.count) * varianceTerm)
    }

    /// L_T in bits per dimension: `priorKL(x0:)` / (D·ln 2).
    public func priorBitsPerDimension(x0: Tensor<Double>) -> Double {
        priorKL(x0: x0) / (Double(x0.count) * Double.log(2))
    }
}

/// −log(1 − x) − x = Σₖ≥₂ xᵏ/k for 0 ≤ x < 1: the series below 0.05 (28 terms leave < 1e-37),
/// the direct form above (where the cancellation costs under 2 digits).
func minusLogOneMinusXMinusX(_ x: Double) -> Double {
    if x >= 0.05 { return -Double.log(onePlus: -x) - x }
    var sum = 0.0
    var power = x
    for k in 2...30 {
        power *= x
        sum += power / Double(k)
    }
    return sum
}
