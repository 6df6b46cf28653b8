import TensorCore

extension Variable {
    /// Nearest-neighbour upsampling ×2 of x [N, C, H, W] → [N, C, 2H, 2W]: y[n, c, i, j] = x[n, c, ⌊i/2⌋, ⌊j/2⌋]
    /// (PyTorch's `F.interpolate(scale_factor: 2, mode: "nearest")`). Pullback: each input gathers the
    /// sum of its 2 × 2 block of output gradients.
    public func upsampled() -> Variable {
        let xv = value
        precondition(xv.rank == 4, "upsampled: expects [N, C, H, W], got \(xv.shape)")
        let (planes, h, w) = (xv.shape[0] * xv.shape[1], xv.shape[2], xv.shape[3])
        var y = [Scalar](repeating: 0, count: xv.count * 4)
        for p in 0..<planes { for i in 0..<(2 * h) { for j in 0..<(2 * w) {
            y[(p * 2 * h + i) * 2 * w + j] = xv.scalars[(p * h + i / 2) * w + j / 2]
        } } }
        return tape.record(Tensor(shape: [xv.shape[0], xv.shape[1], 2 * h, 2 * w], scalars: y), inputs: [self]) { g in
            var gx = [Scalar](repeating: 0, count: xv.count)
            for p in 0..<planes { for i in 0..<(2 * h) { for j in 0..<(2 * w) {
                gx[(p * h + i / 2) * w + j / 2] += g.scalars[(p * 2 * h + i) * 2 * w + j]
            } } }
            return [Tensor(shape: xv.shape, scalars: gx)]
        }
    }
}
