// Lesson 04 exercises: write your answers here, then run `swift run workbench exercises --lesson 4`.
// Each function starts by throwing `NotAttempted()`; replace that line with your code.
import ExerciseKit
import Foundation

/// Your answers to lesson 04 (Algorithm 1, Adam, EMA).
public struct Lesson04: Lesson04Answers {
    /// Creates your answers.
    public init() {}

    /// Exercise 04.1: the mean over all elements of (ε − ε_θ)² (Eq. 14).
    public func simpleLoss(noise: [Double], predicted: [Double]) throws -> Double {
        throw NotAttempted()
    }

    /// Exercise 04.2: one Adam step at step k (β₁ = 0.9, β₂ = 0.999, ε = 1e-8); returns (p, m, v).
    public func adamStep(parameter: Double, gradient: Double, m: Double, v: Double, step k: Int, learningRate: Double)
        throws -> (parameter: Double, m: Double, v: Double)
    {
        throw NotAttempted()
    }

    /// Exercise 04.3: d·θ̄ + (1 − d)·θ.
    public func movingAverage(average: Double, parameter: Double, decay: Double) throws -> Double {
        throw NotAttempted()
    }
}
