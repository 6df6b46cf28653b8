// Lesson 09 exercises: write your answers here, then run `swift run workbench exercises --lesson 9`.
// Each function starts by throwing `NotAttempted()`; replace that line with your code.
import ExerciseKit
import Foundation

/// Your answers to lesson 09 (the likelihood).
public struct Lesson09: Lesson09Answers {
    /// Creates your answers.
    public init() {}

    /// Exercise 09.1: P(x₀ = level k ∣ μ, σ) of Eq. 13, edge bins open.
    public func binProbability(level k: Int, levels: Int, mean mu: Double, standardDeviation sigma: Double) throws -> Double {
        throw NotAttempted()
    }

    /// Exercise 09.2: KL(N(μ̃ₜ, β̃ₜ) ‖ N(μ_θ, σ²)) for one coordinate, in nats.
    public func reverseKL(beta: Double, alphaBar: Double, alphaBarPrevious: Double, x0: Double, xt: Double, modelMean: Double, sigma2: Double) throws
        -> Double
    {
        throw NotAttempted()
    }

    /// Exercise 09.3: the share of L still to be sent once the distortion is below `threshold`.
    public func shareAfterDistortion(below threshold: Double, terms: [Double], distortion: [Double]) throws -> Double {
        throw NotAttempted()
    }
}
