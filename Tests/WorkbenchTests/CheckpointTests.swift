import Foundation
import Testing

@testable import Evaluation
@testable import Networks
@testable import Sampling
@testable import TensorCore
@testable import Training

@Suite("The 2-D MLP's checkpoints and the PyTorch peer's raw weights")
struct CheckpointTests {
    static func model() -> MLP {
        var rng = SeededGenerator(seed: 70)
        return MLP(sizes: [34, 16, 8, 2], using: &rng)
    }

    @Test("An MLP round-trips through a named checkpoint bit for bit; a different width is refused naming both")
    func roundTrip() throws {
        let directory = temporaryDirectory("ckpt")
        defer { try? FileManager.default.removeItem(at: directory) }
        let url = directory.appendingPathComponent("m.ddpm")
        let model = Self.model()
        try NamedCheckpoint.save(model, parameters: model.parameters, to: url)
        #expect(try NamedCheckpoint.load(from: url, expecting: model) == model.parameters)
        let wider = MLP(sizes: [34, 16, 16, 2], parameters: [Float](repeating: 0, count: MLP.parameterCount([34, 16, 16, 2])))
        #expect(throws: NamedCheckpoint.Failure.mismatched(path: url.path, expected: "mlp 34-16-16-2", found: "mlp 34-16-8-2")) {
            try NamedCheckpoint.load(from: url, expecting: wider)
        }
    }

    @Test("The layout is the PyTorch peer's named_parameters(): net.0, net.2, … (the Linear layers), W [out, in] then b")
    func torchLayout() {
        let entries = Self.model().layout.entries
        #expect(entries.map(\.name) == ["net.0.weight", "net.0.bias", "net.2.weight", "net.2.bias", "net.4.weight", "net.4.bias"])
        #expect(entries.map(\.shape) == [[16, 34], [16], [8, 16], [8], [2, 8], [2]])
        #expect(entries.map(\.offset) == [0, 544, 560, 688, 696, 712] && MLP.parameterCount([34, 16, 8, 2]) == 714)
    }

    @Test("PyTorch raw weights load only at the exact size, refused in one line otherwise")
    func torchRaw() throws {
        let directory = temporaryDirectory("raw")
        defer { try? FileManager.default.removeItem(at: directory) }
        let url = directory.appendingPathComponent("w.f32")
        let sizes = [34, 16, 8, 2]
        let values = Self.model().parameters
        try Data(values.flatMap { withUnsafeBytes(of: $0.bitPattern.littleEndian, Array.init) }).write(to: url)
        #expect(try PeerWeights.load(from: url, sizes: sizes) == Self.model())
        try Data(repeating: 0, count: 12).write(to: url)
        do {
            _ = try PeerWeights.load(from: url, sizes: sizes)
            Issue.record("a 12-byte file loaded")
        } catch {
            #expect(error.description.contains("12 bytes") && error.description.contains(url.path) && !error.description.contains("\n"))
        }
        #expect(throws: NamedCheckpoint.Failure.unreadable(path: "/nonexistent/x")) { try PeerWeights.load(from: URL(fileURLWithPath: "/nonexistent/x")) }
    }
}

@Suite("Named-tensor checkpoints (version 2)")
struct NamedCheckpointTests {
    @Test("Round trip is exact; old, foreign, truncated, corrupted and mismatched files are refused in one line")
    func roundTripAndRefusals() throws {
        let directory = temporaryDirectory("named-checkpoint")
        defer { try? FileManager.default.removeItem(at: directory) }
        let net = UNet(ch: 16)
        var rng = SeededGenerator(seed: 5)
        let parameters = net.initialParameters(using: &rng).map { $0 + Float(rng.normal()) * 1e-3 }
        let url = directory.appendingPathComponent("model.ddpm")
        try NamedCheckpoint.save(net, parameters: parameters, to: url)
        #expect(try NamedCheckpoint.load(from: url, expecting: net) == parameters)
        #expect(throws: NamedCheckpoint.Failure.mismatched(path: url.path, expected: "unet ch=32", found: "unet ch=16")) {
            try NamedCheckpoint.load(from: url, expecting: UNet(ch: 32))
        }
        let bytes = try Data(contentsOf: url)
        let truncated = directory.appendingPathComponent("truncated.ddpm")
        try bytes.prefix(bytes.count / 2).write(to: truncated)
        let corrupt = directory.appendingPathComponent("corrupt.ddpm")
        var flipped = [UInt8](bytes)
        flipped[bytes.count / 2] ^= 1
        try Data(flipped).write(to: corrupt)
        let old = directory.appendingPathComponent("old.ddpm")
        // A version-1 file, the format lesson 04's MLPs had before named tensors: its magic, then widths and floats.
        try Data(Array("DDPMWB1\n".utf8) + [UInt8](repeating: 7, count: 64)).write(to: old)
        let foreign = directory.appendingPathComponent("foreign.ddpm")
        try Data("hello, world".utf8).write(to: foreign)
        for (file, failure) in [
            (truncated, NamedCheckpoint.Failure.corrupt(path: truncated.path)), (corrupt, .corrupt(path: corrupt.path)),
            (old, .olderFormat(path: old.path)), (foreign, .foreign(path: foreign.path)),
            (directory.appendingPathComponent("missing.ddpm"), .unreadable(path: directory.appendingPathComponent("missing.ddpm").path)),
        ] {
            #expect(throws: failure) { try NamedCheckpoint.load(from: file, expecting: net) }
            #expect(throws: failure) { try NamedCheckpoint.configuration(at: file) }
            #expect(!failure.description.contains("\n"))
        }
    }

    @Test("A checkpoint names its architecture: configuration(at:) reads it, UNet(configuration:) rebuilds the network")
    func configurationNamesTheNetwork() throws {
        let directory = temporaryDirectory("named-configuration")
        defer { try? FileManager.default.removeItem(at: directory) }
        for net in [UNet(ch: 8), UNet(ch: 24), UNet(ch: 16, outputChannels: 2), UNet(ch: 16, classes: 10), UNet(ch: 8, outputChannels: 2, classes: 3)] {
            var rng = SeededGenerator(seed: UInt64(net.ch + net.classes))
            let url = directory.appendingPathComponent("\(net.ch)-\(net.outputChannels)-\(net.classes).ddpm")
            let parameters = net.initialParameters(using: &rng)
            try NamedCheckpoint.save(net, parameters: parameters, to: url)
            let line = try NamedCheckpoint.configuration(at: url)
            #expect(line == "unet ch=\(net.ch)" + (net.outputChannels == 1 ? "" : " out=\(net.outputChannels)") + (net.classes == 0 ? "" : " classes=\(net.classes)"))
            let rebuilt = try #require(UNet(configuration: line))
            #expect(rebuilt.ch == net.ch && rebuilt.outputChannels == net.outputChannels && rebuilt.classes == net.classes && rebuilt.layout.count == net.layout.count)
            // A class-conditional net's table [classes + 1, 128] travels with the rest.
            #expect(try NamedCheckpoint.load(from: url, expecting: rebuilt) == parameters)
            #expect(net.classes == 0 || rebuilt.layout["label_emb.weight"]?.shape == [net.classes + 1, 128])
        }
        for bad in ["unet ch=12", "unet ch=0", "unet ch=", "mlp 34-128-2", "unet ch=16 ", "unet ch=16 classes=0", "unet ch=16 classes=10 out=2", "unet ch=16 classes=ten", "unet ch=16 out=2 classes=10 x"] { #expect(UNet(configuration: bad) == nil, "\(bad)") }
    }
}
