import Foundation
import Testing

@testable import Datasets
@testable import Diffusion
@testable import Evaluation
@testable import TensorCore

@Suite("The Gaussian-mixture oracle ε* (2-D)")
struct OracleTests {
    @Test("The 2-D score equals the finite-difference gradient of log q", arguments: [(0.0, 0.0), (0.9, 0.1), (-0.5, 0.7), (2.0, -1.5)])
    func scoreMatchesFiniteDifference(x: Double, y: Double) throws {
        let q = GaussianMixture2D.eightGaussians.diffused(by: try .linear(), to: 30)
        let h = 1e-6
        let gx = (q.logDensity(x + h, y) - q.logDensity(x - h, y)) / (2 * h)
        let gy = (q.logDensity(x, y + h) - q.logDensity(x, y - h)) / (2 * h)
        let (sx, sy) = q.score(x, y)
        // Truncation h²·∂³/6 with ∂³ ≲ 1e3 (variance ≈ 0.03): ≲ 1e-10; rounding ε·|log q|/h ≈ 1e-9.
        expectClose(sx, gx, relative: 1e-6, absolute: 1e-6, "∂x")
        expectClose(sy, gy, relative: 1e-6, absolute: 1e-6, "∂y")
    }

    @Test("Algorithm 2 with ε* and no training reproduces the 8-Gaussian mixture")
    func oracleSamplerReproducesMixture() throws {
        let schedule = try NoiseSchedule.linear()
        let mixture = GaussianMixture2D.eightGaussians
        var rng = SeededGenerator(seed: 80)
        let n = 1000
        let x = schedule.sample(count: n, dimension: 2, variance: .beta, generator: &rng) { xt, t in
            mixture.optimalNoise(xt: xt, t: t, schedule: schedule)
        }
        let coverage = ModeCoverage(x)
        // The exact sampler would put 98.9 % within 3σ; allow 5σ of binomial noise (√(.011·.989/n) ≈ 0.0033)
        // plus 3 % for the discretisation of T = 1000 steps.
        #expect(coverage.fractionWithin >= 0.94, "within 3σ: \(coverage.fractionWithin)")
        // Each mode's count is Binomial(n', 1/8): sd √(n'·(1/8)·(7/8)) ≈ 10.4 for n' ≈ 990; 5σ ≈ 52.
        let inside = coverage.counts.reduce(0, +)
        for (k, count) in coverage.counts.enumerated() {
            #expect(abs(Double(count) - Double(inside) / 8) <= 5 * (Double(inside) / 8 * 7 / 8).squareRoot(), "mode \(k): \(count)")
        }
        // Within-mode variance per coordinate should be 0.05² = 0.0025; the sample variance of ~125 points has
        // relative sd √(2/124) ≈ 0.13 per mode; pooled over 8 modes ≈ 0.045: allow ±25 %.
        var sum = 0.0
        var count = 0.0
        for i in 0..<n {
            let (px, py) = (x.scalars[2 * i], x.scalars[2 * i + 1])
            let nearest = mixture.components.min { hypot(px - $0.mean.x, py - $0.mean.y) < hypot(px - $1.mean.x, py - $1.mean.y) }!
            if hypot(px - nearest.mean.x, py - nearest.mean.y) <= 0.25 {
                sum += (px - nearest.mean.x) * (px - nearest.mean.x) + (py - nearest.mean.y) * (py - nearest.mean.y)
                count += 2
            }
        }
        let variance = sum / count
        #expect(abs(variance / 0.0025 - 1) <= 0.25, "within-mode variance \(variance)")
    }

    @Test("Two moons: half the points on each arc, within the noise of it")
    func twoMoons() {
        var rng = SeededGenerator(seed: 82)
        let x = ToyData.twoMoons(1000, noise: 0, using: &rng)
        #expect(x.shape == [1000, 2])
        for i in 0..<1000 {
            let (px, py) = (x.scalars[2 * i], x.scalars[2 * i + 1])
            // Without noise: the upper arc has radius 1 about (0, 0), the lower radius 1 about (1, 0.5).
            let r = i < 500 ? hypot(px, py) : hypot(px - 1, py - 0.5)
            #expect(abs(r - 1) < 1e-12, "point \(i) off its arc")
            #expect(i < 500 ? py >= 0 : py <= 0.5)
        }
    }

    @Test("SWD is 0 for identical sets, symmetric, and separates different data")
    func slicedWasserstein() {
        var rng = SeededGenerator(seed: 81)
        let a = ToyData.swissRoll(300, using: &rng)
        let b = ToyData.swissRoll(300, using: &rng)
        let c = ToyData.eightGaussians(300, using: &rng)
        #expect(SlicedWasserstein.distance(a, a) == 0)
        expectClose(SlicedWasserstein.distance(a, b), SlicedWasserstein.distance(b, a), relative: 1e-12, "symmetry")
        #expect(SlicedWasserstein.distance(a, c) > 3 * SlicedWasserstein.distance(a, b))
        // A shift by (d, 0) moves every projection by d·u₁: SWD = d·mean|u₁| over the directions.
        let shifted = Tensor(shape: a.shape, scalars: a.scalars.enumerated().map { $0.offset % 2 == 0 ? $0.element + 0.3 : $0.element })
        let expected = 0.3 * SlicedWasserstein.directions.reduce(0) { $0 + abs($1.0) } / 256
        expectClose(SlicedWasserstein.distance(a, shifted), expected, relative: 1e-9, "shift")
    }
}
