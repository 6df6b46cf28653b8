// The reference solutions to lesson 05's exercises, written the way a student would (plain loops and
// formulas, not the library's functions), so the checks compare two independent computations.
import Diffusion
import ExerciseKit
import Foundation

/// Reference answers to lesson 05.
public struct Lesson05Solution: Lesson05Answers {
    /// Creates the reference answers.
    public init() {}

    /// Algorithm 2, one step, written out.
    public func reverseStep(xt: Double, predictedNoise: Double, t: Int, schedule: NoiseSchedule, sigma2: Double, z: Double) throws -> Double {
        let mean = (xt - schedule.beta(t) / (1 - schedule.alphaBar(t)).squareRoot() * predictedNoise) / schedule.alpha(t).squareRoot()
        return t > 1 ? mean + sigma2.squareRoot() * z : mean
    }

    /// Sorted pairing.
    public func wasserstein1D(_ a: [Double], _ b: [Double]) throws -> Double {
        let (x, y) = (a.sorted(), b.sorted())
        var sum = 0.0
        for i in x.indices { sum += abs(x[i] - y[i]) }
        return sum / Double(x.count)
    }
}
