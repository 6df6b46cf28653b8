/// `ResidualBlock` on the fast path, channels-last, at one map size:
/// h = conv1(SiLU(GN₁(x))) + temb(SiLU(e)) per channel; out = skip(x) + conv2(SiLU(GN₂(h))).
final class ResidualOp: FastOp {
    let block: ResidualBlock
    let positions: Int
    let context: EngineContext
    let norm1: GroupNormOp, conv1: ConvolutionOp, temb: LinearOp, norm2: GroupNormOp, conv2: ConvolutionOp
    let skip: ConvolutionOp?
    /// out [capacity·P, cout].
    let output: FloatBuffer
    private var input: UnsafePointer<Float>?

    init(_ block: ResidualBlock, prefix: String, layout: ParameterLayout, size: Int, capacity: Int, context: EngineContext) {
        self.block = block
        positions = size * size
        self.context = context
        norm1 = GroupNormOp(block.norm1, prefix: prefix + ".norm1", layout: layout, positions: positions, capacity: capacity, silu: true, context: context)
        conv1 = ConvolutionOp(block.conv1, prefix: prefix + ".conv1", layout: layout, inputSize: size, capacity: capacity, context: context)
        temb = LinearOp(
            inputs: [block.temb.inFeatures], outFeatures: block.temb.outFeatures, activated: false, prefix: prefix + ".temb", layout: layout,
            capacity: capacity, context: context)
        norm2 = GroupNormOp(block.norm2, prefix: prefix + ".norm2", layout: layout, positions: positions, capacity: capacity, silu: true, context: context)
        output = FloatBuffer(count: capacity * positions * block.outChannels)
        // conv2 writes straight into `output`; the skip path is added to it (IEEE addition commutes, so the bits
        // are those of skip + conv2).
        conv2 = ConvolutionOp(block.conv2, prefix: prefix + ".conv2", layout: layout, inputSize: size, capacity: capacity, context: context, output: output)
        skip = block.skip.map { ConvolutionOp($0, prefix: prefix + ".skip", layout: layout, inputSize: size, capacity: capacity, context: context) }
        // backward's scratch: ∂ of a conv input (cin or cout channels), ∂h (cout), and Σ over positions of ∂h.
        context.reserve(gradients: [
            capacity * positions * max(block.inChannels, block.outChannels), capacity * positions * block.outChannels,
            capacity * block.outChannels,
        ])
    }

    func load(_ parameters: UnsafePointer<Float>) {
        norm1.load(parameters); conv1.load(parameters); temb.load(parameters); norm2.load(parameters); conv2.load(parameters)
        skip?.load(parameters)
    }

    /// inputs: x and SiLU(temb).
    func forward(_ inputs: [UnsafePointer<Float>], _ conditioning: Conditioning, images: Int) {
        forward(inputs[0], embedding: inputs[1], images: images)
    }

    /// x [images·P, cin]; `embedding` = SiLU(temb) [images, E].
    func forward(_ x: UnsafePointer<Float>, embedding: UnsafePointer<Float>, images: Int) {
        input = x
        let (p, cout) = (positions, block.outChannels)
        norm1.forward(x, images: images)
        conv1.forward(norm1.output.pointer, images: images)
        temb.forward(embedding, images: images)
        let h = conv1.output.pointer
        let e = temb.output.pointer
        context.parallel(images) { range in
            for image in range { for q in 0..<p { for o in 0..<cout { h[(image * p + q) * cout + o] += e[image * cout + o] } } }
        }
        norm2.forward(h, images: images)
        conv2.forward(norm2.output.pointer, images: images)  // into `output`
        let count = images * p * cout
        if let skip {
            skip.forward(x, images: images)
            context.add(skip.output.pointer, to: output.pointer, count: count)
        } else {
            context.add(x, to: output.pointer, count: count)
        }
    }

    /// From ∂out: parameter gradients into `gradients`; ∂x = norm1's ∂input + the skip path's to `sinks[0]`
    /// (summed in that order, then added to the sink's buffer when it adds); ∂SiLU(temb) to `sinks[1]`
    /// (written or accumulated by temb's GEMM).
    func backward(_ gradOutput: UnsafePointer<Float>, images: Int, gradients: UnsafeMutablePointer<Float>, sinks: [GradientSink]) {
        guard input != nil else { preconditionFailure("ResidualOp.backward before forward") }
        let (p, cin, cout) = (positions, block.inChannels, block.outChannels)
        let (a, b) = (context.gradients[0].pointer, context.gradients[1].pointer)
        conv2.backward(gradOutput, images: images, gradients: gradients, gradInput: a)
        norm2.backward(a, images: images, gradients: gradients, gradInput: b)  // b = ∂h
        let perChannel = context.gradients[2].pointer  // Σ over positions of ∂h
        context.parallel(images) { range in
            (perChannel + range.lowerBound * cout).update(repeating: 0, count: range.count * cout)
            for image in range { for q in 0..<p { for o in 0..<cout { perChannel[image * cout + o] += b[(image * p + q) * cout + o] } } }
        }
        temb.backward(perChannel, images: images, gradients: gradients, sinks: [sinks[1]])
        conv1.backward(b, images: images, gradients: gradients, gradInput: a)
        let count = images * p * cin
        let scratch = context.sinkScratch.pointer
        sinks[0].receive(count: count, context: context) { target in
            let gx = target ?? scratch
            norm1.backward(a, images: images, gradients: gradients, gradInput: gx)
            if let skip {
                skip.backward(gradOutput, images: images, gradients: gradients, gradInput: target == nil ? nil : a)
                if target != nil { context.add(a, to: gx, count: count) }
            } else if target != nil {
                context.add(gradOutput, to: gx, count: count)
            }
        }
    }
}
