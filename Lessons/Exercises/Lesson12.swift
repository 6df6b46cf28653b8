// Lesson 12 exercises: write your answers here, then run `swift run workbench exercises --lesson 12`.
// Each function starts by throwing `NotAttempted()`; replace that line with your code.
import ExerciseKit
import Foundation

/// Your answers to lesson 12 (guidance).
public struct Lesson12: Lesson12Answers {
    /// Creates your answers.
    public init() {}

    /// Exercise 12.1: ε̃ = (1 + w)·ε_c − w·ε_u.
    public func guidedNoise(conditional: [Double], unconditional: [Double], w: Double) throws -> [Double] {
        throw NotAttempted()
    }

    /// Exercise 12.2: ∇ₓ log softmax(Wx + b)_y.
    public func logitGradient(weights: [[Double]], bias: [Double], x: [Double], label: Int) throws -> [Double] {
        throw NotAttempted()
    }

    /// Exercise 12.3: μ + s·σ²·g.
    public func guidedMean(mean: [Double], sigma2: Double, scale: Double, gradient: [Double]) throws -> [Double] {
        throw NotAttempted()
    }
}
