import Diffusion
import TensorCore

/// The answers to lesson 05's exercises (Algorithm 2 and measuring samples).
public protocol Lesson05Answers: LessonAnswers {
    /// Exercise 05.1: one step of Algorithm 2 for one coordinate:
    /// x_{t−1} = (xₜ − βₜ/√(1 − ᾱₜ)·ε_θ)/√αₜ + σₜ·z, with z ignored (no noise) at t = 1.
    func reverseStep(xt: Double, predictedNoise: Double, t: Int, schedule: NoiseSchedule, sigma2: Double, z: Double) throws -> Double
    /// Exercise 05.2: the Wasserstein-1 distance between two equal-size sets of numbers.
    func wasserstein1D(_ a: [Double], _ b: [Double]) throws -> Double
}

/// Lesson 05's exercises and their checks.
public enum Lesson05Exercises {
    static let file = "`Lessons/Exercises/Lesson05.swift`"

    /// The two exercises.
    public static let all: [Exercise] = [
        Exercise(
            id: "05.1", title: "One step of Algorithm 2",
            prompt: """
                Return x_{t−1} = (xₜ − βₜ/√(1 − ᾱₜ)·ε_θ)/√αₜ + σₜ·z with σₜ = √σₜ², and no noise at t = 1. Use \
                `schedule.beta(t)`, `schedule.alpha(t)` and `schedule.alphaBar(t)`.
                """,
            location: "\(file), `reverseStep(xt:predictedNoise:t:schedule:sigma2:z:)`",
            check: { answers in
                grading {
                    let a = answers as! any Lesson05Answers
                    let s = try NoiseSchedule.linear()
                    var rng = SeededGenerator(seed: 501)
                    for t in [1, 2, 500, 1000] {
                        for variance in ReverseVariance.allCases {
                            let (x, e, z) = (rng.normal(), rng.normal(), rng.normal())
                            let expected = s.reverseStep(xt: Tensor([x]), t: t, predictedNoise: Tensor([e]), variance: variance, noise: Tensor([z])).scalar
                            let got = try a.reverseStep(xt: x, predictedNoise: e, t: t, schedule: s, sigma2: s.sigma2(t, variance), z: z)
                            if !close(got, expected, tolerance: 1e-9) { return "t = \(t), σ² = \(variance): got \(got), expected \(expected)" }
                        }
                    }
                    return nil
                }
            }),
        Exercise(
            id: "05.2", title: "The 1-D Wasserstein distance behind the SWD",
            prompt: """
                For two sets of n numbers, the cheapest way to move one onto the other pairs them in sorted order: \
                W₁ = (1/n)·Σᵢ |a₍ᵢ₎ − b₍ᵢ₎|. The sliced distance of lesson 05 averages this over 256 projections.
                """,
            location: "\(file), `wasserstein1D(_:_:)`",
            check: { answers in
                grading {
                    let a = answers as! any Lesson05Answers
                    var rng = SeededGenerator(seed: 502)
                    for n in [1, 3, 100] {
                        let x = (0..<n).map { _ in rng.normal() }
                        let y = (0..<n).map { _ in rng.normal() + 0.5 }
                        let expected = zip(x.sorted(), y.sorted()).reduce(0) { $0 + abs($1.0 - $1.1) } / Double(n)
                        let got = try a.wasserstein1D(x, y)
                        if !close(got, expected, tolerance: 1e-12) { return "n = \(n): got \(got), expected \(expected)" }
                    }
                    return nil
                }
            }),
    ]
}
