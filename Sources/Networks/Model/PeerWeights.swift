import Foundation

/// The PyTorch peer's weights (`torch_ref.py`'s `save_weights`): raw little-endian float32 in PyTorch's
/// parameter order, per Linear layer W `[out, in]` row-major, then b `[out]` — no header, so the size alone
/// says whether the file fits. The workbench's own files are `NamedCheckpoint`s.
public enum PeerWeights {
    /// Reads raw little-endian float32 weights in PyTorch's parameter order (W `[out, in]`, b per
    /// layer), as `torch_ref.py`'s `save_weights` writes them; the size must match exactly.
    public static func load(from url: URL, sizes: [Int] = MLP.toySizes) throws(NamedCheckpoint.Failure) -> MLP {
        guard let data = try? Data(contentsOf: url) else { throw .unreadable(path: url.path) }
        let expected = 4 * MLP.parameterCount(sizes)
        guard data.count == expected else {
            throw .mismatched(path: url.path, expected: "\(expected / 4) float32 values (\(expected) bytes, an MLP of widths \(sizes))", found: "\(data.count) bytes")
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
}
