import TensorCore

/// Channel plumbing for the U-Net's skip connections and attention: concatenation, slicing, reshaping.
extension Variable {
    /// Tensors [N, Cₖ, H, W] stacked along channels (dimension 1), first part first, → [N, ΣCₖ, H, W]
    /// (PyTorch's `torch.cat(parts, 1)`). Pullback: the gradient is cut back into the parts.
    public static func concatenateChannels(_ parts: [Variable]) -> Variable {
        let values = parts.map(\.value)
        let n = values[0].shape[0]
        precondition(
            values.allSatisfy { $0.shape[0] == n && Array($0.shape.dropFirst(2)) == Array(values[0].shape.dropFirst(2)) },
            "concatenateChannels: shapes \(values.map(\.shape))")
        let sizes = values.map { $0.count / n }  // C·H·W per image, per part
        let total = sizes.reduce(0, +)
        var y = [Scalar]()
        y.reserveCapacity(n * total)
        for b in 0..<n { for (v, size) in zip(values, sizes) { y += v.scalars[(b * size)..<((b + 1) * size)] } }
        let shape = [n, values.map { $0.shape[1] }.reduce(0, +)] + values[0].shape.dropFirst(2)
        return parts[0].tape.record(Tensor(shape: shape, scalars: y), inputs: parts) { g in
            var offset = 0
            return zip(values, sizes).map { v, size in
                defer { offset += size }
                var part = [Scalar]()
                part.reserveCapacity(v.count)
                for b in 0..<n { part += g.scalars[(b * total + offset)..<(b * total + offset + size)] }
                return Tensor(shape: v.shape, scalars: part)
            }
        }
    }

    /// Channels `range` of x [N, C, …] → [N, range.count, …]. Pullback: the gradient goes back into
    /// those channels, zeros elsewhere.
    public func channels(_ range: Range<Int>) -> Variable {
        let xv = value
        let (n, c) = (xv.shape[0], xv.shape[1])
        let plane = xv.count / (n * c)
        var y = [Scalar]()
        y.reserveCapacity(n * range.count * plane)
        for b in 0..<n { y += xv.scalars[((b * c + range.lowerBound) * plane)..<((b * c + range.upperBound) * plane)] }
        return tape.record(Tensor(shape: [n, range.count] + xv.shape.dropFirst(2), scalars: y), inputs: [self]) { g in
            var gx = [Scalar](repeating: 0, count: xv.count)
            for b in 0..<n {
                for q in 0..<(range.count * plane) { gx[(b * c + range.lowerBound) * plane + q] = g.scalars[b * range.count * plane + q] }
            }
            return [Tensor(shape: xv.shape, scalars: gx)]
        }
    }

    /// The same values with a new shape of equal size (row-major order kept). Pullback: reshaped back.
    public func reshaped(_ shape: [Int]) -> Variable {
        let old = value.shape
        precondition(shape.reduce(1, *) == value.count, "reshaped: \(old) to \(shape)")
        return tape.record(Tensor(shape: shape, scalars: value.scalars), inputs: [self]) { g in [Tensor(shape: old, scalars: g.scalars)] }
    }
}
