/// The NumPy broadcast of two shapes: aligned from the right, each pair of extents must be equal
/// or one of them 1, and the result takes the larger. `[N, 2]` with `[2]` gives `[N, 2]` (a row
/// added to every row); `[N, 2]` with `[N, 1]` gives `[N, 2]` (a column added to every column).
/// - Returns: the broadcast shape, or `nil` when the shapes are incompatible.
public func broadcastShape(_ a: [Int], _ b: [Int]) -> [Int]? {
    let rank = max(a.count, b.count)
    let paddedA = Array(repeating: 1, count: rank - a.count) + a
    let paddedB = Array(repeating: 1, count: rank - b.count) + b
    var result: [Int] = []
    result.reserveCapacity(rank)
    for (x, y) in zip(paddedA, paddedB) {
        if x == y || y == 1 {
            result.append(x)
        } else if x == 1 {
            result.append(y)
        } else {
            return nil
        }
    }
    return result
}

extension Tensor {
    /// Combines two tensors element by element after broadcasting them to a common shape.
    ///
    /// Same-shape and scalar operands take direct loops; other shapes walk the broadcast index
    /// with per-operand strides (0 along broadcast dimensions).
    /// - Precondition: the shapes broadcast (see `broadcastShape(_:_:)`).
    public static func zip(
        _ a: Tensor, _ b: Tensor, _ combine: (Scalar, Scalar) -> Scalar
    ) -> Tensor {
        if a.shape == b.shape {
            var out = [Scalar](repeating: 0, count: a.count)
            for i in 0..<a.count { out[i] = combine(a.scalars[i], b.scalars[i]) }
            return Tensor(shape: a.shape, scalars: out)
        }
        guard let shape = broadcastShape(a.shape, b.shape) else {
            preconditionFailure("Tensor: shapes \(a.shape) and \(b.shape) do not broadcast")
        }
        if b.count == 1 {
            let y = b.scalars[0]
            return Tensor(shape: shape, scalars: a.scalars.map { combine($0, y) })
        }
        if a.count == 1 {
            let x = a.scalars[0]
            return Tensor(shape: shape, scalars: b.scalars.map { combine(x, $0) })
        }
        let stridesA = a.broadcastStrides(to: shape)
        let stridesB = b.broadcastStrides(to: shape)
        let total = shape.reduce(1, *)
        var out = [Scalar](repeating: 0, count: total)
        var index = [Int](repeating: 0, count: shape.count)
        var offsetA = 0
        var offsetB = 0
        for i in 0..<total {
            out[i] = combine(a.scalars[offsetA], b.scalars[offsetB])
            // Advance the multi-index like an odometer, keeping both offsets in step.
            var axis = shape.count - 1
            while axis >= 0 {
                index[axis] += 1
                offsetA += stridesA[axis]
                offsetB += stridesB[axis]
                if index[axis] < shape[axis] { break }
                offsetA -= stridesA[axis] * shape[axis]
                offsetB -= stridesB[axis] * shape[axis]
                index[axis] = 0
                axis -= 1
            }
        }
        return Tensor(shape: shape, scalars: out)
    }

    /// This tensor's strides when read as `shape` (0 along broadcast dimensions).
    func broadcastStrides(to shape: [Int]) -> [Int] {
        let pad = shape.count - rank
        let own = strides
        return (0..<shape.count).map { axis in
            axis < pad || self.shape[axis - pad] == 1 ? 0 : own[axis - pad]
        }
    }

    /// This tensor repeated along broadcast dimensions to `shape`.
    public func broadcast(to shape: [Int]) -> Tensor {
        precondition(broadcastShape(self.shape, shape) == shape, "Tensor: \(self.shape) does not broadcast to \(shape)")
        return Tensor.zip(self, Tensor.zeros(shape)) { x, _ in x }
    }
}
