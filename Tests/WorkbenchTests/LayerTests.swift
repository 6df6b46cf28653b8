import Foundation
import Testing

@testable import Evaluation
@testable import Networks
@testable import Sampling
@testable import TensorCore
@testable import Training

/// Checks the tape's gradient of L = Σ op(inputs) ⊙ w with respect to every input against central
/// differences (h = 1e-6). Tolerance: truncation h²·|∂³L|/6 and rounding ε·|L|/h ≈ 2e-10·|L| for the O(1)
/// values used here, so 1e-7 absolute.
func checkLayerGradient(
    _ name: String, inputs: [Tensor<Double>], seed: UInt64, sourceLocation: SourceLocation = #_sourceLocation,
    _ op: ([Variable<Double>]) -> Variable<Double>
) {
    var rng = SeededGenerator(seed: seed)
    let tape = Tape<Double>()
    let variables = inputs.map { tape.variable($0) }
    let y = op(variables)
    let w = Tensor<Double>.randomNormal(y.value.shape, using: &rng)
    let gradients = tape.gradients(of: (y * w).sum())
    for (k, input) in inputs.enumerated() {
        let numeric = numericalGradient(input) { value in
            let t = Tape<Double>()
            var changed = inputs
            changed[k] = value
            return (op(changed.map { t.variable($0) }).value * w).sum()
        }
        let error = maxAbsoluteDifference(gradients[variables[k]], numeric)
        #expect(error <= 1e-7, "\(name), input \(k): largest gradient error \(error)", sourceLocation: sourceLocation)
    }
}

@Suite("Layers: each backward against central differences, each forward against a direct computation")
struct LayerTests {
    static func random(_ shape: [Int], _ seed: UInt64, scale: Double = 1) -> Tensor<Double> {
        var rng = SeededGenerator(seed: seed)
        return scale * Tensor<Double>.randomNormal(shape, using: &rng)
    }

    @Test("Conv2d: gradients of input, weight and bias (3 × 3 pad 1, 3 × 3 stride 2, 1 × 1)", arguments: [(3, 1, 1), (3, 2, 1), (1, 1, 0)])
    func conv2dGradient(k: Int, stride: Int, padding: Int) {
        checkLayerGradient("conv \(k)×\(k) s\(stride) p\(padding)", inputs: [Self.random([2, 3, 5, 5], 1), Self.random([4, 3, k, k], 2, scale: 0.3), Self.random([4], 3)], seed: 4) { v in
            Variable.conv2d(v[0], weight: v[1], bias: v[2], stride: stride, padding: padding)
        }
    }

    @Test("Conv2d equals the definition written as patch dot products over an explicitly zero-padded input", arguments: [(3, 1, 1), (3, 2, 1), (1, 1, 0)])
    func conv2dMatchesDefinition(k: Int, stride: Int, padding: Int) {
        let (x, w, b) = (Self.random([2, 3, 6, 5], 5), Self.random([4, 3, k, k], 6), Self.random([4], 7))
        let tape = Tape<Double>()
        let y = Variable.conv2d(tape.variable(x), weight: tape.variable(w), bias: tape.variable(b), stride: stride, padding: padding).value
        let (h, wd) = (6 + 2 * padding, 5 + 2 * padding)
        var padded = [Double](repeating: 0, count: 2 * 3 * h * wd)
        for n in 0..<2 {
            for c in 0..<3 {
                for i in 0..<6 {
                    for j in 0..<5 {
                        padded[((n * 3 + c) * h + i + padding) * wd + j + padding] = x.scalars[((n * 3 + c) * 6 + i) * 5 + j]
                    }
                }
            }
        }
        let (ho, wo) = ((h - k) / stride + 1, (wd - k) / stride + 1)
        #expect(y.shape == [2, 4, ho, wo])
        for n in 0..<2 {
            for o in 0..<4 {
                for i in 0..<ho {
                    for j in 0..<wo {
                        var patch: [Double] = []
                        var kernel: [Double] = []
                        for c in 0..<3 {
                            for u in 0..<k {
                                for v in 0..<k {
                                    patch.append(padded[((n * 3 + c) * h + i * stride + u) * wd + j * stride + v])
                                    kernel.append(w.scalars[((o * 3 + c) * k + u) * k + v])
                                }
                            }
                        }
                        let expected = b.scalars[o] + zip(patch, kernel).map(*).reduce(0, +)
                        // Sums of ≤ 27 O(1) products in a different order: ≤ 27 ulps, 1e-13.
                        expectClose(y.scalars[((n * 4 + o) * ho + i) * wo + j], expected, absolute: 1e-13, "y[\(n), \(o), \(i), \(j)]")
                    }
                }
            }
        }
    }

    @Test("GroupNorm: gradients; with γ = 1, β = 0 each group has mean 0 and variance σ²/(σ² + ε)")
    func groupNorm() {
        checkLayerGradient("group norm", inputs: [Self.random([2, 4, 3, 3], 8), 1 + Self.random([4], 9, scale: 0.1), Self.random([4], 10)], seed: 11) { v in
            Variable.groupNorm(v[0], weight: v[1], bias: v[2], groups: 2, epsilon: 1e-5)
        }
        let x = 3 + 2 * Self.random([2, 8, 4, 4], 12)
        let tape = Tape<Double>()
        let y = Variable.groupNorm(tape.variable(x), weight: tape.variable(.ones([8])), bias: tape.variable(.zeros([8])), groups: 4, epsilon: 1e-5).value
        for n in 0..<2 {
            for g in 0..<4 {
                let range = ((n * 8 + 2 * g) * 16)..<((n * 8 + 2 * g + 2) * 16)
                let (values, inputs) = (Array(y.scalars[range]), Array(x.scalars[range]))
                let mean = values.reduce(0, +) / 32
                let variance = values.map { ($0 - mean) * ($0 - mean) }.reduce(0, +) / 32
                let inputMean = inputs.reduce(0, +) / 32
                let inputVariance = inputs.map { ($0 - inputMean) * ($0 - inputMean) }.reduce(0, +) / 32
                // Sums of 32 O(1) values: 1e-14; the variance is exactly σ²/(σ² + ε) up to that rounding.
                expectClose(mean, 0, absolute: 1e-14, "mean, image \(n), group \(g)")
                expectClose(variance, inputVariance / (inputVariance + 1e-5), relative: 1e-13, "variance, image \(n), group \(g)")
            }
        }
    }

    @Test("Upsampling ×2, channel concatenation and slicing: gradients, and the values they move")
    func plumbing() {
        checkLayerGradient("upsample", inputs: [Self.random([2, 3, 2, 3], 13)], seed: 14) { $0[0].upsampled() }
        checkLayerGradient("concatenate", inputs: [Self.random([2, 3, 2, 2], 15), Self.random([2, 1, 2, 2], 16)], seed: 17) { Variable.concatenateChannels($0) }
        checkLayerGradient("channels 1..<3", inputs: [Self.random([2, 4, 2, 2], 18)], seed: 19) { $0[0].channels(1..<3) }
        let x = Self.random([1, 2, 2, 2], 20)
        let tape = Tape<Double>()
        let up = tape.variable(x).upsampled().value
        #expect(up.shape == [1, 2, 4, 4])
        #expect(up.scalars[(1 * 4 + 3) * 4 + 2] == x.scalars[(1 * 2 + 1) * 2 + 1])
        let joined = Variable.concatenateChannels([tape.variable(x), tape.variable(2 * x)]).value
        #expect(joined.shape == [1, 4, 2, 2] && joined.scalars[8..<16].elementsEqual(x.scalars.map { 2 * $0 }))
    }

    @Test("Linear (x·Wᵀ + b) and SiLU: gradients")
    func linearAndSiLU() {
        checkLayerGradient("linear", inputs: [Self.random([3, 5], 21), Self.random([4, 5], 22), Self.random([4], 23)], seed: 24) { v in
            Variable.linear(v[0], weight: v[1], bias: v[2])
        }
        checkLayerGradient("silu", inputs: [Self.random([2, 3, 2, 2], 25)], seed: 26) { $0[0].silu() }
    }

    @Test("Attention: gradients of q, k, v; weights sum to 1 per query and equal e^{s}/Σe^{s} computed directly")
    func attention() {
        checkLayerGradient("attention", inputs: [Self.random([2, 4, 2, 2], 27), Self.random([2, 4, 2, 2], 28), Self.random([2, 4, 2, 2], 29)], seed: 30) { v in
            Variable.attention(query: v[0], key: v[1], value: v[2])
        }
        let (q, k) = (Self.random([2, 4, 3, 3], 31), Self.random([2, 4, 3, 3], 32))
        let a = Attention.weights(query: q, key: k)
        for n in 0..<2 {
            for i in 0..<9 {
                let row = (0..<9).map { j in a.scalars[(n * 9 + i) * 9 + j] }
                expectClose(row.reduce(0, +), 1, absolute: 1e-14, "Σⱼ A[\(i), j], image \(n)")
                let scores = (0..<9).map { j in (0..<4).map { c in q.scalars[(n * 4 + c) * 9 + i] * k.scalars[(n * 4 + c) * 9 + j] }.reduce(0, +) / 2 }
                let direct = scores.map { Foundation.exp($0) }
                for j in 0..<9 { expectClose(row[j], direct[j] / direct.reduce(0, +), relative: 1e-13, "A[\(i), \(j)]") }
            }
        }
    }

    @Test("The residual and attention blocks end to end: gradients of the input, the embedding and every parameter")
    func blocks() {
        let block = ResidualBlock(4, 8, embeddingWidth: 6, groups: 2)
        var layout = ParameterLayout()
        block.declare("b", in: &layout)
        let attention = Attention(8, groups: 2)
        attention.declare("a", in: &layout)
        var rng = SeededGenerator(seed: 33)
        let flat = Tensor<Double>.randomNormal([layout.count], using: &rng).scalars.map { 0.4 * $0 }
        checkLayerGradient("residual block + attention", inputs: [Self.random([2, 4, 2, 2], 34), Self.random([2, 6], 35), Tensor(flat)], seed: 36) { v in
            let parameters = TapeParameters(layout: layout, flat: v[2])
            return attention(block(v[0], embedding: v[1], parameters.scope("b")), parameters.scope("a"))
        }
    }
}
