import Testing

@testable import Diffusion
@testable import TensorCore

@Suite("Gaussian mixture: diffused density and score")
struct GaussianMixtureTests {
    static let mixture = GaussianMixture1D.twoBumps

    @Test("The score equals the finite-difference derivative of log q", arguments: [-1.0, -0.5, 0.05, 0.6, 2.0])
    func scoreMatchesFiniteDifference(x: Double) {
        let h = 1e-5
        let numeric = (Double.log(Self.mixture.density(x + h)) - Double.log(Self.mixture.density(x - h))) / (2 * h)
        // Central difference: truncation h²·f‴/6 (f‴ ≲ 1e4 for sd 0.1 bumps: ≲ 2e-7), rounding ε/h ≈ 1e-11.
        expectClose(Self.mixture.score(x), numeric, relative: 1e-6, absolute: 1e-6, "score at \(x)")
    }

    @Test("q(xₜ) from Eq. 4 per component equals the numerical convolution of q(x₀) with q(xₜ∣x₀)", arguments: [1, 50, 300])
    func diffusedDensityMatchesConvolution_eq4(t: Int) throws {
        let s = try NoiseSchedule.linear()
        let diffused = Self.mixture.diffused(by: s, to: t)
        for xt in [-0.8, 0.0, 0.5, 1.5] {
            // ∫ q(x₀)·N(xₜ; √ᾱₜ·x₀, 1 − ᾱₜ) dx₀ by the trapezoid rule on [−2, 2] with 40,001 points.
            let count = 40_001
            let h = 4.0 / Double(count - 1)
            var sum = 0.0
            for i in 0..<count {
                let x0 = -2 + Double(i) * h
                let w = (i == 0 || i == count - 1) ? 0.5 : 1.0
                sum += w * Self.mixture.density(x0) * Double.exp(GridPosterior.logNormal(xt, mean: s.sqrtAlphaBar(t) * x0, variance: s.oneMinusAlphaBar(t)))
            }
            expectClose(diffused.density(xt), sum * h, relative: 1e-7, absolute: 1e-12, "q(x_\(t) = \(xt))")
        }
    }

    @Test("Sampling reproduces the mixture's mean and variance (5σ bounds)")
    func samplingMoments() {
        var rng = SeededGenerator(seed: 5)
        let n = 100_000
        let x = Tensor(Self.mixture.sample(n, using: &rng))
        let m = Self.mixture
        expectClose(x.mean(), m.mean, absolute: 5 * (m.variance / Double(n)).squareRoot(), "mean")
        // Var of the sample variance ≤ (μ₄ − v²)/n; μ₄ ≤ 3v² + bimodal excess, bounded here by 2v² → sd ≤ v·√(2/n)·… use 6σ.
        expectClose(x.variance(), m.variance, absolute: 6 * m.variance * (2 / Double(n)).squareRoot(), "variance")
    }
}
