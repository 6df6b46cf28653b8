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

    /// C[r − rows.lowerBound, 0..<n] = col[r, ·]·B for the rows of `rows` in whole blocks of six, B packed
    /// (`Gemm.pack`, K = taps·channels rows) and n a multiple of 16; `zeros` holds `channels` zeros.
    /// - Returns: the first row not done (the last `rows.count` mod 6 rows are left to the caller).
    static func multiply(
        _ x: UnsafePointer<Float>, window w: Window, rows: Range<Int>, packedB: UnsafePointer<Float>, n: Int,
        c: UnsafeMutablePointer<Float>, ldc: Int, zeros: UnsafePointer<Float>
    ) -> Int {
        precondition(n % 16 == 0, "ImplicitConvolution: n = \(n) is not a multiple of 16")
        let blocks = rows.count / 6
        guard blocks > 0 else { return rows.lowerBound }
        let taps = w.taps
        let depth = taps * w.channels
        return withUnsafeTemporaryAllocation(of: UnsafePointer<Float>.self, capacity: 6 * taps) { buffer in
            let table = buffer.baseAddress!
            let perImage = w.outputSize * w.outputSize
            var (image, position) = rows.lowerBound.quotientAndRemainder(dividingBy: perImage)
            var (i, j) = position.quotientAndRemainder(dividingBy: w.outputSize)
            for block in 0..<blocks {
                for q in 0..<6 {
                    let plane = x + image &* w.size &* w.size &* w.channels
                    for u in 0..<w.kernel {
                        let row = w.stride &* i &+ u &- w.padding
                        for v in 0..<w.kernel {
                            let column = w.stride &* j &+ v &- w.padding
                            let inside = row >= 0 && row < w.size && column >= 0 && column < w.size
                            table[(u &* w.kernel &+ v) &* 6 &+ q] = inside ? plane + (row &* w.size &+ column) &* w.channels : zeros
                        }
                    }
                    j &+= 1
                    if j == w.outputSize {
                        j = 0
                        i &+= 1
                        if i == w.outputSize { (i, image) = (0, image &+ 1) }
                    }
                }
                let out = c + block * 6 * ldc
                var strip = 0
                while strip * 16 < n {
                    kernel6x16(taps: taps, channels: w.channels, table: table, b: packedB + strip * depth * 16, c: out + strip * 16, ldc: ldc)
                    strip += 1
                }
            }
            return rows.lowerBound + blocks * 6
        }
    }

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
