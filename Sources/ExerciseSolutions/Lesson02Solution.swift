// The reference solutions to lesson 02's exercises, written the way a student would (plain loops and
// formulas, not the library's functions), so the checks compare two independent computations.
import Diffusion
import ExerciseKit
import Foundation

/// Reference answers to lesson 02.
public struct Lesson02Solution: Lesson02Answers {
    /// Creates the reference answers.
    public init() {}

    /// Eq. (7): β̃ₜ = (1 − ᾱₜ₋₁)/(1 − ᾱₜ)·βₜ.
    public func posteriorVariance(beta: Double, alphaBar: Double, alphaBarPrevious: Double) throws -> Double {
        (1 - alphaBarPrevious) / (1 - alphaBar) * beta
    }

    /// Eq. (7): μ̃ₜ = √ᾱₜ₋₁·βₜ/(1 − ᾱₜ)·x₀ + √αₜ·(1 − ᾱₜ₋₁)/(1 − ᾱₜ)·xₜ.
    public func posteriorMean(x0: Double, xt: Double, beta: Double, alphaBar: Double, alphaBarPrevious: Double)
        throws -> Double
    {
        let denominator = 1 - alphaBar
        return alphaBarPrevious.squareRoot() * beta / denominator * x0
            + (1 - beta).squareRoot() * (1 - alphaBarPrevious) / denominator * xt
    }
}
