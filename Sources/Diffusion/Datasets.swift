import RealModule
import TensorCore

/// Seeded two-dimensional toy data sets.
public enum Datasets {
    /// The Swiss roll as scikit-learn builds it, projected to 2-D and scaled:
    /// s ~ 1.5π(1 + 2u) with u ~ U[0, 1), the point s·(cos s, sin s) plus N(0, 0.5²) noise per
    /// coordinate, all divided by 10. Shape `[count, 2]`, roughly inside [−1.1, 1.5]².
    public static func swissRoll(_ count: Int, noise: Double = 0.5, using generator: inout SeededGenerator)
        -> Tensor<Double>
    {
        var scalars: [Double] = []
        scalars.reserveCapacity(2 * count)
        for _ in 0..<count {
            let s = 1.5 * Double.pi * (1 + 2 * generator.uniform())
            let x = s * Double.cos(s) + noise * generator.normal()
            let y = s * Double.sin(s) + noise * generator.normal()
            scalars.append(x / 10)
            scalars.append(y / 10)
        }
        return Tensor(shape: [count, 2], scalars: scalars)
    }
}
