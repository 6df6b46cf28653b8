import Diffusion
import Foundation
import TensorCore

/// The answers to lesson 04's exercises (Algorithm 1 and its optimiser).
public protocol Lesson04Answers: LessonAnswers {
    /// Exercise 04.1: L_simple for one batch, the mean over all elements of (ε − ε_θ)².
    func simpleLoss(noise: [Double], predicted: [Double]) throws -> Double
    /// Exercise 04.2: one Adam step (PyTorch semantics) for one parameter at step k ≥ 1; returns (p, m, v).
    func adamStep(parameter: Double, gradient: Double, m: Double, v: Double, step k: Int, learningRate: Double)
        throws -> (parameter: Double, m: Double, v: Double)
    /// Exercise 04.3: one update of an exponential moving average, θ̄ ← d·θ̄ + (1 − d)·θ.
    func movingAverage(average: Double, parameter: Double, decay: Double) throws -> Double
}

/// Lesson 04's exercises and their checks.
public enum Lesson04Exercises {
    static let file = "`Lessons/Exercises/Lesson04.swift`"

    /// The three exercises.
    public static let all: [Exercise] = [
        Exercise(
            id: "04.1", title: "The L_simple loss of a batch (Eq. 14)",
            prompt: """
                Given the noise ε that was added and the network's prediction ε_θ, both flattened over a batch, \
                return the mean of (ε − ε_θ)² over all elements — what `F.mse_loss` computes.
                """,
            location: "\(file), `simpleLoss(noise:predicted:)`",
            check: { answers in
                grading {
                    let a = answers as! any Lesson04Answers
                    var rng = SeededGenerator(seed: 401)
                    for n in [1, 2, 7, 512] {
                        let eps = (0..<n).map { _ in rng.normal() }
                        let guess = (0..<n).map { _ in rng.normal() }
                        let expected = zip(eps, guess).reduce(0) { $0 + ($1.0 - $1.1) * ($1.0 - $1.1) } / Double(n)
                        let got = try a.simpleLoss(noise: eps, predicted: guess)
                        if !close(got, expected, tolerance: 1e-12) { return "n = \(n): got \(got), expected \(expected)" }
                    }
                    return nil
                }
            }),
        Exercise(
            id: "04.2", title: "One Adam step",
            prompt: """
                Return the new (p, m, v) after one step: m ← β₁m + (1 − β₁)g; v ← β₂v + (1 − β₂)g²; p ← p − lr/(1 − \
                β₁ᵏ) · m / (√v/√(1 − β₂ᵏ) + ε), with β₁ = 0.9, β₂ = 0.999, ε = 1e-8, where k is the step number, \
                counted from 1 for the first step, and m, v the running averages before it. The checker tries k = 1, \
                2, 10 and 1000. Discussion (not checked): without the two bias corrections, how large would the very \
                first step be?
                """,
            location: "\(file), `adamStep(parameter:gradient:m:v:step:learningRate:)`",
            check: { answers in
                grading {
                    let a = answers as! any Lesson04Answers
                    var rng = SeededGenerator(seed: 402)
                    for k in [1, 2, 10, 1000] {
                        let (p, g, m, v) = (rng.normal(), rng.normal(), 0.1 * rng.normal(), 0.01 * rng.uniform())
                        let m1 = 0.9 * m + 0.1 * g
                        let v1 = 0.999 * v + 0.001 * g * g
                        let p1 = p - 1e-3 / (1 - pow(0.9, Double(k))) * m1 / (v1.squareRoot() / (1 - pow(0.999, Double(k))).squareRoot() + 1e-8)
                        let got = try a.adamStep(parameter: p, gradient: g, m: m, v: v, step: k, learningRate: 1e-3)
                        if !close(got.parameter, p1) || !close(got.m, m1) || !close(got.v, v1) {
                            return "k = \(k): got (p, m, v) = \(got), expected (\(p1), \(m1), \(v1))"
                        }
                    }
                    return nil
                }
            }),
        Exercise(
            id: "04.3", title: "An exponential moving average of the weights",
            prompt: """
                Return d·θ̄ + (1 − d)·θ. Discussion (not checked): with d = 0.995, roughly how many recent steps \
                does the average remember? (Hint: 1/(1 − d).)
                """,
            location: "\(file), `movingAverage(average:parameter:decay:)`",
            check: { answers in
                grading {
                    let a = answers as! any Lesson04Answers
                    for (avg, p, d) in [(0.0, 1.0, 0.9), (2.0, -1.0, 0.995), (5.0, 5.0, 0.5)] {
                        let got = try a.movingAverage(average: avg, parameter: p, decay: d)
                        if !close(got, d * avg + (1 - d) * p) { return "θ̄ = \(avg), θ = \(p), d = \(d): got \(got)" }
                    }
                    return nil
                }
            }),
    ]
}
