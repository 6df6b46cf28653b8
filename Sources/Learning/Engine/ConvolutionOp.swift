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
    /// ∂W as a K × cout matrix (converted to PyTorch's layout when added to the gradients).
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
    }

    /// Unrolls output positions `rows` of x into `col` (row r at `col + r·K`).
    func unroll(_ x: UnsafePointer<Float>, rows: Range<Int>, into col: UnsafeMutablePointer<Float>) {
        let (k, s, p, cin, n, m) = (conv.kernelSize, conv.stride, conv.padding, conv.inChannels, inputSize, outputSize)
        for r in rows {
            let (image, position) = r.quotientAndRemainder(dividingBy: m * m)
            let (i, j) = position.quotientAndRemainder(dividingBy: m)
            var out = col + r * depth
            for u in 0..<k {
                let row = s * i + u - p
                for v in 0..<k {
                    let column = s * j + v - p
                    if row >= 0 && row < n && column >= 0 && column < n {
                        out.update(from: x + ((image * n + row) * n + column) * cin, count: cin)
                    } else {
                        out.update(repeating: 0, count: cin)
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
        // ∂W = colᵀ·∂y: col (rebuilt) transposed to [K, rows], ∂y packed, split over the K rows of the product.
        let colT: UnsafePointer<Float>
        if isPointwise {
            context.parallel(rows, align: 8) { range in transpose(x, rows: range, total: rows, into: context.colTransposed.pointer) }
        } else {
            context.parallel(rows, align: 8) { range in
                unroll(x, rows: range, into: context.col.pointer)
                transpose(UnsafePointer(context.col.pointer), rows: range, total: rows, into: context.colTransposed.pointer)
            }
        }
        colT = UnsafePointer(context.colTransposed.pointer)
        Gemm.pack(gradOutput, ldb: cout, k: rows, n: cout, into: context.packed.pointer)
        context.parallel(depth, align: 6) { range in
            Gemm.multiply(m: range.count, n: cout, k: rows, a: colT + range.lowerBound * rows, lda: rows,
                          packedB: context.packed.pointer, c: weightGradient.pointer + range.lowerBound * cout, ldc: cout, accumulate: false)
        }
        let gw = gradients + weightOffset
        for o in 0..<cout { for c in 0..<cin { for u in 0..<k { for v in 0..<k {
            gw[((o * cin + c) * k + u) * k + v] += weightGradient.pointer[((u * k + v) * cin + c) * cout + o]
        } } } }
        guard let gx = gradInput else { return }
        // ∂col = ∂y·Wᵀ, then col2im; split by whole images, so each thread writes only its own images of ∂x.
        let perImage = outputSize * outputSize
        let inputRows = inputSize * inputSize
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

    /// Rows `rows` of a row-major total × K matrix, written transposed into out [K, total].
    func transpose(_ a: UnsafePointer<Float>, rows: Range<Int>, total: Int, into out: UnsafeMutablePointer<Float>) {
        var i0 = rows.lowerBound
        while i0 < rows.upperBound {
            let i1 = min(i0 + 8, rows.upperBound)
            var j0 = 0
            while j0 < depth {
                let j1 = min(j0 + 8, depth)
                for i in i0..<i1 { for j in j0..<j1 { out[j * total + i] = a[i * depth + j] } }
                j0 = j1
            }
            i0 = i1
        }
    }
}
