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
