/// A `Graph` on the fast path: one fast op per node, run in order forward and in reverse backward.
/// Parameters and gradients are flat vectors in the graph's layout (PyTorch's order and shapes).
///
/// The backward pass is planned once: a value's gradient buffer is taken from a pool when its last
/// reader (the first node the reverse pass meets) writes it, later readers add into it, and it returns
/// to the pool once its own node has used it. Inputs and the output are given and returned channel
/// after channel ([N, C, H, W] flattened, the tape's layout); inside, maps are channels-last.
public final class GraphEngine {
    /// The network.
    public let graph: Graph
    /// The largest batch.
    public let capacity: Int
    let context: EngineContext
    let parameters: FloatBuffer
    /// Whether the parameters and packed weights are a leader engine's (`sharingPackingWith`).
    let follows: Bool
    let ops: [any FastOp]
    /// Which values need a gradient: those computed from parameters (and the inputs, when asked).
    let needsGradient: [Bool]
    /// For each node, in reverse order: the pool buffer its inputs' new gradients go to (nil: an existing one).
    let gradientPlan: [[Int?]]
    /// Gradient buffers, reused along the backward pass.
    let pool: [FloatBuffer]
    /// Channels-last copies of multi-channel inputs, and the output channel after channel.
    let inputCopies: [FloatBuffer?], channelMajor: FloatBuffer?
    /// ∂L/∂output channels-last, when the output is also read by a layer (which then adds into it).
    let outputGradient: FloatBuffer?
    /// Whether the network reads labels.
    let readsLabels: Bool
    /// Each node's input pointers (built on the first forward; the graph inputs' entries refreshed per call).
    private var nodeInputs: [[UnsafePointer<Float>]] = []
    /// The conditioning of the last forward batch.
    private var conditioning = Conditioning(steps: [])

    /// An engine for batches of up to `capacity` samples on `threads` threads; with `inputGradients`,
    /// `backward` can also return ∂L/∂input (the layer tests use it). With a `leader` (an engine of the same
    /// graph, always loaded first with the same values) it shares the leader's parameters and packed weights.
    public init(graph: Graph, capacity: Int, threads: Int = 1, inputGradients: Bool = false, sharingPackingWith leader: GraphEngine? = nil) {
        precondition(capacity >= 1 && threads >= 1, "GraphEngine: capacity and threads must be ≥ 1")
        self.graph = graph
        self.capacity = capacity
        readsLabels = graph.readsLabels
        context = EngineContext(threads: threads)
        parameters = leader?.parameters ?? FloatBuffer(count: graph.layout.count)
        follows = leader != nil
        let c = context
        ops = graph.nodes.map { $0.kind.makeOp($0.name, layout: graph.layout, inputs: $0.inputs.map(graph.shape), capacity: capacity, context: c) }
        if let leader { for (op, first) in zip(ops, leader.ops) { op.sharePacking(with: first) } }
        let valueCount = graph.inputs.count + graph.nodes.count
        var needs = [Bool](repeating: inputGradients, count: graph.inputs.count)
        for node in graph.nodes {
            var own = ParameterLayout()
            node.kind.declare(node.name, in: &own)
            needs.append(own.count > 0 || node.inputs.contains { needs[$0] })
        }
        needsGradient = needs
        // The plan: walk the nodes backwards, taking the smallest free buffer that fits (or a new one).
        var sizes: [Int] = [], free: [Int] = [], slot = [Int?](repeating: nil, count: valueCount)
        var hasGradient = [Bool](repeating: false, count: valueCount)
        hasGradient[graph.output] = true
        var plan: [[Int?]] = []
        for k in graph.nodes.indices.reversed() {
            let node = graph.nodes[k]
            let value = graph.inputs.count + k
            var taken: [Int?] = []
            for input in node.inputs {
                guard needs[input], !hasGradient[input] else { taken.append(nil); continue }
                let count = capacity * graph.shape(input).count
                let index = free.filter { sizes[$0] >= count }.min { sizes[$0] < sizes[$1] }
                let chosen = index ?? sizes.count
                if let index { free.removeAll { $0 == index } } else { sizes.append(count) }
                slot[input] = chosen
                hasGradient[input] = true
                taken.append(chosen)
            }
            plan.append(taken)
            if let own = slot[value] { free.append(own) }
        }
        gradientPlan = plan
        pool = sizes.map { FloatBuffer(count: $0) }
        inputCopies = graph.inputs.map { $0.isVector || $0.channels == 1 ? nil : FloatBuffer(count: capacity * $0.count) }
        let out = graph.shape(graph.output)
        channelMajor = out.isVector || out.channels == 1 ? nil : FloatBuffer(count: capacity * out.count)
        let outputIsRead = graph.nodes.contains { $0.inputs.contains(graph.output) }
        outputGradient = outputIsRead || channelMajor != nil ? FloatBuffer(count: capacity * out.count) : nil
        // The sink scratch holds one input's gradient of a node whose op uses it: as large as the largest.
        let scratchInputs = graph.nodes.filter(\.kind.usesSinkScratch).flatMap(\.inputs)
        context.reserve(sinkScratch: scratchInputs.map { capacity * graph.shape($0).count }.max() ?? 0)
    }

    /// Copies `values` (the layout's flat vector) in and lets every op repack its weights (a follower: only
    /// points its ops at the leader's copy, which must hold the same values).
    public func load(_ values: [Float]) {
        precondition(values.count == graph.layout.count, "GraphEngine.load: \(values.count) values for \(graph.layout.count) parameters")
        if !follows { values.withUnsafeBufferPointer { parameters.pointer.update(from: $0.baseAddress!, count: values.count) } }
        for op in ops { op.load(UnsafePointer(parameters.pointer)) }
    }

    /// The output for `conditioning.steps.count` samples of `inputs` (each [N, C, H, W] flattened):
    /// [N, C, H, W] flattened, valid until the next call.
    @discardableResult
    public func forward(_ inputs: [UnsafePointer<Float>], _ conditioning: Conditioning) -> UnsafePointer<Float> {
        let n = conditioning.steps.count
        precondition(n >= 1 && n <= capacity, "GraphEngine.forward: \(n) samples, capacity \(capacity)")
        precondition(inputs.count == graph.inputs.count, "GraphEngine.forward: \(inputs.count) inputs for \(graph.inputs.count)")
        precondition(readsLabels == (conditioning.labels != nil), "GraphEngine.forward: labels are for class-conditional nets, and they need them")
        self.conditioning = conditioning
        // Every value but the graph's inputs is an op's fixed output buffer: each node's input list is built
        // once, and only the entries that read a graph input are refreshed (no allocation per call).
        let first = inputs.enumerated().map { i, x in
            guard let copy = inputCopies[i] else { return x }
            GraphEngine.toChannelsLast(x, graph.inputs[i], samples: n, into: copy.pointer)
            return UnsafePointer(copy.pointer)
        }
        if nodeInputs.isEmpty {
            let values = first + ops.map { UnsafePointer($0.output.pointer) }
            nodeInputs = graph.nodes.map { $0.inputs.map { values[$0] } }
        }
        for (k, node) in graph.nodes.enumerated() {
            for (j, v) in node.inputs.enumerated() where v < first.count { nodeInputs[k][j] = first[v] }
            ops[k].forward(nodeInputs[k], conditioning, images: n)
        }
        let values = { (v: Int) in v < first.count ? first[v] : UnsafePointer(self.ops[v - first.count].output.pointer) }
        guard let channelMajor else { return values(graph.output) }
        GraphEngine.toChannelMajor(values(graph.output), graph.shape(graph.output), samples: n, into: channelMajor.pointer)
        return UnsafePointer(channelMajor.pointer)
    }

    /// From ∂L/∂output ([N, C, H, W] flattened) for the batch of the last `forward`: ∂L/∂θ written into
    /// `gradients` (the layout's flat vector, overwritten), and ∂L/∂input i into `inputGradients[i]` where
    /// given ([N, C, H, W] flattened; an engine made with `inputGradients: true`).
    public func backward(
        _ gradOutput: UnsafePointer<Float>, images n: Int, into gradients: UnsafeMutablePointer<Float>,
        inputGradients: [UnsafeMutablePointer<Float>?]
    ) {
        precondition(n == conditioning.steps.count, "GraphEngine.backward: \(n) samples after a forward of \(conditioning.steps.count)")
        gradients.update(repeating: 0, count: graph.layout.count)
        var gradient = [UnsafeMutablePointer<Float>?](repeating: nil, count: graph.inputs.count + graph.nodes.count)
        if let outputGradient {
            let shape = graph.shape(graph.output)
            if channelMajor != nil {
                GraphEngine.toChannelsLast(gradOutput, shape, samples: n, into: outputGradient.pointer)
            } else {
                outputGradient.pointer.update(from: gradOutput, count: n * shape.count)
            }
            gradient[graph.output] = outputGradient.pointer
        } else {
            gradient[graph.output] = UnsafeMutablePointer(mutating: gradOutput)
        }
        for (i, pointer) in inputGradients.enumerated() where pointer != nil {
            precondition(needsGradient[i], "GraphEngine.backward: this engine was not made for input gradients")
        }
        for (step, k) in graph.nodes.indices.reversed().enumerated() {
            let node = graph.nodes[k]
            guard let g = gradient[graph.inputs.count + k] else { continue }
            let sinks: [GradientSink] = zip(node.inputs, gradientPlan[step]).map { input, slot in
                if let slot {
                    gradient[input] = pool[slot].pointer
                    return .write(pool[slot].pointer)
                }
                return gradient[input].map { .add($0) } ?? .discard
            }
            ops[k].backward(g, images: n, gradients: gradients, sinks: sinks)
        }
        for (i, pointer) in inputGradients.enumerated() {
            guard let pointer, let g = gradient[i] else { continue }
            if inputCopies[i] != nil {
                GraphEngine.toChannelMajor(g, graph.inputs[i], samples: n, into: pointer)
            } else {
                pointer.update(from: g, count: n * graph.inputs[i].count)
            }
        }
    }

    /// [N, C, P] → [N·P, C].
    static func toChannelsLast(_ x: UnsafePointer<Float>, _ shape: FeatureShape, samples: Int, into out: UnsafeMutablePointer<Float>) {
        let (c, p) = (shape.channels, shape.positions)
        for i in 0..<samples { for q in 0..<p { for k in 0..<c { out[(i * p + q) * c + k] = x[(i * c + k) * p + q] } } }
    }

    /// [N·P, C] → [N, C, P].
    static func toChannelMajor(_ x: UnsafePointer<Float>, _ shape: FeatureShape, samples: Int, into out: UnsafeMutablePointer<Float>) {
        let (c, p) = (shape.channels, shape.positions)
        for i in 0..<samples { for q in 0..<p { for k in 0..<c { out[(i * c + k) * p + q] = x[(i * p + q) * c + k] } } }
    }
}

extension GraphEngine: DenoisingEngine {
    /// `forward` of the network's one input x at steps `t`.
    public func forward(_ x: UnsafePointer<Float>, steps t: [Int]) -> UnsafePointer<Float> { forward(x, steps: t, labels: nil) }

    /// `forward` of x at steps `t` with one label per sample (a class-conditional network) or nil.
    public func forward(_ x: UnsafePointer<Float>, steps t: [Int], labels: [Int]?) -> UnsafePointer<Float> {
        forward([x], Conditioning(steps: t, labels: labels))
    }

    /// `forward` for inference (no `backward` follows): ops may skip what only the backward pass needs.
    public func evaluate(_ x: UnsafePointer<Float>, steps t: [Int]) -> UnsafePointer<Float> { evaluate(x, steps: t, labels: nil) }

    /// `evaluate` with one label per sample (a class-conditional network), or nil.
    public func evaluate(_ x: UnsafePointer<Float>, steps t: [Int], labels: [Int]?) -> UnsafePointer<Float> {
        context.inference = true
        defer { context.inference = false }
        return forward([x], Conditioning(steps: t, labels: labels))
    }

    /// `backward` of the parameters only.
    public func backward(_ gradOutput: UnsafePointer<Float>, images: Int, into gradients: UnsafeMutablePointer<Float>) {
        backward(gradOutput, images: images, into: gradients, inputGradients: [])
    }
}
