import RealModule

/// x̂₀ that knows the data has K levels: treat the network's estimate x̂₀ (Eq. 15) as a noisy reading
/// of the true level, x̂₀ = x₀ + e with e ~ N(0, s²), and x₀ as one of the K levels with prior
/// weights πₖ. Bayes' rule gives the posterior over levels and its mean
///
///     P(x₀ = vₖ ∣ x̂₀) ∝ πₖ·exp(−(vₖ − x̂₀)²/(2s²)),     x̄₀ = Σₖ vₖ·P(x₀ = vₖ ∣ x̂₀).
///
/// When s is small against the bin width, x̄₀ snaps to the nearest level; when s is large it falls
/// back to the prior's pull. Used inside μ̃ₜ(xₜ, x̄₀) it defines a reverse process
/// p_θ(x_{t−1}∣xₜ) = N(μ̃ₜ(xₜ, x̄₀), σₜ²) whose bound Eq. (5) measures like any other.
public struct LevelPosterior: Sendable, Equatable {
    /// The levels vₖ on the model's scale.
    public let values: [Double]
    /// log πₖ.
    public let logPrior: [Double]

    /// Levels of `decoder` (−1 … 1) with prior weights `prior` (normalised here; all > 0).
    public init(decoder: DiscreteDecoder, prior: [Double]) {
        precondition(prior.count == decoder.levels, "LevelPosterior: \(prior.count) weights for \(decoder.levels) levels")
        precondition(prior.allSatisfy { $0 > 0 }, "LevelPosterior: every prior weight must be positive")
        let total = prior.reduce(0, +)
        values = (0..<decoder.levels).map(decoder.value(ofLevel:))
        logPrior = prior.map { Double.log($0 / total) }
    }

    /// x̄₀ = E[x₀ ∣ x̂₀] for a reading with error variance s² = `errorVariance` > 0 (log-sum-exp, so
    /// a tiny s² snaps without overflow).
    public func mean(estimate: Double, errorVariance: Double) -> Double {
        precondition(errorVariance > 0, "LevelPosterior: error variance \(errorVariance)")
        func logit(_ k: Int) -> Double {
            let d = values[k] - estimate
            return logPrior[k] - d * d / (2 * errorVariance)
        }
        var largest = -Double.infinity
        for k in values.indices { largest = max(largest, logit(k)) }
        var weight = 0.0
        var weighted = 0.0
        for k in values.indices {
            let w = Double.exp(logit(k) - largest)
            weight += w
            weighted += w * values[k]
        }
        return weighted / weight
    }
}
