import Diffusion
import Networks
import RealModule
import TensorCore

/// The sliced Wasserstein-1 distance between two equal-size 2-D point sets, as the benchmark
/// defines it (`swd.py`): project both sets on 256 random unit directions, sort, average the
/// absolute differences of the sorted projections (the exact 1-D W₁ of two empirical measures),
/// and average over directions. The directions come from a fixed seed, so the metric is a
/// deterministic function of the two sets.
public enum SlicedWasserstein {
    /// The 256 unit directions (normal draws from seed 1234, normalised).
    public static let directions: [(Double, Double)] = {
        var rng = SeededGenerator(seed: 1234)
        return (0..<256).map { _ in
            let (a, b) = (rng.normal(), rng.normal())
            let norm = (a * a + b * b).squareRoot()
            return (a / norm, b / norm)
        }
    }()

    /// SWD between `a` and `b`, both `[n, 2]`.
    public static func distance(_ a: Tensor<Double>, _ b: Tensor<Double>) -> Double {
        precondition(a.shape == b.shape && a.rank == 2 && a.shape[1] == 2, "SWD: shapes \(a.shape) and \(b.shape)")
        let n = a.shape[0]
        var total = 0.0
        for (u, v) in directions {
            let pa = (0..<n).map { a.scalars[2 * $0] * u + a.scalars[2 * $0 + 1] * v }.sorted()
            let pb = (0..<n).map { b.scalars[2 * $0] * u + b.scalars[2 * $0 + 1] * v }.sorted()
            total += zip(pa, pb).reduce(0) { $0 + abs($1.0 - $1.1) } / Double(n)
        }
        return total / Double(directions.count)
    }
}

/// How well samples cover the 8-Gaussian mixture: the fraction within 3 standard deviations
/// (distance ≤ 0.15) of their nearest mean, and how many of those fall on each mode. For the true
/// mixture the fraction is 1 − e^{−4.5} = 0.9889 (a 2-D isotropic Gaussian), and each mode holds 1/8.
public struct ModeCoverage: Sendable, Equatable {
    /// The fraction of samples within 3σ of a mode.
    public let fractionWithin: Double
    /// Per mode k = 0…7, the number of samples within 3σ of it.
    public let counts: [Int]

    /// Measures `samples` (`[n, 2]`) against `mixture` (default: the 8 Gaussians).
    public init(_ samples: Tensor<Double>, mixture: GaussianMixture2D = .eightGaussians, radius: Double = 0.15) {
        var counts = [Int](repeating: 0, count: mixture.components.count)
        var inside = 0
        let n = samples.shape[0]
        for i in 0..<n {
            let (x, y) = (samples.scalars[2 * i], samples.scalars[2 * i + 1])
            var best = (index: 0, distance: Double.infinity)
            for (k, c) in mixture.components.enumerated() {
                let d = ((x - c.mean.x) * (x - c.mean.x) + (y - c.mean.y) * (y - c.mean.y)).squareRoot()
                if d < best.distance { best = (k, d) }
            }
            if best.distance <= radius {
                inside += 1
                counts[best.index] += 1
            }
        }
        fractionWithin = Double(inside) / Double(max(n, 1))
        self.counts = counts
    }

    /// Each mode's share of the samples within 3σ.
    public var shares: [Double] {
        let total = Double(max(counts.reduce(0, +), 1))
        return counts.map { Double($0) / total }
    }
}
