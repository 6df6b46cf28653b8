import Testing

@testable import Diffusion
@testable import TensorCore

@Suite("ε-parameterisation (Eq. 9–12, 15)")
struct EpsilonParameterisationTests {
    static let schedule = try! NoiseSchedule.linear()
    static let steps = [1, 2, 3, 10, 100, 500, 999, 1000]

    @Test("Eq. 10/11: μ̃ₜ(xₜ, x₀(xₜ, ε)) equals (xₜ − βₜ/√(1 − ᾱₜ)·ε)/√αₜ for random inputs", arguments: steps)
    func meanFromNoiseMatchesPosteriorMean_eq10_eq11(t: Int) {
        let s = Self.schedule
        var rng = SeededGenerator(seed: 1000 + UInt64(t))
        for _ in 0..<50 {
            let x0 = Tensor<Double>.randomUniform([3], lower: -1, upper: 1, using: &rng)
            let eps = Tensor<Double>.randomNormal([3], using: &rng)
            let xt = s.marginalSample(x0: x0, t: t, noise: eps)
            let posterior = s.posteriorMean(x0: x0, xt: xt, t: t)
            let viaNoise = s.meanFromNoise(xt: xt, predictedNoise: eps, t: t)
            // A dozen roundings on O(1) values; at t = 1 the 1/√(1 − ᾱ₁) = 100 factor amplifies them: 1e-12.
            #expect(maxAbsoluteDifference(posterior, viaNoise) <= 1e-12, "t = \(t)")
        }
    }

    @Test(
        "Eq. 12: ‖μ̃ₜ − μ_θ‖²/(2σₜ²) = βₜ²/(2σₜ²αₜ(1 − ᾱₜ))·‖ε − ε_θ‖² for any ε_θ",
        arguments: steps.filter { $0 >= 2 }, ReverseVariance.allCases)
    func weightedNoiseErrorEqualsMeanError_eq12(t: Int, variance: ReverseVariance) {
        let s = Self.schedule
        var rng = SeededGenerator(seed: 2000 + UInt64(t))
        for _ in 0..<50 {
            let x0 = Tensor<Double>.randomUniform([4], lower: -1, upper: 1, using: &rng)
            let eps = Tensor<Double>.randomNormal([4], using: &rng)
            let guess = Tensor<Double>.randomNormal([4], using: &rng)
            let xt = s.marginalSample(x0: x0, t: t, noise: eps)
            let sigma2 = s.sigma2(t, variance)
            let lhs = (s.posteriorMean(x0: x0, xt: xt, t: t) - s.meanFromNoise(xt: xt, predictedNoise: guess, t: t)).squared().sum() / (2 * sigma2)
            let rhs = s.lossWeight(t, variance) * (eps - guess).squared().sum()
            // The difference μ̃ − μ_θ cancels the xₜ terms; its rounding is ~1e-16·|xₜ|/|μ̃ − μ_θ| relative,
            // at most ~1e-12 for these sizes.
            expectClose(lhs, rhs, relative: 1e-9, "t = \(t), σ² = \(variance)")
        }
    }

    @Test("Eq. 15 undoes Eq. 9: x̂₀(xₜ(x₀, ε), ε) = x₀", arguments: steps)
    func x0FromNoiseInvertsMarginal_eq15(t: Int) {
        let s = Self.schedule
        var rng = SeededGenerator(seed: 3000 + UInt64(t))
        let x0 = Tensor<Double>.randomUniform([100], lower: -1, upper: 1, using: &rng)
        let eps = Tensor<Double>.randomNormal([100], using: &rng)
        let recovered = s.x0FromNoise(xt: s.marginalSample(x0: x0, t: t, noise: eps), predictedNoise: eps, t: t)
        // Dividing by √ᾱ_T ≈ 6.4e-3 at t = T amplifies the rounding of xₜ (|xₜ| ≲ 4) by ~160: ≤ 1e-13.
        #expect(maxAbsoluteDifference(recovered, x0) <= 1e-13, "t = \(t)")
        // ε = (xₜ − √ᾱₜ·x₀)/√(1 − ᾱₜ): the rounding of xₜ and of √ᾱₜ·x₀ (≤ 2 ulps of |xₜ| ≲ 5, ~2e-15) is
        // divided by √(1 − ᾱₜ) ≥ √β₁ = 0.01, so ≤ 2e-13; allow 1e-12.
        #expect(maxAbsoluteDifference(s.noiseFromX0(xt: s.marginalSample(x0: x0, t: t, noise: eps), x0: x0, t: t), eps) <= 1e-12)
    }

    @Test("Eq. 12 weight at the boundaries: 1/(2α₁) at t = 1 with σ² = β, ∞ with σ² = β̃")
    func lossWeightBoundaries_eq12() {
        let s = Self.schedule
        expectClose(s.lossWeight(1, .beta), 1 / (2 * s.alpha(1)), relative: 1e-12, "w₁")
        #expect(s.lossWeight(1, .betaTilde) == .infinity)
        expectClose(s.lossWeight(1000, .beta), 0.02 / (2 * 0.98 * s.oneMinusAlphaBar(1000)), relative: 1e-13, "w_T")
    }
}
