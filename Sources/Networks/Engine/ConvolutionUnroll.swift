/// im2col for `ConvolutionOp` and its adjoint: the copies that the implicit GEMM (`ImplicitConvolution`)
/// does not replace — rows left over from its blocks of six, inputs under 8 channels wide, the strips of
/// ∂W = colᵀ·∂y where `ImplicitWeightGradient` does not apply, and the scatter-add of ∂col for a strided convolution.
extension ConvolutionOp {
    /// Unrolls output positions `rows` of x into `col` (row r at `col + r·K`).
    func unroll(_ x: UnsafePointer<Float>, rows: Range<Int>, into col: UnsafeMutablePointer<Float>) {
        ConvolutionOp.unroll(
            x, channels: conv.inChannels, size: inputSize, kernel: conv.kernelSize, stride: conv.stride,
            padding: conv.padding, outputSize: outputSize, rows: rows, into: col)
    }

    /// im2col for a k × k window: row r (an output position of an `outputSize`² map) holds the
    /// `channels` values at each tap (u, v) of x [·, size, size, channels], 0 outside; row r of `rows`
    /// goes to `col + (r − rows.lowerBound)·K`. The position (image, i, j) is stepped, not divided out
    /// per row, and each tap is one block copy or one block of zeros (at 2 × 2, five taps in nine are
    /// outside the map, so the zeros cost as much as the copies).
    static func unroll(
        _ x: UnsafePointer<Float>, channels cin: Int, size n: Int, kernel k: Int, stride s: Int, padding p: Int,
        outputSize m: Int, rows: Range<Int>, into col: UnsafeMutablePointer<Float>
    ) {
        guard !rows.isEmpty else { return }
        let (image0, position) = rows.lowerBound.quotientAndRemainder(dividingBy: m &* m)
        var (image, (i, j)) = (image0, position.quotientAndRemainder(dividingBy: m))
        var out = col
        for _ in rows {
            let plane = x + image &* n &* n &* cin
            for u in 0..<k {
                let row = s &* i &+ u &- p
                let rowInside = row >= 0 && row < n
                for v in 0..<k {
                    let column = s &* j &+ v &- p
                    let inside = rowInside && column >= 0 && column < n
                    let source = plane + (inside ? (row &* n &+ column) &* cin : 0)
                    if cin % 8 == 0 {
                        // Eight lanes at a time, inline: a call to memmove per tap costs more than the copy.
                        var c = 0
                        while c < cin {
                            SimdRows.store(inside ? SimdRows.load(source + c) : SIMD8(), out + c)
                            c &+= 8
                        }
                    } else if inside {
                        for c in 0..<cin { out[c] = source[c] }
                    } else {
                        for c in 0..<cin { out[c] = 0 }
                    }
                    out += cin
                }
            }
            j &+= 1
            if j == m {
                j = 0
                i &+= 1
                if i == m { (i, image) = (0, image &+ 1) }
            }
        }
    }

    /// Strip `strip` (columns 16·strip ..< 16·strip + 16) of the unrolled input's rows for `images`, in
    /// `Gemm.pack`'s layout (rows × 16): with cin a multiple of 16, a strip is 16 channels of one kernel tap
    /// (u, v). Rows run image by image, output row by output row, so no division is needed per row.
    func unrollStrip(_ x: UnsafePointer<Float>, strip: Int, images: Range<Int>, into packed: UnsafeMutablePointer<Float>) {
        let (k, s, p, cin, n, m) = (conv.kernelSize, conv.stride, conv.padding, conv.inChannels, inputSize, outputSize)
        let (tap, block) = strip.quotientAndRemainder(dividingBy: cin / 16)
        let (u, v) = tap.quotientAndRemainder(dividingBy: k)
        var out = packed
        for image in images {
            for i in 0..<m {
                let row = s * i + u - p
                let rowInside = row >= 0 && row < n
                for j in 0..<m {
                    let column = s * j + v - p
                    if rowInside && column >= 0 && column < n {
                        let source = x + ((image * n + row) * n + column) * cin + block * 16
                        SimdRows.store(SimdRows.load(source), out)
                        SimdRows.store(SimdRows.load(source + 8), out + 8)
                    } else {
                        SimdRows.store(SIMD8(), out)
                        SimdRows.store(SIMD8(), out + 8)
                    }
                    out += 16
                }
            }
        }
    }

    /// ∂Wᵀ = ∂yᵀ·col [cout, K] into `weightGradient` where `ImplicitWeightGradient` does not apply, strip by strip
    /// of 16 of col's K columns: each thread unrolls a strip of col straight into the GEMM's packed layout
    /// (rows × 16) and multiplies it with ∂y transposed, so the whole unrolled matrix never exists.
    func weightGradientByStrips(_ x: UnsafePointer<Float>, gradOutput: UnsafePointer<Float>, images: Int) {
        let rows = images * outputSize * outputSize
        let cout = conv.outChannels
        let gradT = context.packed.pointer
        context.parallel(rows, align: 16) { range in
            Gemm.transpose(gradOutput + range.lowerBound * cout, rows: range.count, columns: cout, into: gradT + range.lowerBound, outputStride: rows)
        }
        let whole = conv.inChannels % 16 != 0
        if whole { context.parallel(rows, align: 1) { range in unroll(x, rows: range, into: context.col.pointer + range.lowerBound * depth) } }
        let strips = (depth + 15) / 16
        context.parallelParts(strips) { part, range in
            let packedStrip = context.strips.pointer + part * rows * 16
            for strip in range {
                let (first, width) = (strip * 16, min(16, depth - strip * 16))
                if whole {
                    Gemm.pack(context.col.pointer + first, ldb: depth, k: rows, n: width, into: packedStrip)
                } else {
                    unrollStrip(x, strip: strip, images: 0..<images, into: packedStrip)
                }
                Gemm.multiply(m: cout, n: width, k: rows, a: gradT, lda: rows, packedB: packedStrip, c: weightGradient.pointer + first, ldc: depth, accumulate: false)
            }
        }
    }

    /// The adjoint of `unroll`: adds each row of ∂col back into the input positions it was copied from.
    func fold(_ dcol: UnsafePointer<Float>, rows: Range<Int>, into gx: UnsafeMutablePointer<Float>) {
        let (k, s, p, cin, n, m) = (conv.kernelSize, conv.stride, conv.padding, conv.inChannels, inputSize, outputSize)
        for r in rows {
            let (image, position) = r.quotientAndRemainder(dividingBy: m * m)
            let (i, j) = position.quotientAndRemainder(dividingBy: m)
            var source = dcol + r * depth
            for u in 0..<k {
                let row = s * i + u - p
                for v in 0..<k {
                    let column = s * j + v - p
                    if row >= 0 && row < n && column >= 0 && column < n {
                        let target = gx + ((image * n + row) * n + column) * cin
                        for c in 0..<cin { target[c] += source[c] }
                    }
                    source += cin
                }
            }
        }
    }
}
