import TensorCore

/// The 2-D MLP as a `DenoisingNetwork`: its graph's layout (`net.0.weight` [out, in], `net.0.bias`, then
/// `net.2`, … as the PyTorch peer's `nn.Sequential` numbers its Linear layers), the graph on the tape,
/// and the graph on a fixed number of batch shards. So `NetworkTrainer`, `NetworkSampler`, `VariationalBound` and `Checkpoint`
/// run it like the U-Net.
extension MLP: DenoisingNetwork {
    /// The data's coordinates: the input width less the time embedding's.
    public var dimension: Int { sizes[0] - TimeEmbedding.width }
    /// The last layer's width.
    public var outputDimension: Int { sizes.last! }

    /// The graph's parameter tensors, in `parameters` order.
    public var layout: ParameterLayout { graph.layout }

    /// `mlp 34-128-128-128-2`.
    public var configuration: String { "mlp " + sizes.map(String.init).joined(separator: "-") }

    /// The MLP a checkpoint's configuration line names (`mlp 34-128-128-128-2`: the input, hidden widths that are
    /// multiples of 8, the output), with zero parameters; nil for any other line.
    public init?(configuration: String) {
        guard configuration.hasPrefix("mlp ") else { return nil }
        let widths = configuration.dropFirst(4).split(separator: "-", omittingEmptySubsequences: false).map { Int($0) }
        guard widths.count >= 2, widths.allSatisfy({ ($0 ?? 0) >= 1 }) else { return nil }
        let sizes = widths.map { $0! }
        guard sizes[0] > TimeEmbedding.width, sizes.dropFirst().dropLast().allSatisfy({ $0 % 8 == 0 }) else { return nil }
        self.init(sizes: sizes, parameters: [Float](repeating: 0, count: MLP.parameterCount(sizes)))
    }

    /// PyTorch's default initialisation (`init(sizes:using:)`).
    public func initialParameters(using generator: inout SeededGenerator) -> [Float] { layout.initialValues(using: &generator) }

    /// The graph on the tape for points x [N, dimension] at steps `t`.
    public func tapeForward<Scalar: TensorScalar>(_ x: Variable<Scalar>, steps t: [Int], parameters: TapeParameters<Scalar>) -> Variable<Scalar> {
        graph.tape([x], Conditioning(steps: t), parameters: parameters)
    }

    /// A `ShardedBatchEngine` on the graph: every batch cut into `MLP.shards` shards, run on up to that many threads.
    public func makeEngine(capacity: Int, threads: Int) -> any DenoisingEngine {
        ShardedBatchEngine(graph: graph, capacity: capacity, shards: MLP.shards, threads: threads)
    }
}
