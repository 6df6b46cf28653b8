// The reference solutions to lesson 12's exercises, written the way a student would (plain loops and
// formulas, not the library's functions), so the checks compare two independent computations.
import Diffusion
import ExerciseKit
import Foundation

/// The reference answers to lesson 12.
public struct Lesson12Solution: Lesson12Answers {
    /// Creates the reference answers.
    public init() {}

    /// The Ho & Salimans form.
    ///
    /// Discussion: with s = 1 + w, w = 0 gives the conditional model ε_c and w = −1 the unconditional ε_u.
    public func guidedNoise(conditional: [Double], unconditional: [Double], w: Double) throws -> [Double] {
        zip(conditional, unconditional).map { (1 + w) * $0 - w * $1 }
    }

    /// Softmax probabilities (shifted by the largest logit), then W[y] − Σₖ pₖ·W[k].
    ///
    /// Discussion: when the classifier is sure, p_y → 1 and the others → 0, so Σₖ pₖ·W[k] → W[y] and the
    /// gradient vanishes: guidance stops pushing once the class is recognisable.
    public func logitGradient(weights: [[Double]], bias: [Double], x: [Double], label: Int) throws -> [Double] {
        let z = zip(weights, bias).map { row, b in zip(row, x).reduce(b) { $0 + $1.0 * $1.1 } }
        let top = z.max()!
        let e = z.map { exp($0 - top) }
        let total = e.reduce(0, +)
        return x.indices.map { j in weights[label][j] - weights.indices.reduce(0) { $0 + e[$1] / total * weights[$1][j] } }
    }

    /// The shift s·σ²·g added to μ.
    ///
    /// Discussion: log p_φ(y∣x) expanded to first order around μ inside N(μ, σ²I) tilts that Gaussian into
    /// N(μ + σ²·g, σ²I); steps with little noise can move the sample little, so the shift vanishes with σ².
    public func guidedMean(mean: [Double], sigma2: Double, scale: Double, gradient: [Double]) throws -> [Double] {
        zip(mean, gradient).map { $0 + scale * sigma2 * $1 }
    }
}
