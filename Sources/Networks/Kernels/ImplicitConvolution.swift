/// A k × k convolution as the GEMM of `ConvolutionOp` without its unrolled input (an implicit GEMM).
///
/// The unrolled row of output position r holds, tap by tap, the `channels` values of x under the tap:
/// col[r, tap·channels + c] = x_tap(r)[c] (0 outside the map). With channels-last maps each x_tap(r) is
/// `channels` contiguous floats of x, so the kernel reads A through a table of row pointers — six rows,
/// one pointer per tap, a row of zeros outside — instead of a copy. Against a 16-channel map the copy
/// moves as many bytes as the product does arithmetic, so it cost a fifth of a sampling step.
/// The k products of each element are summed in the order (tap, c) = (0, 0), (0, 1), … with the same
/// fused multiply-adds as `Gemm.kernel6x16` on col, so the result is bit-identical to unroll-then-multiply.
enum ImplicitConvolution {
    /// Where a k × k window with stride s and padding p reads x [images, size, size, channels].
    struct Window {
        let channels: Int, size: Int, kernel: Int, stride: Int, padding: Int, outputSize: Int

        /// Taps per window, k².
        var taps: Int { kernel * kernel }
    }

    /// C[r − rows.lowerBound, 0..<n] = col[r, ·]·B for the rows of `rows` in whole register blocks (of eight on
    /// AVX-512, then of six), B packed (`Gemm.pack`, K = taps·channels rows) and n a multiple of 16; `zeros`
    /// holds `channels` zeros.
    /// - Returns: the first row not done (the last `rows.count` mod 6 rows or fewer are left to the caller).
    static func multiply(
        _ x: UnsafePointer<Float>, window w: Window, rows: Range<Int>, packedB: UnsafePointer<Float>, n: Int,
        c: UnsafeMutablePointer<Float>, ldc: Int, zeros: UnsafePointer<Float>
    ) -> Int {
        precondition(n % 16 == 0, "ImplicitConvolution: n = \(n) is not a multiple of 16")
        let (taps, channels) = (w.taps, w.channels)
        let strip = taps * channels * 16
        var next = rows.lowerBound
        #if WORKBENCH_AVX512
            // Eight rows against 32 columns: sixteen 16-wide accumulators, two loads of B and eight broadcasts
            // per step, and eight row pointers — few enough to stay in registers.
            next = blocks(of: 8, x, window: w, rows: rows, zeros: zeros) { table, first in
                let out = c + (first - rows.lowerBound) * ldc
                var j = 0
                while j + 32 <= n {
                    kernel8x32(taps: taps, channels: channels, table: table, b: packedB + j / 16 * strip, stride: strip, c: out + j, ldc: ldc)
                    j += 32
                }
                if j < n { kernel8x16(taps: taps, channels: channels, table: table, b: packedB + j / 16 * strip, c: out + j, ldc: ldc) }
            }
        #endif
        return blocks(of: 6, x, window: w, rows: next..<rows.upperBound, zeros: zeros) { table, first in
            let out = c + (first - rows.lowerBound) * ldc
            for j in stride(from: 0, to: n, by: 16) {
                kernel6x16(taps: taps, channels: w.channels, table: table, b: packedB + j / 16 * strip, c: out + j, ldc: ldc)
            }
        }
    }

    /// Runs `body(table, first)` for each whole block of `height` rows of `rows` (first = the block's first row),
    /// `table` holding the block's row pointers tap-major (`height` per tap; `zeros` for a tap outside the map).
    /// - Returns: the first row not in a whole block.
    @inline(__always)
    static func blocks(
        of height: Int, _ x: UnsafePointer<Float>, window w: Window, rows: Range<Int>, zeros: UnsafePointer<Float>,
        _ body: (UnsafePointer<UnsafePointer<Float>>, Int) -> Void
    ) -> Int {
        let count = rows.count / height
        guard count > 0 else { return rows.lowerBound }
        let taps = w.taps
        return withUnsafeTemporaryAllocation(of: UnsafePointer<Float>.self, capacity: height * taps) { buffer in
            let table = buffer.baseAddress!
            let perImage = w.outputSize * w.outputSize
            var (image, position) = rows.lowerBound.quotientAndRemainder(dividingBy: perImage)
            var (i, j) = position.quotientAndRemainder(dividingBy: w.outputSize)
            for block in 0..<count {
                for q in 0..<height {
                    let plane = x + image &* w.size &* w.size &* w.channels
                    for u in 0..<w.kernel {
                        let row = w.stride &* i &+ u &- w.padding
                        for v in 0..<w.kernel {
                            let column = w.stride &* j &+ v &- w.padding
                            let inside = row >= 0 && row < w.size && column >= 0 && column < w.size
                            table[(u &* w.kernel &+ v) &* height &+ q] = inside ? plane + (row &* w.size &+ column) &* w.channels : zeros
                        }
                    }
                    j &+= 1
                    if j == w.outputSize {
                        j = 0
                        i &+= 1
                        if i == w.outputSize { (i, image) = (0, image &+ 1) }
                    }
                }
                body(UnsafePointer(table), rows.lowerBound + block * height)
            }
            return rows.lowerBound + count * height
        }
    }

    #if WORKBENCH_AVX512
        /// C[0..<8, 0..<32] = Σ over (tap, l) of A[·, tap·channels + l] ⊗ B[·, 0..<32], A's eight rows read through
        /// `table` (eight pointers per tap), B the two packed strips at `b` and `b + stride`; each element's
        /// products in the order of `kernel6x16`, so bit-identical to it.
        @inline(__always)
        static func kernel8x32(
            taps: Int, channels: Int, table: UnsafePointer<UnsafePointer<Float>>, b: UnsafePointer<Float>, stride: Int,
            c: UnsafeMutablePointer<Float>, ldc: Int
        ) {
            var (c00, c01, c10, c11) = (SIMD16<Float>(), SIMD16<Float>(), SIMD16<Float>(), SIMD16<Float>())
            var (c20, c21, c30, c31) = (SIMD16<Float>(), SIMD16<Float>(), SIMD16<Float>(), SIMD16<Float>())
            var (c40, c41, c50, c51) = (SIMD16<Float>(), SIMD16<Float>(), SIMD16<Float>(), SIMD16<Float>())
            var (c60, c61, c70, c71) = (SIMD16<Float>(), SIMD16<Float>(), SIMD16<Float>(), SIMD16<Float>())
            var pb = b
            for tap in 0..<taps {
                let rows = table + tap &* 8
                let (a0, a1, a2, a3) = (rows[0], rows[1], rows[2], rows[3])
                let (a4, a5, a6, a7) = (rows[4], rows[5], rows[6], rows[7])
                for l in 0..<channels {
                    let (b0, b1) = (Gemm.load16(pb), Gemm.load16(pb + stride))
                    var s = SIMD16<Float>(repeating: a0[l]); c00.addProduct(s, b0); c01.addProduct(s, b1)
                    s = SIMD16(repeating: a1[l]); c10.addProduct(s, b0); c11.addProduct(s, b1)
                    s = SIMD16(repeating: a2[l]); c20.addProduct(s, b0); c21.addProduct(s, b1)
                    s = SIMD16(repeating: a3[l]); c30.addProduct(s, b0); c31.addProduct(s, b1)
                    s = SIMD16(repeating: a4[l]); c40.addProduct(s, b0); c41.addProduct(s, b1)
                    s = SIMD16(repeating: a5[l]); c50.addProduct(s, b0); c51.addProduct(s, b1)
                    s = SIMD16(repeating: a6[l]); c60.addProduct(s, b0); c61.addProduct(s, b1)
                    s = SIMD16(repeating: a7[l]); c70.addProduct(s, b0); c71.addProduct(s, b1)
                    pb += 16
                }
            }
            Gemm.store16(c00, c, false); Gemm.store16(c01, c + 16, false)
            Gemm.store16(c10, c + ldc, false); Gemm.store16(c11, c + ldc + 16, false)
            Gemm.store16(c20, c + 2 * ldc, false); Gemm.store16(c21, c + 2 * ldc + 16, false)
            Gemm.store16(c30, c + 3 * ldc, false); Gemm.store16(c31, c + 3 * ldc + 16, false)
            Gemm.store16(c40, c + 4 * ldc, false); Gemm.store16(c41, c + 4 * ldc + 16, false)
            Gemm.store16(c50, c + 5 * ldc, false); Gemm.store16(c51, c + 5 * ldc + 16, false)
            Gemm.store16(c60, c + 6 * ldc, false); Gemm.store16(c61, c + 6 * ldc + 16, false)
            Gemm.store16(c70, c + 7 * ldc, false); Gemm.store16(c71, c + 7 * ldc + 16, false)
        }

        /// `kernel8x32` against one packed strip (the last 16 columns of an n that is an odd multiple of 16).
        @inline(__always)
        static func kernel8x16(
            taps: Int, channels: Int, table: UnsafePointer<UnsafePointer<Float>>, b: UnsafePointer<Float>,
            c: UnsafeMutablePointer<Float>, ldc: Int
        ) {
            var (c0, c1, c2, c3) = (SIMD16<Float>(), SIMD16<Float>(), SIMD16<Float>(), SIMD16<Float>())
            var (c4, c5, c6, c7) = (SIMD16<Float>(), SIMD16<Float>(), SIMD16<Float>(), SIMD16<Float>())
            var pb = b
            for tap in 0..<taps {
                let rows = table + tap &* 8
                let (a0, a1, a2, a3) = (rows[0], rows[1], rows[2], rows[3])
                let (a4, a5, a6, a7) = (rows[4], rows[5], rows[6], rows[7])
                for l in 0..<channels {
                    let bv = Gemm.load16(pb)
                    c0.addProduct(SIMD16(repeating: a0[l]), bv); c1.addProduct(SIMD16(repeating: a1[l]), bv)
                    c2.addProduct(SIMD16(repeating: a2[l]), bv); c3.addProduct(SIMD16(repeating: a3[l]), bv)
                    c4.addProduct(SIMD16(repeating: a4[l]), bv); c5.addProduct(SIMD16(repeating: a5[l]), bv)
                    c6.addProduct(SIMD16(repeating: a6[l]), bv); c7.addProduct(SIMD16(repeating: a7[l]), bv)
                    pb += 16
                }
            }
            Gemm.store16(c0, c, false); Gemm.store16(c1, c + ldc, false); Gemm.store16(c2, c + 2 * ldc, false)
            Gemm.store16(c3, c + 3 * ldc, false); Gemm.store16(c4, c + 4 * ldc, false); Gemm.store16(c5, c + 5 * ldc, false)
            Gemm.store16(c6, c + 6 * ldc, false); Gemm.store16(c7, c + 7 * ldc, false)
        }
    #endif

    /// `Gemm.kernel6x16` with A's six rows read through `table` (tap-major, six pointers per tap).
    @inline(__always)
    static func kernel6x16(
        taps: Int, channels: Int, table: UnsafePointer<UnsafePointer<Float>>, b: UnsafePointer<Float>,
        c: UnsafeMutablePointer<Float>, ldc: Int
    ) {
        var c00 = SIMD8<Float>(), c01 = SIMD8<Float>(), c10 = SIMD8<Float>(), c11 = SIMD8<Float>()
        var c20 = SIMD8<Float>(), c21 = SIMD8<Float>(), c30 = SIMD8<Float>(), c31 = SIMD8<Float>()
        var c40 = SIMD8<Float>(), c41 = SIMD8<Float>(), c50 = SIMD8<Float>(), c51 = SIMD8<Float>()
        var pb = b
        for tap in 0..<taps {
            let rows = table + tap &* 6
            let (a0, a1, a2, a3, a4, a5) = (rows[0], rows[1], rows[2], rows[3], rows[4], rows[5])
            for l in 0..<channels {
                let b0 = Gemm.load(pb)
                let b1 = Gemm.load(pb + 8)
                Gemm.addRow(a0[l], b0, b1, &c00, &c01)
                Gemm.addRow(a1[l], b0, b1, &c10, &c11)
                Gemm.addRow(a2[l], b0, b1, &c20, &c21)
                Gemm.addRow(a3[l], b0, b1, &c30, &c31)
                Gemm.addRow(a4[l], b0, b1, &c40, &c41)
                Gemm.addRow(a5[l], b0, b1, &c50, &c51)
                pb += 16
            }
        }
        Gemm.storeRow(c00, c01, c, false)
        Gemm.storeRow(c10, c11, c + ldc, false)
        Gemm.storeRow(c20, c21, c + 2 * ldc, false)
        Gemm.storeRow(c30, c31, c + 3 * ldc, false)
        Gemm.storeRow(c40, c41, c + 4 * ldc, false)
        Gemm.storeRow(c50, c51, c + 5 * ldc, false)
    }
}
