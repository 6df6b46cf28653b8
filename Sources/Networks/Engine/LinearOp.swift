/// `Linear` on the fast path: y = x·Wᵀ + b for x [images, in], W [out, in], on the GEMM kernel.
/// Backward: ∂x = ∂y·W, ∂W = ∂yᵀ·x, ∂b = Σ ∂y.
final class LinearOp: FastOp {
    let layer: Linear
    let weightOffset: Int, biasOffset: Int
    let context: EngineContext
    /// y [capacity, out].
    let output: FloatBuffer
    /// Wᵀ packed (for y), W packed (for ∂x); ∂yᵀ and x packed scratch for ∂W.
    let packedTransposed: FloatBuffer, packedWeight: FloatBuffer, gradTransposed: FloatBuffer, packedInput: FloatBuffer
    private var input: UnsafePointer<Float>?
    private var weight: UnsafePointer<Float>?, bias: UnsafePointer<Float>?

    init(_ layer: Linear, prefix: String, layout: ParameterLayout, capacity: Int, context: EngineContext) {
        self.layer = layer
        weightOffset = layout[prefix + ".weight"]!.offset
        biasOffset = layout[prefix + ".bias"]!.offset
        self.context = context
        output = FloatBuffer(count: capacity * layer.outFeatures)
        packedTransposed = FloatBuffer(count: Gemm.packedCount(k: layer.inFeatures, n: layer.outFeatures))
        packedWeight = FloatBuffer(count: Gemm.packedCount(k: layer.outFeatures, n: layer.inFeatures))
        gradTransposed = FloatBuffer(count: capacity * layer.outFeatures)
        packedInput = FloatBuffer(count: Gemm.packedCount(k: capacity, n: layer.inFeatures))
    }

    func forward(_ inputs: [UnsafePointer<Float>], _ conditioning: Conditioning, images: Int) { forward(inputs[0], images: images) }

    /// ∂x written (`write`), accumulated by the GEMM itself (`add`), or skipped.
    func backward(_ gradOutput: UnsafePointer<Float>, images: Int, gradients: UnsafeMutablePointer<Float>, sinks: [GradientSink]) {
        switch sinks[0] {
        case .discard: backward(gradOutput, images: images, gradients: gradients, gradInput: nil, accumulate: false)
        case .write(let g): backward(gradOutput, images: images, gradients: gradients, gradInput: g, accumulate: false)
        case .add(let g): backward(gradOutput, images: images, gradients: gradients, gradInput: g, accumulate: true)
        }
    }

    func load(_ parameters: UnsafePointer<Float>) {
        weight = parameters + weightOffset
        bias = parameters + biasOffset
        Gemm.packTransposed(parameters + weightOffset, rows: layer.outFeatures, columns: layer.inFeatures, into: packedTransposed.pointer)
        Gemm.pack(parameters + weightOffset, ldb: layer.inFeatures, k: layer.outFeatures, n: layer.inFeatures, into: packedWeight.pointer)
    }

    func forward(_ x: UnsafePointer<Float>, images: Int) {
        guard let bias else { preconditionFailure("LinearOp.forward before load") }
        input = x
        let (i, o) = (layer.inFeatures, layer.outFeatures)
        Gemm.multiply(m: images, n: o, k: i, a: x, lda: i, packedB: packedTransposed.pointer, c: output.pointer, ldc: o, accumulate: false)
        for r in 0..<images { for j in 0..<o { output.pointer[r * o + j] += bias[j] } }
    }

    /// Adds ∂W, ∂b into `gradients`; adds ∂x into `gradInput` when given (`accumulate`) or writes it.
    func backward(
        _ gradOutput: UnsafePointer<Float>, images: Int, gradients: UnsafeMutablePointer<Float>,
        gradInput: UnsafeMutablePointer<Float>?, accumulate: Bool
    ) {
        guard let x = input else { preconditionFailure("LinearOp.backward before forward") }
        let (i, o) = (layer.inFeatures, layer.outFeatures)
        for r in 0..<images { for j in 0..<o { gradients[biasOffset + j] += gradOutput[r * o + j] } }
        Gemm.transpose(gradOutput, rows: images, columns: o, into: gradTransposed.pointer)
        Gemm.pack(x, ldb: i, k: images, n: i, into: packedInput.pointer)
        Gemm.multiply(
            m: o, n: i, k: images, a: gradTransposed.pointer, lda: images, packedB: packedInput.pointer,
            c: gradients + weightOffset, ldc: i, accumulate: true)
        if let gradInput {
            Gemm.multiply(m: images, n: i, k: o, a: gradOutput, lda: o, packedB: packedWeight.pointer, c: gradInput, ldc: i, accumulate: accumulate)
        }
    }
}
