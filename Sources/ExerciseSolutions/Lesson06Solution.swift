// The reference solutions to lesson 06's exercises, written the way a student would (plain loops and
// formulas, not the library's functions), so the checks compare two independent computations.
import Diffusion
import ExerciseKit
import Foundation

/// Reference answers to lesson 06.
public struct Lesson06Solution: Lesson06Answers {
    /// Creates the reference answers.
    public init() {}

    /// Encode each endpoint (Eq. 4), then mix.
    public func mixedLatent(x0: Double, otherX0: Double, noise: Double, otherNoise: Double, alphaBar: Double, lambda: Double) throws -> Double {
        let xt = alphaBar.squareRoot() * x0 + (1 - alphaBar).squareRoot() * noise
        let otherXt = alphaBar.squareRoot() * otherX0 + (1 - alphaBar).squareRoot() * otherNoise
        return (1 - lambda) * xt + lambda * otherXt
    }

    /// Variances of independent terms add: (1 − λ)² + λ².
    public func mixedNoiseVariance(lambda: Double) throws -> Double {
        (1 - lambda) * (1 - lambda) + lambda * lambda
    }
}
