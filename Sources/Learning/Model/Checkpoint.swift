import Foundation

/// Why a weights file could not be loaded; every case names the file and says what was wrong.
public enum CheckpointError: Error, Equatable, CustomStringConvertible {
    /// The file could not be read at all.
    case unreadable(path: String)
    /// The file does not start with the workbench's magic bytes.
    case foreign(path: String)
    /// The file ends before its declared contents.
    case truncated(path: String, expectedBytes: Int, actualBytes: Int)
    /// The file holds a different architecture than the one asked for.
    case mismatched(path: String, expected: [Int], found: [Int])
    /// The checksum does not match the contents.
    case corrupt(path: String)

    /// A one-line explanation.
    public var description: String {
        switch self {
        case .unreadable(let path): return "cannot read weights file \(path)"
        case .foreign(let path): return "\(path) is not a DDPM Workbench weights file (wrong magic bytes)"
        case .truncated(let path, let expected, let actual):
            return "\(path) is truncated: expected \(expected) bytes, found \(actual)"
        case .mismatched(let path, let expected, let found):
            return "\(path) holds a network of widths \(found), but \(expected) was expected"
        case .corrupt(let path): return "\(path) is corrupt: its checksum does not match its contents"
        }
    }
}

/// The workbench's weights file format (version 1), all integers and floats little-endian:
///
///     offset 0   8 bytes   magic "DDPMWB1\n"
///            8   UInt32    L + 1, the number of layer widths
///           12   UInt32 ×  (L + 1) widths, input first (34, 128, 128, 128, 2)
///                UInt32    P, the number of parameters, Σ (inₗ·outₗ + outₗ)
///                Float32 × P, per layer: W as [out, in] row-major (PyTorch's layout), then b [out]
///                UInt64    FNV-1a 64-bit hash of every byte before it
///
/// A truncated, foreign, mismatched or corrupted file is rejected with a `CheckpointError`.
public enum Checkpoint {
    static let magic = Array("DDPMWB1\n".utf8)

    /// The file's bytes for `model`.
    public static func encode(_ model: MLP) -> Data {
        var bytes = magic
        append(UInt32(model.sizes.count), to: &bytes)
        for size in model.sizes { append(UInt32(size), to: &bytes) }
        let torch = torchLayout(model)
        append(UInt32(torch.count), to: &bytes)
        for value in torch { append(value.bitPattern, to: &bytes) }
        append(fnv1a(bytes), to: &bytes)
        return Data(bytes)
    }

    /// Writes `model` to `url` atomically.
    public static func save(_ model: MLP, to url: URL) throws {
        try encode(model).write(to: url, options: .atomic)
    }

    /// Reads a model from `url`; with `expectedSizes`, also checks the architecture.
    /// - Throws: `CheckpointError` naming the problem.
    public static func load(from url: URL, expectedSizes: [Int]? = nil) throws(CheckpointError) -> MLP {
        guard let data = try? Data(contentsOf: url) else { throw .unreadable(path: url.path) }
        return try decode([UInt8](data), path: url.path, expectedSizes: expectedSizes)
    }

    /// Decodes the bytes of a weights file (`path` is for messages only).
    public static func decode(_ bytes: [UInt8], path: String, expectedSizes: [Int]? = nil) throws(CheckpointError) -> MLP {
        guard bytes.count >= magic.count, Array(bytes[0..<magic.count]) == magic else { throw .foreign(path: path) }
        var offset = magic.count
        func readUInt32() throws(CheckpointError) -> Int {
            guard offset + 4 <= bytes.count else { throw .truncated(path: path, expectedBytes: offset + 4, actualBytes: bytes.count) }
            defer { offset += 4 }
            return Int(UInt32(bytes[offset]) | UInt32(bytes[offset + 1]) << 8 | UInt32(bytes[offset + 2]) << 16 | UInt32(bytes[offset + 3]) << 24)
        }
        let sizeCount = try readUInt32()
        guard sizeCount >= 2 && sizeCount <= 64 else { throw .corrupt(path: path) }
        var sizes: [Int] = []
        for _ in 0..<sizeCount { sizes.append(try readUInt32()) }
        let count = try readUInt32()
        guard sizes.allSatisfy({ $0 >= 1 && $0 <= 1 << 16 }), count == MLP.parameterCount(sizes) else { throw .corrupt(path: path) }
        let expectedBytes = offset + 4 * count + 8
        guard bytes.count >= expectedBytes else { throw .truncated(path: path, expectedBytes: expectedBytes, actualBytes: bytes.count) }
        let hashOffset = offset + 4 * count
        var stored: UInt64 = 0
        for i in 0..<8 { stored |= UInt64(bytes[hashOffset + i]) << (8 * UInt64(i)) }
        guard bytes.count == expectedBytes, stored == fnv1a(bytes[0..<hashOffset]) else { throw .corrupt(path: path) }
        if let expectedSizes, expectedSizes != sizes { throw .mismatched(path: path, expected: expectedSizes, found: sizes) }
        var torch: [Float] = []
        torch.reserveCapacity(count)
        for _ in 0..<count { torch.append(Float(bitPattern: UInt32(try readUInt32()))) }
        return fromTorchLayout(torch, sizes: sizes)
    }

    /// Reads raw little-endian float32 weights in PyTorch's parameter order (W `[out, in]`, b per
    /// layer), as `torch_ref.py`'s `save_weights` writes them; the size must match exactly.
    public static func loadTorchRaw(from url: URL, sizes: [Int] = MLP.toySizes) throws(CheckpointError) -> MLP {
        guard let data = try? Data(contentsOf: url) else { throw .unreadable(path: url.path) }
        let expected = 4 * MLP.parameterCount(sizes)
        guard data.count == expected else {
            if data.count < expected { throw .truncated(path: url.path, expectedBytes: expected, actualBytes: data.count) }
            throw .corrupt(path: url.path)
        }
        let bytes = [UInt8](data)
        let torch = (0..<(expected / 4)).map { i in
            Float(bitPattern: UInt32(bytes[4 * i]) | UInt32(bytes[4 * i + 1]) << 8 | UInt32(bytes[4 * i + 2]) << 16 | UInt32(bytes[4 * i + 3]) << 24)
        }
        return fromTorchLayout(torch, sizes: sizes)
    }

    /// The parameters in PyTorch's order and layout: per layer W `[out, in]`, then b.
    public static func torchLayout(_ model: MLP) -> [Float] {
        var out: [Float] = []
        out.reserveCapacity(model.parameters.count)
        for l in 0..<model.layerCount {
            let (n, m) = (model.sizes[l], model.sizes[l + 1])
            let w = model.weightOffset(l)
            for o in 0..<m { for i in 0..<n { out.append(model.parameters[w + i * m + o]) } }
            out.append(contentsOf: model.parameters[model.biasOffset(l)..<(model.biasOffset(l) + m)])
        }
        return out
    }

    /// The inverse of `torchLayout(_:)`.
    public static func fromTorchLayout(_ torch: [Float], sizes: [Int]) -> MLP {
        var parameters = [Float](repeating: 0, count: torch.count)
        var t = 0
        var p = 0
        for l in 0..<(sizes.count - 1) {
            let (n, m) = (sizes[l], sizes[l + 1])
            for o in 0..<m { for i in 0..<n { parameters[p + i * m + o] = torch[t + o * n + i] } }
            t += n * m
            p += n * m
            for o in 0..<m { parameters[p + o] = torch[t + o] }
            t += m
            p += m
        }
        return MLP(sizes: sizes, parameters: parameters)
    }

    static func append<I: FixedWidthInteger>(_ value: I, to bytes: inout [UInt8]) {
        withUnsafeBytes(of: value.littleEndian) { bytes.append(contentsOf: $0) }
    }

    /// FNV-1a, 64-bit: h ← (h ⊕ byte)·1099511628211, from 14695981039346656037.
    static func fnv1a<C: Collection>(_ bytes: C) -> UInt64 where C.Element == UInt8 {
        bytes.reduce(14_695_981_039_346_656_037) { ($0 ^ UInt64($1)) &* 1_099_511_628_211 }
    }
}
