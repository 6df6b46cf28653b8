import Foundation

/// A network's checkpoint that says what it holds (format version 2), all integers and floats
/// little-endian:
///
///     8 bytes   magic "DDPMWB2\n"
///     UInt32    byte length of the configuration, then the configuration in UTF-8 (`unet ch=32`)
///     UInt32    number of tensors; per tensor: UInt32 name length, the name in UTF-8 (`down0.conv1.weight`),
///               UInt32 rank, rank × UInt32 dimensions (PyTorch's shapes)
///     UInt64    number of floats, then the float32 parameters tensor after tensor, row-major
///     UInt64    FNV-1a 64-bit hash of every byte before it
///
/// Loading checks the magic (a version-1 file — the older workbench's MLP format — is named as such),
/// the hash, and that configuration, names and shapes are exactly the expected network's.
public enum NamedCheckpoint {
    static let magic = Array("DDPMWB2\n".utf8)
    /// The magic bytes of version 1, the 2-D MLP's format before named tensors: recognised to be refused.
    static let version1Magic = Array("DDPMWB1\n".utf8)

    /// A checkpoint that cannot be used, in one line.
    public enum Failure: Error, Equatable, CustomStringConvertible {
        /// The file could not be read.
        case unreadable(path: String)
        /// Not a workbench file (wrong magic bytes).
        case foreign(path: String)
        /// A version-1 file (the 2-D MLP's format).
        case olderFormat(path: String)
        /// The file ends before its declared contents.
        case truncated(path: String)
        /// The checksum does not match the contents.
        case corrupt(path: String)
        /// A different architecture, tensor name or shape than expected.
        case mismatched(path: String, expected: String, found: String)

        /// One line naming the file and the problem.
        public var description: String {
            switch self {
            case .unreadable(let path): "cannot read checkpoint \(path)"
            case .foreign(let path): "\(path) is not a DDPM Workbench checkpoint (wrong magic bytes)"
            case .olderFormat(let path): "\(path) is a version-1 checkpoint (an older workbench's MLP format): rerun the lesson that wrote it"
            case .truncated(let path): "\(path) is truncated"
            case .corrupt(let path): "\(path) is corrupt: its checksum does not match its contents"
            case .mismatched(let path, let expected, let found): "\(path) holds \(found), but \(expected) was expected"
            }
        }
    }

    /// The file's bytes for `parameters` of `network`.
    public static func encode(_ network: some DenoisingNetwork, parameters: [Float]) -> Data {
        precondition(parameters.count == network.layout.count, "NamedCheckpoint: \(parameters.count) values for \(network.layout.count)")
        var bytes = magic
        func string(_ s: String) { append(UInt32(s.utf8.count), to: &bytes); bytes += Array(s.utf8) }
        string(network.configuration)
        append(UInt32(network.layout.entries.count), to: &bytes)
        for entry in network.layout.entries {
            string(entry.name)
            append(UInt32(entry.shape.count), to: &bytes)
            for d in entry.shape { append(UInt32(d), to: &bytes) }
        }
        append(UInt64(parameters.count), to: &bytes)
        for v in parameters { append(v.bitPattern, to: &bytes) }
        append(fnv1a(bytes), to: &bytes)
        return Data(bytes)
    }

    /// Writes the checkpoint atomically.
    public static func save(_ network: some DenoisingNetwork, parameters: [Float], to url: URL) throws {
        try encode(network, parameters: parameters).write(to: url, options: .atomic)
    }

    /// Reads the parameters of `network` from `url`.
    /// - Throws: `Failure` naming the file and what is wrong with it.
    public static func load(from url: URL, expecting network: some DenoisingNetwork) throws(Failure) -> [Float] {
        let path = url.path
        let bytes = try verifiedBytes(url)
        var offset = 8
        func integer<I: FixedWidthInteger>(_: I.Type) throws(Failure) -> I {
            let size = MemoryLayout<I>.size
            guard offset + size <= bytes.count - 8 else { throw .truncated(path: path) }
            defer { offset += size }
            return bytes[offset..<(offset + size)].reversed().reduce(I(0)) { $0 << 8 | I($1) }
        }
        func string() throws(Failure) -> String {
            let length = Int(try integer(UInt32.self))
            guard offset + length <= bytes.count - 8 else { throw .truncated(path: path) }
            defer { offset += length }
            return String(decoding: bytes[offset..<(offset + length)], as: UTF8.self)
        }
        let configuration = try string()
        guard configuration == network.configuration else {
            throw .mismatched(path: path, expected: network.configuration, found: configuration)
        }
        let count = Int(try integer(UInt32.self))
        var entries: [(String, [Int])] = []
        for _ in 0..<count {
            let name = try string()
            let rank = Int(try integer(UInt32.self))
            var shape: [Int] = []
            for _ in 0..<rank { shape.append(Int(try integer(UInt32.self))) }
            entries.append((name, shape))
        }
        for (entry, (name, shape)) in zip(network.layout.entries, entries) where entry.name != name || entry.shape != shape {
            throw .mismatched(path: path, expected: "\(entry.name) \(entry.shape)", found: "\(name) \(shape)")
        }
        guard entries.count == network.layout.entries.count else {
            throw .mismatched(path: path, expected: "\(network.layout.entries.count) tensors", found: "\(entries.count)")
        }
        let floats = Int(try integer(UInt64.self))
        guard floats == network.layout.count, offset + 4 * floats == bytes.count - 8 else { throw .truncated(path: path) }
        return (0..<floats).map { i in
            Float(bitPattern: bytes[(offset + 4 * i)..<(offset + 4 * i + 4)].reversed().reduce(UInt32(0)) { $0 << 8 | UInt32($1) })
        }
    }

    /// The architecture line stored in `url` (e.g. `unet ch=16`), after the same checks as `load`.
    /// - Throws: `Failure` naming the file and what is wrong with it.
    public static func configuration(at url: URL) throws(Failure) -> String {
        let bytes = try verifiedBytes(url)
        guard bytes.count >= 20 else { throw .truncated(path: url.path) }
        let length = Int(bytes[8..<12].reversed().reduce(UInt32(0)) { $0 << 8 | UInt32($1) })
        guard 12 + length <= bytes.count - 8 else { throw .truncated(path: url.path) }
        return String(decoding: bytes[12..<(12 + length)], as: UTF8.self)
    }

    /// The file's bytes once its magic and checksum are right.
    static func verifiedBytes(_ url: URL) throws(Failure) -> [UInt8] {
        let path = url.path
        guard let data = try? Data(contentsOf: url) else { throw .unreadable(path: path) }
        let bytes = [UInt8](data)
        guard bytes.count >= 8 else { throw .foreign(path: path) }
        if Array(bytes[0..<8]) == version1Magic { throw .olderFormat(path: path) }
        guard Array(bytes[0..<8]) == magic else { throw .foreign(path: path) }
        guard bytes.count >= 16 else { throw .truncated(path: path) }
        let stored = bytes[(bytes.count - 8)...].reversed().reduce(UInt64(0)) { $0 << 8 | UInt64($1) }
        guard stored == fnv1a(bytes[0..<(bytes.count - 8)]) else { throw .corrupt(path: path) }
        return bytes
    }

    static func append<I: FixedWidthInteger>(_ value: I, to bytes: inout [UInt8]) {
        withUnsafeBytes(of: value.littleEndian) { bytes.append(contentsOf: $0) }
    }

    /// FNV-1a, 64-bit: h ← (h ⊕ byte)·1099511628211, from 14695981039346656037.
    static func fnv1a<C: Collection>(_ bytes: C) -> UInt64 where C.Element == UInt8 {
        bytes.reduce(14_695_981_039_346_656_037) { ($0 ^ UInt64($1)) &* 1_099_511_628_211 }
    }
}
