/// `Linear` and `LinearSiLU` on the fast path: z = x·Wᵀ + b for x [rows, in], W [out, in], and y = z
/// or y = SiLU(z). The input may come in parts (x = [x₁, x₂, …] along features, W = [W₁, W₂, …] along
/// its columns): z = Σₚ xₚ·Wₚᵀ + b. Rows are split over the threads; every element sums its products in
/// one fixed order, so the results do not depend on the thread count.
///
/// Forward: the GEMM on each Wₚᵀ packed, or for fewer than 16 outputs a dot product per output. With
/// SiLU, z and σ(z) are kept for the backward pass. At inference (`EngineContext.inference`) a part whose
/// rows are all equal (the time embedding when a sampler's batch shares t) is multiplied once and folded
/// into the bias, and bias and SiLU are applied while the GEMM's block is still in registers.
/// Backward: ∂z = ∂y (or ∂y·SiLU′(z)), ∂b = Σ_rows ∂z, ∂Wₚ = ∂zᵀ·xₚ, ∂xₚ = ∂z·Wₚ.
final class LinearOp: FastOp {
    let inFeatures: Int, outFeatures: Int, activated: Bool
    /// Each input part's first column in W and its width.
    let parts: [(offset: Int, width: Int)]
    let weightOffset: Int, biasOffset: Int
    let context: EngineContext
    /// y [capacity, out].
    let output: FloatBuffer
    /// With SiLU: z + b and σ(z + b) [capacity, out].
    let preActivation: FloatBuffer?, sigmoid: FloatBuffer?
    /// Per part: Wₚᵀ packed (for y) and Wₚ packed (for ∂xₚ). The backward pass's scratch is the context's.
    private(set) var packedTransposed: [FloatBuffer], packedWeight: [FloatBuffer]
    /// At inference: the bias with the constant parts folded in.
    let foldedBias: FloatBuffer
    /// Whether another op packs the weights (`sharePacking`).
    private var follows = false
    /// Fewer than 16 outputs: dot products instead of a mostly padded GEMM strip.
    var narrow: Bool { outFeatures < 16 }
    private var inputs: [UnsafePointer<Float>] = []
    private var weight: UnsafePointer<Float>?, bias: UnsafePointer<Float>?
    private var keptForBackward = false

    init(inputs widths: [Int], outFeatures: Int, activated: Bool, prefix: String, layout: ParameterLayout, capacity: Int, context: EngineContext) {
        precondition(!activated || outFeatures % 8 == 0, "LinearSiLU: \(outFeatures) outputs, a multiple of 8 is needed")
        inFeatures = widths.reduce(0, +)
        (self.outFeatures, self.activated) = (outFeatures, activated)
        parts = widths.indices.map { (widths[..<$0].reduce(0, +), widths[$0]) }
        weightOffset = layout[prefix + ".weight"]!.offset
        biasOffset = layout[prefix + ".bias"]!.offset
        self.context = context
        output = FloatBuffer(count: capacity * outFeatures)
        preActivation = activated ? FloatBuffer(count: capacity * outFeatures) : nil
        sigmoid = activated ? FloatBuffer(count: capacity * outFeatures) : nil
        packedTransposed = widths.map { FloatBuffer(count: Gemm.packedCount(k: $0, n: outFeatures)) }
        packedWeight = widths.map { FloatBuffer(count: Gemm.packedCount(k: outFeatures, n: $0)) }
        foldedBias = FloatBuffer(count: outFeatures)
        context.reserve(linear: [capacity * outFeatures, Gemm.packedCount(k: capacity, n: widths.max()!), activated ? capacity * outFeatures : 0])
    }

    func sharePacking(with leader: any FastOp) {
        guard let leader = leader as? LinearOp, leader.parts.map(\.width) == parts.map(\.width), leader.outFeatures == outFeatures else { return }
        (packedTransposed, packedWeight, follows) = (leader.packedTransposed, leader.packedWeight, true)
    }

    func load(_ parameters: UnsafePointer<Float>) {
        let w = parameters + weightOffset
        (weight, bias) = (w, parameters + biasOffset)
        guard !follows else { return }
        for (p, part) in parts.enumerated() {
            Gemm.packTransposed(w + part.offset, rows: outFeatures, columns: part.width, rowStride: inFeatures, into: packedTransposed[p].pointer)
            Gemm.pack(w + part.offset, ldb: inFeatures, k: outFeatures, n: part.width, into: packedWeight[p].pointer)
        }
    }

    /// y for `images` rows of a one-part input.
    func forward(_ x: UnsafePointer<Float>, images: Int) { forward([x], Conditioning(steps: []), images: images) }

    /// y for `images` rows of the inputs (one per part).
    func forward(_ x: [UnsafePointer<Float>], _ conditioning: Conditioning, images: Int) {
        guard let weight, var bias else { preconditionFailure("LinearOp.forward before load") }
        inputs = x
        keptForBackward = !context.inference
        var varying = Array(parts.indices)
        if context.inference && parts.count > 1 {
            varying = parts.indices.filter { !rowsAreEqual(x[$0], width: parts[$0].width, rows: images) }
            let constant = parts.indices.filter { !varying.contains($0) }
            if !constant.isEmpty {
                for j in 0..<outFeatures {
                    foldedBias.pointer[j] = constant.reduce(bias[j]) { sum, p in
                        sum + SimdRows.dot(x[p], weight + j * inFeatures + parts[p].offset, parts[p].width)
                    }
                }
                bias = UnsafePointer(foldedBias.pointer)
            }
        }
        let o = outFeatures
        context.parallel(images, align: 6) { rows in
            let y = output.pointer + rows.lowerBound * o
            func product(into c: UnsafeMutablePointer<Float>) {
                for (k, p) in varying.enumerated() {
                    let w = parts[p].width
                    Gemm.multiply(
                        m: rows.count, n: o, k: w, a: x[p] + rows.lowerBound * w, lda: w, packedB: packedTransposed[p].pointer, c: c, ldc: o,
                        accumulate: k > 0)
                }
                if varying.isEmpty { c.update(repeating: 0, count: rows.count * o) }
            }
            if narrow {
                for r in rows {
                    for j in 0..<o {
                        y[(r - rows.lowerBound) * o + j] = varying.reduce(bias[j]) { sum, p in
                            sum + SimdRows.dot(x[p] + r * parts[p].width, weight + j * inFeatures + parts[p].offset, parts[p].width)
                        }
                    }
                }
                if activated { activate(y, at: rows) }
            } else if activated && !keptForBackward && o % 16 == 0 && varying.count == 1 {
                let (p, w) = (varying[0], parts[varying[0]].width)
                Gemm.multiplyBiasSiLU(
                    m: rows.count, n: o, k: w, a: x[p] + rows.lowerBound * w, lda: w, packedB: packedTransposed[p].pointer, bias: bias, c: y, ldc: o)
            } else if activated {
                let z = preActivation!.pointer + rows.lowerBound * o
                product(into: z)
                VectorMath.biasSiLU(z, rows: rows.count, width: o, bias: bias, output: y, sigmoid: sigmoid!.pointer + rows.lowerBound * o)
            } else {
                product(into: y)
                for r in 0..<rows.count { for j in 0..<o { y[r * o + j] += bias[j] } }
            }
        }
    }

    /// Whether every one of `rows` rows of x equals the first, bit for bit.
    private func rowsAreEqual(_ x: UnsafePointer<Float>, width: Int, rows: Int) -> Bool {
        let bits = UnsafeRawPointer(x).assumingMemoryBound(to: UInt32.self)
        for r in 1..<max(rows, 1) {
            for k in 0..<width where bits[r * width + k] != bits[k] { return false }
        }
        return true
    }

    /// For the narrow case with SiLU: y holds z + b; keeps it and σ, and writes SiLU(z + b).
    private func activate(_ y: UnsafeMutablePointer<Float>, at rows: Range<Int>) {
        let count = rows.count * outFeatures
        let (z, s) = (preActivation!.pointer + rows.lowerBound * outFeatures, sigmoid!.pointer + rows.lowerBound * outFeatures)
        for k in 0..<count {
            z[k] = y[k]
            s[k] = 1 / (1 + Float.exp(-y[k]))
            y[k] = z[k] * s[k]
        }
    }

    /// Adds ∂W, ∂b into `gradients`; each ∂xₚ written (`write`), accumulated by the GEMM itself (`add`), or skipped.
    func backward(_ gradOutput: UnsafePointer<Float>, images: Int, gradients: UnsafeMutablePointer<Float>, sinks: [GradientSink]) {
        guard keptForBackward, inputs.count == parts.count else { preconditionFailure("LinearOp.backward without a training forward") }
        let (n, o) = (inFeatures, outFeatures)
        var g = gradOutput
        if activated {
            let gz = context.linear[2].pointer
            VectorMath.siluBackward(gradOutput, preActivation: preActivation!.pointer, sigmoid: sigmoid!.pointer, count: images * o, into: gz)
            g = UnsafePointer(gz)
        }
        columnSums(g, rows: images, into: gradients + biasOffset)
        let dW = gradients + weightOffset
        if narrow {
            // ∂Wₚ[j, :] += Σ_r ∂z[r, j]·xₚ[r, :], rows in order.
            for (p, part) in parts.enumerated() {
                for j in 0..<o {
                    for r in 0..<images { SimdRows.axpy(g[r * o + j], inputs[p] + r * part.width, dW + j * n + part.offset, part.width) }
                }
            }
        } else {
            let (gradTransposed, packedInput) = (context.linear[0].pointer, context.linear[1].pointer)
            Gemm.transpose(g, rows: images, columns: o, into: gradTransposed)
            for (p, part) in parts.enumerated() {
                Gemm.pack(inputs[p], ldb: part.width, k: images, n: part.width, into: packedInput)
                context.parallel(o, align: 6) { rows in
                    Gemm.multiply(
                        m: rows.count, n: part.width, k: images, a: gradTransposed + rows.lowerBound * images, lda: images,
                        packedB: packedInput, c: dW + rows.lowerBound * n + part.offset, ldc: n, accumulate: true)
                }
            }
        }
        for (p, part) in parts.enumerated() {
            let (gradInput, accumulate): (UnsafeMutablePointer<Float>?, Bool) =
                switch sinks[p] {
                case .discard: (nil, false)
                case .write(let pointer): (pointer, false)
                case .add(let pointer): (pointer, true)
                }
            guard let gradInput else { continue }
            context.parallel(images, align: 6) { rows in
                Gemm.multiply(
                    m: rows.count, n: part.width, k: o, a: g + rows.lowerBound * o, lda: o, packedB: packedWeight[p].pointer,
                    c: gradInput + rows.lowerBound * part.width, ldc: part.width, accumulate: accumulate)
            }
        }
    }

    /// out[j] += Σ_r x[r, j] over `rows` rows of `outFeatures`, eight columns at a time.
    private func columnSums(_ x: UnsafePointer<Float>, rows: Int, into out: UnsafeMutablePointer<Float>) {
        let columns = outFeatures
        var j = 0
        while j + 8 <= columns {
            var sum = Gemm.load(out + j)
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
