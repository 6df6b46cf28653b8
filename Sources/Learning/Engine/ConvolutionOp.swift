/// `Conv2d` on the fast path: Float, channels-last maps ([images·H·W, C] row-major), as a GEMM over
/// the unrolled input (im2col), forward and backward, on the SIMD kernel of `Gemm`.
///
///     col[r, (u·k + v)·cin + c] = x[image, s·i + u − p, s·j + v − p, c]     (0 outside)   r = output position
///     y = col · W + b,   W[(u·k + v)·cin + c, o] = weight[o, c, u, v]
///     ∂W = colᵀ · ∂y,   ∂b = Σ_r ∂y[r, ·],   ∂col = ∂y · Wᵀ, then ∂x = the scatter-add of ∂col (col2im)
///
/// A 1 × 1 convolution with stride 1 uses x itself as col.
final class ConvolutionOp {
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

    init(_ conv: Conv2d, prefix: String, layout: ParameterLayout, inputSize: Int, capacity: Int, context: EngineContext) {
        self.conv = conv
        weightOffset = layout[prefix + ".weight"]!.offset
        biasOffset = layout[prefix + ".bias"]!.offset
        self.inputSize = inputSize
        outputSize = conv.outputSize(inputSize)
        depth = conv.kernelSize * conv.kernelSize * conv.inChannels
        self.context = context
        output = FloatBuffer(count: capacity * outputSize * outputSize * conv.outChannels)
        matrix = FloatBuffer(count: depth * conv.outChannels)
        packedWeight = FloatBuffer(count: Gemm.packedCount(k: depth, n: conv.outChannels))
        packedTransposed = FloatBuffer(count: Gemm.packedCount(k: conv.outChannels, n: depth))
        weightGradient = FloatBuffer(count: depth * conv.outChannels)
        packedFlipped = FloatBuffer(count: conv.stride == 1 ? Gemm.packedCount(k: depth / conv.inChannels * conv.outChannels, n: conv.inChannels) : 0)
    }

    /// Whether col is x itself.
    var isPointwise: Bool { conv.kernelSize == 1 && conv.stride == 1 && conv.padding == 0 }

    /// Reads the weights from the flat parameters (the engine's own buffer) and packs them.
    func load(_ parameters: UnsafePointer<Float>) {
        bias = parameters + biasOffset
        let (k, cin, cout) = (conv.kernelSize, conv.inChannels, conv.outChannels)
        let w = parameters + weightOffset
        for o in 0..<cout { for c in 0..<cin { for u in 0..<k { for v in 0..<k {
            matrix.pointer[((u * k + v) * cin + c) * cout + o] = w[((o * cin + c) * k + u) * k + v]
        } } } }
        Gemm.pack(matrix.pointer, ldb: cout, k: depth, n: cout, into: packedWeight.pointer)
        Gemm.packTransposed(matrix.pointer, rows: depth, columns: cout, into: packedTransposed.pointer)
        if conv.stride == 1 && k > 1 {
            let flipped = UnsafeMutablePointer<Float>.allocate(capacity: k * k * cout * cin)
            defer { flipped.deallocate() }
            for o in 0..<cout { for c in 0..<cin { for u in 0..<k { for v in 0..<k {
                flipped[((u * k + v) * cout + o) * cin + c] = w[((o * cin + c) * k + (k - 1 - u)) * k + (k - 1 - v)]
            } } } }
            Gemm.pack(flipped, ldb: cin, k: k * k * cout, n: cin, into: packedFlipped.pointer)
        }
    }

    /// Unrolls output positions `rows` of x into `col` (row r at `col + r·K`).
    func unroll(_ x: UnsafePointer<Float>, rows: Range<Int>, into col: UnsafeMutablePointer<Float>) {
        ConvolutionOp.unroll(x, channels: conv.inChannels, size: inputSize, kernel: conv.kernelSize, stride: conv.stride,
                             padding: conv.padding, outputSize: outputSize, rows: rows, into: col)
    }

    /// im2col for a k × k window: row r (an output position of an `outputSize`² map) holds the
    /// `channels` values at each tap (u, v) of x [·, size, size, channels], 0 outside.
    static func unroll(_ x: UnsafePointer<Float>, channels cin: Int, size n: Int, kernel k: Int, stride s: Int, padding p: Int,
                       outputSize m: Int, rows: Range<Int>, into col: UnsafeMutablePointer<Float>) {
        let depth = k * k * cin
        for r in rows {
            let (image, position) = r.quotientAndRemainder(dividingBy: m * m)
            let (i, j) = position.quotientAndRemainder(dividingBy: m)
            var out = col + r * depth
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
        context.parallel(rows, align: 6) { range in
            let a: UnsafePointer<Float>
            if isPointwise {
                a = x + range.lowerBound * depth
            } else {
                unroll(x, rows: range, into: context.col.pointer)
                a = UnsafePointer(context.col.pointer + range.lowerBound * depth)
            }
            let y = output.pointer + range.lowerBound * cout
            Gemm.multiply(m: range.count, n: cout, k: depth, a: a, lda: depth, packedB: packedWeight.pointer, c: y, ldc: cout, accumulate: false)
            for r in 0..<range.count { for o in 0..<cout { y[r * cout + o] += bias[o] } }
        }
    }

    /// From ∂y [rows, cout]: adds ∂weight and ∂bias into `gradients` (PyTorch layout) and, when
    /// `gradInput` is given, writes ∂x there (overwriting).
    func backward(_ gradOutput: UnsafePointer<Float>, images: Int, gradients: UnsafeMutablePointer<Float>, gradInput: UnsafeMutablePointer<Float>?) {
        guard let x = input else { preconditionFailure("ConvolutionOp.backward before forward") }
        let rows = images * outputSize * outputSize
        let (k, cin, cout) = (conv.kernelSize, conv.inChannels, conv.outChannels)
        // ∂b = Σ_r ∂y[r, ·], in row order.
        let gb = gradients + biasOffset
        for r in 0..<rows { for o in 0..<cout { gb[o] += gradOutput[r * cout + o] } }
        // ∂Wᵀ = ∂yᵀ·col [cout, K]: col is unrolled straight into the GEMM's packed layout (strips of 16
        // of its K columns), ∂y transposed; the product is split over the strips.
        let packedCol = context.colTransposed.pointer
        if conv.inChannels % 16 == 0 {
            context.parallel(rows, align: 1) { range in unrollPacked(x, rows: range, total: rows, into: packedCol) }
        } else {
            context.parallel(rows, align: 1) { range in unroll(x, rows: range, into: context.col.pointer) }
            Gemm.pack(context.col.pointer, ldb: depth, k: rows, n: depth, into: packedCol)
        }
        let gradT = context.packed.pointer
        Gemm.transpose(gradOutput, rows: rows, columns: cout, into: gradT)
        let strips = (depth + 15) / 16
        context.parallel(strips) { range in
            let first = range.lowerBound * 16
            Gemm.multiply(m: cout, n: min(depth, range.upperBound * 16) - first, k: rows, a: gradT, lda: rows,
                          packedB: packedCol + range.lowerBound * rows * 16, c: weightGradient.pointer + first, ldc: depth, accumulate: false)
        }
        let gw = gradients + weightOffset
        for o in 0..<cout { for c in 0..<cin { for u in 0..<k { for v in 0..<k {
            gw[((o * cin + c) * k + u) * k + v] += weightGradient.pointer[o * depth + (u * k + v) * cin + c]
        } } } }
        guard let gx = gradInput else { return }
        // ∂col = ∂y·Wᵀ, then col2im; split by whole images, so each thread writes only its own images of ∂x.
        let perImage = outputSize * outputSize
        let inputRows = inputSize * inputSize
        if conv.stride == 1 && conv.kernelSize > 1 {
            // ∂x = conv(∂y, W′) with padding k − 1 − p: unroll ∂y at every input position, one GEMM.
            let kk = conv.kernelSize * conv.kernelSize * cout
            context.parallel(images * inputRows, align: 6) { range in
                ConvolutionOp.unroll(gradOutput, channels: cout, size: outputSize, kernel: conv.kernelSize, stride: 1,
                                     padding: conv.kernelSize - 1 - conv.padding, outputSize: inputSize, rows: range, into: context.col.pointer)
                Gemm.multiply(m: range.count, n: cin, k: kk, a: context.col.pointer + range.lowerBound * kk, lda: kk,
                              packedB: packedFlipped.pointer, c: gx + range.lowerBound * cin, ldc: cin, accumulate: false)
            }
            return
        }
        context.parallel(images) { range in
            let first = range.lowerBound * perImage
            let count = range.count * perImage
            if isPointwise {
                Gemm.multiply(m: count, n: depth, k: cout, a: gradOutput + first * cout, lda: cout, packedB: packedTransposed.pointer,
                              c: gx + first * cin, ldc: depth, accumulate: false)
                return
            }
            let dcol = context.col.pointer + first * depth
            Gemm.multiply(m: count, n: depth, k: cout, a: gradOutput + first * cout, lda: cout, packedB: packedTransposed.pointer,
                          c: dcol, ldc: depth, accumulate: false)
            (gx + range.lowerBound * inputRows * cin).update(repeating: 0, count: range.count * inputRows * cin)
            fold(UnsafePointer(context.col.pointer), rows: first..<(first + count), into: gx)
        }
    }

    /// `unroll` written in `Gemm.pack`'s layout for a `total` × K matrix (strips of 16 columns, each
    /// total × 16): with cin a multiple of 16, each kernel tap (u, v) of a row fills whole strips.
    func unrollPacked(_ x: UnsafePointer<Float>, rows: Range<Int>, total: Int, into packed: UnsafeMutablePointer<Float>) {
        let (k, s, p, cin, n, m) = (conv.kernelSize, conv.stride, conv.padding, conv.inChannels, inputSize, outputSize)
        let stripsPerTap = cin / 16
        for r in rows {
            let (image, position) = r.quotientAndRemainder(dividingBy: m * m)
            let (i, j) = position.quotientAndRemainder(dividingBy: m)
            for u in 0..<k {
                let row = s * i + u - p
                for v in 0..<k {
                    let column = s * j + v - p
                    let inside = row >= 0 && row < n && column >= 0 && column < n
                    let source = x + ((image * n + row) * n + column) * cin
                    for strip in 0..<stripsPerTap {
                        let out = packed + ((u * k + v) * stripsPerTap + strip) * total * 16 + r * 16
                        if inside {
                            SimdRows.store(SimdRows.load(source + strip * 16), out)
                            SimdRows.store(SimdRows.load(source + strip * 16 + 8), out + 8)
                        } else {
                            SimdRows.store(SIMD8(), out)
                            SimdRows.store(SIMD8(), out + 8)
                        }
                    }
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
