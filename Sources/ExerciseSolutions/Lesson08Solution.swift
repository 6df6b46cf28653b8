// The reference solutions to lesson 08's exercises, written the way a student would (plain loops and
// formulas, not the library's functions), so the checks compare two independent computations.
import Diffusion
import ExerciseKit
import Foundation

/// Reference answers to lesson 08.
public struct Lesson08Solution: Lesson08Answers {
    /// Creates the reference answers.
    public init() {}

    /// v = round(8·(x + 1)), clamped to 0…16.
    ///
    /// Discussion: lesson 09's discrete decoder (Eq. 13) charges each pixel the probability mass of its
    /// level's bin, so the distance to the nearest level is what the last step has to resolve.
    public func grayLevel(of x: Double) throws -> Int {
        Int(max(0, min(16, (8 * (x + 1)).rounded())))
    }

    /// Mean over each set of the distance to the nearest training image; their ratio.
    ///
    /// Discussion: a copying model scores 0 (each sample is a training image); a ratio near 1 means the samples
    /// are as far from the training set as unseen real digits, the sign of a model that generalises.
    public func memorisationRatio(samples: [[Double]], heldOut: [[Double]], training: [[Double]]) throws -> Double {
        func nearest(_ x: [Double]) -> Double {
            training.map { y in zip(x, y).reduce(0) { $0 + ($1.0 - $1.1) * ($1.0 - $1.1) } }.min()!.squareRoot()
        }
        let mean = { (set: [[Double]]) in set.map(nearest).reduce(0, +) / Double(set.count) }
        return mean(samples) / mean(heldOut)
    }

    /// (m₁ − m₂)² + s₁² + s₂² − 2s₁s₂.
    public func frechetDistance1D(_ a: [Double], _ b: [Double]) throws -> Double {
        func moments(_ x: [Double]) -> (Double, Double) {
            let m = x.reduce(0, +) / Double(x.count)
            return (m, (x.reduce(0) { $0 + ($1 - m) * ($1 - m) } / Double(x.count - 1)).squareRoot())
        }
        let ((ma, sa), (mb, sb)) = (moments(a), moments(b))
        return (ma - mb) * (ma - mb) + sa * sa + sb * sb - 2 * sa * sb
    }
}
