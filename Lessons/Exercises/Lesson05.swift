// Lesson 05 exercises: write your answers here, then run `swift run workbench exercises --lesson 5`.
// Each function starts by throwing `NotAttempted()`; replace that line with your code.
import Diffusion
import ExerciseKit

/// Your answers to lesson 05 (Algorithm 2, measuring samples).
public struct Lesson05: Lesson05Answers {
    /// Creates your answers.
    public init() {}

    /// Exercise 05.1: x_{t−1} = (xₜ − βₜ/√(1 − ᾱₜ)·ε_θ)/√αₜ + σₜ·z, no noise at t = 1.
    public func reverseStep(xt: Double, predictedNoise: Double, t: Int, schedule: NoiseSchedule, sigma2: Double, z: Double) throws -> Double {
        throw NotAttempted()
    }

    /// Exercise 05.2: (1/n)·Σᵢ |a₍ᵢ₎ − b₍ᵢ₎| over the sorted sets.
    public func wasserstein1D(_ a: [Double], _ b: [Double]) throws -> Double {
        throw NotAttempted()
    }
}
