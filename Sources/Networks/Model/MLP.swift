import TensorCore

/// A multilayer perceptron ε_θ(xₜ, t) for 2-D points, the benchmark workload's network: the input
/// [xₜ, embedding(t)] (the 32-value sinusoid), then Linear → SiLU → … → Linear, as the PyTorch peer's
/// `nn.Sequential` (`net.0`, `net.2`, … are its Linear layers; the SiLUs between are fused into them):
///
///     h = cat[xₜ, emb(t)];  h = SiLU(net.0(h));  h = SiLU(net.2(h));  h = SiLU(net.4(h));  ε_θ = net.6(h)
///
/// All parameters sit in one flat `[Float]` (so Adam, the EMA, clipping and checkpoints treat them as
/// one vector) in PyTorch's order and layout: per layer `weight` [out, in] row-major, then `bias` [out].
public struct MLP: Sendable, Equatable {
    /// Layer widths, input first (the input is the data's coordinates plus the 32 embedding values).
    public let sizes: [Int]
    /// Every parameter, in the graph's layout.
    public var parameters: [Float]
    /// The network: its layers, names and wiring (`describe`, the only place they are written).
    public let graph: Graph

    /// The batch shards its engine cuts every batch into (`ShardedBatchEngine`): up to this many threads
    /// share the work — a student's laptop has 8 to 12 cores — with the same results for any thread count.
    /// (A training batch of 256 is then 8 × 32 rows; summing 8 gradients adds 0.3 M additions to a step's
    /// 55 M multiply-adds.)
    public static let shards = 8

    /// The benchmark workload's widths: 2 coordinates + 32 embedding values → 128 → 128 → 128 → 2.
    public static let toySizes = [2 + TimeEmbedding.width, 128, 128, 128, 2]

    /// A network with PyTorch's default `nn.Linear` initialisation: every W and b uniform on
    /// (−1/√fan_in, 1/√fan_in), drawn tensor by tensor in layout order, each row-major.
    public init(sizes: [Int] = MLP.toySizes, using generator: inout SeededGenerator) {
        let graph = MLP.describe(sizes)
        self.init(sizes: sizes, parameters: graph.layout.initialValues(using: &generator), graph: graph)
    }

    /// A network from existing parameters (the layout's flat vector).
    public init(sizes: [Int], parameters: [Float]) {
        self.init(sizes: sizes, parameters: parameters, graph: MLP.describe(sizes))
    }

    /// The network of `sizes` with its graph already described.
    private init(sizes: [Int], parameters: [Float], graph: Graph) {
        precondition(parameters.count == MLP.parameterCount(sizes), "MLP: \(parameters.count) parameters for sizes \(sizes)")
        (self.sizes, self.parameters, self.graph) = (sizes, parameters, graph)
    }

    /// Σₗ (inₗ·outₗ + outₗ): 37,762 for the benchmark network.
    public static func parameterCount(_ sizes: [Int]) -> Int {
        (0..<(sizes.count - 1)).reduce(0) { $0 + sizes[$1] * sizes[$1 + 1] + sizes[$1 + 1] }
    }

    /// The number of Linear layers.
    public var layerCount: Int { sizes.count - 1 }

    /// The MLP as a graph: the first layer reads the data's coordinates and the embedding as one
    /// concatenated input; hidden layers with SiLU, a last layer without.
    static func describe(_ sizes: [Int]) -> Graph {
        precondition(
            sizes.count >= 2 && sizes[0] > TimeEmbedding.width && sizes.allSatisfy { $0 >= 1 }
                && sizes.dropFirst().dropLast().allSatisfy { $0 % 8 == 0 },
            "MLP: sizes \(sizes) (the input is the coordinates plus \(TimeEmbedding.width) embedding values; hidden widths are multiples of 8)")
        var net = GraphBuilder(inputs: [.vector(sizes[0] - TimeEmbedding.width)])
        var h = [net.inputs[0], net.add(SinusoidalEmbedding())]  // the first layer reads cat[xₜ, emb(t)]
        let layers = sizes.count - 1
        for l in 0..<layers {
            let kind: any LayerKind = l < layers - 1 ? LinearSiLU(sizes[l], sizes[l + 1]) : Linear(sizes[l], sizes[l + 1])
            h = [h.count == 2 ? net.add("net.\(2 * l)", kind, h[0], h[1]) : net.add("net.\(2 * l)", kind, h[0])]
        }
        return net.build(output: h[0])
    }

    /// Equal when the widths and the parameters are.
    public static func == (a: MLP, b: MLP) -> Bool { a.sizes == b.sizes && a.parameters == b.parameters }
}
