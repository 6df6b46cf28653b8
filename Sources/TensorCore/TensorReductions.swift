/// Sums, means and variances over all elements or along one axis.
extension Tensor {
    /// Σ of all elements, by pairwise summation (error O(log n · ε) rather than O(n · ε)).
    public func sum() -> Scalar { pairwiseSum(scalars[...]) }

    /// The mean of all elements, Σx / n.
    public func mean() -> Scalar { sum() / Scalar(count) }

    /// The population variance of all elements, Σ(x − x̄)² / n (two-pass, no cancellation).
    public func variance() -> Scalar {
        let m = mean()
        return pairwiseSum(scalars.map { ($0 - m) * ($0 - m) }[...]) / Scalar(count)
    }

    /// The sum along `axis`, which is removed from the shape (`[N, D]` summed along 0 gives `[D]`).
    public func sum(alongAxis axis: Int) -> Tensor {
        precondition(axis >= 0 && axis < rank, "Tensor.sum(alongAxis:): axis \(axis) outside rank \(rank)")
        let outer = shape[..<axis].reduce(1, *)
        let extent = shape[axis]
        let inner = shape[(axis + 1)...].reduce(1, *)
        var out = [Scalar](repeating: 0, count: outer * inner)
        for o in 0..<outer {
            for k in 0..<extent {
                let base = (o * extent + k) * inner
                for i in 0..<inner { out[o * inner + i] += scalars[base + i] }
            }
        }
        var newShape = shape
        newShape.remove(at: axis)
        return Tensor(shape: newShape, scalars: out)
    }

    /// The mean along `axis`, which is removed from the shape.
    public func mean(alongAxis axis: Int) -> Tensor {
        sum(alongAxis: axis) / Scalar(shape[axis])
    }

    /// The largest element.
    public func max() -> Scalar { scalars.max()! }
    /// The smallest element.
    public func min() -> Scalar { scalars.min()! }
}

/// Pairwise (cascade) summation: split in halves below 16 elements' blocks.
func pairwiseSum<Scalar: TensorScalar>(_ values: ArraySlice<Scalar>) -> Scalar {
    if values.count <= 16 { return values.reduce(0, +) }
    let middle = values.startIndex + values.count / 2
    return pairwiseSum(values[..<middle]) + pairwiseSum(values[middle...])
}
