import Foundation
import Testing

@testable import Evaluation
@testable import Networks
@testable import Sampling
@testable import TensorCore
@testable import Training

@Suite("The U-Net's fast path against the tape")
struct UNetEngineTests {
    /// The golden weights (every tensor non-zero), rounded to Float: both paths then compute with the same numbers.
    static func weights(_ net: UNet) -> [Float] { goldenWeights(net.layout).map { Float($0) } }

    /// The tape's output and gradient in Double for L = Σ ε_θ ⊙ w.
    static func reference(_ net: UNet, parameters: [Float], x: [Float], t: [Int], labels: [Int]? = nil, w: [Float]) -> (output: [Double], gradient: [Double]) {
        let tape = Tape<Double>()
        let flat = tape.variable(Tensor(parameters.map(Double.init)))
        let output = net(
            tape.variable(Tensor(shape: [t.count, 1, 8, 8], scalars: x.map(Double.init))), steps: t,
            labels: labels, TapeParameters(layout: net.layout, flat: flat))
        let loss = (output * Tensor(shape: [t.count, net.outputChannels, 8, 8], scalars: w.map(Double.init))).sum()
        return (output.value.scalars, tape.gradients(of: loss)[flat].scalars)
    }

    @Test(
        "Forward and every parameter's gradient equal the tape's (Double) to Float accuracy (2 output channels; 10 classes with ∅)",
        // One thread is not a case of its own: `threadsDoNotChangeResults` shows 1, 2 and 3 threads give the same bits.
        arguments: [(16, 2, 1, 0), (24, 2, 1, 0), (16, 2, 2, 0), (16, 2, 1, 10)])
    func engineMatchesTape(ch: Int, threads: Int, outputChannels: Int, classes: Int) {
        let net = UNet(ch: ch, outputChannels: outputChannels, classes: classes)
        // Labels for the class-conditional case: one repeated (its embedding row's gradient adds two images), one ∅.
        let labels: [Int]? = classes == 0 ? nil : [3, classes, 3, 0, 9]
        let parameters = Self.weights(net)
        var rng = SeededGenerator(seed: 3)
        let t = [1, 37, 500, 1000, 250]
        let x = (0..<(t.count * 64)).map { _ in Float(rng.normal()) }
        let w = (0..<(t.count * 64 * outputChannels)).map { _ in Float(rng.normal()) }
        let engine = GraphEngine(graph: net.graph, capacity: 6, threads: threads)
        engine.load(parameters)
        let output = Array(UnsafeBufferPointer(start: engine.forward(x, steps: t, labels: labels), count: t.count * 64 * outputChannels))
        var gradients = [Float](repeating: 0, count: net.layout.count)
        w.withUnsafeBufferPointer { g in gradients.withUnsafeMutableBufferPointer { engine.backward(g.baseAddress!, images: t.count, into: $0.baseAddress!) } }
        let expected = Self.reference(net, parameters: parameters, x: x, t: t, labels: labels, w: w)
        // Float against Double through ~40 layers: each GEMM sums up to K = 27·ch products (rounding
        // ≲ √K·2⁻²⁴ ≈ 1e-6 relative typically), GroupNorm and softmax add a few ulps. Measured at ch = 16:
        // 7e-7 of the output's scale, and at most 9e-6 of a tensor's largest gradient (sums over 5·64
        // positions of products that partly cancel). Allow 2e-5 and 2e-4 (about 20× those). (At ch = 8 each
        // GroupNorm group is one channel, which cancels a per-channel temb exactly: those true gradients
        // are 0, so ch = 8 is not a useful case here.)
        let scale = expected.output.map(abs).max()!
        let outputError = zip(output, expected.output).map { abs(Double($0) - $1) }.max()!
        #expect(outputError <= 2e-5 * scale, "ε_θ: largest error \(outputError), scale \(scale)")
        var worst = (ratio: 0.0, name: "")
        for entry in net.layout.entries {
            let range = entry.offset..<(entry.offset + entry.count)
            let g = expected.gradient[range]
            if entry.name == "label_emb.weight" {
                // Only the rows of labels in the batch (0, 3, 9 and ∅) get a gradient; every other row's is exactly 0.
                let used = Set(labels!)
                for row in 0...classes where !used.contains(row) { #expect(gradients[(entry.offset + row * 128)..<(entry.offset + row * 128 + 128)].allSatisfy { $0 == 0 }, "row \(row)") }
            }
            let top = g.map(abs).max()!
            let error = zip(gradients[range], g).map { abs(Double($0) - $1) }.max()!
            #expect(top > 0, "\(entry.name) has a gradient")
            #expect(error <= 2e-4 * top, "\(entry.name): largest error \(error) against max |g| \(top)")
            if error / top > worst.ratio { worst = (error / top, entry.name) }
        }
        print("GraphEngine (U-Net) ch \(ch), \(threads) threads: output error \(outputError / scale) of scale; worst gradient \(worst.ratio) (\(worst.name))")
    }

    @Test("Same inputs → bit-identical outputs and gradients at 1, 2 and 3 threads (3 oversubscribes this machine's 2 cores)")
    func threadsDoNotChangeResults() {
        let net = UNet(ch: 16)
        let parameters = Self.weights(net)
        var rng = SeededGenerator(seed: 4)
        let t = (0..<12).map { _ in rng.integer(in: 1...1000) }
        let x = (0..<(12 * 64)).map { _ in Float(rng.normal()) }
        func run(_ threads: Int) -> [Float] {
            let engine = GraphEngine(graph: net.graph, capacity: 12, threads: threads)
            engine.load(parameters)
            let out = Array(UnsafeBufferPointer(start: engine.forward(x, steps: t), count: 12 * 64))
            var gradients = [Float](repeating: 0, count: net.layout.count)
            out.withUnsafeBufferPointer { g in gradients.withUnsafeMutableBufferPointer { engine.backward(g.baseAddress!, images: 12, into: $0.baseAddress!) } }
            return out + gradients
        }
        let one = run(1)
        #expect(one == run(2) && one == run(3))
    }
}
