// Lesson 06 exercises: write your answers here, then run `swift run workbench exercises --lesson 6`.
// Each function starts by throwing `NotAttempted()`; replace that line with your code.
import ExerciseKit

/// Your answers to lesson 06 (interpolation in latent space, Sec. 4.4).
public struct Lesson06: Lesson06Answers {
    /// Creates your answers.
    public init() {}

    /// Exercise 06.1: x̄ₜ = (1 − λ)·xₜ + λ·x′ₜ, each endpoint encoded with its own noise.
    public func mixedLatent(x0: Double, otherX0: Double, noise: Double, otherNoise: Double, alphaBar: Double, lambda: Double) throws -> Double {
        throw NotAttempted()
    }

    /// Exercise 06.2: Var[(1 − λ)·ε + λ·ε′] for independent unit Gaussians.
    public func mixedNoiseVariance(lambda: Double) throws -> Double {
        throw NotAttempted()
    }
}
