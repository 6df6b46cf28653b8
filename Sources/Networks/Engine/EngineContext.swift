/// What every fast layer of one engine shares: the worker threads, and scratch space large enough for
/// the largest unrolled convolution input (its `col` and its transpose), packed gradient, and gradient
/// delivered into a sink that adds (`GradientSink.add`). Ops size it as they are created (`reserve`).
public final class EngineContext {
    /// The threads; every split below is by whole rows or whole images, so results do not depend on it.
    let pool: WorkerPool
    /// Scratch for unrolled inputs: per-thread chunks of `chunkRows` rows, or a whole [rows, K] matrix where
    /// an op needs one; sized by the ops as they are created (`reserve`).
    private(set) var col: FloatBuffer
    /// Per-thread scratch for one packed strip (16 columns) of an unrolled input, [rows, 16].
    private(set) var strips: FloatBuffer
    /// Scratch for a transposed output gradient.
    private(set) var packed: FloatBuffer
    /// Scratch for a gradient on its way into a sink that adds.
    private(set) var sinkScratch: FloatBuffer
    /// Three scratch maps for gradients inside a block, each as large as its largest use (`reserve`).
    private(set) var gradients: [FloatBuffer]
    /// Scratch for ∂qkv inside an attention block's backward (one attention at a time).
    private(set) var attentionGradient: FloatBuffer
    /// Scratch for a linear layer's backward pass: ∂zᵀ, its input packed, and ∂z through SiLU (`LinearOp`).
    private(set) var linear: [FloatBuffer] = (0..<3).map { _ in FloatBuffer(count: 0) }
    /// Whether the forward pass in progress is for inference (no backward follows): an op may then skip
    /// what only the backward pass needs and reorder sums (`GraphEngine.evaluate` sets it).
    var inference = false
    /// The most rows a thread unrolls at a time (a multiple of the GEMM's 6- and 12-row blocks); the scratch
    /// is sized for it.
    static let chunkRows = 96

    /// Rows a thread unrolls at a time for `depth`-wide rows: as many as keep the chunk within 16 KiB, so it
    /// is still in the 32 KiB L1 cache, beside a strip of the packed weights, when the GEMM reads it back
    /// (12 to `chunkRows`, a multiple of 12). The GEMM sums each element in one order whatever the chunks.
    static func chunkRows(depth: Int) -> Int { max(12, min(chunkRows, 4096 / max(depth, 1) / 12 * 12)) }

    /// A context with `threads` threads and no scratch yet.
    init(threads: Int) {
        pool = WorkerPool(threads: threads)
        col = FloatBuffer(count: 0)
        strips = FloatBuffer(count: 0)
        packed = FloatBuffer(count: 0)
        sinkScratch = FloatBuffer(count: 0)
        gradients = (0..<3).map { _ in FloatBuffer(count: 0) }
        attentionGradient = FloatBuffer(count: 0)
    }

    /// Grows gradient map i to at least `maps[i]` floats, and the attention scratch to `attention`.
    func reserve(gradients maps: [Int], attention: Int = 0) {
        for (i, count) in maps.enumerated() where count > gradients[i].count { gradients[i] = FloatBuffer(count: count) }
        if attention > attentionGradient.count { attentionGradient = FloatBuffer(count: attention) }
    }

    /// Grows the scratch to at least `col` floats and `strip` floats per thread (while ops are created,
    /// before any runs).
    func reserve(col count: Int, strip: Int) {
        if count > col.count { col = FloatBuffer(count: count) }
        if pool.threads * strip > strips.count { strips = FloatBuffer(count: pool.threads * strip) }
    }

    /// Grows linear scratch buffer i to at least `counts[i]` floats.
    func reserve(linear counts: [Int]) {
        for (i, count) in counts.enumerated() where count > linear[i].count { linear[i] = FloatBuffer(count: count) }
    }

    /// Grows the transposed-gradient scratch to at least `packed` floats.
    func reserve(packed count: Int) {
        if count > packed.count { packed = FloatBuffer(count: count) }
    }

    /// Grows the sink scratch to at least `sinkScratch` floats.
    func reserve(sinkScratch count: Int) {
        if count > sinkScratch.count { sinkScratch = FloatBuffer(count: count) }
    }

    /// Thread `part`'s share of `col` for `depth`-wide rows, `chunkRows` of them.
    func chunk(_ part: Int, depth: Int) -> UnsafeMutablePointer<Float> { col.pointer + part * EngineContext.chunkRows * depth }

    /// Runs `body(range)` on contiguous chunks of 0..<count, one per thread, chunk sizes a multiple of
    /// `align` (so GEMM row blocks stay whole) except the last.
    func parallel(_ count: Int, align: Int = 1, _ body: (Range<Int>) -> Void) {
        parallelParts(count, align: align) { _, range in body(range) }
    }

    /// a ← a + b over `count` floats, in blocks of 4,096 split over the threads (each element is one addition,
    /// so any split gives the same bits).
    func add(_ b: UnsafePointer<Float>, to a: UnsafeMutablePointer<Float>, count: Int) {
        let block = 4096
        parallel((count + block - 1) / block) { blocks in
            for i in (blocks.lowerBound * block)..<min(count, blocks.upperBound * block) { a[i] += b[i] }
        }
    }

    /// `parallel`, telling `body` which thread (0…threads − 1) runs the range.
    func parallelParts(_ count: Int, align: Int = 1, _ body: (Int, Range<Int>) -> Void) {
        let parts = pool.threads
        if parts == 1 || count < 2 * align { body(0, 0..<count); return }
        let chunk = ((count + parts - 1) / parts + align - 1) / align * align
        pool.run { part in
            let start = min(part * chunk, count)
            let end = min(start + chunk, count)
            if start < end { body(part, start..<end) }
        }
    }
}
