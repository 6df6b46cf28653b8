import Foundation

/// The PyTorch peer's weights (`torch_ref.py`'s `save_weights`): raw little-endian float32 in PyTorch's
/// parameter order, per Linear layer W `[out, in]` row-major, then b `[out]` — the MLP's own layout — with
/// no header, so the size alone says whether the file fits. The workbench's own files are `Checkpoint`s.
public enum PeerWeights {
    /// Reads raw little-endian float32 weights for an MLP of `sizes`; the size must match exactly.
    public static func load(from url: URL, sizes: [Int] = MLP.toySizes) throws(Checkpoint.Failure) -> MLP {
        guard let data = try? Data(contentsOf: url) else { throw .unreadable(path: url.path) }
        let expected = 4 * MLP.parameterCount(sizes)
        guard data.count == expected else {
            throw .mismatched(path: url.path, expected: "\(expected / 4) float32 values (\(expected) bytes, an MLP of widths \(sizes))", found: "\(data.count) bytes")
        }
        let bytes = [UInt8](data)
        let values = (0..<(expected / 4)).map { i in
            Float(bitPattern: UInt32(bytes[4 * i]) | UInt32(bytes[4 * i + 1]) << 8 | UInt32(bytes[4 * i + 2]) << 16 | UInt32(bytes[4 * i + 3]) << 24)
        }
        return MLP(sizes: sizes, parameters: values)
    }
}
