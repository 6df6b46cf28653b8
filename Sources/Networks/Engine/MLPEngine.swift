import TensorCore

/// The fast path of an `MLP` behind the `DenoisingEngine` protocol: builds the input rows
/// [xₜ, embedding(t)] and runs `NetworkEngine` forward and backward.
///
/// Every batch is split into two halves (the first ⌈N/2⌉ rows, then the rest), each with its own
/// `NetworkEngine`, and the two halves' gradients are added in that order: with `threads = 2` each half
/// runs on its own thread, and the numbers are bit-identical at 1 and 2 threads.
///
/// `evaluate` (inference, no backward to follow) uses that every sample of a sampling step shares t:
/// the first layer's embedding part emb(t)·W₁ₑ + b₁ is then one row, computed once per call
/// (1/17 of the first layer's work), and bias + SiLU are applied while the products are in registers.
public final class MLPEngine: DenoisingEngine {
    /// The largest batch.
    public let capacity: Int
    /// Threads: 1, or 2 (one per half batch).
    public let threads: Int
    let sizes: [Int]
    let halves: [Half]
    let pool: WorkerPool
    let packed: PackedNetwork
    let output: FloatBuffer
    let sharedBias: FloatBuffer  // emb(t)·W₁ₑ + b₁ for `evaluate`
    var embeddings: [Float] = []  // embedding(t) for t = 1…embeddings.count/32
    var split = (0, 0)

    /// One half of the batch: its engine, input rows and gradient.
    final class Half {
        let engine: NetworkEngine
        let input: FloatBuffer
        let gradients: FloatBuffer
        init(sizes: [Int], rows: Int) {
            engine = NetworkEngine(sizes: sizes, capacity: rows)
            input = FloatBuffer(count: rows * sizes[0])
            gradients = FloatBuffer(count: MLP.parameterCount(sizes))
        }
    }

    /// An engine for networks of `sizes` and batches of up to `capacity` points, on `threads` (1 or 2;
    /// more are capped at 2) threads.
    public init(sizes: [Int], capacity: Int, threads: Int = 1) {
        precondition(capacity >= 1 && threads >= 1, "MLPEngine: capacity and threads must be ≥ 1")
        self.capacity = capacity
        self.threads = min(threads, 2)
        self.sizes = sizes
        halves = (0..<2).map { _ in Half(sizes: sizes, rows: (capacity + 1) / 2) }
        pool = WorkerPool(threads: self.threads)
        packed = PackedNetwork(MLP(sizes: sizes, parameters: [Float](repeating: 0, count: MLP.parameterCount(sizes))))
        output = FloatBuffer(count: capacity * sizes.last!)
        sharedBias = FloatBuffer(count: sizes[1])
    }

    /// Repacks the weights.
    public func load(_ parameters: [Float]) { packed.update(MLP(sizes: sizes, parameters: parameters)) }

    /// ε_θ for points x [N, dimension] at steps t, keeping what `backward` needs.
    public func forward(_ x: UnsafePointer<Float>, steps t: [Int]) -> UnsafePointer<Float> {
        prepare(t)
        let (width, d, out) = (sizes[0], sizes[0] - TimeEmbedding.width, sizes.last!)
        run { half, first, rows in
            let input = half.input.pointer
            for r in 0..<rows {
                (input + r * width).update(from: x + (first + r) * d, count: d)
                self.embeddings.withUnsafeBufferPointer { e in
                    (input + r * width + d).update(from: e.baseAddress! + (t[first + r] - 1) * TimeEmbedding.width, count: TimeEmbedding.width)
                }
            }
            half.engine.forward(self.packed, input: input, rows: rows, output: self.output.pointer + first * out)
        }
        return UnsafePointer(output.pointer)
    }

    /// The same ε_θ as `forward` up to rounding (when every t is equal the first layer's embedding part is
    /// summed in another order), keeping nothing for a backward pass.
    public func evaluate(_ x: UnsafePointer<Float>, steps t: [Int]) -> UnsafePointer<Float> {
        guard sizes.count >= 3, let step = t.first, t.allSatisfy({ $0 == step }) else { return forward(x, steps: t) }
        prepare(t)
        let (h, d, out) = (sizes[1], sizes[0] - TimeEmbedding.width, sizes.last!)
        let p = packed.model.parameters
        // emb(t)·W₁ₑ + b₁: rows d…d+31 of W₁ [in, out].
        for j in 0..<h {
            var sum = p[packed.model.biasOffset(0) + j]
            for k in 0..<TimeEmbedding.width { sum += embeddings[(step - 1) * TimeEmbedding.width + k] * p[packed.model.weightOffset(0) + (d + k) * h + j] }
            sharedBias.pointer[j] = sum
        }
        run { half, first, rows in
            half.engine.infer(self.packed, points: x + first * d, firstLayerBias: self.sharedBias.pointer, rows: rows, output: self.output.pointer + first * out)
        }
        split = (0, 0)  // no backward after `evaluate`
        return UnsafePointer(output.pointer)
    }

    /// The parameters' gradient for ∂L/∂ε_θ = `gradOutput`, after `forward` on the same batch:
    /// the first half's gradient plus the second's.
    public func backward(_ gradOutput: UnsafePointer<Float>, images: Int, into gradients: UnsafeMutablePointer<Float>) {
        precondition(images == split.0 + split.1 && images > 0, "MLPEngine: backward for \(images) points after a forward of \(split.0 + split.1)")
        let out = sizes.last!
        run { half, first, rows in
            half.engine.backward(self.packed, input: half.input.pointer, gradOutput: gradOutput + first * out, rows: rows, gradients: half.gradients.pointer)
        }
        let count = MLP.parameterCount(sizes)
        let (g0, g1) = (halves[0].gradients.pointer, halves[1].gradients.pointer)
        if split.1 == 0 { gradients.update(from: g0, count: count); return }
        for i in 0..<count { gradients[i] = g0[i] + g1[i] }
    }

    /// Checks the batch, splits it into halves, and extends the embedding table to the largest t.
    func prepare(_ t: [Int]) {
        precondition(t.count <= capacity, "MLPEngine: \(t.count) points, capacity \(capacity)")
        precondition(t.allSatisfy { $0 >= 1 }, "MLPEngine: paper steps start at t = 1")
        split = ((t.count + 1) / 2, t.count / 2)
        let known = embeddings.count / TimeEmbedding.width
        if let largest = t.max(), largest > known { embeddings += (known + 1...largest).flatMap { TimeEmbedding.embedding($0) } }
    }

    /// Runs `body(half, first row, rows)` for each non-empty half, one per thread.
    func run(_ body: (Half, Int, Int) -> Void) {
        let parts = [(0, split.0), (split.0, split.1)]
        pool.run { part in
            for h in stride(from: part, to: 2, by: self.pool.threads) where parts[h].1 > 0 { body(self.halves[h], parts[h].0, parts[h].1) }
        }
    }
}
