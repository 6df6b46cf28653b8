/// `Attention` on the fast path, channels-last: out = x + proj(core(qkv(GN(x)))).
final class AttentionOp: FastOp {
    let channels: Int, positions: Int
    let norm: GroupNormOp, qkv: ConvolutionOp, core: AttentionCoreOp, proj: ConvolutionOp
    /// out [capacity·P, c].
    let output: FloatBuffer
    let context: EngineContext

    init(_ attention: Attention, prefix: String, layout: ParameterLayout, size: Int, capacity: Int, context: EngineContext) {
        channels = attention.channels
        positions = size * size
        self.context = context
        norm = GroupNormOp(attention.norm, prefix: prefix + ".norm", layout: layout, positions: positions, capacity: capacity, silu: false, context: context)
        qkv = ConvolutionOp(attention.qkv, prefix: prefix + ".qkv", layout: layout, inputSize: size, capacity: capacity, context: context)
        core = AttentionCoreOp(channels: channels, positions: positions, capacity: capacity, context: context)
        output = FloatBuffer(count: capacity * positions * channels)
        // proj writes straight into `output`, then x is added (the same bits as x + proj: addition commutes).
        proj = ConvolutionOp(attention.proj, prefix: prefix + ".proj", layout: layout, inputSize: size, capacity: capacity, context: context, output: output)
        context.reserve(gradients: [capacity * positions * channels])
    }

    func load(_ parameters: UnsafePointer<Float>) {
        norm.load(parameters); qkv.load(parameters); proj.load(parameters)
    }

    func forward(_ inputs: [UnsafePointer<Float>], _ conditioning: Conditioning, images: Int) { forward(inputs[0], images: images) }

    func forward(_ x: UnsafePointer<Float>, images: Int) {
        norm.forward(x, images: images)
        qkv.forward(norm.output.pointer, images: images)
        core.forward(qkv.output.pointer, images: images)
        proj.forward(core.output.pointer, images: images)  // into `output`
        context.add(x, to: output.pointer, count: images * positions * channels)
    }

    /// ∂x = norm's ∂input + ∂out (the residual path), to `sinks[0]`.
    func backward(_ gradOutput: UnsafePointer<Float>, images: Int, gradients: UnsafeMutablePointer<Float>, sinks: [GradientSink]) {
        let a = context.gradients[0].pointer
        proj.backward(gradOutput, images: images, gradients: gradients, gradInput: a)
        core.backward(a, images: images)
        qkv.backward(core.gradInput.pointer, images: images, gradients: gradients, gradInput: a)
        let (count, scratch) = (images * positions * channels, context.sinkScratch.pointer)
        sinks[0].receive(count: count, context: context) { target in
            norm.backward(a, images: images, gradients: gradients, gradInput: target ?? scratch)
            if let target { context.add(gradOutput, to: target, count: count) }
        }
    }
}
