// The reference solutions to lesson 11's exercises, written the way a student would (plain loops and
// formulas, not the library's functions), so the checks compare two independent computations.
import Diffusion
import ExerciseKit
import Foundation

/// The reference answers to lesson 11.
public struct Lesson11Solution: Lesson11Answers {
    /// Creates the reference answers.
    public init() {}

    /// Ratios of consecutive ᾱ on τ.
    ///
    /// Discussion: ∏ᵢ (1 − β′ᵢ) = ∏ᵢ ᾱ_{τᵢ}/ᾱ_{τᵢ₋₁} telescopes to ᾱ_{τₖ}/ᾱ_{τ₀} = ᾱ_{τₖ}, so the respaced chain
    /// has the original marginals q(x_{τᵢ}∣x₀) at its steps.
    public func respacedBetas(alphaBar: [Double], tau: [Int]) throws -> [Double] {
        var previous = 1.0
        return tau.map { t in
            defer { previous = alphaBar[t - 1] }
            return 1 - alphaBar[t - 1] / previous
        }
    }

    /// The formula as written.
    public func ddimSigma(alphaBarT: Double, alphaBarS: Double, eta: Double) throws -> Double {
        eta * ((1 - alphaBarS) / (1 - alphaBarT)).squareRoot() * (1 - alphaBarT / alphaBarS).squareRoot()
    }

    /// θ from the normalised dot product, then the two sine weights.
    ///
    /// Discussion: x_T ~ N(0, I) in 64 dimensions concentrates near the sphere of radius 8; slerp between two
    /// latents of equal norm stays on that sphere, where a straight line's midpoint would fall inside it
    /// (norm 8/√2 for orthogonal ends), a latent the decoder rarely saw.
    public func slerp(_ a: [Double], _ b: [Double], _ lambda: Double) throws -> [Double] {
        let dot = zip(a, b).reduce(0) { $0 + $1.0 * $1.1 }
        let norms = (a.reduce(0) { $0 + $1 * $1 } * b.reduce(0) { $0 + $1 * $1 }).squareRoot()
        let theta = acos(max(-1, min(1, dot / norms)))
        let (wa, wb) = (sin((1 - lambda) * theta) / sin(theta), sin(lambda * theta) / sin(theta))
        return zip(a, b).map { wa * $0 + wb * $1 }
    }
}
