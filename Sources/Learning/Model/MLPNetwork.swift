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

    /// An `MLPEngine` (its packed weights shared by nothing else).
    public func makeEngine(capacity: Int, threads: Int) -> any DenoisingEngine { MLPEngine(sizes: sizes, capacity: capacity) }
}

/// `NetworkEngine` behind the `DenoisingEngine` protocol: builds the input rows [xₜ, embedding(t)],
/// runs the packed MLP forward and backward on one thread.
public final class MLPEngine: DenoisingEngine {
    /// The largest batch.
    public let capacity: Int
    let sizes: [Int]
    let engine: NetworkEngine
    var packed: PackedNetwork
    let input: FloatBuffer
    let output: FloatBuffer
    var rows = 0

    /// An engine for networks of `sizes` and batches of up to `capacity` points.
    public init(sizes: [Int], capacity: Int) {
        self.capacity = capacity
        self.sizes = sizes
        engine = NetworkEngine(sizes: sizes, capacity: capacity)
        packed = PackedNetwork(MLP(sizes: sizes, parameters: [Float](repeating: 0, count: MLP.parameterCount(sizes))))
        input = FloatBuffer(count: capacity * sizes[0])
        output = FloatBuffer(count: capacity * sizes.last!)
    }

    /// Repacks the weights.
    public func load(_ parameters: [Float]) { packed.update(MLP(sizes: sizes, parameters: parameters)) }

    /// ε_θ for points x [N, dimension] at steps t.
    public func forward(_ x: UnsafePointer<Float>, steps t: [Int]) -> UnsafePointer<Float> {
        precondition(t.count <= capacity, "MLPEngine: \(t.count) points, capacity \(capacity)")
        let (width, d) = (sizes[0], sizes[0] - TimeEmbedding.width)
        for (r, step) in t.enumerated() {
            for j in 0..<d { input.pointer[r * width + j] = x[r * d + j] }
            for (j, v) in TimeEmbedding.embedding(step).enumerated() { input.pointer[r * width + d + j] = v }
        }
        rows = t.count
        engine.forward(packed, input: input.pointer, rows: rows, output: output.pointer)
        return UnsafePointer(output.pointer)
    }

    /// The parameters' gradient for ∂L/∂ε_θ = `gradOutput`, after `forward` on the same batch.
    public func backward(_ gradOutput: UnsafePointer<Float>, images: Int, into gradients: UnsafeMutablePointer<Float>) {
        precondition(images == rows, "MLPEngine: backward for \(images) points after a forward of \(rows)")
        engine.backward(packed, input: input.pointer, gradOutput: gradOutput, rows: rows, gradients: gradients)
    }
}
