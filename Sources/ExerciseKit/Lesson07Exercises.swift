import Diffusion
import TensorCore

/// The answers to lesson 07's exercises (the score view).
public protocol Lesson07Answers: LessonAnswers {
    /// Exercise 07.1: the score from a noise prediction, s = −ε_θ/√(1 − ᾱₜ).
    func score(predictedNoise: Double, alphaBar: Double) throws -> Double
    /// Exercise 07.2: one Langevin step, x + (δ/2)·s + √δ·z.
    func langevinStep(x: Double, score: Double, delta: Double, z: Double) throws -> Double
}

/// Lesson 07's exercises and their checks.
public enum Lesson07Exercises {
    static let file = "`Lessons/Exercises/Lesson07.swift`"

    /// The two exercises.
    public static let all: [Exercise] = [
        Exercise(
            id: "07.1", title: "From ε_θ to a score",
            prompt: "Return s = −ε_θ/√(1 − ᾱₜ). For a single Gaussian N(0, v) at xₜ, check with pen and paper that ε* = −√(1 − ᾱₜ)·∂ log q(xₜ) makes s the exact score −xₜ/(ᾱₜv + 1 − ᾱₜ).",
            location: "\(file), `score(predictedNoise:alphaBar:)`",
            check: { answers in
                grading {
                    let a = answers as! any Lesson07Answers
                    var rng = SeededGenerator(seed: 701)
                    for _ in 0..<50 {
                        let (e, abar) = (rng.normal(), rng.uniform(0, 0.999))
                        let expected = -e / (1 - abar).squareRoot()
                        let got = try a.score(predictedNoise: e, alphaBar: abar)
                        if !close(got, expected, tolerance: 1e-12) { return "ε_θ = \(e), ᾱ = \(abar): got \(got), expected \(expected)" }
                    }
                    return nil
                }
            }),
        Exercise(
            id: "07.2", title: "One Langevin step",
            prompt: "Return x + (δ/2)·s + √δ·z. Which δ makes Algorithm 2's step look like this one (lesson 07, section 2)?",
            location: "\(file), `langevinStep(x:score:delta:z:)`",
            check: { answers in
                grading {
                    let a = answers as! any Lesson07Answers
                    var rng = SeededGenerator(seed: 702)
                    for _ in 0..<50 {
                        let (x, s, d, z) = (rng.normal(), rng.normal(), rng.uniform(0, 0.1), rng.normal())
                        let expected = AnnealedLangevin.step(Tensor([x]), score: Tensor([s]), delta: d, noise: Tensor([z])).scalar
                        let got = try a.langevinStep(x: x, score: s, delta: d, z: z)
                        if !close(got, expected, tolerance: 1e-12) { return "x = \(x), s = \(s), δ = \(d): got \(got), expected \(expected)" }
                    }
                    return nil
                }
            }),
    ]
}
