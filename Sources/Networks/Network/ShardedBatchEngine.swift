/// A `Graph` run on a fixed number of batch shards, for networks too small to split each layer over
/// threads (the 2-D MLP: a batch of 256 rows gives each matrix product too little work to share). Every
/// batch of N samples is cut into `shards` contiguous shards (shard i holds rows ⌊iN/S⌋ ..< ⌊(i+1)N/S⌋),
/// each on its own single-threaded `GraphEngine`, and the shards' parameter gradients are added in shard
/// order. The threads take the shards in turn (thread p runs shards p, p + threads, …), so the arithmetic,
/// and every result, is the same for any thread count; more threads than shards add nothing.
public final class ShardedBatchEngine: DenoisingEngine {
    /// The largest batch.
    public let capacity: Int
    /// The number of shards every batch is cut into.
    public let shards: Int
    /// Threads: 1 … shards.
    public let threads: Int
    let engines: [GraphEngine]
    let gradients: [FloatBuffer]
    let output: FloatBuffer
    let pool: WorkerPool
    let inputWidth: Int, outputWidth: Int, parameterCount: Int
    /// The shards of the last forward batch: first row and row count.
    private var parts: [(first: Int, rows: Int)] = []
    /// Whether the last batch was a training forward (a backward may follow).
    private var trainable = false

    /// An engine for `graph` (one input) and batches of up to `capacity` samples, cut into `shards` shards
    /// run on `threads` threads (capped at `shards`).
    public init(graph: Graph, capacity: Int, shards: Int, threads: Int = 1) {
        precondition(capacity >= 1 && shards >= 1 && threads >= 1, "ShardedBatchEngine: capacity, shards and threads must be ≥ 1")
        precondition(graph.inputs.count == 1, "ShardedBatchEngine: a graph of one input")
        self.capacity = capacity
        self.shards = shards
        self.threads = min(threads, shards)
        let rows = (capacity + shards - 1) / shards
        let leader = GraphEngine(graph: graph, capacity: rows, threads: 1)
        engines = [leader] + (1..<shards).map { _ in GraphEngine(graph: graph, capacity: rows, threads: 1, sharingPackingWith: leader) }
        parameterCount = graph.layout.count
        gradients = (0..<shards).map { _ in FloatBuffer(count: graph.layout.count) }
        inputWidth = graph.inputs[0].count
        outputWidth = graph.shape(graph.output).count
        output = FloatBuffer(count: capacity * outputWidth)
        pool = WorkerPool(threads: self.threads)
    }

    /// Sets the parameters (the first shard's engine packs the weights, the others share them).
    public func load(_ parameters: [Float]) { for engine in engines { engine.load(parameters) } }

    /// The output for `t.count` samples x, keeping what `backward` needs.
    public func forward(_ x: UnsafePointer<Float>, steps t: [Int]) -> UnsafePointer<Float> { run(x, t, labels: nil, inference: false) }

    /// `forward` with one label per sample (a class-conditional network), or nil.
    public func forward(_ x: UnsafePointer<Float>, steps t: [Int], labels: [Int]?) -> UnsafePointer<Float> {
        run(x, t, labels: labels, inference: false)
    }

    /// The output for inference (each shard's `GraphEngine.evaluate`).
    public func evaluate(_ x: UnsafePointer<Float>, steps t: [Int]) -> UnsafePointer<Float> { run(x, t, labels: nil, inference: true) }

    /// `evaluate` with one label per sample, or nil.
    public func evaluate(_ x: UnsafePointer<Float>, steps t: [Int], labels: [Int]?) -> UnsafePointer<Float> {
        run(x, t, labels: labels, inference: true)
    }

    /// ∂L/∂θ for the last forward batch: the shards' gradients added in shard order.
    public func backward(_ gradOutput: UnsafePointer<Float>, images: Int, into gradients: UnsafeMutablePointer<Float>) {
        precondition(
            trainable && images == parts.reduce(0) { $0 + $1.rows },
            "ShardedBatchEngine: backward for \(images) samples without a training forward of them")
        let parts = self.parts
        pool.run { thread in
            for s in stride(from: thread, to: shards, by: pool.threads) where parts[s].rows > 0 {
                engines[s].backward(gradOutput + parts[s].first * outputWidth, images: parts[s].rows, into: self.gradients[s].pointer)
            }
        }
        let used = (0..<shards).filter { parts[$0].rows > 0 }
        gradients.update(from: self.gradients[used[0]].pointer, count: parameterCount)
        for s in used.dropFirst() {
            let g = self.gradients[s].pointer
            for i in 0..<parameterCount { gradients[i] += g[i] }
        }
    }

    /// Runs each non-empty shard (forward or evaluate) and gathers the outputs.
    private func run(_ x: UnsafePointer<Float>, _ t: [Int], labels: [Int]?, inference: Bool) -> UnsafePointer<Float> {
        let n = t.count
        precondition(n >= 1 && n <= capacity, "ShardedBatchEngine: \(n) samples, capacity \(capacity)")
        parts = (0..<shards).map { s in (s * n / shards, (s + 1) * n / shards - s * n / shards) }
        trainable = !inference
        let parts = self.parts
        pool.run { thread in
            for s in stride(from: thread, to: shards, by: pool.threads) where parts[s].rows > 0 {
                let (first, rows) = parts[s]
                let steps = Array(t[first..<(first + rows)])
                let y = labels.map { Array($0[first..<(first + rows)]) }
                let out =
                    inference
                    ? engines[s].evaluate(x + first * inputWidth, steps: steps, labels: y)
                    : engines[s].forward(x + first * inputWidth, steps: steps, labels: y)
                (output.pointer + first * outputWidth).update(from: out, count: rows * outputWidth)
            }
        }
        return UnsafePointer(output.pointer)
    }
}
