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
    /// ∂W as a K × cout matrix (`ImplicitWeightGradient`), or ∂Wᵀ as cout × K (`weightGradientByStrips`),
    /// converted to PyTorch's layout when added to the gradients.
    let weightGradient: FloatBuffer
    /// `max(cin, cout)` zeros: the row an implicit GEMM reads for a tap outside the map.
    let zeros: FloatBuffer
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
        zeros = FloatBuffer(count: max(conv.inChannels, conv.outChannels))
        packedFlipped = FloatBuffer(count: conv.stride == 1 ? Gemm.packedCount(k: depth / conv.inChannels * conv.outChannels, n: conv.inChannels) : 0)
        // Scratch: per-thread chunks for the forward unroll and ∂x's unroll of ∂y; a whole unrolled [rows, K]
        // only for ∂W by strips when cin is not a multiple of 16 and for ∂col when ∂x is not a stride-1 convolution.
        let rows = capacity * outputSize * outputSize
        let chunks = context.pool.threads * EngineContext.chunkRows * max(depth, conv.kernelSize * conv.kernelSize * conv.outChannels)
        let implicitGradient = ImplicitWeightGradient.applies(inChannels: conv.inChannels, outChannels: conv.outChannels)
        let unrolledGradient = !implicitGradient && conv.inChannels % 16 != 0
        let whole = unrolledGradient || !(conv.stride == 1 && conv.kernelSize > 1 || isPointwise) ? rows * depth : 0
        context.reserve(col: max(chunks, whole), strip: implicitGradient ? 0 : rows * 16)
        context.reserve(packed: implicitGradient ? 0 : rows * conv.outChannels)
    }

    func forward(_ inputs: [UnsafePointer<Float>], _ conditioning: Conditioning, images: Int) { forward(inputs[0], images: images) }

    func backward(_ gradOutput: UnsafePointer<Float>, images: Int, gradients: UnsafeMutablePointer<Float>, sinks: [GradientSink]) {
        sinks[0].receive(count: images * inputSize * inputSize * conv.inChannels, context: context) {
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
        let m = matrix.pointer
        context.parallel(cout) { outputs in
            for o in outputs {
                for c in 0..<cin {
                    for u in 0..<k { for v in 0..<k { m[((u * k + v) * cin + c) * cout + o] = w[((o * cin + c) * k + u) * k + v] } }
                }
            }
        }
        Gemm.pack(matrix.pointer, ldb: cout, k: depth, n: cout, into: packedWeight.pointer)
        Gemm.packTransposed(matrix.pointer, rows: depth, columns: cout, into: packedTransposed.pointer)
        if conv.stride == 1 && k > 1 {
            let flipped = UnsafeMutablePointer<Float>.allocate(capacity: k * k * cout * cin)
            defer { flipped.deallocate() }
            context.parallel(cout) { outputs in
                for o in outputs {
                    for c in 0..<cin {
                        for u in 0..<k {
                            for v in 0..<k { flipped[((u * k + v) * cout + o) * cin + c] = w[((o * cin + c) * k + (k - 1 - u)) * k + (k - 1 - v)] }
                        }
                    }
                }
            }
            Gemm.pack(flipped, ldb: cin, k: k * k * cout, n: cin, into: packedFlipped.pointer)
        }
    }

    /// The forward pass's window on x.
    var window: ImplicitConvolution.Window {
        ImplicitConvolution.Window(
            channels: conv.inChannels, size: inputSize, kernel: conv.kernelSize, stride: conv.stride, padding: conv.padding, outputSize: outputSize)
    }

    /// y[r − rows.lowerBound] = col[r]·B for the unrolled rows `rows` of x under `window`: by the implicit GEMM
    /// where n is a multiple of 16 and rows are at least 8 channels wide (below that the pointer table costs more
    /// than the copy), the rest unrolled into thread `part`'s chunk. Both sum each element in the same order.
    func multiply(
        _ x: UnsafePointer<Float>, window: ImplicitConvolution.Window, rows: Range<Int>, packedB: UnsafePointer<Float>, n: Int,
        into y: UnsafeMutablePointer<Float>, part: Int
    ) {
        var done = rows.lowerBound
        if ConvolutionOp.isImplicit(n: n, channels: window.channels) {
            done = ImplicitConvolution.multiply(x, window: window, rows: rows, packedB: packedB, n: n, c: y, ldc: n, zeros: zeros.pointer)
        }
        guard done < rows.upperBound else { return }
        let depth = window.taps * window.channels
        let scratch = context.chunk(part, depth: depth)
        ConvolutionOp.unroll(
            x, channels: window.channels, size: window.size, kernel: window.kernel, stride: window.stride, padding: window.padding,
            outputSize: window.outputSize, rows: done..<rows.upperBound, into: scratch)
        Gemm.multiply(
            m: rows.upperBound - done, n: n, k: depth, a: scratch, lda: depth, packedB: packedB, c: y + (done - rows.lowerBound) * n, ldc: n,
            accumulate: false)
    }

    /// Whether `multiply` takes the implicit GEMM for n output columns and `channels`-wide rows of x: then it
    /// leaves fewer than six rows to unroll, and a thread's whole range goes in one call.
    static func isImplicit(n: Int, channels: Int) -> Bool { n % 16 == 0 && channels >= 8 }

    /// y = conv(x) for `images` images of x [images·n², cin].
    func forward(_ x: UnsafePointer<Float>, images: Int) {
        input = x
        let rows = images * outputSize * outputSize
        let cout = conv.outChannels
        guard let bias else { preconditionFailure("ConvolutionOp.forward before load") }
        context.parallelParts(rows, align: 6) { part, range in
            // A thread unrolls `chunkRows(depth:)` rows at a time into its own scratch (the GEMM sums each element
            // in one order whatever the row blocks, so the chunking does not change a bit).
            // (A pointwise convolution multiplies x itself, and the implicit GEMM reads it in place: the whole range at once.)
            let whole = isPointwise || ConvolutionOp.isImplicit(n: cout, channels: conv.inChannels)
            let step = whole ? max(range.count, 1) : EngineContext.chunkRows(depth: depth)
            for start in stride(from: range.lowerBound, to: range.upperBound, by: step) {
                let end = min(start + step, range.upperBound)
                let y = output.pointer + start * cout
                if isPointwise {
                    Gemm.multiply(m: end - start, n: cout, k: depth, a: x + start * depth, lda: depth, packedB: packedWeight.pointer, c: y, ldc: cout, accumulate: false)
                } else {
                    multiply(x, window: window, rows: start..<end, packedB: packedWeight.pointer, n: cout, into: y, part: part)
                }
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
        let implicit = ImplicitWeightGradient.applies(inChannels: cin, outChannels: cout)
        if implicit {
            // ∂W = colᵀ·∂y [K, cout] read from x and ∂y in place, each thread its own blocks of ∂W's rows.
            let blocks = depth / ImplicitWeightGradient.channelBlock
            context.parallel(blocks) { range in
                withUnsafeTemporaryAllocation(of: UnsafePointer<Float>.self, capacity: ImplicitWeightGradient.blockRows) { table in
                    ImplicitWeightGradient.weightGradient(
                        x, window: window, images: images, gradOutput: gradOutput, cout: cout, blocks: range,
                        into: weightGradient.pointer, table: table.baseAddress!, zeros: zeros.pointer)
                }
            }
        } else {
            weightGradientByStrips(x, gradOutput: gradOutput, images: images)
        }
        // Into PyTorch's layout: element (row = tap·cin + c, o) of ∂W [K, cout], or of ∂Wᵀ [cout, K] by strips.
        let (gw, rowStride, columnStride) = (gradients + weightOffset, implicit ? cout : 1, implicit ? 1 : depth)
        for o in 0..<cout {
            for c in 0..<cin {
                for u in 0..<k {
                    for v in 0..<k { gw[((o * cin + c) * k + u) * k + v] += weightGradient.pointer[((u * k + v) * cin + c) * rowStride + o * columnStride] }
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
                let step = ConvolutionOp.isImplicit(n: cin, channels: cout) ? max(range.count, 1) : EngineContext.chunkRows(depth: kk)
                for start in stride(from: range.lowerBound, to: range.upperBound, by: step) {
                    let end = min(start + step, range.upperBound)
                    let window = ImplicitConvolution.Window(
                        channels: cout, size: outputSize, kernel: conv.kernelSize, stride: 1, padding: conv.kernelSize - 1 - conv.padding,
                        outputSize: inputSize)
                    multiply(gradOutput, window: window, rows: start..<end, packedB: packedFlipped.pointer, n: cin, into: gx + start * cin, part: part)
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
}
