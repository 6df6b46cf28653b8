import Foundation

/// A network's weights as a safetensors file (`Safetensors`): one tensor per layout entry, under the layout's
/// PyTorch names and shapes, so that `torch.nn.Module.load_state_dict(safetensors.torch.load_file(path))`
/// loads it into the repository's PyTorch U-Net (`scripts/peer/unet.py`), and a file that script wrote
/// loads here. The header's `__metadata__` holds
///
///     format         "ddpm-workbench"
///     configuration  the architecture in one line (`unet ch=32`), which lessons read to rebuild the network
///     fnv1a64        FNV-1a 64-bit hash of the data section, 16 hex digits (checked when present)
///
/// Loading refuses, in one line naming the file: a missing file, bytes that are not safetensors, an older
/// workbench's format, a truncated or corrupted file, and any other architecture, tensor name or shape.
public enum Checkpoint {
    /// The file name extension.
    public static let fileExtension = "safetensors"

    /// A checkpoint that cannot be used, in one line.
    public enum Failure: Error, Equatable, CustomStringConvertible {
        /// The file could not be read.
        case unreadable(path: String)
        /// Not a safetensors file.
        case foreign(path: String)
        /// An older workbench's own format (`DDPMWB1`, `DDPMWB2`).
        case olderFormat(path: String)
        /// The file ends before its declared contents.
        case truncated(path: String)
        /// The checksum does not match the contents.
        case corrupt(path: String)
        /// A different architecture, tensor name, shape or dtype than expected.
        case mismatched(path: String, expected: String, found: String)

        /// One line naming the file and the problem.
        public var description: String {
            switch self {
            case .unreadable(let path): "cannot read checkpoint \(path)"
            case .foreign(let path): "\(path) is not a safetensors file"
            case .olderFormat(let path): "\(path) is in an older workbench's format: rerun the lesson that wrote it"
            case .truncated(let path): "\(path) is truncated"
            case .corrupt(let path): "\(path) is corrupt: its checksum does not match its contents"
            case .mismatched(let path, let expected, let found): "\(path) holds \(found), but \(expected) was expected"
            }
        }
    }

    /// The container for `parameters` of `network`: one float32 tensor per layout entry, in layout order.
    public static func container(_ network: some DenoisingNetwork, parameters: [Float]) -> Safetensors {
        precondition(parameters.count == network.layout.count, "Checkpoint: \(parameters.count) values for \(network.layout.count)")
        let tensors = network.layout.entries.map { entry in
            Safetensors.Tensor(name: entry.name, shape: entry.shape, values: Array(parameters[entry.offset..<(entry.offset + entry.count)]))
        }
        // The data section is the values in layout order, four little-endian bytes each, with no gaps.
        let hash = fnv1a(parameters.lazy.flatMap { v in (0..<4).lazy.map { UInt8(truncatingIfNeeded: v.bitPattern >> (8 * $0)) } })
        return Safetensors(tensors: tensors, metadata: ["format": "ddpm-workbench", "configuration": network.configuration, "fnv1a64": hex(hash)])
    }

    /// Writes the checkpoint atomically.
    public static func save(_ network: some DenoisingNetwork, parameters: [Float], to url: URL) throws {
        try container(network, parameters: parameters).encoded().write(to: url, options: .atomic)
    }

    /// Reads the parameters of `network` from `url`: every layout entry's tensor, by name, with its shape; the
    /// configuration, when the file names one, must be the network's.
    /// - Throws: `Failure` naming the file and what is wrong with it.
    public static func load(from url: URL, expecting network: some DenoisingNetwork) throws(Failure) -> [Float] {
        try parameters(of: try read(url), path: url.path, expecting: network)
    }

    /// `load`'s checks and parameters for a file already read.
    static func parameters(of file: Safetensors, path: String, expecting network: some DenoisingNetwork) throws(Failure) -> [Float] {
        if let configuration = file.metadata["configuration"], configuration != network.configuration {
            throw .mismatched(path: path, expected: network.configuration, found: configuration)
        }
        var parameters = [Float](repeating: 0, count: network.layout.count)
        for entry in network.layout.entries {
            guard let tensor = file[entry.name] else { throw .mismatched(path: path, expected: "a tensor \(entry.name) \(entry.shape)", found: "none") }
            guard tensor.shape == entry.shape else { throw .mismatched(path: path, expected: "\(entry.name) \(entry.shape)", found: "\(entry.name) \(tensor.shape)") }
            parameters.replaceSubrange(entry.offset..<(entry.offset + entry.count), with: tensor.values)
        }
        let known = Set(network.layout.entries.map(\.name))
        if let extra = file.tensors.first(where: { !known.contains($0.name) }) {
            throw .mismatched(path: path, expected: "the \(known.count) tensors of \(network.configuration)", found: "also \(extra.name)")
        }
        return parameters
    }

    /// The architecture line stored in `url` (e.g. `unet ch=16`), after the same checks as `load`.
    /// - Throws: `Failure` naming the file and what is wrong with it (also when it names no configuration).
    public static func configuration(at url: URL) throws(Failure) -> String {
        try configuration(of: try read(url), path: url.path)
    }

    /// The configuration line of a file already read.
    static func configuration(of file: Safetensors, path: String) throws(Failure) -> String {
        guard let line = file.metadata["configuration"] else {
            throw .mismatched(path: path, expected: "a configuration in its __metadata__", found: "none")
        }
        return line
    }

    /// The network a file's configuration line names (`unet …` or `mlp …`) and its parameters: how a tool loads a
    /// model without knowing beforehand which one it is.
    /// - Throws: `Failure` naming the file and what is wrong with it.
    public static func loadNetwork(from url: URL) throws(Failure) -> (network: any DenoisingNetwork, parameters: [Float]) {
        let file = try read(url)
        let line = try configuration(of: file, path: url.path)
        let network: any DenoisingNetwork
        if let unet = UNet(configuration: line) {
            network = unet
        } else if let mlp = MLP(configuration: line) {
            network = mlp
        } else {
            throw .mismatched(path: url.path, expected: "a U-Net (unet ch=…) or an MLP (mlp 34-…-2)", found: line)
        }
        return (network, try parameters(of: file, path: url.path, expecting: network))
    }

    /// The file's container once it reads as safetensors and its checksum, if any, is right.
    static func read(_ url: URL) throws(Failure) -> Safetensors {
        let path = url.path
        guard let data = try? Data(contentsOf: url) else { throw .unreadable(path: path) }
        let bytes = [UInt8](data)
        if bytes.count >= 8, ["DDPMWB1\n", "DDPMWB2\n"].contains(where: { Array($0.utf8) == Array(bytes[0..<8]) }) {
            throw .olderFormat(path: path)
        }
        let file: Safetensors
        do { file = try Safetensors(decoding: bytes) } catch {
            switch error {
            case .notSafetensors: throw .foreign(path: path)
            case .truncated: throw .truncated(path: path)
            case .unsupported(let name, let dtype): throw .mismatched(path: path, expected: "F32, F64, F16 or BF16 values", found: "\(name) in \(dtype)")
            }
        }
        if let stored = file.metadata["fnv1a64"], stored != hex(fnv1a(Safetensors.dataSection(of: bytes)!)) { throw .corrupt(path: path) }
        return file
    }

    /// 16 lower-case hex digits.
    static func hex(_ value: UInt64) -> String {
        let digits = String(value, radix: 16)
        return String(repeating: "0", count: 16 - digits.count) + digits
    }

    /// FNV-1a, 64-bit: h ← (h ⊕ byte)·1099511628211, from 14695981039346656037.
    static func fnv1a<C: Collection>(_ bytes: C) -> UInt64 where C.Element == UInt8 {
        bytes.reduce(14_695_981_039_346_656_037) { ($0 ^ UInt64($1)) &* 1_099_511_628_211 }
    }
}
