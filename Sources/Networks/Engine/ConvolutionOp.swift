/// `Conv2d` on the fast path: Float, channels-last maps ([images·H·W, C] row-major), as a GEMM over
/// the unrolled input (im2col), forward and backward, on the SIMD kernel of `Gemm`.
///
///     col[r, (u·k + v)·cin + c] = x[image, s·i + u − p, s·j + v − p, c]     (0 outside)   r = output position
///     y = col · W + b,   W[(u·k + v)·cin + c, o] = weight[o, c, u, v]
///     ∂W = colᵀ · ∂y,   ∂b = Σ_r ∂y[r, ·],   ∂col = ∂y · Wᵀ, then ∂x = the scatter-add of ∂col (col2im)
///
/// A 1 × 1 convolution with stride 1 uses x itself as col.
final class ConvolutionOp: FastOp {
    let conv: Conv2d
    let weightOffset: Int, biasOffset: Int
    let inputSize: Int, outputSize: Int
    /// K = k·k·cin.
    let depth: Int
    let context: EngineContext
    /// y [capacity·outputSize², cout].
    let output: FloatBuffer
    /// W as a row-major K × cout matrix, packed for y = col·W, and Wᵀ packed for ∂col = ∂y·Wᵀ.
    let matrix: FloatBuffer, packedWeight: FloatBuffer, packedTransposed: FloatBuffer
    /// For stride 1: the flipped, transposed kernel packed as a (k·k·cout) × cin matrix,
    /// W′[(u′·k + v′)·cout + o, c] = weight[o, c, k − 1 − u′, k − 1 − v′], so ∂x is itself a convolution
    /// of ∂y (padding k − 1 − p): one GEMM with a long inner dimension instead of ∂col and a scatter.
    let packedFlipped: FloatBuffer
    /// ∂Wᵀ as a cout × K matrix (converted to PyTorch's layout when added to the gradients).
    let weightGradient: FloatBuffer
    private var input: UnsafePointer<Float>?
    /// The bias inside the engine's parameter buffer (stable for the engine's lifetime).
    private var bias: UnsafePointer<Float>?

    /// With `output`, y is written into that buffer (a block's own output, to which it then adds its skip path).
    init(_ conv: Conv2d, prefix: String, layout: ParameterLayout, inputSize: Int, capacity: Int, context: EngineContext, output: FloatBuffer? = nil) {
        self.conv = conv
        weightOffset = layout[prefix + ".weight"]!.offset
        biasOffset = layout[prefix + ".bias"]!.offset
        self.inputSize = inputSize
        outputSize = conv.outputSize(inputSize)
        depth = conv.kernelSize * conv.kernelSize * conv.inChannels
        self.context = context
        let size = capacity * conv.outputSize(inputSize) * conv.outputSize(inputSize) * conv.outChannels
        precondition((output?.count ?? size) >= size, "ConvolutionOp: the output buffer is too small")
        self.output = output ?? FloatBuffer(count: size)
        matrix = FloatBuffer(count: depth * conv.outChannels)
        packedWeight = FloatBuffer(count: Gemm.packedCount(k: depth, n: conv.outChannels))
        packedTransposed = FloatBuffer(count: Gemm.packedCount(k: conv.outChannels, n: depth))
        weightGradient = FloatBuffer(count: depth * conv.outChannels)
        packedFlipped = FloatBuffer(count: conv.stride == 1 ? Gemm.packedCount(k: depth / conv.inChannels * conv.outChannels, n: conv.inChannels) : 0)
        // Scratch: per-thread chunks for the forward unroll and ∂x's unroll of ∂y; a whole unrolled [rows, K]
        // only for ∂W when cin is not a multiple of 16 and for ∂col when ∂x is not a stride-1 convolution.
        let rows = capacity * outputSize * outputSize
        let chunks = context.pool.threads * EngineContext.chunkRows * max(depth, conv.kernelSize * conv.kernelSize * conv.outChannels)
        let whole = conv.inChannels % 16 != 0 || !(conv.stride == 1 && conv.kernelSize > 1 || isPointwise) ? rows * depth : 0
        context.reserve(col: max(chunks, whole), strip: rows * 16)
        context.reserve(packed: rows * conv.outChannels)
    }

    func forward(_ inputs: [UnsafePointer<Float>], _ conditioning: Conditioning, images: Int) { forward(inputs[0], images: images) }

    func backward(_ gradOutput: UnsafePointer<Float>, images: Int, gradients: UnsafeMutablePointer<Float>, sinks: [GradientSink]) {
        sinks[0].receive(count: images * inputSize * inputSize * conv.inChannels, scratch: context.sinkScratch.pointer) {
            backward(gradOutput, images: images, gradients: gradients, gradInput: $0)
        }
    }

    /// Whether col is x itself.
    var isPointwise: Bool { conv.kernelSize == 1 && conv.stride == 1 && conv.padding == 0 }

    /// Reads the weights from the flat parameters (the engine's own buffer) and packs them.
    func load(_ parameters: UnsafePointer<Float>) {
        bias = parameters + biasOffset
        let (k, cin, cout) = (conv.kernelSize, conv.inChannels, conv.outChannels)
        let w = parameters + weightOffset
        for o in 0..<cout {
            for c in 0..<cin {
                for u in 0..<k {
                    for v in 0..<k {
                        matrix.pointer[((u * k + v) * cin + c) * cout + o] = w[((o * cin + c) * k + u) * k + v]
                    }
                }
            }
        }
        Gemm.pack(matrix.pointer, ldb: cout, k: depth, n: cout, into: packedWeight.pointer)
        Gemm.packTransposed(matrix.pointer, rows: depth, columns: cout, into: packedTransposed.pointer)
        if conv.stride == 1 && k > 1 {
            let flipped = UnsafeMutablePointer<Float>.allocate(capacity: k * k * cout * cin)
            defer { flipped.deallocate() }
            for o in 0..<cout {
                for c in 0..<cin {
                    for u in 0..<k {
                        for v in 0..<k {
                            flipped[((u * k + v) * cout + o) * cin + c] = w[((o * cin + c) * k + (k - 1 - u)) * k + (k - 1 - v)]
                        }
                    }
                }
            }
            Gemm.pack(flipped, ldb: cin, k: k * k * cout, n: cin, into: packedFlipped.pointer)
        }
    }

    /// Unrolls output positions `rows` of x into `col` (row r at `col + r·K`).
    func unroll(_ x: UnsafePointer<Float>, rows: Range<Int>, into col: UnsafeMutablePointer<Float>) {
        ConvolutionOp.unroll(
            x, channels: conv.inChannels, size: inputSize, kernel: conv.kernelSize, stride: conv.stride,
            padding: conv.padding, outputSize: outputSize, rows: rows, into: col)
    }

    /// im2col for a k × k window: row r (an output position of an `outputSize`² map) holds the
    /// `channels` values at each tap (u, v) of x [·, size, size, channels], 0 outside; row r of `rows`
    /// goes to `col + (r − rows.lowerBound)·K`.
    static func unroll(
        _ x: UnsafePointer<Float>, channels cin: Int, size n: Int, kernel k: Int, stride s: Int, padding p: Int,
        outputSize m: Int, rows: Range<Int>, into col: UnsafeMutablePointer<Float>
    ) {
        let depth = k * k * cin
        for r in rows {
            let (image, position) = r.quotientAndRemainder(dividingBy: m * m)
            let (i, j) = position.quotientAndRemainder(dividingBy: m)
            var out = col + (r - rows.lowerBound) * depth
            for u in 0..<k {
                let row = s * i + u - p
                for v in 0..<k {
                    let column = s * j + v - p
                    if row >= 0 && row < n && column >= 0 && column < n {
                        let source = x + ((image * n + row) * n + column) * cin
                        for c in 0..<cin { out[c] = source[c] }
                    } else {
                        for c in 0..<cin { out[c] = 0 }
                    }
                    out += cin
                }
            }
        }
    }

    /// y = conv(x) for `images` images of x [images·n², cin].
    func forward(_ x: UnsafePointer<Float>, images: Int) {
        input = x
        let rows = images * outputSize * outputSize
        let cout = conv.outChannels
        guard let bias else { preconditionFailure("ConvolutionOp.forward before load") }
        context.parallelParts(rows, align: 6) { part, range in
            // A thread unrolls `chunkRows` rows at a time into its own scratch (the GEMM sums each element
            // in one order whatever the row blocks, so the chunking does not change a bit).
            // (A pointwise convolution multiplies x itself, the whole range at once.)
            let step = isPointwise ? max(range.count, 1) : EngineContext.chunkRows
            for start in stride(from: range.lowerBound, to: range.upperBound, by: step) {
                let end = min(start + step, range.upperBound)
                let a: UnsafePointer<Float>
                if isPointwise {
                    a = x + start * depth
                } else {
                    unroll(x, rows: start..<end, into: context.chunk(part, depth: depth))
                    a = UnsafePointer(context.chunk(part, depth: depth))
                }
                let y = output.pointer + start * cout
                Gemm.multiply(m: end - start, n: cout, k: depth, a: a, lda: depth, packedB: packedWeight.pointer, c: y, ldc: cout, accumulate: false)
                for r in 0..<(end - start) {
                    var o = 0
                    while o + 8 <= cout { SimdRows.store(SimdRows.load(y + r * cout + o) + SimdRows.load(bias + o), y + r * cout + o); o += 8 }
                    while o < cout { y[r * cout + o] += bias[o]; o += 1 }
                }
            }
        }
    }

    /// From ∂y [rows, cout]: adds ∂weight and ∂bias into `gradients` (PyTorch layout) and, when
    /// `gradInput` is given, writes ∂x there (overwriting).
    func backward(_ gradOutput: UnsafePointer<Float>, images: Int, gradients: UnsafeMutablePointer<Float>, gradInput: UnsafeMutablePointer<Float>?) {
        guard let x = input else { preconditionFailure("ConvolutionOp.backward before forward") }
        let rows = images * outputSize * outputSize
        let (k, cin, cout) = (conv.kernelSize, conv.inChannels, conv.outChannels)
        // ∂b = Σ_r ∂y[r, ·], each channel's sum in row order (8 channels at a time where they fit).
        let gb = gradients + biasOffset
        context.parallel(cout / 8) { blocks in
            for block in blocks {
                var sum = SimdRows.load(gb + 8 * block)
                for r in 0..<rows { sum += SimdRows.load(gradOutput + r * cout + 8 * block) }
                SimdRows.store(sum, gb + 8 * block)
            }
        }
        for r in 0..<rows { for c in (cout / 8 * 8)..<cout { gb[c] += gradOutput[r * cout + c] } }
        // ∂Wᵀ = ∂yᵀ·col [cout, K], strip by strip of 16 of col's K columns: each thread unrolls a strip of col
        // straight into the GEMM's packed layout (rows × 16) and multiplies it with ∂y transposed, so the
        // whole unrolled matrix never exists.
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
                    unrollStrip(x, strip: strip, rows: rows, into: packedStrip)
                }
                Gemm.multiply(m: cout, n: width, k: rows, a: gradT, lda: rows, packedB: packedStrip, c: weightGradient.pointer + first, ldc: depth, accumulate: false)
            }
        }
        let gw = gradients + weightOffset
        for o in 0..<cout {
            for c in 0..<cin {
                for u in 0..<k {
                    for v in 0..<k {
                        gw[((o * cin + c) * k + u) * k + v] += weightGradient.pointer[o * depth + (u * k + v) * cin + c]
                    }
                }
            }
        }
        guard let gx = gradInput else { return }
        // ∂col = ∂y·Wᵀ, then col2im; split by whole images, so each thread writes only its own images of ∂x.
        let perImage = outputSize * outputSize
        let inputRows = inputSize * inputSize
        if conv.stride == 1 && conv.kernelSize > 1 {
            // ∂x = conv(∂y, W′) with padding k − 1 − p: unroll ∂y at every input position, one GEMM.
            let kk = conv.kernelSize * conv.kernelSize * cout
            context.parallelParts(images * inputRows, align: 6) { part, range in
                for start in stride(from: range.lowerBound, to: range.upperBound, by: EngineContext.chunkRows) {
                    let end = min(start + EngineContext.chunkRows, range.upperBound)
                    let scratch = context.chunk(part, depth: kk)
                    ConvolutionOp.unroll(
                        gradOutput, channels: cout, size: outputSize, kernel: conv.kernelSize, stride: 1,
                        padding: conv.kernelSize - 1 - conv.padding, outputSize: inputSize, rows: start..<end, into: scratch)
                    Gemm.multiply(m: end - start, n: cin, k: kk, a: scratch, lda: kk, packedB: packedFlipped.pointer, c: gx + start * cin, ldc: cin, accumulate: false)
                }
            }
            return
        }
        context.parallel(images) { range in
            let first = range.lowerBound * perImage
            let count = range.count * perImage
            if isPointwise {
                Gemm.multiply(
                    m: count, n: depth, k: cout, a: gradOutput + first * cout, lda: cout, packedB: packedTransposed.pointer,
                    c: gx + first * cin, ldc: depth, accumulate: false)
                return
            }
            let dcol = context.col.pointer + first * depth
            Gemm.multiply(
                m: count, n: depth, k: cout, a: gradOutput + first * cout, lda: cout, packedB: packedTransposed.pointer,
                c: dcol, ldc: depth, accumulate: false)
            (gx + range.lowerBound * inputRows * cin).update(repeating: 0, count: range.count * inputRows * cin)
            fold(UnsafePointer(context.col.pointer), rows: first..<(first + count), into: gx)
        }
    }

    /// Strip `strip` (columns 16·strip ..< 16·strip + 16) of the unrolled input in `Gemm.pack`'s layout,
    /// `rows` × 16: with cin a multiple of 16, a strip is 16 channels of one kernel tap (u, v). Rows run
    /// image by image, output row by output row, so no division is needed per row.
    func unrollStrip(_ x: UnsafePointer<Float>, strip: Int, rows: Int, into packed: UnsafeMutablePointer<Float>) {
        let (k, s, p, cin, n, m) = (conv.kernelSize, conv.stride, conv.padding, conv.inChannels, inputSize, outputSize)
        let (tap, block) = strip.quotientAndRemainder(dividingBy: cin / 16)
        let (u, v) = tap.quotientAndRemainder(dividingBy: k)
        var out = packed
        for image in 0..<(rows / (m * m)) {
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
