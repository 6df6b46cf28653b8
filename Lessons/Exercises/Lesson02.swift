// Lesson 02 exercises: write your answers here, then run `swift run workbench exercises --lesson 2`.
// Each function starts by throwing `NotAttempted()`; replace that line with your code.
import ExerciseKit

/// Your answers to lesson 02 (the posterior q(xₜ₋₁∣xₜ, x₀), Eq. 6–7).
public struct Lesson02: Lesson02Answers {
    /// Creates your answers.
    public init() {}

    /// Exercise 02.1: β̃ₜ = (1 − ᾱₜ₋₁)/(1 − ᾱₜ)·βₜ.
    public func posteriorVariance(beta: Double, alphaBar: Double, alphaBarPrevious: Double) throws -> Double {
        throw NotAttempted()
    }

    /// Exercise 02.2: μ̃ₜ = √ᾱₜ₋₁·βₜ/(1 − ᾱₜ)·x₀ + √αₜ·(1 − ᾱₜ₋₁)/(1 − ᾱₜ)·xₜ, with αₜ = 1 − βₜ.
    public func posteriorMean(x0: Double, xt: Double, beta: Double, alphaBar: Double, alphaBarPrevious: Double)
        throws -> Double
    {
        throw NotAttempted()
    }
}
