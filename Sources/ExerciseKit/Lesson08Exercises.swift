import Diffusion
import TensorCore

/// The answers to lesson 08's exercises (DDPM on digits).
public protocol Lesson08Answers: LessonAnswers {
    /// Exercise 08.1: the gray level v ∈ 0…16 nearest to a pixel value x (x = v/8 − 1), clamped to 0…16.
    func grayLevel(of x: Double) throws -> Int
    /// Exercise 08.2: the memorisation ratio, mean nearest-training distance of `samples` over that of `heldOut`.
    func memorisationRatio(samples: [[Double]], heldOut: [[Double]], training: [[Double]]) throws -> Double
    /// Exercise 08.3: the squared Fréchet distance between 1-D Gaussians fitted to two samples.
    func frechetDistance1D(_ a: [Double], _ b: [Double]) throws -> Double
}

/// Lesson 08's exercises and their checks.
public enum Lesson08Exercises {
    static let file = "`Lessons/Exercises/Lesson08.swift`"

    /// The three exercises.
    public static let all: [Exercise] = [
        Exercise(
            id: "08.1", title: "Back to gray levels",
            prompt: """
                The network sees x = v/8 − 1 for gray levels v = 0…16. Return the level nearest to a sampled pixel \
                value x, clamped to 0…16; samples are not clipped, so x can lie outside [−1, 1] (the check tries \
                x ∈ [−1.3, 1.3]). Inside [−1, 1] no x is more than half a bin (0.0625) from its level; outside, the \
                clamp moves x by |x| − 1. Discussion (not checked): lesson 09 turns the distance to the nearest level \
                into bits.
                """,
            location: "\(file), `grayLevel(of:)`",
            check: { answers in
                grading {
                    let a = answers as! any Lesson08Answers
                    var rng = SeededGenerator(seed: 801)
                    for _ in 0..<200 {
                        let x = rng.uniform(-1.3, 1.3)
                        // The level whose value is nearest, by search over the 17 values (no rounding formula).
                        let expected = (0...16).min { abs(Double($0) / 8 - 1 - x) < abs(Double($1) / 8 - 1 - x) }!
                        let got = try a.grayLevel(of: x)
                        if got != expected { return "x = \(x): got \(got), expected \(expected)" }
                    }
                    return nil
                }
            }),
        Exercise(
            id: "08.2", title: "The memorisation ratio",
            prompt: """
                For each sample find the Euclidean distance to its nearest training image; do the same for each \
                held-out image; return the ratio of the two means (lesson 08, section 5). Discussion (not checked): \
                a model that copies its training set scores 0; what does a ratio near 1 say?
                """,
            location: "\(file), `memorisationRatio(samples:heldOut:training:)`",
            check: { answers in
                grading {
                    let a = answers as! any Lesson08Answers
                    var rng = SeededGenerator(seed: 802)
                    func images(_ n: Int) -> [[Double]] { (0..<n).map { _ in (0..<4).map { _ in rng.normal() } } }
                    for _ in 0..<5 {
                        let (training, samples, held) = (images(12), images(7), images(5))
                        func meanNearest(_ set: [[Double]]) -> Double {
                            set.map { x in training.map { y in zip(x, y).map { ($0 - $1) * ($0 - $1) }.reduce(0, +).squareRoot() }.min()! }.reduce(0, +) / Double(set.count)
                        }
                        let expected = meanNearest(samples) / meanNearest(held)
                        let got = try a.memorisationRatio(samples: samples, heldOut: held, training: training)
                        if !close(got, expected, tolerance: 1e-10) { return "got \(got), expected \(expected)" }
                    }
                    return nil
                }
            }),
        Exercise(
            id: "08.3", title: "A Fréchet distance by hand",
            prompt: """
                Fit N(m, s²) to each list (s² with n − 1) and return d² = (m₁ − m₂)² + s₁² + s₂² − 2·s₁·s₂, the 1-D \
                case of FID's formula. The check compares it with (m₁ − m₂)² + (s₁ − s₂)²: expand the square to see \
                why they are equal.
                """,
            location: "\(file), `frechetDistance1D(_:_:)`",
            check: { answers in
                grading {
                    let a = answers as! any Lesson08Answers
                    var rng = SeededGenerator(seed: 803)
                    for _ in 0..<20 {
                        let x = (0..<30).map { _ in rng.normal() * 2 + 1 }
                        let y = (0..<20).map { _ in rng.normal() * 0.5 - 1 }
                        let mx = x.reduce(0, +) / 30, my = y.reduce(0, +) / 20
                        let sx = (x.map { ($0 - mx) * ($0 - mx) }.reduce(0, +) / 29).squareRoot()
                        let sy = (y.map { ($0 - my) * ($0 - my) }.reduce(0, +) / 19).squareRoot()
                        let expected = (mx - my) * (mx - my) + (sx - sy) * (sx - sy)
                        let got = try a.frechetDistance1D(x, y)
                        if !close(got, expected, tolerance: 1e-10) { return "got \(got), expected \(expected)" }
                    }
                    return nil
                }
            }),
    ]
}
