// Lesson 01 exercises: write your answers here, then run `swift run workbench exercises --lesson 1`.
// Each function starts by throwing `NotAttempted()`; replace that line with your code.
import Diffusion
import ExerciseKit

/// Your answers to lesson 01 (the forward process, Eq. 2 and 4).
public struct Lesson01: Lesson01Answers {
    /// Creates your answers.
    public init() {}

    /// Exercise 01.1: ᾱₜ = ∏ₛ₌₁ᵗ (1 − βₛ), with `betas[0]` = β₁ and ᾱ₀ = 1.
    public func alphaBar(betas: [Double], t: Int) throws -> Double {
        throw NotAttempted()
    }

    /// Exercise 01.2: xₜ = √ᾱₜ·x₀ + √(1 − ᾱₜ)·ε (Eq. 4).
    public func noisySample(x0: Double, alphaBar: Double, noise: Double) throws -> Double {
        throw NotAttempted()
    }

    /// Exercise 01.3: the first t with SNR(t) = ᾱₜ/(1 − ᾱₜ) < 1, or T + 1.
    /// `schedule.alphaBar(t)` and `schedule.steps` are all you need.
    public func firstStepWithSNRBelowOne(schedule: NoiseSchedule) throws -> Int {
        throw NotAttempted()
    }
}
