import Foundation
import TensorCore

/// The answers to lesson 12's exercises (guidance).
public protocol Lesson12Answers: LessonAnswers {
    /// Exercise 12.1: classifier-free guidance, ε̃ = (1 + w)·ε_c − w·ε_u, element by element.
    func guidedNoise(conditional: [Double], unconditional: [Double], w: Double) throws -> [Double]
    /// Exercise 12.2: ∇ₓ log p(y∣x) for a softmax classifier with linear logits zₖ = Σⱼ W[k][j]·xⱼ + bₖ:
    /// W[y] − Σₖ softmax(z)ₖ·W[k].
    func logitGradient(weights: [[Double]], bias: [Double], x: [Double], label: Int) throws -> [Double]
    /// Exercise 12.3: the classifier-guided mean μ + s·σ²·g.
    func guidedMean(mean: [Double], sigma2: Double, scale: Double, gradient: [Double]) throws -> [Double]
}

/// Lesson 12's exercises and their checks.
public enum Lesson12Exercises {
    static let file = "`Lessons/Exercises/Lesson12.swift`"

    /// The three exercises.
    public static let all: [Exercise] = [
        Exercise(
            id: "12.1", title: "Classifier-free guidance",
            prompt:
                """
                Return ε̃ = (1 + w)·ε_c − w·ε_u. Show it equals ε_u + s·(ε_c − ε_u) with s = 1 + w. Discussion (not \
                checked): which w gives the conditional model, which the unconditional one?
                """,
            location: "\(file), `guidedNoise(conditional:unconditional:w:)`",
            check: { answers in
                grading {
                    let a = answers as! any Lesson12Answers
                    var rng = SeededGenerator(seed: 1201)
                    for _ in 0..<20 {
                        let c = (0..<5).map { _ in rng.normal() }, u = (0..<5).map { _ in rng.normal() }
                        let w = rng.uniform(-1, 6)
                        let got = try a.guidedNoise(conditional: c, unconditional: u, w: w)
                        // The other form, s = 1 + w.
                        let expected = zip(c, u).map { $1 + (1 + w) * ($0 - $1) }
                        if got.count != 5 || zip(got, expected).contains(where: { !close($0, $1, tolerance: 1e-10) }) { return "w = \(w): got \(got), expected \(expected)" }
                    }
                    return nil
                }
            }),
        Exercise(
            id: "12.2", title: "The classifier's gradient",
            prompt:
                """
                For logits zₖ = W[k]·x + bₖ, return ∇ₓ log softmax(z)_y = W[y] − Σₖ softmax(z)ₖ·W[k]. Discussion (not \
                checked): why does it vanish when the classifier is sure?
                """,
            location: "\(file), `logitGradient(weights:bias:x:label:)`",
            check: { answers in
                grading {
                    let a = answers as! any Lesson12Answers
                    var rng = SeededGenerator(seed: 1202)
                    func logP(_ w: [[Double]], _ b: [Double], _ x: [Double], _ y: Int) -> Double {
                        let z = zip(w, b).map { row, bias in zip(row, x).reduce(bias) { $0 + $1.0 * $1.1 } }
                        let top = z.max()!
                        return z[y] - top - log(z.reduce(0) { $0 + exp($1 - top) })
                    }
                    for _ in 0..<10 {
                        let (k, d) = (rng.integer(in: 2...6), rng.integer(in: 1...5))
                        let w = (0..<k).map { _ in (0..<d).map { _ in rng.normal() } }, b = (0..<k).map { _ in rng.normal() }
                        let x = (0..<d).map { _ in rng.normal() }
                        let y = rng.integer(in: 0...(k - 1))
                        let got = try a.logitGradient(weights: w, bias: b, x: x, label: y)
                        if got.count != d { return "got \(got.count) values for \(d) inputs" }
                        for j in 0..<d {
                            // Central differences, h = 1e−5: error ~h² ≪ 1e−7.
                            var (up, down) = (x, x)
                            up[j] += 1e-5
                            down[j] -= 1e-5
                            let expected = (logP(w, b, up, y) - logP(w, b, down, y)) / 2e-5
                            if abs(got[j] - expected) > 1e-6 * max(1, abs(expected)) {
                                return
                                    """
                                    K = \(k), y = \(y), coordinate \(j): got \(got[j]), expected \(expected)
                                    """
                            }
                        }
                    }
                    return nil
                }
            }),
        Exercise(
            id: "12.3", title: "The guided mean",
            prompt:
                """
                Return μ + s·σ²·g. Discussion (not checked): why is the shift scaled by the step's variance σ², so \
                that it vanishes as σ² → 0?
                """,
            location: "\(file), `guidedMean(mean:sigma2:scale:gradient:)`",
            check: { answers in
                grading {
                    let a = answers as! any Lesson12Answers
                    var rng = SeededGenerator(seed: 1203)
                    for _ in 0..<20 {
                        let mu = (0..<4).map { _ in rng.normal() }, g = (0..<4).map { _ in rng.normal() }
                        let (sigma2, s) = (rng.uniform(0, 0.05), rng.uniform(0, 10))
                        let got = try a.guidedMean(mean: mu, sigma2: sigma2, scale: s, gradient: g)
                        let expected = zip(mu, g).map { $0 + s * sigma2 * $1 }
                        if got.count != 4 || zip(got, expected).contains(where: { !close($0, $1, tolerance: 1e-12) }) {
                            return
                                """
                                σ² = \(sigma2), s = \(s): got \(got), expected \(expected)
                                """
                        }
                    }
                    return nil
                }
            }),
    ]
}
