import Testing

@testable import Diffusion
@testable import TensorCore

@Suite("Posterior (Eq. 6–7) and Sec. 3.2")
struct PosteriorTests {
    static let schedule = try! NoiseSchedule.linear()

    /// Bayes' rule on a grid for xₜ₋₁ given xₜ, with prior N(m, v) on xₜ₋₁ (no use of Eq. 7).
    static func bayes(t: Int, xt: Double, priorMean m: Double, priorVariance v: Double) -> GridPosterior {
        GridPosterior.reverseStep(schedule: schedule, t: t, xt: xt, priorMean: m, priorVariance: v)
    }

    @Test("Eq. 7 mean and variance equal Bayes' rule on a grid", arguments: [2, 3, 10, 100, 500, 999, 1000])
    func posteriorMatchesBayesRule_eq7(t: Int) {
        let s = Self.schedule
        var rng = SeededGenerator(seed: UInt64(t))
        for _ in 0..<3 {
            let x0 = rng.uniform(-1, 1)
            let xt = s.marginalSample(x0: Tensor([x0]), t: t, noise: Tensor([rng.normal()])).scalar
            let grid = Self.bayes(t: t, xt: xt, priorMean: s.sqrtAlphaBar(t - 1) * x0, priorVariance: s.oneMinusAlphaBar(t - 1))
            let mean = s.posteriorMean(x0: Tensor([x0]), xt: Tensor([xt]), t: t).scalar
            // ≥ 20 grid points per posterior sd over ±12 sd: the trapezoid rule is exact to ~1e-12 here;
            // 1e-8 (in units of √β̃ₜ for the mean, relative for the variance) still catches any wrong coefficient.
            expectClose(grid.mean, mean, absolute: 1e-8 * s.betaTilde(t).squareRoot(), "μ̃_\(t)")
            expectClose(grid.variance, s.betaTilde(t), relative: 1e-8, "β̃_\(t)")
        }
    }

    @Test("t = 1: the posterior is a point mass at x₀ (β̃₁ = 0, μ̃₁ = x₀)")
    func posteriorAtFirstStep_eq7() {
        let s = Self.schedule
        #expect(s.betaTilde(1) == 0)
        let mean = s.posteriorMean(x0: Tensor([0.25, -0.75]), xt: Tensor([3, -2]), t: 1)
        expectClose(mean.scalars[0], 0.25, absolute: 1e-15, "μ̃₁[0]")
        expectClose(mean.scalars[1], -0.75, absolute: 1e-15, "μ̃₁[1]")
    }

    @Test("β̃ₜ ≤ βₜ for every t, for three schedules")
    func betaTildeAtMostBeta_eq7() throws {
        for s in [try NoiseSchedule.linear(), try .quadratic(), try .cosine()] {
            for t in s.timeSteps { #expect(s.betaTilde(t) <= s.beta(t), "t = \(t)") }
        }
    }

    @Test("log β̃ clipping: t = 1 uses log β̃₂, other t are exact; T = 1 falls back to log β₁")
    func logVarianceConvention_eq7() throws {
        let s = Self.schedule
        #expect(s.logBetaTildeClipped(1) == Double.log(s.betaTilde(2)))
        #expect(s.logBetaTildeClipped(2) == Double.log(s.betaTilde(2)))
        #expect(s.logBetaTildeClipped(1000) == Double.log(s.betaTilde(1000)))
        let single = try NoiseSchedule(betas: [0.3])
        #expect(single.logBetaTildeClipped(1) == Double.log(0.3))
    }

    @Test("Sec. 3.2: for x₀ ~ N(0, 1) the reverse step q(xₜ₋₁∣xₜ) is N(√αₜ·xₜ, βₜ)", arguments: [1, 2, 50, 1000])
    func reverseStepForGaussianData_sec32(t: Int) {
        let s = Self.schedule
        // With unit-variance Gaussian data, q(xₜ₋₁) = N(0, ᾱ·1 + 1 − ᾱ) = N(0, 1) at every t.
        for xt in [-1.3, 0.2, 2.0] {
            let grid = Self.bayes(t: t, xt: xt, priorMean: 0, priorVariance: 1)
            expectClose(grid.variance, s.beta(t), relative: 1e-8, "variance at t = \(t)")
            expectClose(grid.mean, s.alpha(t).squareRoot() * xt, absolute: 1e-8 * s.beta(t).squareRoot(), "mean at t = \(t)")
        }
    }

    @Test("Sec. 3.2: for a point mass x₀ the reverse step has variance β̃ₜ", arguments: [2, 50, 1000])
    func reverseStepForPointMass_sec32(t: Int) {
        let s = Self.schedule
        let grid = Self.bayes(t: t, xt: 0.4, priorMean: s.sqrtAlphaBar(t - 1) * 0.9, priorVariance: s.oneMinusAlphaBar(t - 1))
        expectClose(grid.variance, s.betaTilde(t), relative: 1e-8, "variance at t = \(t)")
    }
}
