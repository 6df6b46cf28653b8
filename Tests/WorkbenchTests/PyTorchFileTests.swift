import Foundation
import Testing

@testable import Networks
@testable import TensorCore

@Suite("A model PyTorch wrote (scripts/peer/unet.py fixture), read by the workbench")
struct PyTorchFileTests {
    static let resources = packageRoot.appendingPathComponent("Tests/WorkbenchTests/Resources")

    @Test("PyTorch's U-Net (ch = 16, float16 weights) loads by name and gives PyTorch's ε_θ, on the tape and on the fast path")
    func pytorchModelGivesPytorchEpsilon() throws {
        let url = Self.resources.appendingPathComponent("pytorch-unet-ch16.safetensors")
        let (network, parameters) = try Checkpoint.loadNetwork(from: url)
        let net = try #require(network as? UNet)
        #expect(net == UNet(ch: 16))
        // PyTorch's zero-initialised tensors were given random values, so every tensor matters: none is all zero.
        for entry in net.layout.entries { #expect(parameters[entry.offset..<(entry.offset + entry.count)].contains { $0 != 0 }, "\(entry.name)") }
        let io = try Safetensors(decoding: [UInt8](Data(contentsOf: Self.resources.appendingPathComponent("pytorch-unet-ch16-eps.safetensors"))))
        let x = try #require(io["x"]).values, t = try #require(io["t"]).values.map { Int($0) }, torch = try #require(io["eps"]).values
        #expect(t == [1, 10, 500, 1000] && x.count == 4 * 64 && torch.count == 4 * 64)
        let tape = Tape<Double>()
        let exact = net(
            tape.variable(Tensor(shape: [4, 1, 8, 8], scalars: x.map(Double.init))), steps: t,
            TapeParameters(layout: net.layout, flat: tape.variable(Tensor(parameters.map(Double.init))))
        ).value.scalars
        let engine = net.makeEngine(capacity: 4, threads: 1)
        engine.load(parameters)
        let fast = x.withUnsafeBufferPointer { Array(UnsafeBufferPointer(start: engine.forward($0.baseAddress!, steps: t), count: 4 * 64)) }
        // PyTorch in float32 and the workbench in Float each differ from the Double tape by float32 rounding through
        // ~40 layers: the engine test measured 8e-7 of the output's scale for the workbench (UNetEngineTests);
        // allow 2e-5 each (25×), so 4e-5 between the two. A misread tensor changes ε_θ by far more than that.
        let scale = exact.map(abs).max()!
        let torchError = zip(torch, exact).map { abs(Double($0) - $1) }.max()!
        let fastError = zip(fast, torch).map { abs(Double($0) - Double($1)) }.max()!
        #expect(torchError <= 2e-5 * scale, "PyTorch against the Double tape: \(torchError), scale \(scale)")
        #expect(fastError <= 4e-5 * scale, "the workbench's engine against PyTorch: \(fastError), scale \(scale)")
    }
}
