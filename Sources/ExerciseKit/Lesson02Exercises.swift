import Diffusion
import TensorCore

/// The answers to lesson 02's exercises (the forward-process posterior).
public protocol Lesson02Answers: LessonAnswers {
    /// Exercise 02.1: β̃ₜ = (1 − ᾱₜ₋₁)/(1 − ᾱₜ)·βₜ (Eq. 7).
    func posteriorVariance(beta: Double, alphaBar: Double, alphaBarPrevious: Double) throws -> Double
    /// Exercise 02.2: μ̃ₜ(xₜ, x₀) = √ᾱₜ₋₁·βₜ/(1 − ᾱₜ)·x₀ + √αₜ·(1 − ᾱₜ₋₁)/(1 − ᾱₜ)·xₜ (Eq. 7), αₜ = 1 − βₜ.
    func posteriorMean(x0: Double, xt: Double, beta: Double, alphaBar: Double, alphaBarPrevious: Double) throws
        -> Double
}

/// Lesson 02's exercises and their checks.
public enum Lesson02Exercises {
    static let file = "`Lessons/Exercises/Lesson02.swift`"

    /// Random (t, schedule) cases, t = 1 and t = T included, shared by both checks.
    static func cases() throws -> [(NoiseSchedule, Int)] {
        let schedules: [NoiseSchedule] = [try .linear(), try .quadratic(steps: 50), try .cosine(steps: 200)]
        var rng = SeededGenerator(seed: 201)
        var result: [(NoiseSchedule, Int)] = []
        for s in schedules {
            for t in [1, 2, s.steps] + (0..<10).map({ _ in rng.integer(in: 1...s.steps) }) { result.append((s, t)) }
        }
        return result
    }

    /// The two exercises.
    public static let all: [Exercise] = [
        Exercise(
            id: "02.1", title: "The posterior variance β̃ₜ",
            prompt: """
                Return β̃ₜ = (1 − ᾱₜ₋₁)/(1 − ᾱₜ)·βₜ. The checker includes t = 1, where ᾱ₀ = 1: your function must \
                return 0 there. Discussion (not checked): why is a posterior variance of 0 the right answer at t = 1?
                """,
            location: "\(file), `posteriorVariance(beta:alphaBar:alphaBarPrevious:)`",
            check: { answers in
                grading {
                    let a = answers as! any Lesson02Answers
                    for (s, t) in try cases() {
                        let got = try a.posteriorVariance(beta: s.beta(t), alphaBar: s.alphaBar(t), alphaBarPrevious: s.alphaBar(t - 1))
                        if !close(got, s.betaTilde(t), tolerance: 1e-9) {
                            return "T = \(s.steps), t = \(t): got \(got), expected \(s.betaTilde(t))"
                        }
                    }
                    return nil
                }
            }),
        Exercise(
            id: "02.2", title: "The posterior mean μ̃ₜ",
            prompt: """
                Return μ̃ₜ(xₜ, x₀) = √ᾱₜ₋₁·βₜ/(1 − ᾱₜ)·x₀ + √αₜ·(1 − ᾱₜ₋₁)/(1 − ᾱₜ)·xₜ for one coordinate, with \
                αₜ = 1 − βₜ (the function is given βₜ, ᾱₜ and ᾱₜ₋₁). The checker includes t = 1, where it must \
                return x₀ exactly, whatever xₜ is.
                """,
            location: "\(file), `posteriorMean(x0:xt:beta:alphaBar:alphaBarPrevious:)`",
            check: { answers in
                grading {
                    let a = answers as! any Lesson02Answers
                    var rng = SeededGenerator(seed: 202)
                    for (s, t) in try cases() {
                        let (x0, xt) = (rng.uniform(-1, 1), rng.normal())
                        let expected = s.posteriorMean(x0: Tensor([x0]), xt: Tensor([xt]), t: t).scalar
                        let got = try a.posteriorMean(
                            x0: x0, xt: xt, beta: s.beta(t), alphaBar: s.alphaBar(t), alphaBarPrevious: s.alphaBar(t - 1))
                        if !close(got, expected, tolerance: 1e-9) {
                            return "T = \(s.steps), t = \(t), x₀ = \(x0), xₜ = \(xt): got \(got), expected \(expected)"
                        }
                    }
                    return nil
                }
            }),
    ]
}
