import RealModule

/// Shape-changing operations: reducing a broadcast, joining matrices, picking rows; and the
/// remaining element-wise functions.
extension Tensor {
    /// Sums this tensor down to `target`, the inverse of broadcasting `target` up to `shape`: every
    /// element is added into the target element it was broadcast from. Autodiff uses it to return
    /// the gradient of a broadcast operand.
    /// - Precondition: `target` broadcasts to `shape`.
    public func reduceSum(toShape target: [Int]) -> Tensor {
        if target == shape { return self }
        precondition(broadcastShape(target, shape) == shape, "reduceSum: \(target) does not broadcast to \(shape)")
        let source = Tensor(repeating: 0, shape: target)
        let strides = source.broadcastStrides(to: shape)
        var out = [Scalar](repeating: 0, count: target.reduce(1, *))
        var index = [Int](repeating: 0, count: shape.count)
        var offset = 0
        for i in 0..<count {
            out[offset] += scalars[i]
            var axis = shape.count - 1
            while axis >= 0 {
                index[axis] += 1
                offset += strides[axis]
                if index[axis] < shape[axis] { break }
                offset -= strides[axis] * shape[axis]
                index[axis] = 0
                axis -= 1
            }
        }
        return Tensor(shape: target, scalars: out)
    }

    /// Matrices side by side: `[n, a]` and `[n, b]` give `[n, a + b]`.
    public static func concatenateColumns(_ parts: [Tensor]) -> Tensor {
        precondition(
            !parts.isEmpty && parts.allSatisfy { $0.rank == 2 && $0.shape[0] == parts[0].shape[0] },
            "concatenateColumns: need matrices with equal row counts")
        let rows = parts[0].shape[0]
        let width = parts.reduce(0) { $0 + $1.shape[1] }
        var out: [Scalar] = []
        out.reserveCapacity(rows * width)
        for r in 0..<rows {
            for part in parts {
                let w = part.shape[1]
                out.append(contentsOf: part.scalars[(r * w)..<((r + 1) * w)])
            }
        }
        return Tensor(shape: [rows, width], scalars: out)
    }

    /// Columns `range` of a matrix.
    public func columns(_ range: Range<Int>) -> Tensor {
        precondition(rank == 2 && range.lowerBound >= 0 && range.upperBound <= shape[1], "columns: \(range) outside \(shape)")
        var out: [Scalar] = []
        out.reserveCapacity(shape[0] * range.count)
        for r in 0..<shape[0] { out.append(contentsOf: scalars[(r * shape[1] + range.lowerBound)..<(r * shape[1] + range.upperBound)]) }
        return Tensor(shape: [shape[0], range.count], scalars: out)
    }

    /// The rows `indices` of a rank ≥ 1 tensor, in order (repeats allowed): `[T, D]` → `[n, D]`.
    public func gatherRows(_ indices: [Int]) -> Tensor {
        precondition(rank >= 1, "gatherRows: rank 0")
        let width = count / Swift.max(shape[0], 1)
        var out: [Scalar] = []
        out.reserveCapacity(indices.count * width)
        for i in indices {
            precondition(i >= 0 && i < shape[0], "gatherRows: row \(i) outside 0..<\(shape[0])")
            out.append(contentsOf: scalars[(i * width)..<((i + 1) * width)])
        }
        return Tensor(shape: [indices.count] + shape.dropFirst(), scalars: out)
    }

    /// Element-wise sine.
    public func sin() -> Tensor { map { Scalar.sin($0) } }
    /// Element-wise cosine.
    public func cos() -> Tensor { map { Scalar.cos($0) } }
    /// Element-wise hyperbolic tangent.
    public func tanh() -> Tensor { map { Scalar.tanh($0) } }
}
