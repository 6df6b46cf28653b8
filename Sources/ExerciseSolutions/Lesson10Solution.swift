// The reference solutions to lesson 10's exercises, written the way a student would (plain loops and
// formulas, not the library's functions), so the checks compare two independent computations.
import Diffusion
import ExerciseKit
import Foundation

/// The reference answers to lesson 10.
public struct Lesson10Solution: Lesson10Answers {
    /// Creates the reference answers.
    public init() {}

    /// f(t)/f(0) with f written as cos².
    public func cosineAlphaBar(steps: Int, offset s: Double) throws -> [Double] {
        func f(_ t: Int) -> Double { let c = cos((Double(t) / Double(steps) + s) / (1 + s) * Double.pi / 2); return c * c }
        return (0...steps).map { f($0) / f(0) }
    }

    /// The log-space interpolation.
    public func interpolatedVariance(v: Double, beta: Double, betaTilde: Double) throws -> Double {
        exp(v * log(beta) + (1 - v) * log(betaTilde))
    }

    /// ∂KL/∂log Σ = ½(1 − (β̃ + (μ̃ − μ)²)/Σ), times ∂log Σ/∂v = log β − log β̃.
    public func hybridVarianceGradient(v: Double, beta: Double, betaTilde: Double, posteriorMean: Double, modelMean: Double, weight c: Double) throws -> Double {
        let sigma = try interpolatedVariance(v: v, beta: beta, betaTilde: betaTilde)
        let d = posteriorMean - modelMean
        return c * 0.5 * (1 - (betaTilde + d * d) / sigma) * (log(beta) - log(betaTilde))
    }
}
