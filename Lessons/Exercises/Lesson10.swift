// Lesson 10 exercises: write your answers here, then run `swift run workbench exercises --lesson 10`.
// Each function starts by throwing `NotAttempted()`; replace that line with your code.
import ExerciseKit
import Foundation

/// Your answers to lesson 10 (schedules and learned variances).
public struct Lesson10: Lesson10Answers {
    /// Creates your answers.
    public init() {}

    /// Exercise 10.1: ᾱₜ = f(t)/f(0), f(t) = cos²(((t/T + s)/(1 + s))·π/2), for t = 0…T.
    public func cosineAlphaBar(steps: Int, offset s: Double) throws -> [Double] {
        throw NotAttempted()
    }

    /// Exercise 10.2: Σ = exp(v·log β + (1 − v)·log β̃).
    public func interpolatedVariance(v: Double, beta: Double, betaTilde: Double) throws -> Double {
        throw NotAttempted()
    }

    /// Exercise 10.3: ∂/∂v of c·KL(N(μ̃, β̃) ‖ N(μ, Σ(v))), μ held fixed.
    public func hybridVarianceGradient(v: Double, beta: Double, betaTilde: Double, posteriorMean: Double, modelMean: Double, weight c: Double) throws
        -> Double
    {
        throw NotAttempted()
    }
}
