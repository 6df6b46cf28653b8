/// The edges of `Gemm.multiply`: the rows below a multiple of 6 and the strips narrower than 16 columns.
///
/// A one-row kernel keeps only two accumulators, so each fused multiply-add waits for the previous one
/// (a chain as long as the FMA latency, 4–5 cycles): about ⅕ of the core's peak. The ∂W products have
/// m = cout rows (16 = 6 + 6 + 4, 32 = 5·6 + 2), so their last rows ran at that rate. Four- and two-row
/// kernels keep eight and four chains in flight. Every element of C still sums its k products in the
/// order l = 0, 1, …, k − 1 with the same fused multiply-adds, so the results are bit-identical to the
/// six-row kernel's whichever kernel a row lands on (and so to any split of the rows between threads).
extension Gemm {
    /// C's rows `first ..< m` against one full 16-column strip `b`: 4, 2, then 1 row at a time.
    @inlinable @inline(__always)
    static func edgeRows(
        from first: Int, m: Int, k: Int, a: UnsafePointer<Float>, lda: Int, b: UnsafePointer<Float>,
        c: UnsafeMutablePointer<Float>, ldc: Int, accumulate: Bool
    ) {
        var i = first
        if i + 4 <= m {
            kernel4x16(k, a + i * lda, lda, b, c + i * ldc, ldc, accumulate)
            i += 4
        }
        if i + 2 <= m {
            kernel2x16(k, a + i * lda, lda, b, c + i * ldc, ldc, accumulate)
            i += 2
        }
        if i < m { kernel1x16(k, a + i * lda, b, c + i * ldc, 16, accumulate) }
    }

    /// C's rows `first ..< m` against a strip of which only the first `width` (< 16) columns are real
    /// (the packed strip is zero-padded): each block of rows is computed whole into a 6 × 16 tile, then
    /// its real columns are written (or added) into C.
    @inlinable
    static func narrowStrip(
        from first: Int, m: Int, k: Int, width: Int, a: UnsafePointer<Float>, lda: Int, b: UnsafePointer<Float>,
        c: UnsafeMutablePointer<Float>, ldc: Int, accumulate: Bool
    ) {
        withUnsafeTemporaryAllocation(of: Float.self, capacity: 6 * 16) { buffer in
            let tile = buffer.baseAddress!
            tile.initialize(repeating: 0, count: 6 * 16)
            var i = first
            while i < m {
                let rows = min(6, m - i)
                if rows == 6 {
                    kernel6x16(k, a + i * lda, lda, b, tile, 16, false)
                } else {
                    edgeRows(from: 0, m: rows, k: k, a: a + i * lda, lda: lda, b: b, c: tile, ldc: 16, accumulate: false)
                }
                for r in 0..<rows {
                    let row = c + (i + r) * ldc
                    for j in 0..<width { row[j] = accumulate ? row[j] + tile[r * 16 + j] : tile[r * 16 + j] }
                }
                i += rows
            }
        }
    }

    /// The 4 × 16 register block: C[0..<4, 0..<16] (+)= Σₗ A[0..<4, l] ⊗ B[l, 0..<16] (eight chains).
    @inlinable @inline(__always)
    static func kernel4x16(
        _ k: Int, _ a: UnsafePointer<Float>, _ lda: Int, _ b: UnsafePointer<Float>,
        _ c: UnsafeMutablePointer<Float>, _ ldc: Int, _ accumulate: Bool
    ) {
        var c00 = SIMD8<Float>(), c01 = SIMD8<Float>(), c10 = SIMD8<Float>(), c11 = SIMD8<Float>()
        var c20 = SIMD8<Float>(), c21 = SIMD8<Float>(), c30 = SIMD8<Float>(), c31 = SIMD8<Float>()
        let (a0, a1, a2, a3) = (a, a + lda, a + 2 * lda, a + 3 * lda)
        var pb = b
        for l in 0..<k {
            let b0 = load(pb)
            let b1 = load(pb + 8)
            addRow(a0[l], b0, b1, &c00, &c01)
            addRow(a1[l], b0, b1, &c10, &c11)
            addRow(a2[l], b0, b1, &c20, &c21)
            addRow(a3[l], b0, b1, &c30, &c31)
            pb += 16
        }
        storeRow(c00, c01, c, accumulate)
        storeRow(c10, c11, c + ldc, accumulate)
        storeRow(c20, c21, c + 2 * ldc, accumulate)
        storeRow(c30, c31, c + 3 * ldc, accumulate)
    }

    /// The 2 × 16 register block: C[0..<2, 0..<16] (+)= Σₗ A[0..<2, l] ⊗ B[l, 0..<16] (four chains).
    @inlinable @inline(__always)
    static func kernel2x16(
        _ k: Int, _ a: UnsafePointer<Float>, _ lda: Int, _ b: UnsafePointer<Float>,
        _ c: UnsafeMutablePointer<Float>, _ ldc: Int, _ accumulate: Bool
    ) {
        var c00 = SIMD8<Float>(), c01 = SIMD8<Float>(), c10 = SIMD8<Float>(), c11 = SIMD8<Float>()
        let (a0, a1) = (a, a + lda)
        var pb = b
        for l in 0..<k {
            let b0 = load(pb)
            let b1 = load(pb + 8)
            addRow(a0[l], b0, b1, &c00, &c01)
            addRow(a1[l], b0, b1, &c10, &c11)
            pb += 16
        }
        storeRow(c00, c01, c, accumulate)
        storeRow(c10, c11, c + ldc, accumulate)
    }
}
