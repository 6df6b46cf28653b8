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

    /// x + (δ/2)·s + √δ·z.
    public func langevinStep(x: Double, score: Double, delta: Double, z: Double) throws -> Double {
        x + delta / 2 * score + delta.squareRoot() * z
    }
}
