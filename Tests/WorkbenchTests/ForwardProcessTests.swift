import Testing

@testable import Diffusion
@testable import TensorCore

@Suite("Forward process (Eq. 2, 4)")
struct ForwardProcessTests {
    static let schedule = try! NoiseSchedule.linear()

    @Test("Eq. 4 equals the exact moment recursion of iterated Eq. 2", arguments: [1, 2, 10, 100, 500, 999, 1000])
    func marginalMatchesIteratedStepMoments_eq4(t: Int) {
        let s = Self.schedule
        // Start from N(m₀, v₀); each Eq. 2 step maps (m, v) → (√αₜ·m, αₜ·v + βₜ).
        let (mean, variance) = s.iteratedMoments(mean0: 0.7, variance0: 0.09, through: t)
        // t multiplications in the recursion, each adding ≤ 1 ulp: 1e-13 relative is ample.
        expectClose(mean, s.sqrtAlphaBar(t) * 0.7, relative: 1e-13, "mean")
        expectClose(variance, s.alphaBar(t) * 0.09 + s.oneMinusAlphaBar(t), relative: 1e-13, "variance")
    }

    @Test("Eq. 4 matches iterated Eq. 2 by Monte Carlo (fixed seed, 5σ bounds)", arguments: [1, 10, 250, 1000])
    func marginalMatchesIteratedStepsMonteCarlo_eq4(t: Int) {
        let s = Self.schedule
        var rng = SeededGenerator(seed: UInt64(t))
        let n = 20_000
        let x0 = Tensor<Double>(repeating: 0.8, shape: [n])
        var stepped = x0
        for step in 1...t { stepped = s.forwardStep(xPrevious: stepped, t: step, noise: .randomNormal([n], using: &rng)) }
        let jumped = s.marginalSample(x0: x0, t: t, noise: .randomNormal([n], using: &rng))
        let mean = s.sqrtAlphaBar(t) * 0.8
        let variance = s.oneMinusAlphaBar(t)
        for sample in [stepped, jumped] {
            // Gaussian samples: sd of the mean √(v/n), of the variance v·√(2/n). P(|z| > 5) ≈ 6e-7 each.
            expectClose(sample.mean(), mean, absolute: 5 * (variance / Double(n)).squareRoot(), "mean at t = \(t)")
            expectClose(sample.variance(), variance, absolute: 5 * variance * (2 / Double(n)).squareRoot(), "variance at t = \(t)")
        }
    }

    @Test(
        "Eq. 2 iterated with given noises ε₁…εₜ is Eq. 4 with the one noise they add up to, and t = 0 returns x₀",
        arguments: [1, 2, 300, 1000])
    func iteratedStepsAreOneJump_eq2_eq4(t: Int) {
        let s = Self.schedule
        var rng = SeededGenerator(seed: UInt64(t))
        let x0 = Tensor<Double>([0.5, -1])
        // xₜ = √αₜ·xₜ₋₁ + √βₜ·εₜ unrolls to √ᾱₜ·x₀ + Σₛ cₛ·εₛ with cₛ = √βₛ·∏_{r>s} √α_r, and Σₛ cₛ² = 1 − ᾱₜ,
        // so the jump's noise is ε = Σₛ cₛ·εₛ/√(1 − ᾱₜ). The coefficients are accumulated here by the loop.
        var stepped = x0
        var combined = Tensor<Double>([0, 0])
        for step in 1...t {
            let noise = Tensor<Double>.randomNormal([2], using: &rng)
            stepped = s.forwardStep(xPrevious: stepped, t: step, noise: noise)
            combined = (1 - s.beta(step)).squareRoot() * combined + s.beta(step).squareRoot() * noise
        }
        let jumped = s.marginalSample(x0: x0, t: t, noise: (1 / s.oneMinusAlphaBar(t).squareRoot()) * combined)
        for i in 0..<2 {
            // t roundings of a few ulps each on O(1) values: 1e-12 absolute.
            expectClose(jumped.scalars[i], stepped.scalars[i], absolute: 1e-12, "xₜ[\(i)], t = \(t)")
        }
        #expect(s.marginalSample(x0: x0, t: 0, noise: combined) == x0)
    }

    @Test("Eq. 4's mean and variance equal the moments of t iterated Eq. 2 steps", arguments: [1, 300, 1000])
    func marginalMomentsMatchIteration_eq4(t: Int) {
        let s = Self.schedule
        let x0 = Tensor<Double>([0.5, -1])
        let mean = s.marginalMean(x0: x0, t: t)
        for i in 0..<2 {
            // The recursion (m, v) → (√αₛ·m, αₛ·v + βₛ) from (x₀, 0): t roundings of ≤ 1 ulp each, so 1e-13 relative.
            let iterated = s.iteratedMoments(mean0: x0.scalars[i], variance0: 0, through: t)
            expectClose(mean.scalars[i], iterated.mean, relative: 1e-13, "E[xₜ] of x₀ = \(x0.scalars[i])")
            expectClose(s.marginalVariance(t), iterated.variance, relative: 1e-13, "Var[xₜ]")
        }
    }
}
