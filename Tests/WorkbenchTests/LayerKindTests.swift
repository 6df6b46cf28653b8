import Foundation
import Testing

@testable import Evaluation
@testable import Networks
@testable import Sampling
@testable import TensorCore
@testable import Training

/// One layer kind under test: the kind and the shapes of its inputs.
struct LayerCase: CustomTestStringConvertible, Sendable {
    let name: String
    let kind: any LayerKind
    let inputs: [FeatureShape]
    var testDescription: String { name }

    init(_ name: String, _ kind: any LayerKind, _ inputs: [FeatureShape]) { (self.name, self.kind, self.inputs) = (name, kind, inputs) }

    /// Every layer kind, in the geometries its fast op treats differently. Adding a kind adds it here.
    static let all: [LayerCase] = [
        LayerCase("Conv2d 3×3, cin 16", Conv2d(16, 8), [map(16, 4)]),
        LayerCase("Conv2d 3×3, cin 1", Conv2d(1, 8), [map(1, 4)]),
        LayerCase("Conv2d 3×3, 16 → 16 on 5 × 5 (implicit GEMM: blocks of six rows, then the rest unrolled)", Conv2d(16, 16), [map(16, 5)]),
        LayerCase("Conv2d 3×3 stride 2", Conv2d(16, 16, stride: 2), [map(16, 4)]),
        LayerCase("Conv2d 1×1", Conv2d(16, 24, kernelSize: 1, padding: 0), [map(16, 2)]),
        LayerCase("Linear", Linear(12, 16), [.vector(12)]),
        LayerCase("Linear, 2 outputs (dot products)", Linear(12, 2), [.vector(12)]),
        LayerCase("LinearSiLU", LinearSiLU(12, 16), [.vector(12)]),
        LayerCase("LinearSiLU, 8 outputs (dot products)", LinearSiLU(12, 8), [.vector(12)]),
        LayerCase("Linear on two inputs (their concatenation)", Linear(12, 16), [.vector(4), .vector(8)]),
        LayerCase("LinearSiLU on two inputs", LinearSiLU(12, 16), [.vector(4), .vector(8)]),
        LayerCase("LinearSiLU on two inputs, 8 outputs", LinearSiLU(12, 8), [.vector(2), .vector(10)]),
        LayerCase("GroupNorm", GroupNorm(groups: 2, channels: 16), [map(16, 2)]),
        LayerCase("GroupNormSiLU", GroupNormSiLU(groups: 2, channels: 16), [map(16, 2)]),
        LayerCase("SiLU", SiLU(), [map(8, 2)]),
        LayerCase("Add", Add(), [map(8, 2), map(8, 2)]),
        LayerCase("Concatenate", Concatenate(), [map(8, 2), map(16, 2)]),
        LayerCase("Upsample", Upsample(), [map(8, 2)]),
        LayerCase("SinusoidalEmbedding", SinusoidalEmbedding(), []),
        LayerCase("LabelEmbedding", LabelEmbedding(rows: 4, width: 8), [.vector(8)]),
        LayerCase("ResidualBlock 8 → 16", ResidualBlock(8, 16, embeddingWidth: 8, groups: 2), [map(8, 4), .vector(8)]),
        LayerCase("ResidualBlock 16 → 16", ResidualBlock(16, 16, embeddingWidth: 8, groups: 2), [map(16, 2), .vector(8)]),
        LayerCase("Attention", Attention(16, groups: 2), [map(16, 2)]),
    ]

    static func map(_ channels: Int, _ side: Int) -> FeatureShape { FeatureShape(channels: channels, height: side, width: side) }

    /// y = kind_a(inputs) + kind_b(inputs): two copies of the layer (own parameters) reading the same
    /// inputs, so each input's gradient is written by the later reader and added to by the earlier one,
    /// the two ways a fast op delivers a gradient.
    var graph: Graph {
        var g = GraphBuilder(inputs: inputs)
        let a = g.add("a", kind, g.inputs)
        let b = g.add("b", kind, g.inputs)
        let sum = g.add(Add(), a, b)
        return g.build(output: sum)
    }
}

extension GraphBuilder {
    /// `add` with the inputs as an array (the test adds layers of any arity).
    fileprivate mutating func add(_ name: String, _ kind: any LayerKind, _ inputs: [Value]) -> Value {
        switch inputs.count {
        case 0: return add(name, kind)
        case 1: return add(name, kind, inputs[0])
        default: return add(name, kind, inputs[0], inputs[1])
        }
    }
}

@Suite("Every layer kind: its tape pullback against central differences, its fast op against its tape op")
struct LayerKindTests {
    /// Inputs, parameters, steps, labels and the loss weights w of L = Σ y ⊙ w, all Float-representable.
    struct Problem {
        let graph: Graph
        let inputs: [[Float]], parameters: [Float], w: [Float]
        let conditioning: Conditioning
        static let samples = 3

        init(_ layer: LayerCase, seed: UInt64) {
            graph = layer.graph
            var rng = SeededGenerator(seed: seed)
            let n = Problem.samples
            inputs = layer.inputs.map { shape in (0..<(n * shape.count)).map { _ in Float(rng.normal()) } }
            // Every parameter random (so zero-initialised layers still pass gradients through), scale 0.5.
            parameters = (0..<graph.layout.count).map { _ in Float(0.5 * rng.normal()) }
            w = (0..<(n * graph.shape(graph.output).count)).map { _ in Float(rng.normal()) }
            let steps = (0..<n).map { _ in rng.integer(in: 1...1000) }
            conditioning = Conditioning(steps: steps, labels: graph.readsLabels ? [1, 3, 1] : nil)
        }

        /// L on the tape in Double, for inputs and parameters given as Double.
        func loss(inputs x: [[Double]], parameters p: [Double]) -> Double {
            let tape = Tape<Double>()
            let variables = zip(x, graph.inputs).map { tape.variable(Tensor(shape: $1.tapeShape(Problem.samples), scalars: $0)) }
            let y = graph.tape(variables, conditioning, parameters: TapeParameters(layout: graph.layout, values: p, on: tape))
            return zip(y.value.scalars, w).map { $0 * Double($1) }.reduce(0, +)
        }

        /// The tape's output and the gradients of L with respect to each input and the flat parameters.
        func tape() -> (output: [Double], inputs: [[Double]], parameters: [Double]) {
            let tape = Tape<Double>()
            let variables = zip(inputs, graph.inputs).map { tape.variable(Tensor(shape: $1.tapeShape(Problem.samples), scalars: $0.map(Double.init))) }
            let flat = tape.variable(Tensor(parameters.map(Double.init)))
            let y = graph.tape(variables, conditioning, parameters: TapeParameters(layout: graph.layout, flat: flat))
            let gradients = tape.gradients(of: (y * Tensor(shape: y.value.shape, scalars: w.map(Double.init))).sum())
            return (y.value.scalars, variables.map { gradients[$0].scalars }, gradients[flat].scalars)
        }
    }

    @Test(
        "Tape: the gradient of every input and parameter tensor matches central differences (up to 12 elements each)",
        arguments: LayerCase.all)
    func tapeMatchesCentralDifferences(layer: LayerCase) {
        let problem = Problem(layer, seed: 1)
        let reference = problem.tape()
        let x = problem.inputs.map { $0.map(Double.init) }
        let p = problem.parameters.map(Double.init)
        var rng = SeededGenerator(seed: 2)
        // h = 1e-5: truncation h²·|∂³L|/6 ≈ 2e-11 for these O(1) layers, rounding ε·|L|/h ≈ 2e-11·|L| with
        // |L| ≲ 50 here, so about 1e-9; allow 1e-7 + 1e-7·|g| (a wrong pullback is off by O(|g|)).
        let h = 1e-5
        func check(_ analytic: Double, _ plus: Double, _ minus: Double, _ what: String) {
            let numeric = (plus - minus) / (2 * h)
            #expect(abs(analytic - numeric) <= 1e-7 + 1e-7 * abs(analytic), "\(layer.name): ∂L/∂\(what) = \(analytic), central difference \(numeric)")
        }
        for (k, input) in x.enumerated() {
            for i in (0..<12).map({ _ in rng.integer(in: 0...(input.count - 1)) }) {
                var (up, down) = (x, x)
                up[k][i] += h
                down[k][i] -= h
                check(reference.inputs[k][i], problem.loss(inputs: up, parameters: p), problem.loss(inputs: down, parameters: p), "input\(k)[\(i)]")
            }
        }
        for entry in problem.graph.layout.entries {
            for i in (0..<min(12, entry.count)).map({ _ in entry.offset + rng.integer(in: 0...(entry.count - 1)) }) {
                var (up, down) = (p, p)
                up[i] += h
                down[i] -= h
                check(reference.parameters[i], problem.loss(inputs: x, parameters: up), problem.loss(inputs: x, parameters: down), "\(entry.name)[\(i - entry.offset)]")
            }
        }
    }

    @Test(
        "Fast op (Float) against the tape (Double): the output, every input's and every parameter tensor's gradient, at 1 and 2 threads",
        arguments: LayerCase.all, [1, 2])
    func fastMatchesTape(layer: LayerCase, threads: Int) {
        let problem = Problem(layer, seed: 3)
        let reference = problem.tape()
        let graph = problem.graph
        let n = Problem.samples
        let engine = GraphEngine(graph: graph, capacity: n + 1, threads: threads, inputGradients: true)
        engine.load(problem.parameters)
        let pointers = problem.inputs.map { values in
            let p = UnsafeMutablePointer<Float>.allocate(capacity: max(values.count, 1))
            p.initialize(from: values, count: values.count)
            return p
        }
        defer { pointers.forEach { $0.deallocate() } }
        let count = n * graph.shape(graph.output).count
        let output = Array(UnsafeBufferPointer(start: engine.forward(pointers.map { UnsafePointer($0) }, problem.conditioning), count: count))
        var parameterGradients = [Float](repeating: 0, count: graph.layout.count)
        let inputGradients = problem.inputs.map { [Float](repeating: 0, count: $0.count) }
        let sinks = inputGradients.map { UnsafeMutablePointer<Float>.allocate(capacity: max($0.count, 1)) }
        defer { sinks.forEach { $0.deallocate() } }
        problem.w.withUnsafeBufferPointer { w in
            parameterGradients.withUnsafeMutableBufferPointer { engine.backward(w.baseAddress!, images: n, into: $0.baseAddress!, inputGradients: sinks) }
        }
        // Float against Double: each value is a sum of at most K = 9·16 = 144 products or a normalisation over
        // 64 values, rounded at ~6e-8 per operation (≲ √K·6e-8 ≈ 1e-6 of the scale, a few ulps more through
        // GroupNorm and softmax). Allow 2e-5 of the output's scale and 1e-4 of each gradient tensor's largest
        // element (about 20× that, as for the whole U-Net in UNetEngineTests).
        func compare(_ fast: [Float], _ exact: [Double], tolerance: Double, _ what: String) {
            #expect(fast.count == exact.count, "\(layer.name): \(what) has \(fast.count) values, expected \(exact.count)")
            let scale = exact.map(abs).max() ?? 0
            let error = zip(fast, exact).map { abs(Double($0) - $1) }.max() ?? 0
            #expect(scale > 0, "\(layer.name): \(what) is all zero")
            #expect(error <= tolerance * max(scale, 1e-30), "\(layer.name): \(what) largest error \(error), scale \(scale)")
        }
        compare(output, reference.output, tolerance: 2e-5, "output")
        for (k, sink) in sinks.enumerated() {
            compare(Array(UnsafeBufferPointer(start: sink, count: problem.inputs[k].count)), reference.inputs[k], tolerance: 1e-4, "∂input\(k)")
        }
        for entry in graph.layout.entries {
            let range = entry.offset..<(entry.offset + entry.count)
            compare(Array(parameterGradients[range]), Array(reference.parameters[range]), tolerance: 1e-4, "∂\(entry.name)")
        }
    }

    @Test("The U-Net graph's multiply-adds equal a block-by-block count in the peer's convention: 16.18 M at ch = 32")
    func multiplyAddsOfTheUNet() {
        // The peer's counting (unet_ref.py's `flops`): conv = P_out·cout·cin·k², linear = in·out, attention's two
        // P × P products 2·P²·c. Counted here from the U-Net's structure at ch = 32 by hand, block by block.
        let ch = 32
        func conv(_ cin: Int, _ cout: Int, k: Int = 3, side: Int) -> Int { side * side * cout * cin * k * k }
        func res(_ cin: Int, _ cout: Int, side: Int) -> Int {
            conv(cin, cout, side: side) + 128 * cout + conv(cout, cout, side: side) + (cin == cout ? 0 : conv(cin, cout, k: 1, side: side))
        }
        let attention = conv(2 * ch, 6 * ch, k: 1, side: 4) + 2 * 16 * 16 * 2 * ch + conv(2 * ch, 2 * ch, k: 1, side: 4)
        let expected =
            32 * 128 + 128 * 128 + conv(1, ch, side: 8) + res(ch, ch, side: 8) + conv(ch, ch, side: 4)
            + res(ch, 2 * ch, side: 4) + attention + res(2 * ch, 2 * ch, side: 4) + attention + res(2 * ch, 2 * ch, side: 4)
            + res(4 * ch, 2 * ch, side: 4) + attention + res(3 * ch, 2 * ch, side: 4) + attention
            + conv(2 * ch, 2 * ch, side: 8) + res(3 * ch, ch, side: 8) + res(2 * ch, ch, side: 8) + conv(ch, 1, side: 8)
        #expect(UNet(ch: ch).graph.multiplyAdds == expected)
        // The peer's figure: 16.18 M.
        #expect(abs(Double(expected) / 1e6 - 16.18) < 0.005)
    }
}
