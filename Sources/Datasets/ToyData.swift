import Diffusion
import RealModule
import TensorCore

/// Seeded two-dimensional toy data sets.
public enum ToyData {
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

    /// Two interleaved half circles (scikit-learn's `make_moons`): half the points on
    /// (cos πu, sin πu), half on (1 − cos πu, ½ − sin πu), u ~ U[0, 1), plus N(0, `noise`²) per
    /// coordinate. Shape `[count, 2]`.
    public static func twoMoons(_ count: Int, noise: Double = 0.1, using generator: inout SeededGenerator) -> Tensor<Double> {
        var scalars: [Double] = []
        scalars.reserveCapacity(2 * count)
        for i in 0..<count {
            let angle = Double.pi * generator.uniform()
            let (x, y) = i < count / 2 ? (Double.cos(angle), Double.sin(angle)) : (1 - Double.cos(angle), 0.5 - Double.sin(angle))
            scalars.append(x + noise * generator.normal())
            scalars.append(y + noise * generator.normal())
        }
        return Tensor(shape: [count, 2], scalars: scalars)
    }

    /// The 8-Gaussian mixture (`GaussianMixture2D.eightGaussians`): radius 1, standard deviation 0.05.
    public static func eightGaussians(_ count: Int, using generator: inout SeededGenerator) -> Tensor<Double> {
        GaussianMixture2D.eightGaussians.sample(count, using: &generator)
    }
}
