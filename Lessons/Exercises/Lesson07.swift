// Lesson 07 exercises: write your answers here, then run `swift run workbench exercises --lesson 7`.
// Each function starts by throwing `NotAttempted()`; replace that line with your code.
import ExerciseKit

/// Your answers to lesson 07 (the score view).
public struct Lesson07: Lesson07Answers {
    /// Creates your answers.
    public init() {}

    /// Exercise 07.1: s = −ε_θ/√(1 − ᾱₜ).
    public func score(predictedNoise: Double, alphaBar: Double) throws -> Double {
        throw NotAttempted()
    }

    /// Exercise 07.1: E[ε∣xₜ] for x₀ ~ N(0, v) and xₜ = √ᾱₜ·x₀ + √(1 − ᾱₜ)·ε: Cov(ε, xₜ)/Var(xₜ)·xₜ.
    public func gaussianOptimalNoise(xt: Double, alphaBar: Double, variance v: Double) throws -> Double {
        throw NotAttempted()
    }

    /// Exercise 07.2: x + (δ/2)·s + √δ·z.
    public func langevinStep(x: Double, score: Double, delta: Double, z: Double) throws -> Double {
        throw NotAttempted()
    }

    /// Exercise 07.2: the δ whose Langevin drift (δ/2)·s is Algorithm 2's βₜ·s, and the δ whose noise √δ·z is its
    /// √βₜ·z.
    public func matchingDeltas(beta: Double) throws -> (drift: Double, noise: Double) {
        throw NotAttempted()
    }
}
