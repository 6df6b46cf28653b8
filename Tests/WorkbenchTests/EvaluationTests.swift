import Foundation
import Testing

@testable import Datasets
@testable import Evaluation
@testable import Networks
@testable import Sampling
@testable import TensorCore
@testable import Training

@Suite("Judging samples: the digit classifier and the Fréchet distance")
struct EvaluationTests {
    @Test("Softmax cross-entropy: its gradient against central differences, and its value for uniform logits (log K)")
    func crossEntropy() {
        var rng = SeededGenerator(seed: 40)
        let logits = Tensor<Double>.randomNormal([4, 5], using: &rng)
        checkLayerGradient("cross-entropy", inputs: [logits], seed: 41) { $0[0].softmaxCrossEntropy(labels: [0, 4, 2, 2]) }
        let tape = Tape<Double>()
        expectClose(tape.variable(.zeros([3, 5])).softmaxCrossEntropy(labels: [1, 2, 3]).value.scalar, Foundation.log(5), relative: 1e-15, "log 5")
    }

    @Test("Jacobi eigendecomposition: V·diag(λ)·Vᵀ rebuilds the matrix and V is orthogonal")
    func eigen() {
        var rng = SeededGenerator(seed: 42)
        let d = 7
        let a = Tensor<Double>.randomNormal([d, d], using: &rng)
        let s = Tensor.matmul(a, a.transposed()).scalars
        let (values, v) = FrechetDistance.eigen(s, d)
        for i in 0..<d {
            for j in 0..<d {
                let rebuilt = (0..<d).reduce(0.0) { $0 + v[i * d + $1] * values[$1] * v[j * d + $1] }
                let identity = (0..<d).reduce(0.0) { $0 + v[$1 * d + i] * v[$1 * d + j] }
                // Rotations of an O(10) matrix: rounding ~1e-14 relative to its norm.
                expectClose(rebuilt, s[i * d + j], absolute: 1e-11, "S[\(i), \(j)]")
                expectClose(identity, i == j ? 1 : 0, absolute: 1e-12, "VᵀV[\(i), \(j)]")
            }
        }
    }

    @Test("The Fréchet distance equals the closed form for 2-D Gaussians: Tr(Σ₁Σ₂)^{½} = √(tr Σ₁Σ₂ + 2√(det Σ₁·det Σ₂))")
    func frechetClosedForm2D() {
        var rng = SeededGenerator(seed: 43)
        let a = Tensor<Double>(
            shape: [300, 2],
            scalars: (0..<300).flatMap { _ -> [Double] in
                let u = rng.normal(), w = rng.normal(); return [u, 0.5 * u + 0.3 * w + 1]
            })
        let b = Tensor<Double>(
            shape: [200, 2],
            scalars: (0..<200).flatMap { _ -> [Double] in
                let u = rng.normal(), w = rng.normal(); return [2 * u - 0.4, 0.2 * w - 0.1 * u]
            })
        let (ma, ca) = FrechetDistance.moments(a)
        let (mb, cb) = FrechetDistance.moments(b)
        let product = FrechetDistance.multiply(ca, cb, 2)
        let det = { (m: [Double]) in m[0] * m[3] - m[1] * m[2] }
        let traceRoot = (product[0] + product[3] + 2 * (det(ca) * det(cb)).squareRoot()).squareRoot()
        let expected = (ma[0] - mb[0]) * (ma[0] - mb[0]) + (ma[1] - mb[1]) * (ma[1] - mb[1]) + ca[0] + ca[3] + cb[0] + cb[3] - 2 * traceRoot
        // Both in Double from the same moments; the eigen route rounds at ~1e-15 of O(1) values.
        expectClose(FrechetDistance.squared(a, b), expected, relative: 1e-12, "d²")
        expectClose(FrechetDistance.squared(b, a), expected, relative: 1e-12, "d² (swapped)")
        #expect(FrechetDistance.squared(a, a) < 1e-12)
    }

    @Test("The classifier reaches ≥ 0.9 held-out accuracy; in its features training digits are far closer to held-out digits than noise is")
    func classifierAndFeatures() throws {
        let digits = try DigitImages.shipped()
        let classifier = DigitClassifier.train(images: digits.training.values, labels: digits.training.labels, epochs: 10, seed: 1)
        let predicted = classifier.classify(digits.heldOut.values)
        let accuracy = Double(zip(predicted, digits.heldOut.labels).filter { $0 == $1 }.count) / Double(digits.heldOut.count)
        #expect(accuracy >= 0.9, "held-out accuracy \(accuracy)")
        print("classifier after 10 epochs: held-out accuracy \(accuracy)")
        var rng = SeededGenerator(seed: 2)
        let noise = (0..<(297 * 64)).map { _ in Float(rng.normal()) }
        let held = classifier.evaluate(digits.heldOut.values).features
        let training = classifier.evaluate(Array(digits.training.values[0..<(297 * 64)])).features
        let floor = FrechetDistance.squared(training, held)
        let ceiling = FrechetDistance.squared(classifier.evaluate(noise).features, held)
        #expect(floor < ceiling / 10, "training \(floor), noise \(ceiling)")
    }

    @Test("The metric's own noise: d² between draws of one distribution shrinks as the draws grow (its bias is O(d²/n))")
    func subsetSpreadShrinksWithSize() {
        var rng = SeededGenerator(seed: 71)
        let pool = Tensor<Double>(shape: [2_000, 4], scalars: (0..<8_000).map { _ in rng.normal() })
        let reference = Tensor<Double>(shape: [2_000, 4], scalars: (0..<8_000).map { _ in rng.normal() })
        let small = FrechetDistance.subsetSpread(pool, against: reference, size: 50, draws: 20, using: &rng)
        let large = FrechetDistance.subsetSpread(pool, against: reference, size: 800, draws: 20, using: &rng)
        let mean = { (x: [Double]) in x.reduce(0, +) / Double(x.count) }
        #expect(small.count == 20 && small.allSatisfy { $0 >= 0 })
        // For n points from N(0, I₄), E[d²] ≈ (d + d(d + 1)/4)/n ≈ 0.18 at n = 50 and 0.011 at n = 800 (plus the
        // reference's own ≈ 0.005): the small draws must average several times the large ones.
        #expect(mean(small) > 4 * mean(large), "mean d² \(mean(small)) at 50 points, \(mean(large)) at 800")
    }
}
