/// What every fast layer shares: the worker threads, and scratch space large enough for the largest
/// unrolled convolution input (its `col` and its transpose) and packed gradient.
final class EngineContext {
    /// The threads; every split below is by whole rows or whole images, so results do not depend on it.
    let pool: WorkerPool
    /// Scratch for an unrolled input [rows, K] and for its transpose [K, rows].
    let col: FloatBuffer, colTransposed: FloatBuffer
    /// Scratch for a packed output gradient.
    let packed: FloatBuffer
    /// Three scratch maps for gradients inside a block (the largest map: capacity·P·C).
    let gradients: [FloatBuffer]

    init(threads: Int, scratch: Int, packed: Int, map: Int) {
        pool = WorkerPool(threads: threads)
        col = FloatBuffer(count: scratch)
        colTransposed = FloatBuffer(count: scratch)
        self.packed = FloatBuffer(count: packed)
        gradients = (0..<3).map { _ in FloatBuffer(count: map) }
    }

    /// Runs `body(range)` on contiguous chunks of 0..<count, one per thread, chunk sizes a multiple of
    /// `align` (so GEMM row blocks stay whole) except the last.
    func parallel(_ count: Int, align: Int = 1, _ body: (Range<Int>) -> Void) {
        let parts = pool.threads
        if parts == 1 || count < 2 * align { body(0..<count); return }
        let chunk = ((count + parts - 1) / parts + align - 1) / align * align
        pool.run { part in
            let start = min(part * chunk, count)
            let end = min(start + chunk, count)
            if start < end { body(start..<end) }
        }
    }
}
