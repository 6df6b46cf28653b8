// Lesson 08 exercises: write your answers here, then run `swift run workbench exercises --lesson 8`.
// Each function starts by throwing `NotAttempted()`; replace that line with your code.
import ExerciseKit

/// Your answers to lesson 08 (DDPM on digits).
public struct Lesson08: Lesson08Answers {
    /// Creates your answers.
    public init() {}

    /// Exercise 08.1: the gray level v ∈ 0…16 nearest to x (x = v/8 − 1), clamped.
    public func grayLevel(of x: Double) throws -> Int {
        throw NotAttempted()
    }

    /// Exercise 08.2: mean nearest-training distance of the samples over that of the held-out images.
    public func memorisationRatio(samples: [[Double]], heldOut: [[Double]], training: [[Double]]) throws -> Double {
        throw NotAttempted()
    }

    /// Exercise 08.3: d² between 1-D Gaussians fitted to a and b.
    public func frechetDistance1D(_ a: [Double], _ b: [Double]) throws -> Double {
        throw NotAttempted()
    }
}
