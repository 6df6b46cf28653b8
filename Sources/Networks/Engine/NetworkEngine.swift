/// The fast path of an `MLP`: forward and backward passes over a block of rows with preallocated
/// buffers and the SIMD kernels, no tape and no allocation per call. It computes what
/// `MLP.forward` computes on a tape (the tests compare the two, values and gradients).
///
/// For a block of `rows`: hₗ `[rows, sizes[l]]` (h₀ the caller's input), zₗ = hₗ₋₁·Wₗ + bₗ,
/// hₗ = SiLU(zₗ) = zₗ·σ(zₗ); σ(zₗ) is kept so the backward pass needs no exponential.
/// Gradients come out in the flat layout of `MLP.parameters`.
public final class NetworkEngine {
    /// Layer widths, input first.
    public let sizes: [Int]
    /// The most rows one call may process.
    public let capacity: Int
    let activations: [FloatBuffer]  // h₁ … h_{L−1}
    let preActivations: [FloatBuffer]  // z₁ … z_{L−1}
    let sigmoids: [FloatBuffer]  // σ(z₁) … σ(z_{L−1})
    let upstream: FloatBuffer
    let downstream: FloatBuffer
    let transposedInput: FloatBuffer  // hₗᵀ for ∂L/∂W
    let packedUpstream: FloatBuffer  // g packed for ∂L/∂W
    let narrowColumns: FloatBuffer  // ∂L/∂W of a layer whose width is not a multiple of 16, [out, in]

    /// An engine for networks of `sizes` and blocks of up to `capacity` rows.
    public init(sizes: [Int], capacity: Int) {
        precondition(sizes.dropFirst().dropLast().allSatisfy { $0 % 8 == 0 }, "NetworkEngine: hidden widths must be multiples of 8, got \(sizes)")
        self.sizes = sizes
        self.capacity = capacity
        let widest = sizes.max()!
        let hidden = Array(sizes.dropFirst().dropLast())
        activations = hidden.map { FloatBuffer(count: capacity * $0) }
        preActivations = hidden.map { FloatBuffer(count: capacity * $0) }
        sigmoids = hidden.map { FloatBuffer(count: capacity * $0) }
        upstream = FloatBuffer(count: capacity * widest)
        downstream = FloatBuffer(count: capacity * widest)
        transposedInput = FloatBuffer(count: capacity * widest)
        packedUpstream = FloatBuffer(count: Gemm.packedCount(k: capacity, n: widest))
        narrowColumns = FloatBuffer(count: (0..<(sizes.count - 1)).map { sizes[$0] * sizes[$0 + 1] }.max()!)
    }

    /// output = network(input) for `rows` rows; input `[rows, sizes[0]]`, output `[rows, sizes[L]]`.
    /// Keeps the activations for `backward`.
    public func forward(_ network: PackedNetwork, input: UnsafePointer<Float>, rows: Int, output: UnsafeMutablePointer<Float>) {
        precondition(rows <= capacity, "NetworkEngine: \(rows) rows exceed capacity \(capacity)")
        let model = network.model
        let layers = sizes.count - 1
        model.parameters.withUnsafeBufferPointer { p in
            var h = input
            for l in 0..<(layers - 1) {
                let (n, m) = (sizes[l], sizes[l + 1])
                let (a, z, s) = (activations[l].pointer, preActivations[l].pointer, sigmoids[l].pointer)
                Gemm.multiply(m: rows, n: m, k: n, a: h, lda: n, packedB: network.weights[l].pointer, c: z, ldc: m, accumulate: false)
                VectorMath.biasSiLU(z, rows: rows, width: m, bias: p.baseAddress! + model.biasOffset(l), output: a, sigmoid: s)
                h = UnsafePointer(a)
            }
            let (n, m) = (sizes[layers - 1], sizes[layers])
            let bias = p.baseAddress! + model.biasOffset(layers - 1)
            let wt = network.lastTransposed.pointer
            for r in 0..<rows {
                for o in 0..<m { output[r * m + o] = bias[o] + dot(h + r * n, wt + o * n, n) }
            }
        }
    }

    /// Gradients of Σ (gradOutput ⊙ output) with respect to every parameter, written (not added)
    /// into `gradients` (flat, `MLP.parameters` layout), after a `forward` on the same rows.
    public func backward(
        _ network: PackedNetwork, input: UnsafePointer<Float>, gradOutput: UnsafePointer<Float>, rows: Int,
        gradients: UnsafeMutablePointer<Float>
    ) {
        let model = network.model
        let layers = sizes.count - 1
        var g = upstream.pointer
        var down = downstream.pointer
        g.update(from: gradOutput, count: rows * sizes[layers])
        let (ht, gp) = (transposedInput.pointer, packedUpstream.pointer)
        for l in stride(from: layers - 1, through: 0, by: -1) {
            let (n, m) = (sizes[l], sizes[l + 1])
            let dW = gradients + model.weightOffset(l)
            let h = l == 0 ? input : UnsafePointer(activations[l - 1].pointer)
            // ∂L/∂W = hᵀ·g  [n, m]
            if m % 16 == 0 {
                Gemm.transpose(h, rows: rows, columns: n, into: ht)
                Gemm.pack(g, ldb: m, k: rows, n: m, into: gp)
                Gemm.multiply(m: n, n: m, k: rows, a: ht, lda: rows, packedB: gp, c: dW, ldc: m, accumulate: false)
            } else {
                narrowWeightGradient(h, g, rows: rows, inputs: n, outputs: m, into: dW)
            }
            // ∂L/∂b = Σ_rows g
            columnSums(g, rows: rows, columns: m, into: gradients + model.biasOffset(l))
            guard l > 0 else { break }
            // ∂L/∂h = g·Wᵀ [rows, n], then through SiLU: ⊙ σ(z)·(1 + z·(1 − σ(z))).
            Gemm.multiply(m: rows, n: n, k: m, a: g, lda: m, packedB: network.transposedWeights[l].pointer, c: down, ldc: n, accumulate: false)
            VectorMath.siluBackward(down, preActivation: preActivations[l - 1].pointer, sigmoid: sigmoids[l - 1].pointer, count: rows * n)
            swap(&g, &down)
        }
    }

    /// dW = hᵀ·g for few outputs: for each row, dWᵀ[o, :] += g[r, o]·h[r, :], 8 inputs at a time.
    func narrowWeightGradient(
        _ h: UnsafePointer<Float>, _ g: UnsafePointer<Float>, rows: Int, inputs n: Int, outputs m: Int,
        into dW: UnsafeMutablePointer<Float>
    ) {
        do {
            let columns = narrowColumns.pointer
            columns.update(repeating: 0, count: m * n)
            for r in 0..<rows {
                for o in 0..<m {
                    let scale = g[r * m + o]
                    let vector = SIMD8<Float>(repeating: scale)
                    var i = 0
                    while i + 8 <= n {
                        Gemm.store(vector * Gemm.load(h + r * n + i), columns + o * n + i, true)
                        i += 8
                    }
                    while i < n { columns[o * n + i] += scale * h[r * n + i]; i += 1 }
                }
            }
            Gemm.transpose(columns, rows: m, columns: n, into: dW)
        }
    }

    /// out[j] = Σᵢ x[i, j] over `rows`.
    func columnSums(_ x: UnsafePointer<Float>, rows: Int, columns: Int, into out: UnsafeMutablePointer<Float>) {
        out.update(repeating: 0, count: columns)
        var j = 0
        while j + 8 <= columns {
            var sum = SIMD8<Float>()
            for r in 0..<rows { sum += Gemm.load(x + r * columns + j) }
            Gemm.store(sum, out + j, false)
            j += 8
        }
        while j < columns {
            for r in 0..<rows { out[j] += x[r * columns + j] }
            j += 1
        }
    }
}

/// Σᵢ aᵢbᵢ over `count` floats, 8 at a time with two accumulators.
@inlinable @inline(__always)
func dot(_ a: UnsafePointer<Float>, _ b: UnsafePointer<Float>, _ count: Int) -> Float {
    var s0 = SIMD8<Float>()
    var s1 = SIMD8<Float>()
    var i = 0
    while i + 16 <= count {
        s0.addProduct(Gemm.load(a + i), Gemm.load(b + i))
        s1.addProduct(Gemm.load(a + i + 8), Gemm.load(b + i + 8))
        i += 16
    }
    var sum = (s0 + s1).sum()
    while i < count { sum += a[i] * b[i]; i += 1 }
    return sum
}

extension NetworkEngine {
    /// Inference for `rows` points x [rows, d] that share one t, without keeping anything for `backward`:
    /// h₁ = SiLU(x·W₁ₓ + c) with c = emb(t)·W₁ₑ + b₁ given (`firstLayerBias`, [sizes[1]]), then
    /// hₗ = SiLU(hₗ₋₁·Wₗ + bₗ) with bias and SiLU applied in registers, and output = h·W + b.
    func infer(
        _ network: PackedNetwork, points x: UnsafePointer<Float>, firstLayerBias: UnsafePointer<Float>, rows: Int,
        output: UnsafeMutablePointer<Float>
    ) {
        precondition(rows <= capacity, "NetworkEngine: \(rows) rows exceed capacity \(capacity)")
        let model = network.model
        let layers = sizes.count - 1
        let d = sizes[0] - TimeEmbedding.width
        model.parameters.withUnsafeBufferPointer { p in
            let width = sizes[1]
            let (w1, h1) = (p.baseAddress! + model.weightOffset(0), activations[0].pointer)
            for r in 0..<rows {
                var j = 0
                while j < width {
                    var z = Gemm.load(firstLayerBias + j)
                    for c in 0..<d { z.addProduct(SIMD8(repeating: x[r * d + c]), Gemm.load(w1 + c * width + j)) }
                    Gemm.store(VectorMath.silu(z), h1 + r * width + j, false)
                    j += 8
                }
            }
            for l in 1..<(layers - 1) {
                let (n, m) = (sizes[l], sizes[l + 1])
                let (input, h, bias) = (UnsafePointer(activations[l - 1].pointer), activations[l].pointer, p.baseAddress! + model.biasOffset(l))
                if m % 16 == 0 {
                    Gemm.multiplyBiasSiLU(m: rows, n: m, k: n, a: input, lda: n, packedB: network.weights[l].pointer, bias: bias, c: h, ldc: m)
                } else {
                    Gemm.multiply(m: rows, n: m, k: n, a: input, lda: n, packedB: network.weights[l].pointer, c: h, ldc: m, accumulate: false)
                    VectorMath.biasSiLU(h, rows: rows, width: m, bias: bias, output: h, sigmoid: nil)
                }
            }
            let (n, m) = (sizes[layers - 1], sizes[layers])
            let (h, bias, wt) = (UnsafePointer(activations[layers - 2].pointer), p.baseAddress! + model.biasOffset(layers - 1), network.lastTransposed.pointer)
            for r in 0..<rows {
                for o in 0..<m { output[r * m + o] = bias[o] + dot(h + r * n, wt + o * n, n) }
            }
        }
    }
}
