// The reference solutions to lesson 03's exercises, written the way a student would (plain loops and
// formulas, not the library's functions), so the checks compare two independent computations.
import Diffusion
import ExerciseKit
import Foundation

/// Reference answers to lesson 03.
public struct Lesson03Solution: Lesson03Answers {
    /// Creates the reference answers.
    public init() {}

    /// Eq. (15): x̂₀ = (xₜ − √(1 − ᾱₜ)·ε_θ)/√ᾱₜ.
    public func predictedX0(xt: Double, predictedNoise: Double, alphaBar: Double) throws -> Double {
        (xt - (1 - alphaBar).squareRoot() * predictedNoise) / alphaBar.squareRoot()
    }

    /// Eq. (11): μ_θ = (xₜ − βₜ/√(1 − ᾱₜ)·ε_θ)/√αₜ.
    public func modelMean(xt: Double, predictedNoise: Double, beta: Double, alphaBar: Double) throws -> Double {
        (xt - beta / (1 - alphaBar).squareRoot() * predictedNoise) / (1 - beta).squareRoot()
    }

    /// Eq. (12): βₜ²/(2σₜ²·αₜ·(1 − ᾱₜ)).
    public func lossWeight(beta: Double, alphaBar: Double, sigma2: Double) throws -> Double {
        beta * beta / (2 * sigma2 * (1 - beta) * (1 - alphaBar))
    }

    /// w(2)/w(T) with σₜ² = βₜ, from the weight above.
    public func weightRatio(schedule: NoiseSchedule) throws -> Double {
        let w = { (t: Int) in
            try lossWeight(beta: schedule.beta(t), alphaBar: schedule.alphaBar(t), sigma2: schedule.beta(t))
        }
        return try w(2) / w(schedule.steps)
    }
}
