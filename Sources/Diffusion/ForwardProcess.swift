import TensorCore

/// The forward (diffusion) process q: one step (Eq. 2) and the jump from x₀ to xₜ (Eq. 4, 9).
/// Noise is always passed in, so a test can hand over known ε.
extension NoiseSchedule {
    /// Eq. (2), one forward step: q(xₜ∣xₜ₋₁) = N(√(1 − βₜ)·xₜ₋₁, βₜ I), sampled as
    /// xₜ = √(1 − βₜ)·xₜ₋₁ + √βₜ·ε with ε ~ N(0, I) given in `noise`.
    /// - Parameters:
    ///   - xPrevious: xₜ₋₁, any shape.
    ///   - t: the paper step, 1…T.
    ///   - noise: ε, the same shape as `xPrevious`.
    public func forwardStep(xPrevious: Tensor<Double>, t: Int, noise: Tensor<Double>) -> Tensor<Double> {
        alpha(t).squareRoot() * xPrevious + beta(t).squareRoot() * noise
    }

    /// Eq. (4), the mean of q(xₜ∣x₀): √ᾱₜ·x₀, for t = 0…T.
    public func marginalMean(x0: Tensor<Double>, t: Int) -> Tensor<Double> {
        sqrtAlphaBar(t) * x0
    }

    /// Eq. (4), the variance of q(xₜ∣x₀) in every coordinate: 1 − ᾱₜ, for t = 0…T.
    public func marginalVariance(_ t: Int) -> Double { oneMinusAlphaBar(t) }

    /// Eq. (4) reparameterised as Eq. (9): xₜ(x₀, ε) = √ᾱₜ·x₀ + √(1 − ᾱₜ)·ε, a draw from q(xₜ∣x₀).
    /// - Parameters:
    ///   - x0: the data x₀, any shape.
    ///   - t: the paper step, 0…T (t = 0 returns x₀).
    ///   - noise: ε ~ N(0, I), the same shape as `x0`.
    public func marginalSample(x0: Tensor<Double>, t: Int, noise: Tensor<Double>) -> Tensor<Double> {
        sqrtAlphaBar(t) * x0 + sqrtOneMinusAlphaBar(t) * noise
    }

    /// The exact moments of xₜ for x₀ ~ N(m₀, v₀) after iterating Eq. (2) from step 1 to t:
    /// mₜ = √αₜ·mₜ₋₁ and vₜ = αₜ·vₜ₋₁ + βₜ. Eq. (4) says mₜ = √ᾱₜ·m₀ and vₜ = ᾱₜ·v₀ + 1 − ᾱₜ.
    /// - Returns: (mean, variance) after t steps, t = 0…T.
    public func iteratedMoments(mean0: Double, variance0: Double, through t: Int) -> (mean: Double, variance: Double) {
        var mean = mean0
        var variance = variance0
        for s in stride(from: 1, through: t, by: 1) {
            mean *= alpha(s).squareRoot()
            variance = alpha(s) * variance + beta(s)
        }
        return (mean, variance)
    }
}
