/// Matrix product and transpose for rank-2 tensors.
extension Tensor {
    /// The matrix product C = A·B of `[m, k]` and `[k, n]` tensors, giving `[m, n]`.
    ///
    /// Cᵢⱼ = Σₗ Aᵢₗ Bₗⱼ, looped i-l-j so the inner loop runs along contiguous rows of B and C.
    public static func matmul(_ a: Tensor, _ b: Tensor) -> Tensor {
        precondition(
            a.rank == 2 && b.rank == 2 && a.shape[1] == b.shape[0],
            "matmul: shapes \(a.shape) and \(b.shape) do not multiply")
        let (m, k, n) = (a.shape[0], a.shape[1], b.shape[1])
        var c = [Scalar](repeating: 0, count: m * n)
        a.scalars.withUnsafeBufferPointer { pa in
            b.scalars.withUnsafeBufferPointer { pb in
                c.withUnsafeMutableBufferPointer { pc in
                    for i in 0..<m {
                        for l in 0..<k {
                            let ail = pa[i * k + l]
                            for j in 0..<n { pc[i * n + j] += ail * pb[l * n + j] }
                        }
                    }
                }
            }
        }
        return Tensor(shape: [m, n], scalars: c)
    }

    /// The transpose of a matrix, `[m, n]` → `[n, m]`.
    public func transposed() -> Tensor {
        precondition(rank == 2, "transposed: rank \(rank) is not a matrix")
        let (m, n) = (shape[0], shape[1])
        var out = [Scalar](repeating: 0, count: m * n)
        for i in 0..<m { for j in 0..<n { out[j * m + i] = scalars[i * n + j] } }
        return Tensor(shape: [n, m], scalars: out)
    }

    /// The dot product of two equal-length vectors, Σᵢ aᵢbᵢ.
    public static func dot(_ a: Tensor, _ b: Tensor) -> Scalar {
        precondition(a.count == b.count, "dot: \(a.count) and \(b.count) elements")
        return (a * b).sum()
    }
}
