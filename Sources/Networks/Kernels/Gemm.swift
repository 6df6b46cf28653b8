/// Single-precision matrix products for the networks: a register-blocked SIMD kernel.
///
/// C (m × n, row stride `ldc`) = or += A·B, where A (m × k) is row-major with row stride `lda` and
/// B (k × n) has been packed by `pack(_:ldb:k:n:into:)` into strips of 16 columns, each strip k × 16
/// contiguous — so the kernel streams B from L1 without cache-set conflicts whatever B's row stride.
/// The inner kernel keeps a 6 × 16 block of C in twelve 8-wide registers and, for each of the k
/// steps, broadcasts six A values against two 8-wide rows of B: 12 fused multiply-adds per 2 loads
/// (the classic AVX2 shape). Rows beyond a multiple of 6 take four-, two- and one-row kernels; B's
/// last strip is zero-padded, and only its real columns of C are written (`GemmEdges.swift`). Where the build machine has AVX-512
/// (`WORKBENCH_AVX512`, set by Package.swift), blocks of 12 rows use twelve 16-wide registers first:
/// every element of C still sums its k products in the same order with the same fused multiply-adds,
/// so the results are bit-identical to the AVX2 kernel's.
public enum Gemm {
    /// Floats needed to pack a k × n matrix: k · 16 · ⌈n/16⌉.
    @inlinable
    public static func packedCount(k: Int, n: Int) -> Int { k * 16 * ((n + 15) / 16) }

    /// Packs B (k × n, row stride `ldb`) into strips of 16 columns, zero-padding the last.
    @inlinable
    public static func pack(_ b: UnsafePointer<Float>, ldb: Int, k: Int, n: Int, into packed: UnsafeMutablePointer<Float>) {
        var strip = 0
        var j = 0
        while j < n {
            let width = min(16, n - j)
            let base = packed + strip * k * 16
            for l in 0..<k {
                let row = b + l * ldb + j
                let out = base + l * 16
                if width == 16 {
                    out.update(from: row, count: 16)
                } else {
                    for c in 0..<16 { out[c] = c < width ? row[c] : 0 }
                }
            }
            strip += 1
            j += 16
        }
    }

    /// C ← A·B (or C ← C + A·B when `accumulate`), B packed.
    @inlinable
    public static func multiply(
        m: Int, n: Int, k: Int, a: UnsafePointer<Float>, lda: Int, packedB: UnsafePointer<Float>,
        c: UnsafeMutablePointer<Float>, ldc: Int, accumulate: Bool
    ) {
        #if WORKBENCH_AVX512
            let blocked = multiplyBlocks(m: m, n: n, k: k, a: a, lda: lda, packedB: packedB, c: c, ldc: ldc, accumulate: accumulate)
        #endif
        var strip = 0
        var j = 0
        while j < n {
            let width = min(16, n - j)
            let b = packedB + strip * k * 16
            var i = 0
            #if WORKBENCH_AVX512
                // Rows below `blocked` were done 12 at a time by `multiplyBlocks`; the 1-row kernel
                // finishes them in a partial strip.
                i = width == 16 ? blocked : 0
            #endif
            if width == 16 {
                while i + 6 <= m {
                    kernel6x16(k, a + i * lda, lda, b, c + i * ldc + j, ldc, accumulate)
                    i += 6
                }
                edgeRows(from: i, m: m, k: k, a: a, lda: lda, b: b, c: c + j, ldc: ldc, accumulate: accumulate)
            } else {
                narrowStrip(from: i, m: m, k: k, width: width, a: a, lda: lda, b: b, c: c + j, ldc: ldc, accumulate: accumulate)
            }
            strip += 1
            j += 16
        }
    }

    /// C ← SiLU(A·B + bias) for a packed B and n a multiple of 16: the bias and the activation are
    /// applied to each 6 × 16 block while it is still in registers (the sampler's hidden layers).
    @inlinable
    public static func multiplyBiasSiLU(
        m: Int, n: Int, k: Int, a: UnsafePointer<Float>, lda: Int, packedB: UnsafePointer<Float>,
        bias: UnsafePointer<Float>, c: UnsafeMutablePointer<Float>, ldc: Int
    ) {
        precondition(n % 16 == 0, "multiplyBiasSiLU: n = \(n) is not a multiple of 16")
        var j = 0
        while j < n {
            let b = packedB + (j / 16) * k * 16
            let (bias0, bias1) = (load(bias + j), load(bias + j + 8))
            var i = 0
            while i + 6 <= m {
                kernel6x16(k, a + i * lda, lda, b, c + i * ldc + j, ldc, false, bias0, bias1, true)
                i += 6
            }
            while i < m {
                kernel1x16(k, a + i * lda, b, c + i * ldc + j, 16, false)
                let row = c + i * ldc + j
                let (z0, z1) = (load(row) + bias0, load(row + 8) + bias1)
                store(VectorMath.silu(z0), row, false)
                store(VectorMath.silu(z1), row + 8, false)
                i += 1
            }
            j += 16
        }
    }

    /// Eight floats from `p` (any alignment).
    @inlinable @inline(__always)
    public static func load(_ p: UnsafePointer<Float>) -> SIMD8<Float> {
        UnsafeRawPointer(p).loadUnaligned(as: SIMD8<Float>.self)
    }

    /// Writes eight floats at `p` (any alignment), or adds them to what is there when `accumulate`.
    @inlinable @inline(__always)
    public static func store(_ value: SIMD8<Float>, _ p: UnsafeMutablePointer<Float>, _ accumulate: Bool) {
        let raw = UnsafeMutableRawPointer(p)
        raw.storeBytes(of: accumulate ? raw.loadUnaligned(as: SIMD8<Float>.self) + value : value, as: SIMD8<Float>.self)
    }

    /// One row of a register block: (c₀, c₁) += a·(b₀, b₁), with a broadcast against a 16-wide row of packed B.
    @inlinable @inline(__always)
    static func addRow(_ a: Float, _ b0: SIMD8<Float>, _ b1: SIMD8<Float>, _ c0: inout SIMD8<Float>, _ c1: inout SIMD8<Float>) {
        let s = SIMD8<Float>(repeating: a)
        c0.addProduct(s, b0)
        c1.addProduct(s, b1)
    }

    /// Writes (or adds) one 16-wide row of a register block at `p`.
    @inlinable @inline(__always)
    static func storeRow(_ c0: SIMD8<Float>, _ c1: SIMD8<Float>, _ p: UnsafeMutablePointer<Float>, _ accumulate: Bool) {
        store(c0, p, accumulate)
        store(c1, p + 8, accumulate)
    }

    /// The 6 × 16 register block: C[0..<6, 0..<16] (+)= Σₗ A[0..<6, l] ⊗ B[l, 0..<16].
    /// With `silu`, stores SiLU(C + bias) instead of C (bias columns `bias0`, `bias1`).
    @inlinable @inline(__always)
    static func kernel6x16(
        _ k: Int, _ a: UnsafePointer<Float>, _ lda: Int, _ b: UnsafePointer<Float>,
        _ c: UnsafeMutablePointer<Float>, _ ldc: Int, _ accumulate: Bool,
        _ bias0: SIMD8<Float> = SIMD8(), _ bias1: SIMD8<Float> = SIMD8(), _ silu: Bool = false
    ) {
        var c00 = SIMD8<Float>(), c01 = SIMD8<Float>(), c10 = SIMD8<Float>(), c11 = SIMD8<Float>()
        var c20 = SIMD8<Float>(), c21 = SIMD8<Float>(), c30 = SIMD8<Float>(), c31 = SIMD8<Float>()
        var c40 = SIMD8<Float>(), c41 = SIMD8<Float>(), c50 = SIMD8<Float>(), c51 = SIMD8<Float>()
        let (a0, a1, a2, a3, a4, a5) = (a, a + lda, a + 2 * lda, a + 3 * lda, a + 4 * lda, a + 5 * lda)
        var pb = b
        for l in 0..<k {
            let b0 = load(pb)
            let b1 = load(pb + 8)
            addRow(a0[l], b0, b1, &c00, &c01)
            addRow(a1[l], b0, b1, &c10, &c11)
            addRow(a2[l], b0, b1, &c20, &c21)
            addRow(a3[l], b0, b1, &c30, &c31)
            addRow(a4[l], b0, b1, &c40, &c41)
            addRow(a5[l], b0, b1, &c50, &c51)
            pb += 16
        }
        if silu {
            @inline(__always) func activate(_ x: SIMD8<Float>, _ b: SIMD8<Float>) -> SIMD8<Float> {
                let z = x + b
                return VectorMath.silu(z)
            }
            c00 = activate(c00, bias0); c01 = activate(c01, bias1); c10 = activate(c10, bias0); c11 = activate(c11, bias1)
            c20 = activate(c20, bias0); c21 = activate(c21, bias1); c30 = activate(c30, bias0); c31 = activate(c31, bias1)
            c40 = activate(c40, bias0); c41 = activate(c41, bias1); c50 = activate(c50, bias0); c51 = activate(c51, bias1)
        }
        storeRow(c00, c01, c, accumulate)
        storeRow(c10, c11, c + ldc, accumulate)
        storeRow(c20, c21, c + 2 * ldc, accumulate)
        storeRow(c30, c31, c + 3 * ldc, accumulate)
        storeRow(c40, c41, c + 4 * ldc, accumulate)
        storeRow(c50, c51, c + 5 * ldc, accumulate)
    }

    /// One row of C against a 16-wide strip of packed B, writing its first `width` columns.
    @inlinable @inline(__always)
    static func kernel1x16(
        _ k: Int, _ a: UnsafePointer<Float>, _ b: UnsafePointer<Float>, _ c: UnsafeMutablePointer<Float>,
        _ width: Int, _ accumulate: Bool
    ) {
        var c0 = SIMD8<Float>(), c1 = SIMD8<Float>()
        var pb = b
        for l in 0..<k {
            let s = SIMD8<Float>(repeating: a[l])
            c0.addProduct(s, load(pb)); c1.addProduct(s, load(pb + 8))
            pb += 16
        }
        if width == 16 {
            storeRow(c0, c1, c, accumulate)
        } else {
            for j in 0..<width {
                let v = j < 8 ? c0[j] : c1[j - 8]
                c[j] = accumulate ? c[j] + v : v
            }
        }
    }

    /// The transpose of a row-major `rows` × `columns` matrix into `out` (`columns` × `rows`, or with rows
    /// `outputStride` apart: a block of rows of a taller matrix), in 16 × 8 tiles so both sides stay in cache.
    @inlinable
    public static func transpose(_ b: UnsafePointer<Float>, rows: Int, columns: Int, into out: UnsafeMutablePointer<Float>, outputStride: Int? = nil) {
        let stride = outputStride ?? rows
        // Blocks of 16 rows × 8 columns: each of the block's 8 output rows gets 16 contiguous floats (one
        // cache line); pointers step with wrapping arithmetic (every index is inside the two buffers).
        var i0 = 0
        while i0 < rows {
            let iEnd = min(i0 + 16, rows)
            var j0 = 0
            while j0 < columns {
                let jEnd = min(j0 + 8, columns)
                for i in i0..<iEnd {
                    let source = b + i &* columns
                    var target = out + (j0 &* stride &+ i)
                    for j in j0..<jEnd {
                        target.pointee = source[j]
                        target += stride
                    }
                }
                j0 += 8
            }
            i0 += 16
        }
    }

    /// Packs Wᵀ, where W is row-major `rows` × `columns` (rows `rowStride` apart, default `columns`: a block
    /// of columns of a wider matrix): the packed form of the `columns` × `rows` matrix Wᵀ, read straight from W.
    @inlinable
    public static func packTransposed(
        _ w: UnsafePointer<Float>, rows: Int, columns: Int, rowStride: Int? = nil, into packed: UnsafeMutablePointer<Float>
    ) {
        let stride = rowStride ?? columns
        // Wᵀ has k = columns rows and n = rows columns; strip s holds Wᵀ[l, 16s ..< 16s + 16] = W[16s ..< 16s + 16, l].
        var strip = 0
        var j = 0
        while j < rows {
            let width = min(16, rows - j)
            let base = packed + strip * columns * 16
            for c in 0..<16 {
                if c < width {
                    let source = w + (j + c) * stride
                    for l in 0..<columns { base[l * 16 + c] = source[l] }
                } else {
                    for l in 0..<columns { base[l * 16 + c] = 0 }
                }
            }
            strip += 1
            j += 16
        }
    }

    #if WORKBENCH_AVX512
        @inlinable @inline(__always)
        static func load16(_ p: UnsafePointer<Float>) -> SIMD16<Float> {
            UnsafeRawPointer(p).loadUnaligned(as: SIMD16<Float>.self)
        }

        @inlinable @inline(__always)
        static func store16(_ value: SIMD16<Float>, _ p: UnsafeMutablePointer<Float>, _ accumulate: Bool) {
            let raw = UnsafeMutableRawPointer(p)
            raw.storeBytes(of: accumulate ? raw.loadUnaligned(as: SIMD16<Float>.self) + value : value, as: SIMD16<Float>.self)
        }

        /// C's rows 0 ..< 12·⌊m/12⌋ against B's full 16-column strips, 12 rows at a time, each block of
        /// A's rows run against every strip while it is in cache. - Returns: the rows done (a multiple of 12).
        @inlinable
        static func multiplyBlocks(
            m: Int, n: Int, k: Int, a: UnsafePointer<Float>, lda: Int, packedB: UnsafePointer<Float>,
            c: UnsafeMutablePointer<Float>, ldc: Int, accumulate: Bool
        ) -> Int {
            let rows = m / 12 * 12
            let strips = n / 16
            guard rows > 0, strips > 0, k > 0 else { return 0 }
            var i = 0
            while i < rows {
                for strip in 0..<strips {
                    kernel12x16(k, a + i * lda, lda, packedB + strip * k * 16, c + i * ldc + strip * 16, ldc, accumulate)
                }
                i += 12
            }
            return rows
        }

        /// The 12 × 16 register block on AVX-512: C[0..<12, 0..<16] (+)= Σₗ A[0..<12, l] ⊗ B[l, 0..<16], one
        /// 16-wide register per row, the products added in the order of `kernel6x16` and `kernel1x16`
        /// (so every element is bit-identical to theirs). The twelve row pointers are computed once, so
        /// each product reads A at row pointer + l.
        @inlinable @inline(__always)
        static func kernel12x16(
            _ k: Int, _ a: UnsafePointer<Float>, _ lda: Int, _ b: UnsafePointer<Float>,
            _ c: UnsafeMutablePointer<Float>, _ ldc: Int, _ accumulate: Bool
        ) {
            var c0 = SIMD16<Float>(), c1 = SIMD16<Float>(), c2 = SIMD16<Float>(), c3 = SIMD16<Float>()
            var c4 = SIMD16<Float>(), c5 = SIMD16<Float>(), c6 = SIMD16<Float>(), c7 = SIMD16<Float>()
            var c8 = SIMD16<Float>(), c9 = SIMD16<Float>(), c10 = SIMD16<Float>(), c11 = SIMD16<Float>()
            let (a0, a1, a2, a3) = (a, a + lda, a + 2 * lda, a + 3 * lda)
            let (a4, a5, a6, a7) = (a + 4 * lda, a + 5 * lda, a + 6 * lda, a + 7 * lda)
            let (a8, a9, a10, a11) = (a + 8 * lda, a + 9 * lda, a + 10 * lda, a + 11 * lda)
            var pb = b
            var l = 0
            while l < k {
                let bv = load16(pb)
                c0.addProduct(SIMD16(repeating: a0[l]), bv)
                c1.addProduct(SIMD16(repeating: a1[l]), bv)
                c2.addProduct(SIMD16(repeating: a2[l]), bv)
                c3.addProduct(SIMD16(repeating: a3[l]), bv)
                c4.addProduct(SIMD16(repeating: a4[l]), bv)
                c5.addProduct(SIMD16(repeating: a5[l]), bv)
                c6.addProduct(SIMD16(repeating: a6[l]), bv)
                c7.addProduct(SIMD16(repeating: a7[l]), bv)
                c8.addProduct(SIMD16(repeating: a8[l]), bv)
                c9.addProduct(SIMD16(repeating: a9[l]), bv)
                c10.addProduct(SIMD16(repeating: a10[l]), bv)
                c11.addProduct(SIMD16(repeating: a11[l]), bv)
                pb += 16
                l &+= 1
            }
            store16(c0, c, accumulate); store16(c1, c + ldc, accumulate)
            store16(c2, c + 2 * ldc, accumulate); store16(c3, c + 3 * ldc, accumulate)
            store16(c4, c + 4 * ldc, accumulate); store16(c5, c + 5 * ldc, accumulate)
            store16(c6, c + 6 * ldc, accumulate); store16(c7, c + 7 * ldc, accumulate)
            store16(c8, c + 8 * ldc, accumulate); store16(c9, c + 9 * ldc, accumulate)
            store16(c10, c + 10 * ldc, accumulate); store16(c11, c + 11 * ldc, accumulate)
        }
    #endif
}
