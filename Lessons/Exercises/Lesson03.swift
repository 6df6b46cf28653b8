// Lesson 03 exercises: write your answers here, then run `swift run workbench exercises --lesson 3`.
// Each function starts by throwing `NotAttempted()`; replace that line with your code.
import Diffusion
import ExerciseKit

/// Your answers to lesson 03 (the ε-parameterisation, Eq. 11, 12, 15).
public struct Lesson03: Lesson03Answers {
    /// Creates your answers.
    public init() {}

    /// Exercise 03.1: x̂₀ = (xₜ − √(1 − ᾱₜ)·ε_θ)/√ᾱₜ (Eq. 15).
    public func predictedX0(xt: Double, predictedNoise: Double, alphaBar: Double) throws -> Double {
        throw NotAttempted()
    }

    /// Exercise 03.2: μ_θ = (xₜ − βₜ/√(1 − ᾱₜ)·ε_θ)/√αₜ, αₜ = 1 − βₜ (Eq. 11).
    public func modelMean(xt: Double, predictedNoise: Double, beta: Double, alphaBar: Double) throws -> Double {
        throw NotAttempted()
    }

    /// Exercise 03.3: βₜ²/(2σₜ²·αₜ·(1 − ᾱₜ)) (Eq. 12).
    public func lossWeight(beta: Double, alphaBar: Double, sigma2: Double) throws -> Double {
        throw NotAttempted()
    }

    /// Exercise 03.3: w(2)/w(T) with σₜ² = βₜ for `schedule` (use `lossWeight` above).
    public func weightRatio(schedule: NoiseSchedule) throws -> Double {
        throw NotAttempted()
    }
}
