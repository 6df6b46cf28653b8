import Diffusion
import TensorCore

/// The answers to lesson 06's exercises (interpolation in latent space).
public protocol Lesson06Answers: LessonAnswers {
    /// Exercise 06.1: the encode-and-mix of Sec. 4.4 for one coordinate: x̄ₜ = (1 − λ)·xₜ + λ·x′ₜ with
    /// xₜ = √ᾱₜ·x₀ + √(1 − ᾱₜ)·ε and x′ₜ = √ᾱₜ·x′₀ + √(1 − ᾱₜ)·ε′.
    func mixedLatent(x0: Double, otherX0: Double, noise: Double, otherNoise: Double, alphaBar: Double, lambda: Double) throws -> Double
    /// Exercise 06.2: the variance of (1 − λ)·ε + λ·ε′ for independent ε, ε′ ~ N(0, 1).
    func mixedNoiseVariance(lambda: Double) throws -> Double
}

/// Lesson 06's exercises and their checks.
public enum Lesson06Exercises {
    static let file = "`Lessons/Exercises/Lesson06.swift`"

    /// The two exercises.
    public static let all: [Exercise] = [
        Exercise(
            id: "06.1", title: "Encode both endpoints, then mix",
            prompt: """
                Return x̄ₜ = (1 − λ)·xₜ + λ·x′ₜ, encoding each endpoint with its own noise first. Then check by hand: \
                with ε = ε′ the result equals encoding the mixed point (1 − λ)·x₀ + λ·x′₀, because the encoder \
                √ᾱₜ·x₀ + √(1 − ᾱₜ)·ε is affine in x₀ and the mixing weights 1 − λ and λ sum to 1, so the noise term \
                passes through the mix unchanged.
                """,
            location: "\(file), `mixedLatent(x0:otherX0:noise:otherNoise:alphaBar:lambda:)`",
            check: { answers in
                grading {
                    let a = answers as! any Lesson06Answers
                    var rng = SeededGenerator(seed: 601)
                    for _ in 0..<50 {
                        let (x, y, e, f, abar, l) = (rng.uniform(-1, 1), rng.uniform(-1, 1), rng.normal(), rng.normal(), rng.uniform(0, 1), rng.uniform())
                        let expected = (1 - l) * (abar.squareRoot() * x + (1 - abar).squareRoot() * e) + l * (abar.squareRoot() * y + (1 - abar).squareRoot() * f)
                        let got = try a.mixedLatent(x0: x, otherX0: y, noise: e, otherNoise: f, alphaBar: abar, lambda: l)
                        if !close(got, expected, tolerance: 1e-12) { return "λ = \(l), ᾱ = \(abar): got \(got), expected \(expected)" }
                    }
                    return nil
                }
            }),
        Exercise(
            id: "06.2", title: "How much noise is left in the middle?",
            prompt: """
                For independent unit Gaussians ε and ε′, return Var[(1 − λ)·ε + λ·ε′]. The checker tries \
                λ = 0, 0.1, ½, 0.75 and 1. Discussion (not checked): why does the value at λ = ½ make the middle of an \
                interpolation path atypical for the decoder?
                """,
            location: "\(file), `mixedNoiseVariance(lambda:)`",
            check: { answers in
                grading {
                    let a = answers as! any Lesson06Answers
                    for l in [0.0, 0.1, 0.5, 0.75, 1.0] {
                        let got = try a.mixedNoiseVariance(lambda: l)
                        if !close(got, (1 - l) * (1 - l) + l * l) { return "λ = \(l): got \(got), expected \((1 - l) * (1 - l) + l * l)" }
                    }
                    return nil
                }
            }),
    ]
}
