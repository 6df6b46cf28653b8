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
            prompt: "Return x̂₀ = (xₜ − √(1 − ᾱₜ)·ε_θ)/√ᾱₜ. Then feed it xₜ made by Eq. (4) with the true ε: you must get x₀ back.",
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
            prompt: "Return μ_θ = (xₜ − βₜ/√(1 − ᾱₜ)·ε_θ)/√αₜ. This is the mean of the reverse step in Algorithm 2.",
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
            prompt: "Return βₜ²/(2σₜ²·αₜ·(1 − ᾱₜ)). Evaluate it at t = 2 and t = 1000 with σₜ² = βₜ: by what factor does the true bound weight small t more than L_simple does?",
            location: "\(file), `lossWeight(beta:alphaBar:sigma2:)`",
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
                    return nil
                }
            }),
    ]
}
