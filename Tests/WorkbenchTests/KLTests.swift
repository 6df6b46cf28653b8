import Testing

@testable import Diffusion
@testable import TensorCore

@Suite("KL terms of the bound (Eq. 5, 8) and L_T")
struct KLTests {
    /// KL(N(m₁, v₁) ‖ N(m₂, v₂)) by integrating p·log(p/q) on a grid (no closed form used).
    static func numericalKL(_ m1: Double, _ v1: Double, _ m2: Double, _ v2: Double) -> Double {
        let sd = v1.squareRoot()
        let count = 20_001
        let h = 24 * sd / Double(count - 1)
        var sum = 0.0
        for i in 0..<count {
            let x = m1 - 12 * sd + Double(i) * h
            let logP = GridPosterior.logNormal(x, mean: m1, variance: v1)
            let logQ = GridPosterior.logNormal(x, mean: m2, variance: v2)
            let weight = (i == 0 || i == count - 1) ? 0.5 : 1
            sum += weight * Double.exp(logP) * (logP - logQ)
        }
        return sum * h
    }

    @Test(
        "Gaussian KL closed form equals numerical integration",
        arguments: [(0.0, 1.0, 0.0, 1.0), (0.3, 0.5, -0.2, 2.0), (1.0, 1e-4, 1.01, 1.2e-4), (-2.0, 3.0, 0.0, 1.0)])
    func klMatchesNumericalIntegration_eq8(m1: Double, v1: Double, m2: Double, v2: Double) {
        let closed = GaussianKL.divergence(mean1: m1, variance1: v1, mean2: m2, variance2: v2)
        // The trapezoid rule on a smooth integrand decaying to e⁻⁷² at ±12 sd is exact to ~1e-12.
        expectClose(closed, Self.numericalKL(m1, v1, m2, v2), relative: 1e-9, absolute: 1e-12, "KL")
    }

    @Test("Eq. 8: KL(q(xₜ₋₁∣xₜ, x₀) ‖ p_θ) = ‖μ̃ₜ − μ_θ‖²/(2σₜ²) + C", arguments: [2, 10, 500, 1000])
    func posteriorKLDecomposition_eq8(t: Int) throws {
        let s = try NoiseSchedule.linear()
        var rng = SeededGenerator(seed: 4000 + UInt64(t))
        let x0 = Tensor<Double>.randomUniform([2], lower: -1, upper: 1, using: &rng)
        let xt = s.marginalSample(x0: x0, t: t, noise: .randomNormal([2], using: &rng))
        let muTilde = s.posteriorMean(x0: x0, xt: xt, t: t)
        let muTheta = muTilde + Tensor<Double>.randomNormal([2], using: &rng) * 0.01
        for variance in ReverseVariance.allCases {
            let sigma2 = s.sigma2(t, variance)
            let kl = GaussianKL.divergence(mean1: muTilde, variance1: s.betaTilde(t), mean2: muTheta, variance2: sigma2)
            let c = GaussianKL.eq8Constant(dimensions: 2, betaTilde: s.betaTilde(t), sigma2: sigma2)
            expectClose(kl, (muTilde - muTheta).squared().sum() / (2 * sigma2) + c, relative: 1e-12, absolute: 1e-15, "t = \(t)")
            let numeric = (0..<2).reduce(0.0) { $0 + Self.numericalKL(muTilde.scalars[$1], s.betaTilde(t), muTheta.scalars[$1], sigma2) }
            expectClose(kl, numeric, relative: 1e-8, absolute: 1e-12, "numerical t = \(t)")
        }
    }

    @Test("L_T ≈ 1e-5 bits/dim for 8-bit data (paper, Sec. 4), matching mpmath", arguments: [1000, 50])
    func priorTermBitsPerDimension_LT(steps: Int) throws {
        let s = try NoiseSchedule.linear(steps: steps)
        let pixels = Tensor((0...255).map { -1 + 2 * Double($0) / 255 })
        let bits = s.priorBitsPerDimension(x0: pixels)
        let reference = referenceRows.first { $0[0] == "priorBits" && $0[1] == String(steps) }.map { Double($0[2])! }!
        // ᾱ_T is good to ~1e-15 relative and the series for −log(1 − ᾱ) − ᾱ has no cancellation: 1e-12.
        expectClose(bits, reference, relative: 1e-12, "L_T bits/dim, T = \(steps)")
        if steps == 1000 { #expect(bits > 0.5e-5 && bits < 2e-5) }
    }

    @Test("−log(1 − x) − x is accurate on both sides of the series switch")
    func logSeriesHelper() {
        for x in [1e-8, 1e-3, 0.0499, 0.05, 0.5] {
            // The series Σ xᵏ/k (k ≥ 2), summed to 400 terms as an independent reference.
            var reference = 0.0
            var power = x
            for k in 2...400 { power *= x; reference += power / Double(k) }
            expectClose(minusLogOneMinusXMinusX(x), reference, relative: 1e-13, "x = \(x)")
        }
    }
}
