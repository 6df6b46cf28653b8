import Foundation
import TensorCore

/// The answers to lesson 11's exercises (faster sampling).
public protocol Lesson11Answers: LessonAnswers {
    /// Exercise 11.1: the respaced β′ᵢ = 1 − ᾱ_{τᵢ}/ᾱ_{τᵢ₋₁} (ᾱ_{τ₀} = 1), from `alphaBar` (index t − 1
    /// holds ᾱₜ) and the subsequence `tau` (paper steps, increasing).
    func respacedBetas(alphaBar: [Double], tau: [Int]) throws -> [Double]
    /// Exercise 11.2: DDIM's σ for a step from t down to s: η·√((1 − ᾱₛ)/(1 − ᾱₜ))·√(1 − ᾱₜ/ᾱₛ).
    func ddimSigma(alphaBarT: Double, alphaBarS: Double, eta: Double) throws -> Double
    /// Exercise 11.3: spherical interpolation between a and b at λ ∈ [0, 1].
    func slerp(_ a: [Double], _ b: [Double], _ lambda: Double) throws -> [Double]
}

/// Lesson 11's exercises and their checks.
public enum Lesson11Exercises {
    static let file = "`Lessons/Exercises/Lesson11.swift`"

    /// The three exercises.
    public static let all: [Exercise] = [
        Exercise(
            id: "11.1", title: "Respacing a schedule",
            prompt:
                """
                Given ᾱ₁ … ᾱ_T and a subsequence τ, return the respaced β′ᵢ = 1 − ᾱ_{τᵢ}/ᾱ_{τᵢ₋₁} with ᾱ_{τ₀} = 1. \
                Discussion (not checked): why does the product of the (1 − β′) give back ᾱ on τ?
                """,
            location: "\(file), `respacedBetas(alphaBar:tau:)`",
            check: { answers in
                grading {
                    let a = answers as! any Lesson11Answers
                    var rng = SeededGenerator(seed: 1101)
                    for _ in 0..<10 {
                        let steps = rng.integer(in: 5...60)
                        var alphaBar: [Double] = []
                        var product = 1.0
                        for _ in 0..<steps { product *= 1 - rng.uniform(0.001, 0.05); alphaBar.append(product) }
                        let tau = (1...steps).filter { $0 == steps || rng.uniform() < 0.4 }
                        let got = try a.respacedBetas(alphaBar: alphaBar, tau: tau)
                        if got.count != tau.count { return "got \(got.count) values for \(tau.count) steps" }
                        // The defining property: the running product of (1 − β′) is ᾱ on τ.
                        var running = 1.0
                        for (i, t) in tau.enumerated() {
                            running *= 1 - got[i]
                            if !close(running, alphaBar[t - 1], tolerance: 1e-12) {
                                return
                                    """
                                    τ = \(tau): after step \(i + 1) got ᾱ′ = \(running), expected \(alphaBar[t - 1])
                                    """
                            }
                        }
                    }
                    return nil
                }
            }),
        Exercise(
            id: "11.2", title: "DDIM's noise level",
            prompt:
                """
                Return σ = η·√((1 − ᾱₛ)/(1 − ᾱₜ))·√(1 − ᾱₜ/ᾱₛ). Show that for η = 1 and s = t − 1 it is √β̃ₜ, and that \
                η = 0 makes the step deterministic.
                """,
            location: "\(file), `ddimSigma(alphaBarT:alphaBarS:eta:)`",
            check: { answers in
                grading {
                    let a = answers as! any Lesson11Answers
                    var rng = SeededGenerator(seed: 1102)
                    for _ in 0..<20 {
                        let alphaBarS = rng.uniform(0.01, 0.999)
                        let beta = rng.uniform(0.0001, 0.5)
                        let alphaBarT = alphaBarS * (1 - beta)
                        // η = 1 on one step is β̃ₜ = (1 − ᾱₛ)/(1 − ᾱₜ)·βₜ (Eq. 7), written with βₜ, not with the ratio.
                        let tilde = ((1 - alphaBarS) / (1 - alphaBarT) * beta).squareRoot()
                        let eta = rng.uniform(0, 1)
                        let got1 = try a.ddimSigma(alphaBarT: alphaBarT, alphaBarS: alphaBarS, eta: 1)
                        let gotEta = try a.ddimSigma(alphaBarT: alphaBarT, alphaBarS: alphaBarS, eta: eta)
                        if !close(got1, tilde, tolerance: 1e-10) { return "η = 1: got \(got1), expected √β̃ = \(tilde)" }
                        if !close(gotEta, eta * tilde, tolerance: 1e-10) { return "η = \(eta): got \(gotEta), expected \(eta * tilde)" }
                    }
                    return nil
                }
            }),
        Exercise(
            id: "11.3", title: "Spherical interpolation",
            prompt:
                """
                Return sin((1 − λ)θ)/sin θ·a + sin(λθ)/sin θ·b with θ the angle between a and b. For unit vectors the \
                path stays on the sphere. Discussion (not checked): why does that suit x_T ~ N(0, I)?
                """,
            location: "\(file), `slerp(_:_:_:)`",
            check: { answers in
                grading {
                    let a = answers as! any Lesson11Answers
                    var rng = SeededGenerator(seed: 1103)
                    func norm(_ v: [Double]) -> Double { v.reduce(0) { $0 + $1 * $1 }.squareRoot() }
                    func angle(_ u: [Double], _ v: [Double]) -> Double { acos(max(-1, min(1, zip(u, v).reduce(0) { $0 + $1.0 * $1.1 } / (norm(u) * norm(v))))) }
                    for _ in 0..<20 {
                        let u = (0..<6).map { _ in rng.normal() }, v = (0..<6).map { _ in rng.normal() }
                        let (nu, nv) = (norm(u), norm(v))
                        let (x, y) = (u.map { $0 / nu }, v.map { $0 / nv })
                        let lambda = rng.uniform(0, 1)
                        let got = try a.slerp(x, y, lambda)
                        // On the unit sphere, at angle λθ from x and (1 − λ)θ from y.
                        let theta = angle(x, y)
                        if !close(norm(got), 1, tolerance: 1e-9) {
                            return
                                """
                                λ = \(lambda): got a point of norm \(norm(got)), expected 1
                                """
                        }
                        if abs(angle(x, got) - lambda * theta) > 1e-6 {
                            return
                                """
                                λ = \(lambda): got angle \(angle(x, got)) from a, expected \(lambda * theta)
                                """
                        }
                        if abs(angle(y, got) - (1 - lambda) * theta) > 1e-6 {
                            return
                                """
                                λ = \(lambda): got angle \(angle(y, got)) from b, expected \((1 - lambda) * theta)
                                """
                        }
                    }
                    return nil
                }
            }),
    ]
}
