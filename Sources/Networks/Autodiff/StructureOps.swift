import TensorCore

/// Differentiable matrix product, concatenation and row indexing.
extension Variable {
    /// A·B for `[m, k]` and `[k, n]`. ∂/∂A = G·Bᵀ, ∂/∂B = Aᵀ·G.
    public static func matmul(_ a: Variable, _ b: Variable) -> Variable {
        let (va, vb) = (a.value, b.value)
        return a.tape.record(Tensor.matmul(va, vb), inputs: [a, b]) { g in
            [Tensor.matmul(g, vb.transposed()), Tensor.matmul(va.transposed(), g)]
        }
    }

    /// Matrices side by side, `[n, a]`, `[n, b]`, … → `[n, a + b + …]`. The gradient is split back by columns.
    public static func concatenateColumns(_ parts: [Variable]) -> Variable {
        let widths = parts.map { $0.value.shape[1] }
        return parts[0].tape.record(Tensor.concatenateColumns(parts.map(\.value)), inputs: parts) { g in
            var start = 0
            return widths.map { w in
                defer { start += w }
                return g.columns(start..<(start + w))
            }
        }
    }

    /// Rows `indices` of a table `[T, D]` → `[n, D]` (e.g. a per-t coefficient picked for each sample).
    /// The gradient scatters back, adding where an index repeats.
    public func gatherRows(_ indices: [Int]) -> Variable {
        let shape = value.shape
        return tape.record(value.gatherRows(indices), inputs: [self]) { g in
            let width = shape.reduce(1, *) / Swift.max(shape[0], 1)
            var out = [Scalar](repeating: 0, count: shape.reduce(1, *))
            for (r, i) in indices.enumerated() {
                for j in 0..<width { out[i * width + j] += g.scalars[r * width + j] }
            }
            return [Tensor(shape: shape, scalars: out)]
        }
    }
}
