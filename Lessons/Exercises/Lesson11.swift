// Lesson 11 exercises: write your answers here, then run `swift run workbench exercises --lesson 11`.
// Each function starts by throwing `NotAttempted()`; replace that line with your code.
import ExerciseKit
import Foundation

/// Your answers to lesson 11 (faster sampling).
public struct Lesson11: Lesson11Answers {
    /// Creates your answers.
    public init() {}

    /// Exercise 11.1: β′ᵢ = 1 − ᾱ_{τᵢ}/ᾱ_{τᵢ₋₁}.
    public func respacedBetas(alphaBar: [Double], tau: [Int]) throws -> [Double] {
        throw NotAttempted()
    }

    /// Exercise 11.2: σ = η·√((1 − ᾱₛ)/(1 − ᾱₜ))·√(1 − ᾱₜ/ᾱₛ).
    public func ddimSigma(alphaBarT: Double, alphaBarS: Double, eta: Double) throws -> Double {
        throw NotAttempted()
    }

    /// Exercise 11.3: spherical interpolation.
    public func slerp(_ a: [Double], _ b: [Double], _ lambda: Double) throws -> [Double] {
        throw NotAttempted()
    }
}
