// The reference solutions to lesson 09's exercises, written the way a student would (plain loops and
// formulas, not the library's functions), so the checks compare two independent computations.
import Diffusion
import ExerciseKit
import Foundation

/// The reference answers to lesson 09.
public struct Lesson09Solution: Lesson09Answers {
    /// Creates the reference answers.
    public init() {}

    /// Φ(b) − Φ(a) with Φ(z) = ½·erfc(−z/√2), a = −∞ for k = 0 and b = +∞ for k = K − 1.
    public func binProbability(level k: Int, levels: Int, mean mu: Double, standardDeviation sigma: Double) throws -> Double {
        let h = 1 / Double(levels - 1)
        let v = -1 + 2 * Double(k) * h
        func phi(_ z: Double) -> Double { 0.5 * erfc(-z / 2.0.squareRoot()) }
        let upper = k == levels - 1 ? 1 : phi((v + h - mu) / sigma)
        let lower = k == 0 ? 0 : phi((v - h - mu) / sigma)
        return upper - lower
    }

    /// β̃ₜ and μ̃ₜ from Eq. 7, then the Gaussian KL.
    public func reverseKL(beta: Double, alphaBar: Double, alphaBarPrevious: Double, x0: Double, xt: Double, modelMean: Double, sigma2: Double) throws -> Double {
        let variance = (1 - alphaBarPrevious) / (1 - alphaBar) * beta
        let mean = alphaBarPrevious.squareRoot() * beta / (1 - alphaBar) * x0 + (1 - beta).squareRoot() * (1 - alphaBarPrevious) / (1 - alphaBar) * xt
        return 0.5 * (log(sigma2 / variance) + (variance + (mean - modelMean) * (mean - modelMean)) / sigma2 - 1)
    }

    /// t* = the largest t with distortion below the threshold; the terms L₀ … L_{t*−1} over the total.
    public func shareAfterDistortion(below threshold: Double, terms: [Double], distortion: [Double]) throws -> Double {
        guard let t = distortion.indices.last(where: { distortion[$0] < threshold }).map({ $0 + 1 }) else { return 0 }
        return terms[0..<t].reduce(0, +) / terms.reduce(0, +)
    }
}
