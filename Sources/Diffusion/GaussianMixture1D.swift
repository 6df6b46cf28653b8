import RealModule
import TensorCore

/// A one-dimensional Gaussian mixture q(x) = Σₖ πₖ·N(x; mₖ, sₖ²), and its image under the forward
/// process, which is again a mixture: q(xₜ) = Σₖ πₖ·N(xₜ; √ᾱₜ·mₖ, ᾱₜ·sₖ² + 1 − ᾱₜ) (Eq. 4 applied
/// to each component). It gives exact densities, scores and the optimal noise predictor.
public struct GaussianMixture1D: Sendable, Equatable {
    /// One component: weight πₖ, mean mₖ, standard deviation sₖ.
    public struct Component: Sendable, Equatable {
        /// The mixing weight πₖ.
        public var weight: Double
        /// The mean mₖ.
        public var mean: Double
        /// The standard deviation sₖ.
        public var standardDeviation: Double

        /// A component with weight πₖ, mean mₖ and standard deviation sₖ.
        public init(weight: Double, mean: Double, standardDeviation: Double) {
            self.weight = weight
            self.mean = mean
            self.standardDeviation = standardDeviation
        }
    }

    /// The components; their weights sum to 1.
    public let components: [Component]

    /// A mixture of `components`; the weights are normalised to sum to 1.
    public init(_ components: [Component]) {
        precondition(!components.isEmpty, "GaussianMixture1D: no components")
        let total = components.reduce(0) { $0 + $1.weight }
        self.components = components.map {
            Component(weight: $0.weight / total, mean: $0.mean, standardDeviation: $0.standardDeviation)
        }
    }

    /// The lessons' two-bump data set: 0.4·N(−0.5, 0.15²) + 0.6·N(0.6, 0.1²), inside [−1, 1].
    public static let twoBumps = GaussianMixture1D([
        Component(weight: 0.4, mean: -0.5, standardDeviation: 0.15),
        Component(weight: 0.6, mean: 0.6, standardDeviation: 0.1),
    ])

    /// The density q(x) = Σₖ πₖ·N(x; mₖ, sₖ²).
    public func density(_ x: Double) -> Double {
        components.reduce(0) { sum, c in
            let z = (x - c.mean) / c.standardDeviation
            return sum + c.weight * Double.exp(-0.5 * z * z) / (c.standardDeviation * (2 * Double.pi).squareRoot())
        }
    }

    /// The score ∂ₓ log q(x) = Σₖ rₖ(x)·(mₖ − x)/sₖ², with responsibilities rₖ computed in log space.
    public func score(_ x: Double) -> Double {
        let logTerms = components.map { c -> Double in
            let z = (x - c.mean) / c.standardDeviation
            return Double.log(c.weight) - Double.log(c.standardDeviation) - 0.5 * z * z
        }
        let largest = logTerms.max()!
        let unnormalised = logTerms.map { Double.exp($0 - largest) }
        let total = unnormalised.reduce(0, +)
        return zip(components, unnormalised).reduce(0) { sum, pair in
            let (c, r) = pair
            return sum + (r / total) * (c.mean - x) / (c.standardDeviation * c.standardDeviation)
        }
    }

    /// The marginal q(xₜ) under `schedule` at step t = 0…T (Eq. 4 per component):
    /// means √ᾱₜ·mₖ, variances ᾱₜ·sₖ² + (1 − ᾱₜ).
    public func diffused(by schedule: NoiseSchedule, to t: Int) -> GaussianMixture1D {
        let scale = schedule.sqrtAlphaBar(t)
        let a = schedule.alphaBar(t)
        let added = schedule.oneMinusAlphaBar(t)
        return GaussianMixture1D(
            components.map { c in
                Component(
                    weight: c.weight, mean: scale * c.mean,
                    standardDeviation: (a * c.standardDeviation * c.standardDeviation + added).squareRoot())
            })
    }

    /// The best possible noise predictor (the minimiser of L_simple at step t) for this data:
    /// ε*(xₜ, t) = E[ε∣xₜ] = −√(1 − ᾱₜ)·∂ₓ log q(xₜ), for t = 1…T.
    public func optimalNoise(xt: Double, t: Int, schedule: NoiseSchedule) -> Double {
        -schedule.sqrtOneMinusAlphaBar(t) * diffused(by: schedule, to: t).score(xt)
    }

    /// The mean Σₖ πₖmₖ.
    public var mean: Double { components.reduce(0) { $0 + $1.weight * $1.mean } }

    /// The variance Σₖ πₖ(sₖ² + mₖ²) − mean².
    public var variance: Double {
        components.reduce(0) { $0 + $1.weight * ($1.standardDeviation * $1.standardDeviation + $1.mean * $1.mean) }
            - mean * mean
    }

    /// `count` independent draws: a component by its weight, then a normal draw from it.
    public func sample(_ count: Int, using generator: inout SeededGenerator) -> [Double] {
        (0..<count).map { _ in
            let chosen = components[componentIndex(weights: components.map(\.weight), uniform: generator.uniform())]
            return generator.normal(mean: chosen.mean, standardDeviation: chosen.standardDeviation)
        }
    }
}

/// The component a uniform draw u ∈ [0, 1) selects: the first k with u < π₁ + … + πₖ (the last
/// component if rounding leaves the cumulative sum just below 1).
func componentIndex(weights: [Double], uniform u: Double) -> Int {
    var cumulative = 0.0
    for (k, w) in weights.enumerated() {
        cumulative += w
        if u < cumulative { return k }
    }
    return weights.count - 1
}
