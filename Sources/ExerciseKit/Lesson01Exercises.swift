import Diffusion
import TensorCore

/// The answers to lesson 01's exercises (the forward process).
public protocol Lesson01Answers: LessonAnswers {
    /// Exercise 01.1: ᾱₜ = ∏ₛ₌₁ᵗ (1 − βₛ) for t = 0…T, where `betas[0]` is β₁ and ᾱ₀ = 1.
    func alphaBar(betas: [Double], t: Int) throws -> Double
    /// Exercise 01.2: a draw of xₜ ~ q(xₜ∣x₀) by Eq. (4), xₜ = √ᾱₜ·x₀ + √(1 − ᾱₜ)·ε, given ᾱₜ and ε.
    func noisySample(x0: Double, alphaBar: Double, noise: Double) throws -> Double
    /// Exercise 01.3: the first step t at which the signal-to-noise ratio SNR(t) = ᾱₜ/(1 − ᾱₜ)
    /// falls below 1 (signal and noise variance equal), for `schedule`.
    func firstStepWithSNRBelowOne(schedule: NoiseSchedule) throws -> Int
}

/// Lesson 01's exercises and their checks.
public enum Lesson01Exercises {
    static let file = "`Lessons/Exercises/Lesson01.swift`"

    /// The three exercises.
    public static let all: [Exercise] = [
        Exercise(
            id: "01.1", title: "ᾱₜ from the βs",
            prompt:
                """
                Given β₁ … β_T as an array (index 0 holds β₁), return ᾱₜ = ∏ₛ₌₁ᵗ (1 − βₛ). Mind the paper's time \
                index: t runs 1…T, and ᾱ₀ = 1 by convention.
                """,
            location: "\(file), `alphaBar(betas:t:)`",
            check: { answers in
                grading {
                    let a = answers as! any Lesson01Answers
                    var rng = SeededGenerator(seed: 101)
                    for trial in 0..<20 {
                        let steps = trial == 0 ? 1 : rng.integer(in: 2...300)
                        let betas = (0..<steps).map { _ in rng.uniform(1e-4, 0.05) }
                        let schedule = try NoiseSchedule(betas: betas)
                        for t in [0, 1, steps / 2, steps] {
                            let got = try a.alphaBar(betas: betas, t: t)
                            if !close(got, schedule.alphaBar(t), tolerance: 1e-12) {
                                return "T = \(steps), t = \(t): got \(got), expected \(schedule.alphaBar(t))"
                            }
                        }
                    }
                    return nil
                }
            }),
        Exercise(
            id: "01.2", title: "Jump straight to xₜ (Eq. 4)",
            prompt:
                """
                Return xₜ = √ᾱₜ·x₀ + √(1 − ᾱₜ)·ε for one coordinate, given x₀, ᾱₜ and the noise ε. No loop over steps \
                is needed: that is the point of Eq. (4).
                """,
            location: "\(file), `noisySample(x0:alphaBar:noise:)`",
            check: { answers in
                grading {
                    let a = answers as! any Lesson01Answers
                    var rng = SeededGenerator(seed: 102)
                    for _ in 0..<100 {
                        let (x0, abar, noise) = (rng.uniform(-1, 1), rng.uniform(0, 1), rng.normal())
                        let expected = abar.squareRoot() * x0 + (1 - abar).squareRoot() * noise
                        let got = try a.noisySample(x0: x0, alphaBar: abar, noise: noise)
                        if !close(got, expected, tolerance: 1e-12) {
                            return "x₀ = \(x0), ᾱ = \(abar), ε = \(noise): got \(got), expected \(expected)"
                        }
                    }
                    return nil
                }
            }),
        Exercise(
            id: "01.3", title: "Where noise takes over",
            prompt:
                """
                Return the first t (1…T) with SNR(t) = ᾱₜ/(1 − ᾱₜ) < 1, or T + 1 if there is none. For the paper's \
                linear schedule the answer is a few hundred: compare it with the lesson's log-SNR plot.
                """,
            location: "\(file), `firstStepWithSNRBelowOne(schedule:)`",
            check: { answers in
                grading {
                    let a = answers as! any Lesson01Answers
                    let cases: [NoiseSchedule] = [
                        try .linear(), try .quadratic(), try .cosine(), try .linear(steps: 10, betaStart: 1e-4, betaEnd: 0.01),
                    ]
                    for schedule in cases {
                        let expected = schedule.timeSteps.first { schedule.snr($0) < 1 } ?? schedule.steps + 1
                        let got = try a.firstStepWithSNRBelowOne(schedule: schedule)
                        if got != expected { return "T = \(schedule.steps): got t = \(got), expected t = \(expected)" }
                    }
                    return nil
                }
            }),
    ]
}
