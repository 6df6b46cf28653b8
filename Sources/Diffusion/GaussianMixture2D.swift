import RealModule
import TensorCore

/// A mixture of isotropic 2-D Gaussians, q(x) = Σₖ πₖ·N(x; mₖ, sₖ² I), and its exact image under
/// the forward process: q(xₜ) = Σₖ πₖ·N(xₜ; √ᾱₜ·mₖ, (ᾱₜ·sₖ² + 1 − ᾱₜ) I) (Eq. 4 per component).
/// So the best possible noise predictor ε*(xₜ, t) = −√(1 − ᾱₜ)·∇ log q(xₜ) has a closed form: the
/// oracle the lessons measure a trained ε_θ against.
public struct GaussianMixture2D: Sendable, Equatable {
    /// One component: weight πₖ, mean mₖ, standard deviation sₖ per coordinate.
    public struct Component: Sendable, Equatable {
        /// The mixing weight πₖ.
        public var weight: Double
        /// The mean mₖ.
        public var mean: (x: Double, y: Double)
        /// The standard deviation sₖ of each coordinate.
        public var standardDeviation: Double

        /// A component.
        public init(weight: Double, mean: (x: Double, y: Double), standardDeviation: Double) {
            self.weight = weight
            self.mean = mean
            self.standardDeviation = standardDeviation
        }

        /// Equal weight, mean and deviation.
        public static func == (a: Component, b: Component) -> Bool {
            a.weight == b.weight && a.mean == b.mean && a.standardDeviation == b.standardDeviation
        }
    }

    /// The components; weights sum to 1.
    public let components: [Component]

    /// A mixture of `components`, weights normalised.
    public init(_ components: [Component]) {
        precondition(!components.isEmpty, "GaussianMixture2D: no components")
        let total = components.reduce(0) { $0 + $1.weight }
        self.components = components.map { Component(weight: $0.weight / total, mean: $0.mean, standardDeviation: $0.standardDeviation) }
    }

    /// The benchmark's 8 Gaussians: means at radius 1 on angles 2πk/8 (k = 0 at angle 0,
    /// counter-clockwise), standard deviation 0.05, equal weights.
    public static let eightGaussians = GaussianMixture2D(
        (0..<8).map { k in
            let angle = 2 * Double.pi * Double(k) / 8
            return Component(weight: 1, mean: (Double.cos(angle), Double.sin(angle)), standardDeviation: 0.05)
        })

    /// q(xₜ) under `schedule` at t = 0…T: means √ᾱₜ·mₖ, variances ᾱₜ·sₖ² + 1 − ᾱₜ.
    public func diffused(by schedule: NoiseSchedule, to t: Int) -> GaussianMixture2D {
        let (scale, a, added) = (schedule.sqrtAlphaBar(t), schedule.alphaBar(t), schedule.oneMinusAlphaBar(t))
        return GaussianMixture2D(
            components.map { c in
                Component(
                    weight: c.weight, mean: (scale * c.mean.x, scale * c.mean.y),
                    standardDeviation: (a * c.standardDeviation * c.standardDeviation + added).squareRoot())
            })
    }

    /// log q(x) at one point, by log-sum-exp over components.
    public func logDensity(_ x: Double, _ y: Double) -> Double {
        let terms = components.map { c -> Double in
            let v = c.standardDeviation * c.standardDeviation
            let d2 = (x - c.mean.x) * (x - c.mean.x) + (y - c.mean.y) * (y - c.mean.y)
            return Double.log(c.weight) - Double.log(2 * Double.pi * v) - d2 / (2 * v)
        }
        let largest = terms.max()!
        return largest + Double.log(terms.reduce(0) { $0 + Double.exp($1 - largest) })
    }

    /// ∇ log q(x) = Σₖ rₖ(x)·(mₖ − x)/sₖ², responsibilities rₖ computed in log space.
    public func score(_ x: Double, _ y: Double) -> (Double, Double) {
        let terms = components.map { c -> Double in
            let v = c.standardDeviation * c.standardDeviation
            let d2 = (x - c.mean.x) * (x - c.mean.x) + (y - c.mean.y) * (y - c.mean.y)
            return Double.log(c.weight) - Double.log(v) - d2 / (2 * v)
        }
        let largest = terms.max()!
        let r = terms.map { Double.exp($0 - largest) }
        let total = r.reduce(0, +)
        var gx = 0.0
        var gy = 0.0
        for (c, rk) in zip(components, r) {
            let v = c.standardDeviation * c.standardDeviation
            gx += rk / total * (c.mean.x - x) / v
            gy += rk / total * (c.mean.y - y) / v
        }
        return (gx, gy)
    }

    /// ε*(xₜ, t) = −√(1 − ᾱₜ)·∇ log q(xₜ) for points `xt` (`[n, 2]`), t = 1…T.
    public func optimalNoise(xt: Tensor<Double>, t: Int, schedule: NoiseSchedule) -> Tensor<Double> {
        let q = diffused(by: schedule, to: t)
        let scale = -schedule.sqrtOneMinusAlphaBar(t)
        var out: [Double] = []
        out.reserveCapacity(xt.count)
        for i in 0..<xt.shape[0] {
            let (gx, gy) = q.score(xt.scalars[2 * i], xt.scalars[2 * i + 1])
            out.append(scale * gx)
            out.append(scale * gy)
        }
        return Tensor(shape: xt.shape, scalars: out)
    }

    /// `count` draws, `[count, 2]`: a component by weight (one uniform), then two normal draws.
    public func sample(_ count: Int, using generator: inout SeededGenerator) -> Tensor<Double> {
        var out: [Double] = []
        out.reserveCapacity(2 * count)
        let weights = components.map(\.weight)
        for _ in 0..<count {
            let chosen = components[componentIndex(weights: weights, uniform: generator.uniform())]
            out.append(chosen.mean.x + chosen.standardDeviation * generator.normal())
            out.append(chosen.mean.y + chosen.standardDeviation * generator.normal())
        }
        return Tensor(shape: [count, 2], scalars: out)
    }
}
