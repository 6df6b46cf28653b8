import Foundation
import TensorCore

/// The answers to lesson 09's exercises (the likelihood).
public protocol Lesson09Answers: LessonAnswers {
    /// Exercise 09.1: P(x₀ = level k ∣ μ, σ) of Eq. (13) for K levels −1, −1 + 2/(K − 1), …, 1, the
    /// edge bins reaching to ±∞.
    func binProbability(level k: Int, levels: Int, mean mu: Double, standardDeviation sigma: Double) throws -> Double
    /// Exercise 09.2: one coordinate's L_{t−1} in nats, KL(N(μ̃ₜ(xₜ, x₀), β̃ₜ) ‖ N(μ_θ, σ²)), from βₜ,
    /// ᾱₜ, ᾱₜ₋₁ and the values.
    func reverseKL(beta: Double, alphaBar: Double, alphaBarPrevious: Double, x0: Double, xt: Double, modelMean: Double, sigma2: Double) throws -> Double
    /// Exercise 09.3: given the bound's T + 1 terms (terms[0] = L₀, terms[k] = L_k for k = 1…T − 1,
    /// terms[T] = L_T) and the distortion at t = 1…T (distortion[t − 1]), the share of the total still to be
    /// sent at the largest t whose distortion is below `threshold` (0 if there is none).
    func shareAfterDistortion(below threshold: Double, terms: [Double], distortion: [Double]) throws -> Double
}

/// Lesson 09's exercises and their checks.
public enum Lesson09Exercises {
    static let file = "`Lessons/Exercises/Lesson09.swift`"

    /// ∫ₐᵇ N(x; μ, σ²) dx by Simpson's rule with 20,000 panels, infinite limits cut at μ ± 12σ.
    static func integral(_ a: Double, _ b: Double, _ mu: Double, _ sigma: Double) -> Double {
        let (lo, hi) = (max(a, mu - 12 * sigma), min(b, mu + 12 * sigma))
        if lo >= hi { return 0 }
        let n = 20_000
        let h = (hi - lo) / Double(n)
        func f(_ x: Double) -> Double { exp(-0.5 * (x - mu) * (x - mu) / (sigma * sigma)) / (sigma * (2 * Double.pi).squareRoot()) }
        var sum = f(lo) + f(hi)
        for i in 1..<n { sum += f(lo + Double(i) * h) * (i % 2 == 1 ? 4 : 2) }
        return sum * h / 3
    }

    /// The three exercises.
    public static let all: [Exercise] = [
        Exercise(
            id: "09.1", title: "One bin of Eq. 13 by hand",
            prompt: """
                Return the probability the discrete decoder gives level k of K: the Gaussian N(μ, σ²) integrated \
                over the level's bin (half-width h = 1/(K − 1) around the level −1 + 2k·h), the first and last bins \
                reaching to −∞ and +∞. Use Φ(z) = ½·erfc(−z/√2). Discussion (not checked): why must the edge bins be \
                open?
                """,
            location: "\(file), `binProbability(level:levels:mean:standardDeviation:)`",
            check: { answers in
                grading {
                    let a = answers as! any Lesson09Answers
                    var rng = SeededGenerator(seed: 901)
                    for _ in 0..<40 {
                        let levels = [2, 17, 256][rng.integer(in: 0...2)]
                        let k = rng.integer(in: 0...(levels - 1))
                        let mu = rng.uniform(-1.2, 1.2)
                        let sigma = rng.uniform(0.05, 0.8)
                        let h = 1 / Double(levels - 1)
                        let v = -1 + 2 * Double(k) * h
                        // Numerical integration, independent of any erfc.
                        let expected = integral(k == 0 ? -.infinity : v - h, k == levels - 1 ? .infinity : v + h, mu, sigma)
                        let got = try a.binProbability(level: k, levels: levels, mean: mu, standardDeviation: sigma)
                        if abs(got - expected) > 1e-9 {
                            return
                                """
                                K = \(levels), k = \(k), μ = \(mu), σ = \(sigma): got \(got), expected \(expected)
                                """
                        }
                    }
                    return nil
                }
            }),
        Exercise(
            id: "09.2", title: "One KL term of the bound",
            prompt: """
                Compute β̃ₜ and μ̃ₜ(xₜ, x₀) (Eq. 7), then \
                KL(N(μ̃ₜ, β̃ₜ) ‖ N(μ_θ, σ²)) = ½·(log(σ²/β̃ₜ) + (β̃ₜ + (μ̃ₜ − μ_θ)²)/σ² − 1), in nats. \
                Discussion (not checked): when is it zero?
                """,
            location: "\(file), `reverseKL(beta:alphaBar:alphaBarPrevious:x0:xt:modelMean:sigma2:)`",
            check: { answers in
                grading {
                    let a = answers as! any Lesson09Answers
                    var rng = SeededGenerator(seed: 902)
                    for _ in 0..<20 {
                        let previous = rng.uniform(0.2, 0.99)
                        let beta = rng.uniform(0.001, 0.05)
                        let alphaBar = previous * (1 - beta)
                        let (x0, xt) = (rng.uniform(-1, 1), rng.uniform(-1.5, 1.5))
                        let posteriorVariance = (1 - previous) / (1 - alphaBar) * beta
                        let posteriorMean = previous.squareRoot() * beta / (1 - alphaBar) * x0 + (1 - beta).squareRoot() * (1 - previous) / (1 - alphaBar) * xt
                        let modelMean = posteriorMean + rng.uniform(-0.1, 0.1)
                        let sigma2 = beta * rng.uniform(0.5, 1.5)
                        // ∫ q log(q/p) on a grid of ±12 posterior standard deviations (Simpson), not the closed form.
                        let sd = posteriorVariance.squareRoot()
                        let n = 20_000
                        let h = 24 * sd / Double(n)
                        var expected = 0.0
                        for i in 0...n {
                            let x = posteriorMean - 12 * sd + Double(i) * h
                            let logQ = -0.5 * log(2 * Double.pi * posteriorVariance) - (x - posteriorMean) * (x - posteriorMean) / (2 * posteriorVariance)
                            let logP = -0.5 * log(2 * Double.pi * sigma2) - (x - modelMean) * (x - modelMean) / (2 * sigma2)
                            expected += exp(logQ) * (logQ - logP) * h / 3 * (i == 0 || i == n ? 1 : (i % 2 == 1 ? 4 : 2))
                        }
                        let got = try a.reverseKL(beta: beta, alphaBar: alphaBar, alphaBarPrevious: previous, x0: x0, xt: xt, modelMean: modelMean, sigma2: sigma2)
                        if abs(got - expected) > 1e-7 * max(1, abs(expected)) {
                            return
                                """
                                β = \(beta), ᾱₜ₋₁ = \(previous): got \(got), expected \(expected)
                                """
                        }
                    }
                    return nil
                }
            }),
        Exercise(
            id: "09.3", title: "A point on the rate–distortion curve",
            prompt: """
                `terms` is indexed by the subscript of L: it has T + 1 entries, terms[0] = L₀, \
                terms[k] = L_k for k = 1…T − 1 and terms[T] = L_T (the total L is their sum); `distortion` has T \
                entries, distortion[t − 1] the distortion at t = 1…T. Find the largest t whose distortion is below the \
                threshold (one gray level in lesson 09). Once xₜ is known, the receiver holds \
                Rate(t) = L_T + Σ_{s=t}^{T−1} L_s; return the share of L still to be sent, (L − Rate(t))/L, or 0 if no \
                distortion is below the threshold. Discussion (not checked): in lesson 09's run, is most of the \
                codelength spent on distortions you cannot see?
                """,
            location: "\(file), `shareAfterDistortion(below:terms:distortion:)`",
            check: { answers in
                grading {
                    let a = answers as! any Lesson09Answers
                    var rng = SeededGenerator(seed: 903)
                    for _ in 0..<30 {
                        let steps = rng.integer(in: 3...40)
                        let terms = (0...steps).map { _ in rng.uniform(0, 1) }
                        let distortion = (1...steps).map { Double($0) * 0.2 + rng.uniform(0, 0.5) }
                        let threshold = rng.uniform(0, Double(steps) * 0.2)
                        // Still to come once xₜ is known: L_{t−1} (xₜ → x_{t−1}) down to L₀, indices t − 1 … 0.
                        var expected = 0.0
                        if let t = (1...steps).filter({ distortion[$0 - 1] < threshold }).max() {
                            expected = terms.prefix(t).reduce(0, +) / terms.reduce(0, +)
                        }
                        let got = try a.shareAfterDistortion(below: threshold, terms: terms, distortion: distortion)
                        if !close(got, expected, tolerance: 1e-12) {
                            return
                                """
                                T = \(steps), threshold \(threshold): got \(got), expected \(expected)
                                """
                        }
                    }
                    return nil
                }
            }),
    ]
}
