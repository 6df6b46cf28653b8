// The reference solutions to lesson 01's exercises, written the way a student would (plain loops and
// formulas, not the library's functions), so the checks compare two independent computations.
import Diffusion
import ExerciseKit
import Foundation

/// Reference answers to lesson 01.
public struct Lesson01Solution: Lesson01Answers {
    /// Creates the reference answers.
    public init() {}

    /// ᾱₜ as the direct product ∏ₛ₌₁ᵗ (1 − βₛ); the empty product at t = 0 is 1.
    public func alphaBar(betas: [Double], t: Int) throws -> Double {
        betas.prefix(t).reduce(1) { $0 * (1 - $1) }
    }

    /// Eq. (4): √ᾱ·x₀ + √(1 − ᾱ)·ε.
    public func noisySample(x0: Double, alphaBar: Double, noise: Double) throws -> Double {
        alphaBar.squareRoot() * x0 + (1 - alphaBar).squareRoot() * noise
    }

    /// The first t with ᾱₜ < 1 − ᾱₜ, i.e. ᾱₜ < ½.
    public func firstStepWithSNRBelowOne(schedule: NoiseSchedule) throws -> Int {
        for t in 1...schedule.steps where schedule.alphaBar(t) < 1 - schedule.alphaBar(t) { return t }
        return schedule.steps + 1
    }
}
