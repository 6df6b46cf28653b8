// The reference solutions to lesson 04's exercises, written the way a student would (plain loops and
// formulas, not the library's functions), so the checks compare two independent computations.
import Diffusion
import ExerciseKit
import Foundation

/// Reference answers to lesson 04.
public struct Lesson04Solution: Lesson04Answers {
    /// Creates the reference answers.
    public init() {}

    /// Eq. (14) on one batch: Σ (ε − ε_θ)² / n.
    public func simpleLoss(noise: [Double], predicted: [Double]) throws -> Double {
        var sum = 0.0
        for i in noise.indices { sum += (noise[i] - predicted[i]) * (noise[i] - predicted[i]) }
        return sum / Double(noise.count)
    }

    /// Adam, PyTorch semantics.
    public func adamStep(parameter: Double, gradient: Double, m: Double, v: Double, step k: Int, learningRate: Double)
        throws -> (parameter: Double, m: Double, v: Double)
    {
        let m1 = 0.9 * m + 0.1 * gradient
        let v1 = 0.999 * v + 0.001 * gradient * gradient
        let stepSize = learningRate / (1 - pow(0.9, Double(k)))
        let denominator = v1.squareRoot() / (1 - pow(0.999, Double(k))).squareRoot() + 1e-8
        return (parameter - stepSize * m1 / denominator, m1, v1)
    }

    /// θ̄ ← d·θ̄ + (1 − d)·θ.
    public func movingAverage(average: Double, parameter: Double, decay: Double) throws -> Double {
        decay * average + (1 - decay) * parameter
    }
}
