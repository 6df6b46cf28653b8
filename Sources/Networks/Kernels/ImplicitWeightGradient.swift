/// A convolution's weight gradient ∂W = colᵀ·∂y without its unrolled input (an implicit GEMM).
///
///     ∂W[tap·cin + c, o] = Σ_r x_tap(r)[c] · ∂y[r, o]      r = 0, 1, …, rows − 1 in order
///
/// where x_tap(r) is the `cin` channels of x under tap (u, v) of output position r (0 outside the map).
/// The reduction runs over every output position of the batch (k = images·positions, 8,192 at batch 128 on
/// 8 × 8), so a plain GEMM streams both long operands from L2 for every 16 columns. Here the rows are taken
/// `blockRows` at a time: a block of ∂y and the x rows under one tap stay in L1
/// while every block of channels of every tap runs over them, and each register block of ∂W (8 × 32 on
/// AVX-512, 6 × 16 on AVX2) is loaded into registers, advanced over the block's rows, and stored again. Storing a float and loading it back is exact,
/// so each element is still one chain of fused multiply-adds over r = 0, 1, … from 0 — bit-identical to
/// ∂Wᵀ = ∂yᵀ·col by `Gemm` on the unrolled strips (the products commute).
enum ImplicitWeightGradient {
    /// Output positions per block: ∂y's block (blockRows × cout floats, 16 KiB at cout = 64) and x's rows under it
    /// stay in L1 beside each other (64 measured faster than 128 or 256 at ch = 32; 32 within the noise).
    static let blockRows = 64

    /// The unit of ∂W's rows that threads share: 8 channels on AVX-512 (an 8 × 32 register block in sixteen 16-wide
    /// registers), 4 on AVX2 (where a tap's channels run in 6 × 16 blocks, the rest in 4 × 16). `cin` must be a
    /// multiple of it, so a unit is in one tap.
    static var channelBlock: Int {
        #if WORKBENCH_AVX512
            8
        #else
            4
        #endif
    }

    /// Whether a convolution with these channels can take this path (cin in whole channel blocks, cout in
    /// whole 16-wide registers).
    static func applies(inChannels: Int, outChannels: Int) -> Bool {
        inChannels % channelBlock == 0 && outChannels % 16 == 0
    }

    /// ∂W[(tap·cin + c)·cout + o] for the channel blocks `blocks` (block b: rows b·channelBlock ..< (b + 1)·channelBlock
    /// of ∂W, all `cout` columns), overwritten, from x under `window` for `images` images and ∂y [rows, cout].
    /// `table` holds `blockRows` pointers; `zeros` holds `window.channels` zeros.
    static func weightGradient(
        _ x: UnsafePointer<Float>, window w: Window, images: Int, gradOutput dy: UnsafePointer<Float>, cout: Int,
        blocks: Range<Int>, into dW: UnsafeMutablePointer<Float>, table: UnsafeMutablePointer<UnsafePointer<Float>>,
        zeros: UnsafePointer<Float>
    ) {
        let (cin, width) = (w.channels, channelBlock)
        precondition(applies(inChannels: cin, outChannels: cout), "ImplicitWeightGradient: cin \(cin), cout \(cout)")
        guard !blocks.isEmpty else { return }
        (dW + blocks.lowerBound * width * cout).update(repeating: 0, count: blocks.count * width * cout)
        let rows = images * w.outputSize * w.outputSize
        // The rows of ∂W in `blocks`, tap by tap: channels lo ..< hi of each tap they touch.
        let (first, last) = (blocks.lowerBound * width, blocks.upperBound * width)
        for start in stride(from: 0, to: rows, by: blockRows) {
            let steps = min(blockRows, rows - start)
            let dyBlock = dy + start * cout
            for tap in (first / cin)...((last - 1) / cin) {
                let (lo, hi) = (max(first, tap * cin) - tap * cin, min(last, (tap + 1) * cin) - tap * cin)
                pointers(x, window: w, tap: tap, rows: start..<(start + steps), zeros: zeros, into: table)
                let c = dW + tap * cin * cout
                #if WORKBENCH_AVX512
                    for channel in stride(from: lo, to: hi, by: 8) {
                        var o = 0
                        while o + 32 <= cout {
                            kernel8x32(steps: steps, table: table, channel: channel, dy: dyBlock + o, ldy: cout, c: c + channel * cout + o, ldc: cout)
                            o += 32
                        }
                        if o < cout {
                            kernel8x16(steps: steps, table: table, channel: channel, dy: dyBlock + o, ldy: cout, c: c + channel * cout + o, ldc: cout)
                        }
                    }
                #else
                    // Six channels at a time (twelve 8-wide accumulators), the rest (4 or 8 of a multiple of 4) by fours.
                    let count = hi - lo
                    let sixes = count % 6 == 2 ? count / 6 - 1 : count / 6
                    for o in stride(from: 0, to: cout, by: 16) {
                        var channel = lo
                        for _ in 0..<sixes {
                            kernel6x16(steps: steps, table: table, channel: channel, dy: dyBlock + o, ldy: cout, c: c + channel * cout + o, ldc: cout)
                            channel += 6
                        }
                        while channel < hi {
                            kernel4x16(steps: steps, table: table, channel: channel, dy: dyBlock + o, ldy: cout, c: c + channel * cout + o, ldc: cout)
                            channel += 4
                        }
                    }
                #endif
            }
        }
    }

    typealias Window = ImplicitConvolution.Window

    /// table[r − rows.lowerBound] = x_tap(r) for r in `rows`: the address of the `cin` channels under tap
    /// (u, v) = (tap / k, tap mod k), or `zeros` outside the map. Positions are stepped, not divided out.
    static func pointers(
        _ x: UnsafePointer<Float>, window w: Window, tap: Int, rows: Range<Int>, zeros: UnsafePointer<Float>,
        into table: UnsafeMutablePointer<UnsafePointer<Float>>
    ) {
        let (u, v) = tap.quotientAndRemainder(dividingBy: w.kernel)
        let perImage = w.outputSize * w.outputSize
        var (image, position) = rows.lowerBound.quotientAndRemainder(dividingBy: perImage)
        var (i, j) = position.quotientAndRemainder(dividingBy: w.outputSize)
        for q in 0..<rows.count {
            let row = w.stride &* i &+ u &- w.padding
            let column = w.stride &* j &+ v &- w.padding
            let inside = row >= 0 && row < w.size && column >= 0 && column < w.size
            table[q] = inside ? x + ((image &* w.size &+ row) &* w.size &+ column) &* w.channels : zeros
            j &+= 1
            if j == w.outputSize {
                j = 0
                i &+= 1
                if i == w.outputSize { (i, image) = (0, image &+ 1) }
            }
        }
    }

    @inline(__always)
    static func load16(_ p: UnsafePointer<Float>) -> SIMD16<Float> { UnsafeRawPointer(p).loadUnaligned(as: SIMD16<Float>.self) }

    @inline(__always)
    static func store16(_ v: SIMD16<Float>, _ p: UnsafeMutablePointer<Float>) { UnsafeMutableRawPointer(p).storeBytes(of: v, as: SIMD16<Float>.self) }

    /// C[0..<8, 0..<32] += Σ_q x(q)[channel ..< channel + 8] ⊗ ∂y[q, 0..<32] over `steps` rows, x(q) = table[q]:
    /// sixteen 16-wide accumulators, two loads of ∂y and eight broadcasts per step.
    @inline(__always)
    static func kernel8x32(
        steps: Int, table: UnsafePointer<UnsafePointer<Float>>, channel: Int, dy: UnsafePointer<Float>, ldy: Int,
        c: UnsafeMutablePointer<Float>, ldc: Int
    ) {
        var (c00, c01, c10, c11) = (load16(c), load16(c + 16), load16(c + ldc), load16(c + ldc + 16))
        var (c20, c21, c30, c31) = (load16(c + 2 * ldc), load16(c + 2 * ldc + 16), load16(c + 3 * ldc), load16(c + 3 * ldc + 16))
        var (c40, c41, c50, c51) = (load16(c + 4 * ldc), load16(c + 4 * ldc + 16), load16(c + 5 * ldc), load16(c + 5 * ldc + 16))
        var (c60, c61, c70, c71) = (load16(c + 6 * ldc), load16(c + 6 * ldc + 16), load16(c + 7 * ldc), load16(c + 7 * ldc + 16))
        var pdy = dy
        for q in 0..<steps {
            let a = table[q] + channel
            let (b0, b1) = (load16(pdy), load16(pdy + 16))
            var s = SIMD16<Float>(repeating: a[0]); c00.addProduct(s, b0); c01.addProduct(s, b1)
            s = SIMD16(repeating: a[1]); c10.addProduct(s, b0); c11.addProduct(s, b1)
            s = SIMD16(repeating: a[2]); c20.addProduct(s, b0); c21.addProduct(s, b1)
            s = SIMD16(repeating: a[3]); c30.addProduct(s, b0); c31.addProduct(s, b1)
            s = SIMD16(repeating: a[4]); c40.addProduct(s, b0); c41.addProduct(s, b1)
            s = SIMD16(repeating: a[5]); c50.addProduct(s, b0); c51.addProduct(s, b1)
            s = SIMD16(repeating: a[6]); c60.addProduct(s, b0); c61.addProduct(s, b1)
            s = SIMD16(repeating: a[7]); c70.addProduct(s, b0); c71.addProduct(s, b1)
            pdy += ldy
        }
        store16(c00, c); store16(c01, c + 16); store16(c10, c + ldc); store16(c11, c + ldc + 16)
        store16(c20, c + 2 * ldc); store16(c21, c + 2 * ldc + 16); store16(c30, c + 3 * ldc); store16(c31, c + 3 * ldc + 16)
        store16(c40, c + 4 * ldc); store16(c41, c + 4 * ldc + 16); store16(c50, c + 5 * ldc); store16(c51, c + 5 * ldc + 16)
        store16(c60, c + 6 * ldc); store16(c61, c + 6 * ldc + 16); store16(c70, c + 7 * ldc); store16(c71, c + 7 * ldc + 16)
    }

    /// `kernel8x32` for one 16-wide column block (the last of a cout that is an odd multiple of 16).
    @inline(__always)
    static func kernel8x16(
        steps: Int, table: UnsafePointer<UnsafePointer<Float>>, channel: Int, dy: UnsafePointer<Float>, ldy: Int,
        c: UnsafeMutablePointer<Float>, ldc: Int
    ) {
        var (c0, c1, c2, c3) = (load16(c), load16(c + ldc), load16(c + 2 * ldc), load16(c + 3 * ldc))
        var (c4, c5, c6, c7) = (load16(c + 4 * ldc), load16(c + 5 * ldc), load16(c + 6 * ldc), load16(c + 7 * ldc))
        var pdy = dy
        for q in 0..<steps {
            let a = table[q] + channel
            let b = load16(pdy)
            c0.addProduct(SIMD16(repeating: a[0]), b); c1.addProduct(SIMD16(repeating: a[1]), b)
            c2.addProduct(SIMD16(repeating: a[2]), b); c3.addProduct(SIMD16(repeating: a[3]), b)
            c4.addProduct(SIMD16(repeating: a[4]), b); c5.addProduct(SIMD16(repeating: a[5]), b)
            c6.addProduct(SIMD16(repeating: a[6]), b); c7.addProduct(SIMD16(repeating: a[7]), b)
            pdy += ldy
        }
        store16(c0, c); store16(c1, c + ldc); store16(c2, c + 2 * ldc); store16(c3, c + 3 * ldc)
        store16(c4, c + 4 * ldc); store16(c5, c + 5 * ldc); store16(c6, c + 6 * ldc); store16(c7, c + 7 * ldc)
    }

    /// The AVX2 shape: C[0..<6, 0..<16] += Σ_q x(q)[channel ..< channel + 6] ⊗ ∂y[q, 0..<16] (each 16-wide
    /// accumulator a pair of 8-wide registers: twelve, beside ∂y's pair and a broadcast, as in `Gemm.kernel6x16`).
    @inline(__always)
    static func kernel6x16(
        steps: Int, table: UnsafePointer<UnsafePointer<Float>>, channel: Int, dy: UnsafePointer<Float>, ldy: Int,
        c: UnsafeMutablePointer<Float>, ldc: Int
    ) {
        var (c0, c1, c2) = (load16(c), load16(c + ldc), load16(c + 2 * ldc))
        var (c3, c4, c5) = (load16(c + 3 * ldc), load16(c + 4 * ldc), load16(c + 5 * ldc))
        var pdy = dy
        for q in 0..<steps {
            let a = table[q] + channel
            let b = load16(pdy)
            c0.addProduct(SIMD16(repeating: a[0]), b); c1.addProduct(SIMD16(repeating: a[1]), b)
            c2.addProduct(SIMD16(repeating: a[2]), b); c3.addProduct(SIMD16(repeating: a[3]), b)
            c4.addProduct(SIMD16(repeating: a[4]), b); c5.addProduct(SIMD16(repeating: a[5]), b)
            pdy += ldy
        }
        store16(c0, c); store16(c1, c + ldc); store16(c2, c + 2 * ldc)
        store16(c3, c + 3 * ldc); store16(c4, c + 4 * ldc); store16(c5, c + 5 * ldc)
    }

    /// The rest of an AVX2 tap: C[0..<4, 0..<16] += Σ_q x(q)[channel ..< channel + 4] ⊗ ∂y[q, 0..<16] (each 16-wide
    /// accumulator a pair of 8-wide registers: eight, beside ∂y's pair and a broadcast).
    @inline(__always)
    static func kernel4x16(
        steps: Int, table: UnsafePointer<UnsafePointer<Float>>, channel: Int, dy: UnsafePointer<Float>, ldy: Int,
        c: UnsafeMutablePointer<Float>, ldc: Int
    ) {
        var (c0, c1, c2, c3) = (load16(c), load16(c + ldc), load16(c + 2 * ldc), load16(c + 3 * ldc))
        var pdy = dy
        for q in 0..<steps {
            let a = table[q] + channel
            let b = load16(pdy)
            c0.addProduct(SIMD16(repeating: a[0]), b); c1.addProduct(SIMD16(repeating: a[1]), b)
            c2.addProduct(SIMD16(repeating: a[2]), b); c3.addProduct(SIMD16(repeating: a[3]), b)
            pdy += ldy
        }
        store16(c0, c); store16(c1, c + ldc); store16(c2, c + 2 * ldc); store16(c3, c + 3 * ldc)
    }
}
