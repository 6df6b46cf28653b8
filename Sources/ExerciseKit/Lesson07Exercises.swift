import Diffusion
import TensorCore

/// The answers to lesson 07's exercises (the score view).
public protocol Lesson07Answers: LessonAnswers {
    /// Exercise 07.1: the score from a noise prediction, s = −ε_θ/√(1 − ᾱₜ).
    func score(predictedNoise: Double, alphaBar: Double) throws -> Double
    /// Exercise 07.1: E[ε∣xₜ] for data x₀ ~ N(0, v), xₜ = √ᾱₜ·x₀ + √(1 − ᾱₜ)·ε.
    func gaussianOptimalNoise(xt: Double, alphaBar: Double, variance v: Double) throws -> Double
    /// Exercise 07.2: one Langevin step, x + (δ/2)·s + √δ·z.
    func langevinStep(x: Double, score: Double, delta: Double, z: Double) throws -> Double
    /// Exercise 07.2: the Langevin step sizes δ that match Algorithm 2's drift βₜ·s and its noise √βₜ·z.
    func matchingDeltas(beta: Double) throws -> (drift: Double, noise: Double)
}

/// Lesson 07's exercises and their checks.
public enum Lesson07Exercises {
    static let file = "`Lessons/Exercises/Lesson07.swift`"

    /// The two exercises.
    public static let all: [Exercise] = [
        Exercise(
            id: "07.1", title: "From ε_θ to a score",
            prompt: """
                Return s = −ε_θ/√(1 − ᾱₜ). Then take data x₀ ~ N(0, v): xₜ = √ᾱₜ·x₀ + √(1 − ᾱₜ)·ε and ε are \
                jointly Gaussian with mean 0, so E[ε∣xₜ] = Cov(ε, xₜ)/Var(xₜ)·xₜ. Return it in \
                `gaussianOptimalNoise(xt:alphaBar:variance:)`. The checker compares it with the exact value and \
                feeds it to your `score`: the result must be the exact score of q(xₜ) = N(0, ᾱₜv + 1 − ᾱₜ), \
                −xₜ/(ᾱₜv + 1 − ᾱₜ) — the best noise predictor is a scaled score.
                """,
            location: "\(file), `score(predictedNoise:alphaBar:)` and `gaussianOptimalNoise(xt:alphaBar:variance:)`",
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
                    for _ in 0..<50 {
                        let (x, abar, v) = (2 * rng.normal(), rng.uniform(0, 0.999), rng.uniform(0.01, 4))
                        let total = abar * v + 1 - abar
                        let expected = (1 - abar).squareRoot() * x / total
                        let got = try a.gaussianOptimalNoise(xt: x, alphaBar: abar, variance: v)
                        if !close(got, expected, tolerance: 1e-12) {
                            return "E[ε∣xₜ] at xₜ = \(x), ᾱ = \(abar), v = \(v): got \(got), expected \(expected)"
                        }
                        let score = try a.score(predictedNoise: got, alphaBar: abar)
                        if !close(score, -x / total, tolerance: 1e-9) {
                            return
                                """
                                score of E[ε∣xₜ] at xₜ = \(x), ᾱ = \(abar), v = \(v): got \(score), expected \
                                \(-x / total)
                                """
                        }
                    }
                    return nil
                }
            }),
        Exercise(
            id: "07.2", title: "One Langevin step",
            prompt: """
                Return x + (δ/2)·s + √δ·z. Then, in `matchingDeltas(beta:)`: one step of Algorithm 2 (σₜ² = βₜ) \
                moves xₜ by a drift βₜ·s plus the contraction (βₜ/2)·xₜ, and adds noise √βₜ·z (lesson 07, section \
                2). Which δ matches Algorithm 2's drift βₜ·s, and which its noise √βₜ·z? Return both.
                """,
            location: "\(file), `langevinStep(x:score:delta:z:)` and `matchingDeltas(beta:)`",
            check: { answers in
                grading {
                    let a = answers as! any Lesson07Answers
                    var rng = SeededGenerator(seed: 702)
                    for _ in 0..<50 {
                        let (x, s, d, z) = (rng.normal(), rng.normal(), rng.uniform(0, 0.1), rng.normal())
                        let expected = AnnealedLangevin.step(Tensor([x]), score: Tensor([s]), delta: d, noise: Tensor([z])).scalar
                        let got = try a.langevinStep(x: x, score: s, delta: d, z: z)
                        if !close(got, expected, tolerance: 1e-12) {
                            return
                                """
                                x = \(x), s = \(s), δ = \(d): got \(got), expected \(expected)
                                """
                        }
                    }
                    for beta in [1e-4, 0.005, 0.02] {
                        let got = try a.matchingDeltas(beta: beta)
                        // The Langevin drift (δ/2)·s equals βₜ·s at δ = 2βₜ; its noise √δ·z equals √βₜ·z at δ = βₜ.
                        if !close(got.drift, 2 * beta, tolerance: 1e-12) || !close(got.noise, beta, tolerance: 1e-12) {
                            return
                                """
                                βₜ = \(beta): got (drift, noise) = (\(got.drift), \(got.noise)), expected \
                                (\(2 * beta), \(beta))
                                """
                        }
                    }
                    return nil
                }
            }),
    ]
}
