import Foundation
import TensorCore

/// The answers to lesson 10's exercises (schedules and learned variances).
public protocol Lesson10Answers: LessonAnswers {
    /// Exercise 10.1: the cosine schedule's ᾱₜ = f(t)/f(0), f(t) = cos²(((t/T + s)/(1 + s))·π/2), for t = 0…T
    /// (index t holds ᾱₜ, so index 0 is 1).
    func cosineAlphaBar(steps: Int, offset s: Double) throws -> [Double]
    /// Exercise 10.2: Σ = exp(v·log β + (1 − v)·log β̃).
    func interpolatedVariance(v: Double, beta: Double, betaTilde: Double) throws -> Double
    /// Exercise 10.3: ∂/∂v of c·KL(N(μ̃, β̃) ‖ N(μ, Σ(v))) with μ held fixed (the stop-gradient of L_hybrid),
    /// Σ(v) as in 10.2.
    func hybridVarianceGradient(v: Double, beta: Double, betaTilde: Double, posteriorMean: Double, modelMean: Double, weight c: Double) throws -> Double
}

/// Lesson 10's exercises and their checks.
public enum Lesson10Exercises {
    static let file = "`Lessons/Exercises/Lesson10.swift`"

    /// The three exercises.
    public static let all: [Exercise] = [
        Exercise(
            id: "10.1", title: "The cosine schedule",
            prompt: """
                Return ᾱₜ = f(t)/f(0) for t = 0…T (T + 1 values, index t holding ᾱₜ) with \
                f(t) = cos²(((t/T + s)/(1 + s))·π/2). Discussion (not checked): which t has SNR(t) = 1 when s = 0? \
                (Solve ᾱ = ½.)
                """,
            location: "\(file), `cosineAlphaBar(steps:offset:)`",
            check: { answers in
                grading {
                    let a = answers as! any Lesson10Answers
                    var rng = SeededGenerator(seed: 1001)
                    for _ in 0..<10 {
                        let steps = rng.integer(in: 2...400)
                        let s = rng.uniform(0, 0.05)
                        let got = try a.cosineAlphaBar(steps: steps, offset: s)
                        if got.count != steps + 1 {
                            return
                                """
                                T = \(steps): got \(got.count) values, expected T + 1 = \(steps + 1)
                                """
                        }
                        if !close(got[0], 1, tolerance: 1e-12) { return "T = \(steps): ᾱ₀ = \(got[0]), expected 1" }
                        // ᾱ_T = cos²(π/2)/f(0) = 0 up to rounding.
                        if abs(got[steps]) > 1e-12 { return "T = \(steps): ᾱ_T = \(got[steps]), expected 0" }
                        for t in [1, steps / 2, steps - 1] {
                            let angle = (Double(t) / Double(steps) + s) / (1 + s) * Double.pi / 2
                            let angle0 = s / (1 + s) * Double.pi / 2
                            // cos² written as (1 + cos 2θ)/2: another route to the same number.
                            let expected = (1 + cos(2 * angle)) / (1 + cos(2 * angle0))
                            if !close(got[t], expected, tolerance: 1e-9) {
                                return
                                    """
                                    T = \(steps), s = \(s), t = \(t): got \(got[t]), expected \(expected)
                                    """
                            }
                        }
                    }
                    return nil
                }
            }),
        Exercise(
            id: "10.2", title: "The interpolated variance",
            prompt: """
                Return Σ = exp(v·log β + (1 − v)·log β̃). Discussion (not checked): show that for v ∈ [0, 1] it lies \
                between β̃ and β, and that v = ½ gives their geometric mean.
                """,
            location: "\(file), `interpolatedVariance(v:beta:betaTilde:)`",
            check: { answers in
                grading {
                    let a = answers as! any Lesson10Answers
                    var rng = SeededGenerator(seed: 1002)
                    for _ in 0..<20 {
                        let beta = rng.uniform(1e-4, 0.5)
                        let tilde = beta * rng.uniform(0.01, 1)
                        let v = rng.uniform(-0.5, 1.5)
                        let got = try a.interpolatedVariance(v: v, beta: beta, betaTilde: tilde)
                        // β^v·β̃^(1−v): the power form of the same number.
                        let expected = pow(beta, v) * pow(tilde, 1 - v)
                        if !close(got, expected, tolerance: 1e-10) {
                            return
                                """
                                v = \(v), β = \(beta), β̃ = \(tilde): got \(got), expected \(expected)
                                """
                        }
                    }
                    return nil
                }
            }),
        Exercise(
            id: "10.3", title: "L_hybrid's gradient in v",
            prompt: """
                For one pixel at t ≥ 2, L_vlb's term is KL(N(μ̃, β̃) ‖ N(μ, Σ)) in nats, with Σ from 10.2. The \
                weight c (the `weight` argument) is the term's weight in the loss: in lesson 10, L_hybrid adds \
                λ·T·L_{t−1} in bits, so c = λ·T/ln 2 with λ = 0.001 and T = 1000. Holding μ fixed (the \
                stop-gradient), return ∂/∂v of c·KL. Discussion (not checked): why is it 0 where β = β̃?
                """,
            location: "\(file), `hybridVarianceGradient(v:beta:betaTilde:posteriorMean:modelMean:weight:)`",
            check: { answers in
                grading {
                    let a = answers as! any Lesson10Answers
                    var rng = SeededGenerator(seed: 1003)
                    func kl(_ v: Double, _ beta: Double, _ tilde: Double, _ m1: Double, _ m2: Double) -> Double {
                        let sigma = pow(beta, v) * pow(tilde, 1 - v)
                        return 0.5 * (log(sigma / tilde) + (tilde + (m1 - m2) * (m1 - m2)) / sigma - 1)
                    }
                    for _ in 0..<20 {
                        let beta = rng.uniform(1e-3, 0.3)
                        let tilde = beta * rng.uniform(0.05, 1)
                        let (v, m1, m2, c) = (rng.uniform(-0.2, 1.2), rng.normal(), rng.normal(), rng.uniform(0.1, 3))
                        let got = try a.hybridVarianceGradient(v: v, beta: beta, betaTilde: tilde, posteriorMean: m1, modelMean: m2, weight: c)
                        // Central differences with h = 1e−5: truncation ~h²·f‴ and rounding ~1e−16·f/h, both far below 1e−6 here.
                        let h = 1e-5
                        let expected = c * (kl(v + h, beta, tilde, m1, m2) - kl(v - h, beta, tilde, m1, m2)) / (2 * h)
                        if abs(got - expected) > 1e-6 * max(1, abs(expected)) {
                            return
                                """
                                v = \(v), β = \(beta), β̃ = \(tilde): got \(got), expected \(expected)
                                """
                        }
                    }
                    return nil
                }
            }),
    ]
}
