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
        let url = directory.appendingPathComponent("m.safetensors")
        let model = Self.model()
        try Checkpoint.save(model, parameters: model.parameters, to: url)
        #expect(try Checkpoint.load(from: url, expecting: model) == model.parameters)
        let wider = MLP(sizes: [34, 16, 16, 2], parameters: [Float](repeating: 0, count: MLP.parameterCount([34, 16, 16, 2])))
        #expect(throws: Checkpoint.Failure.mismatched(path: url.path, expected: "mlp 34-16-16-2", found: "mlp 34-16-8-2")) {
            try Checkpoint.load(from: url, expecting: wider)
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
        #expect(throws: Checkpoint.Failure.unreadable(path: "/nonexistent/x")) { try PeerWeights.load(from: URL(fileURLWithPath: "/nonexistent/x")) }
    }
}

@Suite("Checkpoints as safetensors")
struct SafetensorsCheckpointTests {
    @Test("Round trip is exact; old, foreign, truncated, corrupted and mismatched files are refused in one line")
    func roundTripAndRefusals() throws {
        let directory = temporaryDirectory("checkpoint")
        defer { try? FileManager.default.removeItem(at: directory) }
        let net = UNet(ch: 16)
        var rng = SeededGenerator(seed: 5)
        let parameters = net.initialParameters(using: &rng).map { $0 + Float(rng.normal()) * 1e-3 }
        let url = directory.appendingPathComponent("model.safetensors")
        try Checkpoint.save(net, parameters: parameters, to: url)
        #expect(try Checkpoint.load(from: url, expecting: net) == parameters)
        #expect(throws: Checkpoint.Failure.mismatched(path: url.path, expected: "unet ch=32", found: "unet ch=16")) {
            try Checkpoint.load(from: url, expecting: UNet(ch: 32))
        }
        let bytes = try Data(contentsOf: url)
        let truncated = directory.appendingPathComponent("truncated.safetensors")
        try bytes.prefix(bytes.count / 2).write(to: truncated)
        let corrupt = directory.appendingPathComponent("corrupt.safetensors")
        var flipped = [UInt8](bytes)
        flipped[bytes.count / 2] ^= 1  // a bit of one parameter, inside the data section
        try Data(flipped).write(to: corrupt)
        let old = directory.appendingPathComponent("old.ddpm")
        // The workbench's own format before safetensors: its magic, then a configuration and tensors.
        try Data(Array("DDPMWB2\n".utf8) + [UInt8](repeating: 7, count: 64)).write(to: old)
        let foreign = directory.appendingPathComponent("foreign.safetensors")
        try Data("hello, world".utf8).write(to: foreign)
        let missing = directory.appendingPathComponent("missing.safetensors")
        for (file, failure) in [
            (truncated, Checkpoint.Failure.truncated(path: truncated.path)), (corrupt, .corrupt(path: corrupt.path)),
            (old, .olderFormat(path: old.path)), (foreign, .foreign(path: foreign.path)), (missing, .unreadable(path: missing.path)),
        ] {
            #expect(throws: failure) { try Checkpoint.load(from: file, expecting: net) }
            #expect(throws: failure) { try Checkpoint.configuration(at: file) }
            #expect(!failure.description.contains("\n") && failure.description.contains(file.path))
        }
    }

    @Test("A file is refused naming the tensor when one is missing, has another shape, is extra, or holds integers")
    func tensorMismatches() throws {
        let directory = temporaryDirectory("checkpoint-tensors")
        defer { try? FileManager.default.removeItem(at: directory) }
        let net = MLP(sizes: [34, 8, 2], parameters: (0..<MLP.parameterCount([34, 8, 2])).map { Float($0) })
        let good = Checkpoint.container(net, parameters: net.parameters).tensors
        let cases: [([Safetensors.Tensor], String)] = [
            (Array(good.dropLast()), "a tensor net.2.bias [2]"),
            (good.dropLast() + [Safetensors.Tensor(name: "net.2.bias", shape: [1, 2], values: [0, 0])], "net.2.bias [1, 2]"),
            (good + [Safetensors.Tensor(name: "net.4.bias", shape: [1], values: [0])], "also net.4.bias"),
        ]
        for (tensors, phrase) in cases {
            let url = directory.appendingPathComponent("bad.safetensors")
            try Safetensors(tensors: tensors).encoded().write(to: url)
            do {
                _ = try Checkpoint.load(from: url, expecting: net)
                Issue.record("loaded a file with \(phrase)")
            } catch {
                #expect(error.description.contains(phrase) && !error.description.contains("\n"), "\(error)")
            }
        }
        // A tensor of 64-bit integers (a PyTorch buffer such as a step counter): named, with its dtype.
        let url = directory.appendingPathComponent("int.safetensors")
        try SafetensorsFile.bytes(["net.0.weight": ("I64", [1], [UInt8](repeating: 0, count: 8))]).write(to: url)
        #expect(throws: Checkpoint.Failure.mismatched(path: url.path, expected: "F32, F64, F16 or BF16 values", found: "net.0.weight in I64")) {
            try Checkpoint.load(from: url, expecting: net)
        }
    }

    @Test("The reader takes any header order, padding and dtype a PyTorch writer uses: F64 rounded, F16 and BF16 exactly")
    func readsOtherWriters() throws {
        var rng = SeededGenerator(seed: 12)
        let values = (0..<40).map { _ in rng.normal() * 3 }
        // Every float16 bit pattern against Swift's own Float16 conversion (NaNs compared as NaN).
        let halves = (0...UInt16.max).map { $0 }
        let halfBytes = halves.flatMap { [UInt8($0 & 0xFF), UInt8($0 >> 8)] }
        // bfloat16 is the upper half of a float32: the values with their lower 16 bits cleared.
        let bfloat = values.map { Float(bitPattern: Float($0).bitPattern & 0xFFFF_0000) }
        let bfloatBytes = bfloat.flatMap { v in [UInt8((v.bitPattern >> 16) & 0xFF), UInt8(v.bitPattern >> 24)] }
        let doubleBytes = values.flatMap { v in (0..<8).map { UInt8(truncatingIfNeeded: v.bitPattern >> (8 * $0)) } }
        let file = try Safetensors(
            decoding: [UInt8](SafetensorsFile.bytes(["z.f64": ("F64", [5, 8], doubleBytes), "a.f16": ("F16", [65536], halfBytes), "m.bf16": ("BF16", [40], bfloatBytes)], metadata: ["k": "v"])))
        #expect(file.metadata == ["k": "v"])
        #expect(file["z.f64"]?.shape == [5, 8] && file["z.f64"]?.values == values.map { Float($0) })
        #expect(file["m.bf16"]?.values == bfloat)
        let decoded = try #require(file["a.f16"]?.values)
        #expect(zip(halves, decoded).allSatisfy { h, v in Float(Float16(bitPattern: h)).bitPattern == v.bitPattern || (v.isNaN && Float16(bitPattern: h).isNaN) })
    }

    @Test("The writer's bytes are what an independent reading of the format finds: length, JSON header, offsets, values")
    func writerMatchesTheFormat() throws {
        let tensors = [Safetensors.Tensor(name: "b", shape: [2, 3], values: [1, -2, 3.5, 0, 1e-8, -7]), Safetensors.Tensor(name: "a\"q", shape: [1], values: [42])]
        let bytes = [UInt8](Safetensors(tensors: tensors, metadata: ["format": "x"]).encoded())
        let n = Int(bytes[0..<8].enumerated().reduce(UInt64(0)) { $0 | UInt64($1.element) << (8 * UInt64($1.offset)) })
        #expect((8 + n) % 8 == 0 && bytes.count == 8 + n + 4 * 7)
        let header = try #require(try JSONSerialization.jsonObject(with: Data(bytes[8..<(8 + n)])) as? [String: Any])
        #expect((header["__metadata__"] as? [String: String]) == ["format": "x"])
        let b = try #require(header["b"] as? [String: Any]), q = try #require(header["a\"q"] as? [String: Any])
        #expect(b["dtype"] as? String == "F32" && (b["shape"] as? [Int]) == [2, 3] && (b["data_offsets"] as? [Int]) == [0, 24])
        #expect((q["data_offsets"] as? [Int]) == [24, 28])
        let floats = stride(from: 8 + n, to: bytes.count, by: 4).map { i in Float(bitPattern: (0..<4).reduce(UInt32(0)) { $0 | UInt32(bytes[i + $1]) << (8 * UInt32($1)) }) }
        #expect(floats == [1, -2, 3.5, 0, 1e-8, -7, 42])
        #expect(try Safetensors(decoding: bytes) == Safetensors(tensors: tensors, metadata: ["format": "x"]))
    }

    @Test("A checkpoint names its architecture: configuration(at:) reads it, UNet(configuration:) rebuilds the network")
    func configurationNamesTheNetwork() throws {
        let directory = temporaryDirectory("named-configuration")
        defer { try? FileManager.default.removeItem(at: directory) }
        for net in [UNet(ch: 8), UNet(ch: 24), UNet(ch: 16, outputChannels: 2), UNet(ch: 16, classes: 10), UNet(ch: 8, outputChannels: 2, classes: 3)] {
            var rng = SeededGenerator(seed: UInt64(net.ch + net.classes))
            let url = directory.appendingPathComponent("\(net.ch)-\(net.outputChannels)-\(net.classes).safetensors")
            let parameters = net.initialParameters(using: &rng)
            try Checkpoint.save(net, parameters: parameters, to: url)
            let line = try Checkpoint.configuration(at: url)
            #expect(line == "unet ch=\(net.ch)" + (net.outputChannels == 1 ? "" : " out=\(net.outputChannels)") + (net.classes == 0 ? "" : " classes=\(net.classes)"))
            let rebuilt = try #require(UNet(configuration: line))
            #expect(rebuilt.ch == net.ch && rebuilt.outputChannels == net.outputChannels && rebuilt.classes == net.classes && rebuilt.layout.count == net.layout.count)
            // A class-conditional net's table [classes + 1, 128] travels with the rest.
            #expect(try Checkpoint.load(from: url, expecting: rebuilt) == parameters)
            #expect(net.classes == 0 || rebuilt.layout["label_emb.weight"]?.shape == [net.classes + 1, 128])
        }
        for bad in ["unet ch=12", "unet ch=0", "unet ch=", "mlp 34-128-2", "unet ch=16 ", "unet ch=16 classes=0", "unet ch=16 classes=10 out=2", "unet ch=16 classes=ten", "unet ch=16 out=2 classes=10 x"] { #expect(UNet(configuration: bad) == nil, "\(bad)") }
    }
}

/// Safetensors bytes written independently of `Safetensors.encoded()`: JSONSerialization for the header
/// (sorted keys, so a different order than the workbench's writer), no padding, data in the keys' order.
enum SafetensorsFile {
    static func bytes(_ tensors: [String: (dtype: String, shape: [Int], data: [UInt8])], metadata: [String: String] = [:]) throws -> Data {
        var header: [String: Any] = metadata.isEmpty ? [:] : ["__metadata__": metadata]
        var data: [UInt8] = []
        for name in tensors.keys.sorted() {
            let t = tensors[name]!
            header[name] = ["dtype": t.dtype, "shape": t.shape, "data_offsets": [data.count, data.count + t.data.count]]
            data += t.data
        }
        let json = [UInt8](try JSONSerialization.data(withJSONObject: header, options: [.sortedKeys]))
        return Data((0..<8).map { UInt8(truncatingIfNeeded: UInt64(json.count) >> (8 * UInt64($0))) } + json + data)
    }
}
