import TensorCore

/// ε_θ(xₜ, t) for arbitrary points and steps, on a network's fast engine (no gradients): for
/// evaluating a trained network against the oracle, per-t losses, score fields.
public final class NoisePredictor {
    /// Values per point.
    public let dimension: Int
    let engine: any DenoisingEngine
    let steps: Int
    static let blockRows = 512

    /// A predictor for `network` with `parameters`, for t = 1…`steps`.
    public init(network: some DenoisingNetwork, parameters: [Float], steps: Int) {
        precondition(network.outputDimension == network.dimension, "NoisePredictor: the network must output ε_θ alone")
        dimension = network.dimension
        self.steps = steps
        engine = network.makeEngine(capacity: Self.blockRows, threads: 1)
        engine.load(parameters)
    }

    /// A predictor for the MLP `model` with its parameters.
    public convenience init(model: MLP, steps: Int) {
        self.init(network: model, parameters: model.parameters, steps: steps)
    }

    /// ε_θ for points `x` (`[n, D]` row-major) at steps `t` (one per point, 1…T): `[n, D]`.
    public func predict(x: [Float], t: [Int]) -> [Float] {
        let d = dimension
        precondition(x.count == t.count * d, "NoisePredictor: \(x.count) values for \(t.count) points of dimension \(d)")
        precondition(t.allSatisfy { (1...steps).contains($0) }, "NoisePredictor: a t outside 1…\(steps)")
        var out = [Float](repeating: 0, count: x.count)
        var start = 0
        while start < t.count {
            let rows = min(Self.blockRows, t.count - start)
            let eps = x.withUnsafeBufferPointer { engine.evaluate($0.baseAddress! + start * d, steps: Array(t[start..<(start + rows)])) }
            for i in 0..<(rows * d) { out[start * d + i] = eps[i] }
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
