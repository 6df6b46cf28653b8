import Diffusion
import TensorCore

/// The answers to lesson 03's exercises (the ε-parameterisation).
public protocol Lesson03Answers: LessonAnswers {
    /// Exercise 03.1: x̂₀ = (xₜ − √(1 − ᾱₜ)·ε_θ)/√ᾱₜ (Eq. 15).
    func predictedX0(xt: Double, predictedNoise: Double, alphaBar: Double) throws -> Double
    /// Exercise 03.2: μ_θ = (xₜ − βₜ/√(1 − ᾱₜ)·ε_θ)/√αₜ with αₜ = 1 − βₜ (Eq. 11).
    func modelMean(xt: Double, predictedNoise: Double, beta: Double, alphaBar: Double) throws -> Double
    /// Exercise 03.3: the Eq. (12) weight βₜ²/(2σₜ²·αₜ·(1 − ᾱₜ)).
    func lossWeight(beta: Double, alphaBar: Double, sigma2: Double) throws -> Double
    /// Exercise 03.3: w(2)/w(T) for `schedule` with σₜ² = βₜ: how many times more the bound weighs t = 2 than t = T.
    func weightRatio(schedule: NoiseSchedule) throws -> Double
}

/// Lesson 03's exercises and their checks.
public enum Lesson03Exercises {
    static let file = "`Lessons/Exercises/Lesson03.swift`"

    /// Steps 1, 2, T and random ones of the paper's schedule.
    static func steps() -> [Int] {
        var rng = SeededGenerator(seed: 301)
        return [1, 2, 1000] + (0..<30).map { _ in rng.integer(in: 1...1000) }
    }

    /// The three exercises.
    public static let all: [Exercise] = [
        Exercise(
            id: "03.1", title: "Predict x₀ from a noise guess (Eq. 15)",
            prompt: """
                Return x̂₀ = (xₜ − √(1 − ᾱₜ)·ε_θ)/√ᾱₜ. Then feed it xₜ made by Eq. (4) with the true ε: you must get \
                x₀ back.
                """,
            location: "\(file), `predictedX0(xt:predictedNoise:alphaBar:)`",
            check: { answers in
                grading {
                    let a = answers as! any Lesson03Answers
                    let s = try NoiseSchedule.linear()
                    var rng = SeededGenerator(seed: 302)
                    for t in steps() {
                        let (xt, eps) = (rng.normal(), rng.normal())
                        let expected = s.x0FromNoise(xt: Tensor([xt]), predictedNoise: Tensor([eps]), t: t).scalar
                        let got = try a.predictedX0(xt: xt, predictedNoise: eps, alphaBar: s.alphaBar(t))
                        if !close(got, expected, tolerance: 1e-9) { return "t = \(t): got \(got), expected \(expected)" }
                    }
                    return nil
                }
            }),
        Exercise(
            id: "03.2", title: "The model mean from a noise guess (Eq. 11)",
            prompt: """
                Return μ_θ = (xₜ − βₜ/√(1 − ᾱₜ)·ε_θ)/√αₜ, with αₜ = 1 − βₜ (the function is given βₜ and ᾱₜ). This is \
                the mean of the reverse step in Algorithm 2.
                """,
            location: "\(file), `modelMean(xt:predictedNoise:beta:alphaBar:)`",
            check: { answers in
                grading {
                    let a = answers as! any Lesson03Answers
                    let s = try NoiseSchedule.linear()
                    var rng = SeededGenerator(seed: 303)
                    for t in steps() {
                        let (xt, eps) = (rng.normal(), rng.normal())
                        let expected = s.meanFromNoise(xt: Tensor([xt]), predictedNoise: Tensor([eps]), t: t).scalar
                        let got = try a.modelMean(xt: xt, predictedNoise: eps, beta: s.beta(t), alphaBar: s.alphaBar(t))
                        if !close(got, expected, tolerance: 1e-9) { return "t = \(t): got \(got), expected \(expected)" }
                    }
                    return nil
                }
            }),
        Exercise(
            id: "03.3", title: "The Eq. (12) weight",
            prompt: """
                Return the weight w = βₜ²/(2σₜ²·αₜ·(1 − ᾱₜ)), with αₜ = 1 − βₜ. Then, in `weightRatio(schedule:)`, \
                return w(2)/w(T) with σₜ² = βₜ for the schedule you are given (`schedule.beta(t)`, \
                `schedule.alphaBar(t)`, `schedule.steps`): how many times more the bound weighs t = 2 than t = T, \
                where L_simple weighs them equally. Compare with lesson 03, section 2.
                """,
            location: "\(file), `lossWeight(beta:alphaBar:sigma2:)` and `weightRatio(schedule:)`",
            check: { answers in
                grading {
                    let a = answers as! any Lesson03Answers
                    let s = try NoiseSchedule.linear()
                    for t in steps() where t >= 2 {
                        for variance in ReverseVariance.allCases {
                            let expected = s.lossWeight(t, variance)
                            let got = try a.lossWeight(beta: s.beta(t), alphaBar: s.alphaBar(t), sigma2: s.sigma2(t, variance))
                            if !close(got, expected, tolerance: 1e-9) {
                                return "t = \(t), σ² = \(variance): got \(got), expected \(expected)"
                            }
                        }
                    }
                    for schedule in [s, try .quadratic(), try .linear(steps: 50)] {
                        let expected = schedule.lossWeight(2, .beta) / schedule.lossWeight(schedule.steps, .beta)
                        let got = try a.weightRatio(schedule: schedule)
                        if !close(got, expected, tolerance: 1e-9) {
                            return "w(2)/w(T), T = \(schedule.steps): got \(got), expected \(expected)"
                        }
                    }
                    return nil
                }
            }),
    ]
}
