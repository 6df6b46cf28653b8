// The reference solutions to lesson 07's exercises, written the way a student would (plain loops and
// formulas, not the library's functions), so the checks compare two independent computations.
import Diffusion
import ExerciseKit
import Foundation

/// Reference answers to lesson 07.
public struct Lesson07Solution: Lesson07Answers {
    /// Creates the reference answers.
    public init() {}

    /// s = −ε_θ/√(1 − ᾱₜ).
    public func score(predictedNoise: Double, alphaBar: Double) throws -> Double {
        -predictedNoise / (1 - alphaBar).squareRoot()
    }

    /// E[ε∣xₜ] = Cov(ε, xₜ)/Var(xₜ)·xₜ = √(1 − ᾱₜ)·xₜ/(ᾱₜv + 1 − ᾱₜ).
    public func gaussianOptimalNoise(xt: Double, alphaBar: Double, variance v: Double) throws -> Double {
        (1 - alphaBar).squareRoot() * xt / (alphaBar * v + 1 - alphaBar)
    }

    /// x + (δ/2)·s + √δ·z.
    public func langevinStep(x: Double, score: Double, delta: Double, z: Double) throws -> Double {
        x + delta / 2 * score + delta.squareRoot() * z
    }

    /// (δ/2)·s = βₜ·s at δ = 2βₜ; √δ·z = √βₜ·z at δ = βₜ.
    public func matchingDeltas(beta: Double) throws -> (drift: Double, noise: Double) {
        (2 * beta, beta)
    }
}
