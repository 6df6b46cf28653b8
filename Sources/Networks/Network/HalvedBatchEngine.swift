/// A `Graph` run on two half batches, for networks too small to split each layer over threads (the 2-D
/// MLP: a batch of 256 rows gives each matrix product too little work to share). Every batch is split
/// into its first ⌈N/2⌉ samples and the rest, each half on its own single-threaded `GraphEngine`, and the
/// halves' parameter gradients are added in that order. With 2 threads each half runs on its own
/// thread; with 1 the halves run in turn — the same arithmetic, so the results are bit-identical.
public final class HalvedBatchEngine: DenoisingEngine {
    /// The largest batch.
    public let capacity: Int
    /// Threads: 1, or 2 (one per half; more are capped at 2).
    public let threads: Int
    let halves: [GraphEngine]
    let gradients: [FloatBuffer]
    let output: FloatBuffer
    let pool: WorkerPool
    let inputWidth: Int, outputWidth: Int, parameterCount: Int
    /// The rows of the last forward batch in each half.
    private var split = (0, 0)
    /// Whether the last batch was a training forward (a backward may follow).
    private var trainable = false

    /// An engine for `graph` (one input) and batches of up to `capacity` samples on `threads` threads.
    public init(graph: Graph, capacity: Int, threads: Int = 1) {
        precondition(capacity >= 1 && threads >= 1, "HalvedBatchEngine: capacity and threads must be ≥ 1")
        precondition(graph.inputs.count == 1, "HalvedBatchEngine: a graph of one input")
        self.capacity = capacity
        self.threads = min(threads, 2)
        let first = GraphEngine(graph: graph, capacity: (capacity + 1) / 2, threads: 1)
        halves = [first, GraphEngine(graph: graph, capacity: (capacity + 1) / 2, threads: 1, sharingPackingWith: first)]
        parameterCount = graph.layout.count
        gradients = (0..<2).map { _ in FloatBuffer(count: graph.layout.count) }
        inputWidth = graph.inputs[0].count
        outputWidth = graph.shape(graph.output).count
        output = FloatBuffer(count: capacity * outputWidth)
        pool = WorkerPool(threads: self.threads)
    }

    /// Sets both halves' parameters (the first packs the weights, the second shares them).
    public func load(_ parameters: [Float]) { for half in halves { half.load(parameters) } }

    /// The output for `t.count` samples x, keeping what `backward` needs.
    public func forward(_ x: UnsafePointer<Float>, steps t: [Int]) -> UnsafePointer<Float> { run(x, t, labels: nil, inference: false) }

    /// `forward` with one label per sample (a class-conditional network), or nil.
    public func forward(_ x: UnsafePointer<Float>, steps t: [Int], labels: [Int]?) -> UnsafePointer<Float> {
        run(x, t, labels: labels, inference: false)
    }

    /// The output for inference (each half's `GraphEngine.evaluate`).
    public func evaluate(_ x: UnsafePointer<Float>, steps t: [Int]) -> UnsafePointer<Float> { run(x, t, labels: nil, inference: true) }

    /// `evaluate` with one label per sample, or nil.
    public func evaluate(_ x: UnsafePointer<Float>, steps t: [Int], labels: [Int]?) -> UnsafePointer<Float> {
        run(x, t, labels: labels, inference: true)
    }

    /// ∂L/∂θ for the last forward batch: the first half's gradient plus the second's.
    public func backward(_ gradOutput: UnsafePointer<Float>, images: Int, into gradients: UnsafeMutablePointer<Float>) {
        precondition(trainable && images == split.0 + split.1, "HalvedBatchEngine: backward for \(images) samples without a training forward of them")
        let parts = [(0, split.0), (split.0, split.1)]
        pool.run { part in
            for h in stride(from: part, to: 2, by: pool.threads) where parts[h].1 > 0 {
                halves[h].backward(gradOutput + parts[h].0 * outputWidth, images: parts[h].1, into: self.gradients[h].pointer)
            }
        }
        let (g0, g1) = (self.gradients[0].pointer, self.gradients[1].pointer)
        if split.1 == 0 { gradients.update(from: g0, count: parameterCount); return }
        for i in 0..<parameterCount { gradients[i] = g0[i] + g1[i] }
    }

    /// Runs each non-empty half (forward or evaluate) and gathers the outputs.
    private func run(_ x: UnsafePointer<Float>, _ t: [Int], labels: [Int]?, inference: Bool) -> UnsafePointer<Float> {
        precondition(t.count >= 1 && t.count <= capacity, "HalvedBatchEngine: \(t.count) samples, capacity \(capacity)")
        split = ((t.count + 1) / 2, t.count / 2)
        trainable = !inference
        let parts = [(0, split.0), (split.0, split.1)]
        pool.run { part in
            for h in stride(from: part, to: 2, by: pool.threads) where parts[h].1 > 0 {
                let (first, rows) = parts[h]
                let steps = Array(t[first..<(first + rows)])
                let y = labels.map { Array($0[first..<(first + rows)]) }
                let out =
                    inference
                    ? halves[h].evaluate(x + first * inputWidth, steps: steps, labels: y)
                    : halves[h].forward(x + first * inputWidth, steps: steps, labels: y)
                (output.pointer + first * outputWidth).update(from: out, count: rows * outputWidth)
            }
        }
        return UnsafePointer(output.pointer)
    }
}
