import Foundation
import Testing

@testable import Diffusion
@testable import Evaluation
@testable import Networks
@testable import Sampling
@testable import TensorCore
@testable import Training

@Suite("The MLP as a DenoisingNetwork: one notion of ε_θ for the generic trainer, sampler and checkpoints")
struct MLPNetworkTests {
    static let schedule = try! NoiseSchedule.linear()

    @Test("Its engine equals its tape forward by name (values and every parameter's gradient, Double tape)")
    func engineMatchesTape() {
        var rng = SeededGenerator(seed: 21)
        let net = MLP(sizes: MLP.toySizes, using: &rng)
        #expect(net.layout.count == net.parameters.count && net.layout.count == 37_762)
        #expect(net.dimension == 2 && net.outputDimension == 2 && net.configuration == "mlp 34-128-128-128-2")
        let t = [1, 2, 500, 999, 1000]
        let x = (0..<(2 * t.count)).map { _ in Float(rng.normal()) }
        let w = (0..<(2 * t.count)).map { _ in Float(rng.normal()) }
        let engine = net.makeEngine(capacity: 8, threads: 1)
        engine.load(net.parameters)
        let output = Array(UnsafeBufferPointer(start: x.withUnsafeBufferPointer { engine.forward($0.baseAddress!, steps: t) }, count: 2 * t.count))
        var gradients = [Float](repeating: 0, count: net.layout.count)
        w.withUnsafeBufferPointer { g in gradients.withUnsafeMutableBufferPointer { engine.backward(g.baseAddress!, images: t.count, into: $0.baseAddress!) } }
        let tape = Tape<Double>()
        let flat = tape.variable(Tensor(net.parameters.map(Double.init)))
        let y = net.tapeForward(
            tape.variable(Tensor(shape: [t.count, 2], scalars: x.map(Double.init))), steps: t,
            parameters: TapeParameters(layout: net.layout, flat: flat))
        let loss = (y * Tensor(shape: [t.count, 2], scalars: w.map(Double.init))).sum()
        let expected = tape.gradients(of: loss)[flat].scalars
        // Float against Double through 4 layers of ≤ 128-term sums: ≲ 1e−6 relative; 1e−4 of the scale leaves room.
        let scale = y.value.scalars.map(abs).max()!
        #expect(zip(output, y.value.scalars).allSatisfy { abs(Double($0) - $1) <= 1e-4 * scale })
        let top = expected.map(abs).max()!
        let worst = zip(gradients, expected).map { abs(Double($0) - $1) }.max()!
        #expect(worst <= 1e-4 * top, "largest gradient error \(worst) against \(top)")
    }

    @Test(
        "Its inference path (bias + SiLU in the product's registers, nothing kept for backward) equals the tape, at 1 and 2 threads",
        arguments: [1, 2])
    func evaluateMatchesTape(threads: Int) {
        var rng = SeededGenerator(seed: 24)
        let net = MLP(sizes: MLP.toySizes, using: &rng)
        let n = 13  // not a multiple of the GEMM's 6-row block: split 12 + 1 over 2 threads
        let x = (0..<(2 * n)).map { _ in Float(rng.normal()) }
        let engine = net.makeEngine(capacity: 16, threads: threads)
        engine.load(net.parameters)
        for t in [1, 637, 1000] {
            let output = Array(UnsafeBufferPointer(start: x.withUnsafeBufferPointer { engine.evaluate($0.baseAddress!, steps: [Int](repeating: t, count: n)) }, count: 2 * n))
            let tape = Tape<Double>()
            let y = net.tapeForward(
                tape.variable(Tensor(shape: [n, 2], scalars: x.map(Double.init))), steps: [Int](repeating: t, count: n),
                parameters: TapeParameters(layout: net.layout, values: net.parameters.map(Double.init), on: tape)
            ).value.scalars
            // As `engineMatchesTape`: Float sums of ≤ 128 terms over 4 layers against Double, 1e−4 of the scale.
            let scale = y.map(abs).max()!
            let worst = zip(output, y).map { abs(Double($0) - $1) }.max()!
            #expect(worst <= 1e-4 * scale, "t = \(t): largest error \(worst) against \(scale)")
        }
    }

    @Test("NetworkTrainer<MLP>: one step's loss is the tape's L_simple on the same draws; a named checkpoint round-trips")
    func genericTrainerAndCheckpoint() throws {
        let s = Self.schedule
        var rng = SeededGenerator(seed: 22)
        let net = MLP(sizes: MLP.toySizes, using: &rng)
        let (batch, n) = (16, 50)
        let data = (0..<(2 * n)).map { _ in Float(rng.normal()) }
        var options = TrainingOptions()
        options.batchSize = batch
        let trainer = try NetworkTrainer(network: net, parameters: net.parameters, data: data, schedule: s, options: options, seed: 23)
        var g = SeededGenerator(seed: 23)
        let rows = (0..<batch).map { _ in g.integer(in: 0...(n - 1)) }
        let steps = (0..<batch).map { _ in g.integer(in: 1...s.steps) }
        var noise = [Float](repeating: 0, count: batch * 2)
        noise.withUnsafeMutableBufferPointer { g.fillNormals($0.baseAddress!, count: batch * 2) }
        let xt = (0..<(batch * 2)).map { i in Double(Float(s.sqrtAlphaBar(steps[i / 2])) * data[rows[i / 2] * 2 + i % 2] + Float(s.sqrtOneMinusAlphaBar(steps[i / 2])) * noise[i]) }
        let tape = Tape<Double>()
        let y = net.tapeForward(
            tape.variable(Tensor(shape: [batch, 2], scalars: xt)), steps: steps,
            parameters: TapeParameters(layout: net.layout, values: net.parameters.map(Double.init), on: tape))
        let expected = zip(y.value.scalars, noise).reduce(0.0) { $0 + ($1.0 - Double($1.1)) * ($1.0 - Double($1.1)) } / Double(batch * 2)
        // The engine's Float forward against the tape's Double one (see above): 1e−4 relative.
        expectClose(Double(trainer.step()), expected, relative: 1e-4)
        let directory = temporaryDirectory("mlp-named")
        defer { try? FileManager.default.removeItem(at: directory) }
        let url = directory.appendingPathComponent("mlp.safetensors")
        try Checkpoint.save(net, parameters: trainer.parameters, to: url)
        #expect(try Checkpoint.configuration(at: url) == "mlp 34-128-128-128-2")
        #expect(try Checkpoint.load(from: url, expecting: net) == trainer.parameters)
        #expect(throws: Checkpoint.Failure.self) { try Checkpoint.load(from: url, expecting: UNet(ch: 8)) }
    }
}
