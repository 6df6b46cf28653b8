import Foundation
import Testing

@testable import Diffusion
@testable import TensorCore

/// The mixtures' diffused densities and their ε* against direct integration over x₀: nothing here
/// uses the closed forms' structure (the product of Gaussians), only q(x₀) and q(xₜ∣x₀) of Eq. (4).
@Suite("Mixtures against integration over x₀ (Eq. 4, ε* = E[ε∣xₜ])")
struct OracleConvolutionTests {
    static let schedule = try! NoiseSchedule.linear()

    /// Wide, unequal components (s = 0.35 and 0.6), so ᾱₜ·s² and s² differ by tens of per cent at
    /// t ≥ 100: a diffused variance without its ᾱₜ factor is off by far more than the tolerance.
    static let wide = GaussianMixture2D([
        .init(weight: 0.3, mean: (0.8, -0.4), standardDeviation: 0.35),
        .init(weight: 0.7, mean: (-0.5, 0.6), standardDeviation: 0.6),
    ])

    /// The quadrature grid: step 0.02 on [−6, 6]² with trapezoid weights, and q(x₀) on it.
    static let (step, nodes) = (0.02, (0...600).map { -6 + Double($0) * 0.02 })
    static let weightedDensity: [Double] = {
        var out: [Double] = []
        for (i, x0) in nodes.enumerated() {
            for (j, y0) in nodes.enumerated() {
                let w = (i == 0 || i == 600 ? 0.5 : 1) * (j == 0 || j == 600 ? 0.5 : 1.0)
                out.append(w * Foundation.exp(wide.logDensity(x0, y0)))
            }
        }
        return out
    }()

    /// ∫ q(x₀)·N(xₜ; √ᾱₜ·x₀, (1 − ᾱₜ)I) dx₀ and ∫ ε·q(x₀∣xₜ) dx₀ with ε = (xₜ − √ᾱₜ·x₀)/√(1 − ᾱₜ), by the
    /// trapezoid rule. For a smooth integrand of width w the rule's error is ~exp(−2π²w²/h²): the
    /// narrowest integrand here (t = 10, w = √(1 − ᾱₜ)/√ᾱₜ ≈ 0.044) gives e^{−95}. At t = 500 the
    /// posterior is nearly the prior, whose widest component (sd 0.6) sits 5.5 from the edge: the
    /// mass beyond ±6 is below e^{−40}. So the quadrature is exact to rounding (~1e-12 relative).
    static func integrate(x: Double, y: Double, t: Int) -> (density: Double, noise: (Double, Double)) {
        let (a, v) = (schedule.sqrtAlphaBar(t), schedule.oneMinusAlphaBar(t))
        var (mass, ex, ey) = (0.0, 0.0, 0.0)
        for (i, x0) in nodes.enumerated() {
            let dx = x - a * x0
            for (j, y0) in nodes.enumerated() {
                let dy = y - a * y0
                let p = weightedDensity[i * nodes.count + j] * Foundation.exp(-(dx * dx + dy * dy) / (2 * v))
                mass += p
                ex += p * dx
                ey += p * dy
            }
        }
        let s = v.squareRoot()
        return (mass * step * step / (2 * Double.pi * v), (ex / (mass * s), ey / (mass * s)))
    }

    @Test("q(xₜ) of the diffused 2-D mixture equals the convolution of q(x₀) with q(xₜ∣x₀)", arguments: [10, 100, 500])
    func diffusedMixtureMatchesConvolution_eq4(t: Int) {
        let q = Self.wide.diffused(by: Self.schedule, to: t)
        for (x, y) in [(0.0, 0.0), (0.7, -0.3), (-1.2, 1.1)] {
            let integral = Self.integrate(x: x, y: y, t: t)
            // Quadrature exact to rounding (see `integrate`): summing 361,201 terms leaves ~1e-12 relative; allow 1e-9.
            expectClose(Foundation.exp(q.logDensity(x, y)), integral.density, relative: 1e-9, "q(x_\(t)) at (\(x), \(y))")
        }
    }

    @Test("The 2-D ε* is the posterior mean of the noise, E[ε∣xₜ], by integration over x₀", arguments: [10, 100, 500])
    func optimalNoiseIsPosteriorMean2D(t: Int) {
        let points: [(Double, Double)] = [(0.0, 0.0), (0.7, -0.3), (-1.2, 1.1)]
        let xt = Tensor<Double>(rows: points.map { [$0.0, $0.1] })
        let closed = Self.wide.optimalNoise(xt: xt, t: t, schedule: Self.schedule)
        for (i, (x, y)) in points.enumerated() {
            let (ex, ey) = Self.integrate(x: x, y: y, t: t).noise
            // A ratio of two quadratures, each exact to ~1e-12 relative; ε* is O(1): allow 1e-9.
            expectClose(closed.scalars[2 * i], ex, relative: 1e-9, absolute: 1e-10, "ε*ₓ at (\(x), \(y)), t = \(t)")
            expectClose(closed.scalars[2 * i + 1], ey, relative: 1e-9, absolute: 1e-10, "ε*ᵧ at (\(x), \(y)), t = \(t)")
        }
    }

    @Test("The 1-D ε* is the posterior mean of the noise, E[ε∣xₜ], by integration over x₀", arguments: [1, 30, 300, 1000])
    func optimalNoiseIsPosteriorMean1D(t: Int) {
        let mixture = GaussianMixture1D.twoBumps
        let (a, v) = (Self.schedule.sqrtAlphaBar(t), Self.schedule.oneMinusAlphaBar(t))
        for xt in [-1.0, -0.2, 0.05, 0.7, 2.0] {
            // Trapezoid rule on [−3, 3] (the bumps have sd ≥ 0.1, so their mass outside is < e^{−150}; at
            // t = 1 and xₜ = 2 the posterior sits near x₀ ≈ 2 with width 0.01, far inside), 60,001 points:
            // step 1e-4 resolves q(x₀∣xₜ) even at t = 1, where its width is √β₁/√α₁ = 0.01.
            let count = 60_001
            let h = 6.0 / Double(count - 1)
            var (mass, first) = (0.0, 0.0)
            for i in 0..<count {
                let x0 = -3 + Double(i) * h
                let w = (i == 0 || i == count - 1 ? 0.5 : 1) * mixture.density(x0) * Foundation.exp(-(xt - a * x0) * (xt - a * x0) / (2 * v))
                mass += w
                first += w * (xt - a * x0) / v.squareRoot()
            }
            // The rule's error ~exp(−2π²w²/h²) vanishes for every width w ≥ 0.01 here; summing 60,001
            // terms leaves ~1e-12 relative: allow 1e-9.
            expectClose(mixture.optimalNoise(xt: xt, t: t, schedule: Self.schedule), first / mass, relative: 1e-9, absolute: 1e-10, "ε*(\(xt)) at t = \(t)")
        }
    }
}
