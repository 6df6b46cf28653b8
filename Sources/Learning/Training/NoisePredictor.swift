import TensorCore

/// ε_θ(xₜ, t) for arbitrary points and steps, on the fast path (no gradients): for evaluating a
/// trained network against the oracle, per-t losses, score fields.
public final class NoisePredictor {
    /// The network.
    public let model: MLP
    let packed: PackedNetwork
    let engine: NetworkEngine
    let embeddings: [Float]
    let steps: Int
    static let blockRows = 512

    /// A predictor for `model` with time embeddings for t = 1…`steps`.
    public init(model: MLP, steps: Int) {
        self.model = model
        self.steps = steps
        packed = PackedNetwork(model)
        engine = NetworkEngine(sizes: model.sizes, capacity: Self.blockRows)
        embeddings = TimeEmbedding.table(steps: steps)
    }

    /// ε_θ for points `x` (`[n, D]` row-major) at steps `t` (one per point, 1…T): `[n, D]`.
    public func predict(x: [Float], t: [Int]) -> [Float] {
        let d = model.sizes.last!
        let width = model.sizes[0]
        precondition(x.count == t.count * d, "NoisePredictor: \(x.count) values for \(t.count) points of dimension \(d)")
        var out = [Float](repeating: 0, count: x.count)
        let input = FloatBuffer(count: Self.blockRows * width)
        var start = 0
        while start < t.count {
            let rows = min(Self.blockRows, t.count - start)
            for r in 0..<rows {
                let step = t[start + r]
                precondition(step >= 1 && step <= steps, "NoisePredictor: t = \(step) outside 1…\(steps)")
                for j in 0..<d { input.pointer[r * width + j] = x[(start + r) * d + j] }
                for j in 0..<TimeEmbedding.width { input.pointer[r * width + d + j] = embeddings[(step - 1) * TimeEmbedding.width + j] }
            }
            out.withUnsafeMutableBufferPointer { o in
                engine.forward(packed, input: input.pointer, rows: rows, output: o.baseAddress! + start * d)
            }
            start += rows
        }
        return out
    }

    /// ε_θ for points in Double (`[n, D]`), all at step t.
    public func predict(_ x: Tensor<Double>, t: Int) -> Tensor<Double> {
        let y = predict(x: x.scalars.map(Float.init), t: Array(repeating: t, count: x.shape[0]))
        return Tensor(shape: x.shape, scalars: y.map(Double.init))
    }
}
