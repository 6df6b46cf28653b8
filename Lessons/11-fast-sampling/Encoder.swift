import Datasets
// Lesson 11, section 4: deterministic DDIM as an encoder — round trips and spherical interpolation.
import Diffusion
import Foundation
import Learning
import LessonKit
import Plotting
import TensorCore

extension Lesson11 {
    /// Spherical interpolation between a and b: sin((1 − λ)θ)/sin θ·a + sin(λθ)/sin θ·b, θ the angle between them.
    static func slerp(_ a: [Float], _ b: [Float], _ lambda: Double) -> [Float] {
        let dot = zip(a, b).reduce(0.0) { $0 + Double($1.0) * Double($1.1) }
        let norms = (a.reduce(0.0) { $0 + Double($1 * $1) } * b.reduce(0.0) { $0 + Double($1 * $1) }).squareRoot()
        let theta = acos(max(-1, min(1, dot / norms)))
        let (wa, wb) = (sin((1 - lambda) * theta) / sin(theta), sin(lambda * theta) / sin(theta))
        return zip(a, b).map { Float(wa * Double($0) + wb * Double($1)) }
    }

    func encoder(_ book: Notebook, run: Run) throws {
        book.section("4. Deterministic DDIM as an encoder")
        book.text(
            """
            With η = 0 every step is a fixed function of xₜ, so it can be run backwards: from x₀, step up the \
            subsequence with xₜ = √ᾱₜ·x̂₀ + √(1 − ᾱₜ)·ε̂, where x̂₀ and ε̂ come from the network at the lower step (at \
            x₀ itself the network is asked at τ₁). That gives a latent x_T for a real digit; decoding it with the same \
            S steps should give the digit back, more exactly as S grows (both directions are discretisations of the \
            same smooth path).
            """)
        let count = QuickBudgets.Lesson11.encoderImages(quick: options.quick)
        let x0 = Array(run.digits.heldOut.values.prefix(count * 64))
        let stepCounts = QuickBudgets.Lesson11.encoderSteps(quick: options.quick)
        var errors: [Double] = []
        var reconstructions: [[Float]] = []
        for steps in stepCounts {
            let sampler = try run.sampler(steps: steps, .ddim(eta: 0))
            let back = sampler.decode(sampler.encode(x0, count: count), count: count, seed: run.seed &+ 112)
            errors.append((zip(back, x0).reduce(0.0) { $0 + Double(($1.0 - $1.1) * ($1.0 - $1.1)) } / Double(x0.count)).squareRoot() * 8)
            reconstructions.append(back)
        }
        book.table(["S"] + stepCounts.map(String.init), [["round-trip RMS error (gray levels 0…16)"] + errors.map { NumberFormat.fixed($0, 3) }])
        book.check(zip(errors, errors.dropFirst()).allSatisfy { $0 > $1 }, "the round-trip error falls as S grows")
        let shown =
            (0..<8).map { DigitPictures.image(x0, $0) }
            + reconstructions.flatMap { r in (0..<8).map { DigitPictures.image(r.map { max(-1, min(1, $0)) }, $0) } }
        book.figure(
            Figure(
                name: "round-trip", title: "Held-out digits and their DDIM round trips x₀ → x_T → x₀", width: 760, height: 560,
                panels: [
                    DigitPictures.grid(
                        shown, columns: 8, rowLabels: ["x₀"] + stepCounts.map { "S = \($0)" }, columnAxis: "held-out digit",
                        rowAxis: "decoded with")
                ]),
            caption: "Top row: held-out digits; each row below: encoded to x_T and decoded with deterministic DDIM, "
                + "S = "
                + stepCounts.map(String.init).joined(separator: ", ") + " from the top")

        book.text(
            """
            Interpolating in that latent: encode two held-out digits (S = 50), walk between their x_T along a great \
            circle (slerp: samples x_T ~ N(0, I) concentrate near the sphere of radius √64 = 8, where a straight \
            line's midpoint would have too small a norm), and decode each point with S = 50. Compare lesson 08's \
            section 9, which mixes stochastic encodings at step t and decodes with fresh noise.
            """)
        let held = run.digits.heldOut
        let b = held.labels.firstIndex { $0 != held.labels[0] && $0 != 1 }!
        let pair = DigitPictures.image(held.values, 0) + DigitPictures.image(held.values, b)
        let sampler = try run.sampler(steps: 50, .ddim(eta: 0))
        let latents = sampler.encode(pair, count: 2)
        let (za, zb) = (Array(latents[0..<64]), Array(latents[64..<128]))
        let lambdas = stride(from: 0.0, through: 1.0, by: 0.1).map { $0 }
        let path = lambdas.flatMap { Self.slerp(za, zb, $0) }
        let decoded = sampler.decode(path, count: lambdas.count, seed: run.seed &+ 113).map { max(-1, min(1, $0)) }
        let linear: [Float] = lambdas.flatMap { (l: Double) -> [Float] in
            zip(za, zb).map { (a: Float, b: Float) -> Float in Float((1 - l) * Double(a) + l * Double(b)) }
        }
        let linearDecoded = sampler.decode(linear, count: lambdas.count, seed: run.seed &+ 113).map { max(-1, min(1, $0)) }
        let norm = { (v: [Float]) in (v.reduce(0.0) { $0 + Double($1 * $1) }).squareRoot() }
        book.figure(
            Figure(
                name: "slerp",
                title:
                    """
                    Held-out digits \(held.labels[0]) and \(held.labels[b]): two paths between their DDIM latents
                    """,
                width: 1100, height: 320,
                panels: [
                    DigitPictures.grid(
                        (0..<lambdas.count).map { DigitPictures.image(decoded, $0) }
                            + (0..<lambdas.count).map { DigitPictures.image(linearDecoded, $0) },
                        columns: lambdas.count, columnLabels: lambdas.map { NumberFormat.significant($0, 2) },
                        rowLabels: ["slerp", "straight line"], columnAxis: "λ", rowAxis: "path")
                ]), caption: "λ = 0, 0.1, …, 1 from left to right; top: spherical interpolation of x_T, bottom: linear")
        let midpoint = lambdas.count / 2
        let (na, nb) = (norm(za), norm(zb))
        let slerpMid = norm(Array(path[(midpoint * 64)..<(midpoint * 64 + 64)]))
        let lineMid = norm(Array(linear[(midpoint * 64)..<(midpoint * 64 + 64)]))
        // ‖z‖ of z ~ N(0, I) in 64 dimensions: mean ≈ 8, sd ≈ 1/√2.
        let atypical = [na, nb].contains { abs($0 - 8) > 2 * 0.5.squareRoot() }
        let unlike = """
            ; one of these lies more than 2 sd from 8: DDIM latents of real digits need not look like samples of N(0, I)
            """
        book.text(
            """
            The two latents have norms \(NumberFormat.fixed(na, 2)) and \(NumberFormat.fixed(nb, 2)) (a sample of N(0, \
            I) has 8 ± 0.7). At λ = ½ the slerp point has norm \(NumberFormat.fixed(slerpMid, 2)) and the straight \
            line's \(NumberFormat.fixed(lineMid, 2)). Slerp keeps the norm only between latents of equal \
            norm\(atypical ? unlike : "").
            """)
    }
}
