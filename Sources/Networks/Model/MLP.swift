import TensorCore

/// A multilayer perceptron ε_θ(xₜ, t): input [xₜ, embedding(t)], Linear → SiLU → … → Linear.
///
/// All parameters sit in one flat `[Float]` (so Adam, the EMA, clipping and checkpoints treat them
/// as one vector), layer by layer: the weight W as `[in, out]` row-major (y = x·W + b), then the
/// bias b `[out]`. PyTorch stores `nn.Linear.weight` as `[out, in]`; checkpoints convert.
public struct MLP: Sendable, Equatable {
    /// Layer widths, input first: the benchmark's network is [34, 128, 128, 128, 2].
    public let sizes: [Int]
    /// Every parameter, layer by layer (W `[in, out]`, then b).
    public var parameters: [Float]

    /// The benchmark workload's widths: 2 coordinates + 32 embedding values → 128 → 128 → 128 → 2.
    public static let toySizes = [2 + TimeEmbedding.width, 128, 128, 128, 2]

    /// A network with PyTorch's default `nn.Linear` initialisation: every W and b uniform on
    /// (−1/√fan_in, 1/√fan_in), drawn layer by layer, W then b, in row-major order.
    public init(sizes: [Int] = MLP.toySizes, using generator: inout SeededGenerator) {
        precondition(sizes.count >= 2 && sizes.allSatisfy { $0 >= 1 }, "MLP: invalid sizes \(sizes)")
        self.sizes = sizes
        var values: [Float] = []
        for l in 0..<(sizes.count - 1) {
            let bound = 1 / Double(sizes[l]).squareRoot()
            for _ in 0..<(sizes[l] * sizes[l + 1] + sizes[l + 1]) {
                values.append(Float(generator.uniform(-bound, bound)))
            }
        }
        self.parameters = values
    }

    /// A network from existing parameters (layout as `parameters`).
    public init(sizes: [Int], parameters: [Float]) {
        precondition(parameters.count == MLP.parameterCount(sizes), "MLP: \(parameters.count) parameters for sizes \(sizes)")
        self.sizes = sizes
        self.parameters = parameters
    }

    /// Σₗ (inₗ·outₗ + outₗ): 37,762 for the benchmark network.
    public static func parameterCount(_ sizes: [Int]) -> Int {
        (0..<(sizes.count - 1)).reduce(0) { $0 + sizes[$1] * sizes[$1 + 1] + sizes[$1 + 1] }
    }

    /// The number of Linear layers.
    public var layerCount: Int { sizes.count - 1 }

    /// Where layer l's weight starts in `parameters`.
    public func weightOffset(_ l: Int) -> Int {
        (0..<l).reduce(0) { $0 + sizes[$1] * sizes[$1 + 1] + sizes[$1 + 1] }
    }

    /// Where layer l's bias starts in `parameters`.
    public func biasOffset(_ l: Int) -> Int { weightOffset(l) + sizes[l] * sizes[l + 1] }

    /// Layer l's weight as a tensor `[in, out]`.
    public func weight(_ l: Int) -> Tensor<Float> {
        let start = weightOffset(l)
        return Tensor(shape: [sizes[l], sizes[l + 1]], scalars: Array(parameters[start..<(start + sizes[l] * sizes[l + 1])]))
    }

    /// Layer l's bias as a tensor `[out]`.
    public func bias(_ l: Int) -> Tensor<Float> {
        let start = biasOffset(l)
        return Tensor(Array(parameters[start..<(start + sizes[l + 1])]))
    }

    /// The network on a tape (any scalar type), for autodiff and gradient checks:
    /// h₀ = input, hₗ = SiLU(hₗ₋₁·Wₗ + bₗ), output = h_{L−1}·W_L + b_L.
    /// - Parameter weights: per layer (W, b) variables on the same tape as `input`.
    public static func forward<Scalar>(
        _ input: Variable<Scalar>, weights: [(weight: Variable<Scalar>, bias: Variable<Scalar>)]
    ) -> Variable<Scalar> {
        var h = input
        for (l, layer) in weights.enumerated() {
            h = Variable.matmul(h, layer.weight) + layer.bias
            if l < weights.count - 1 { h = h.silu() }
        }
        return h
    }

    /// The parameters as tape variables of scalar type `Scalar` (W `[in, out]`, b `[out]` per layer).
    public func variables<Scalar>(on tape: Tape<Scalar>) -> [(weight: Variable<Scalar>, bias: Variable<Scalar>)] {
        (0..<layerCount).map { l in
            (tape.variable(weight(l).converted(to: Scalar.self)), tape.variable(bias(l).converted(to: Scalar.self)))
        }
    }

    /// The network's input rows [xₜ, embedding(t)] for points `x` (`[n, 2]`) at steps `t`.
    public static func input(x: Tensor<Float>, t: [Int]) -> Tensor<Float> {
        precondition(x.rank == 2 && x.shape[0] == t.count, "MLP.input: \(x.shape) points for \(t.count) steps")
        let embeddings = Tensor(shape: [t.count, TimeEmbedding.width], scalars: t.flatMap { TimeEmbedding.embedding($0) })
        return Tensor.concatenateColumns([x, embeddings])
    }
}
