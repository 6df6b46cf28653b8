import TensorCore

/// The 2-D MLP as a `DenoisingNetwork`: the same parameters, named per layer (`net.0.weight` [in, out]
/// — the workbench's layout, PyTorch's transposed — and `net.0.bias` [out], then `net.2`, … as the
/// PyTorch peer's `nn.Sequential` numbers its Linear layers), a tape forward, and its fast engine.
/// So `NetworkTrainer`, `NetworkSampler`, `VariationalBound` and `NamedCheckpoint` run it like the U-Net.
extension MLP: DenoisingNetwork {
    /// The data's coordinates: the input width less the time embedding's.
    public var dimension: Int { sizes[0] - TimeEmbedding.width }
    /// The last layer's width.
    public var outputDimension: Int { sizes.last! }

    /// `net.2l.weight` [sizes[l], sizes[l+1]] and `net.2l.bias` [sizes[l+1]] per layer, in `parameters` order.
    public var layout: ParameterLayout {
        var layout = ParameterLayout()
        for l in 0..<layerCount {
            layout.append("net.\(2 * l).weight", [sizes[l], sizes[l + 1]])
            layout.append("net.\(2 * l).bias", [sizes[l + 1]])
        }
        return layout
    }

    /// `mlp 34-128-128-128-2`.
    public var configuration: String { "mlp " + sizes.map(String.init).joined(separator: "-") }

    /// PyTorch's default initialisation (`init(sizes:using:)`).
    public func initialParameters(using generator: inout SeededGenerator) -> [Float] {
        MLP(sizes: sizes, using: &generator).parameters
    }

    /// `MLP.forward` on [xₜ, embedding(t)], with the parameters taken from `parameters` by name.
    public func tapeForward<Scalar: TensorScalar>(_ x: Variable<Scalar>, steps t: [Int], parameters: TapeParameters<Scalar>) -> Variable<Scalar> {
        let n = t.count
        let embedding = Tensor(shape: [n, TimeEmbedding.width, 1, 1], scalars: t.flatMap { TimeEmbedding.embedding($0) }).converted(to: Scalar.self)
        let input = Variable.concatenateChannels([x.reshaped([n, dimension, 1, 1]), x.tape.variable(embedding)]).reshaped([n, sizes[0]])
        let p = parameters.scope("")
        return MLP.forward(input, weights: (0..<layerCount).map { (p("net.\(2 * $0).weight"), p("net.\(2 * $0).bias")) })
    }

    /// An `MLPEngine`: two half batches, one per thread when `threads` ≥ 2.
    public func makeEngine(capacity: Int, threads: Int) -> any DenoisingEngine { MLPEngine(sizes: sizes, capacity: capacity, threads: threads) }
}
