import RealModule

/// The U-Net on the fast path: Float, channels-last maps, every convolution a GEMM on the SIMD kernel,
/// forward and backward written out layer by layer (mirroring `UNet.callAsFunction`, the reference on
/// the tape, against which it is tested). Parameters and gradients are flat vectors in the U-Net's
/// layout (PyTorch's order and shapes). Work inside each layer is split over the threads by whole rows
/// or whole images, and every sum runs in a fixed order: results do not depend on the thread count.
public final class UNetEngine {
    /// The network.
    public let net: UNet
    /// The largest batch.
    public let capacity: Int
    let context: EngineContext
    let parameters: FloatBuffer
    let embedding: FloatBuffer, act1: FloatBuffer, tembAct: FloatBuffer, gradTembAct: FloatBuffer, gradAct1: FloatBuffer
    let timeIn: LinearOp, timeOut: LinearOp
    let convIn: ConvolutionOp, down0: ResidualOp, downsample: ConvolutionOp, down1: ResidualOp, down1Attention: AttentionOp
    let mid1: ResidualOp, midAttention: AttentionOp, mid2: ResidualOp
    let up1a: ResidualOp, up1aAttention: AttentionOp, up1b: ResidualOp, up1bAttention: AttentionOp
    let upsampleConv: ConvolutionOp, up0a: ResidualOp, up0b: ResidualOp, normOut: GroupNormOp, convOut: ConvolutionOp
    /// Concatenated and upsampled maps, and the gradients of the skip connections.
    let cat1: FloatBuffer, cat2: FloatBuffer, upsampled: FloatBuffer, cat3: FloatBuffer, cat4: FloatBuffer
    let g0: FloatBuffer, g1: FloatBuffer, g2: FloatBuffer, g3: FloatBuffer, gMain: FloatBuffer, gSmall: FloatBuffer, gOut: FloatBuffer
    /// The output (and its gradient) channel after channel, when there is more than one output channel.
    let channelMajor: FloatBuffer
    /// The labels of the last forward batch (class-conditional nets), and where `label_emb.weight` starts.
    var labels: [Int] = []
    let labelOffset: Int

    /// An engine for batches of up to `capacity` images of the network `net`, on `threads` threads.
    public init(net: UNet, capacity: Int, threads: Int = 1) {
        precondition(capacity >= 1 && threads >= 1, "UNetEngine: capacity and threads must be ≥ 1")
        self.net = net
        self.capacity = capacity
        let ch = net.ch
        let (big, small) = (64, 16)
        context = EngineContext(threads: threads, packed: capacity * big * 16 * ((2 * ch + 15) / 16))
        let layout = net.layout
        parameters = FloatBuffer(count: layout.count)
        let e = UNet.embeddingWidth
        embedding = FloatBuffer(count: capacity * TimeEmbedding.width)
        (act1, tembAct, gradTembAct, gradAct1) = (FloatBuffer(count: capacity * e), FloatBuffer(count: capacity * e), FloatBuffer(count: capacity * e), FloatBuffer(count: capacity * e))
        let c = context
        timeIn = LinearOp(net.timeIn, prefix: "temb.0", layout: layout, capacity: capacity, context: c)
        timeOut = LinearOp(net.timeOut, prefix: "temb.2", layout: layout, capacity: capacity, context: c)
        func res(_ block: ResidualBlock, _ name: String, _ size: Int) -> ResidualOp {
            ResidualOp(block, prefix: name, layout: layout, size: size, capacity: capacity, context: c)
        }
        func attn(_ a: Attention, _ name: String) -> AttentionOp { AttentionOp(a, prefix: name, layout: layout, size: 4, capacity: capacity, context: c) }
        convIn = ConvolutionOp(net.convIn, prefix: "conv_in", layout: layout, inputSize: 8, capacity: capacity, context: c)
        down0 = res(net.down0, "down0", 8)
        downsample = ConvolutionOp(net.downsample, prefix: "downsample", layout: layout, inputSize: 8, capacity: capacity, context: c)
        (down1, down1Attention) = (res(net.down1, "down1", 4), attn(net.down1Attention, "down1_attn"))
        (mid1, midAttention, mid2) = (res(net.mid1, "mid1", 4), attn(net.midAttention, "mid_attn"), res(net.mid2, "mid2", 4))
        (up1a, up1aAttention) = (res(net.up1a, "up1a", 4), attn(net.up1aAttention, "up1a_attn"))
        (up1b, up1bAttention) = (res(net.up1b, "up1b", 4), attn(net.up1bAttention, "up1b_attn"))
        upsampleConv = ConvolutionOp(net.upsample, prefix: "upsample", layout: layout, inputSize: 8, capacity: capacity, context: c)
        (up0a, up0b) = (res(net.up0a, "up0a", 8), res(net.up0b, "up0b", 8))
        normOut = GroupNormOp(net.normOut, prefix: "norm_out", layout: layout, positions: big, capacity: capacity, silu: true, context: c)
        convOut = ConvolutionOp(net.convOut, prefix: "conv_out", layout: layout, inputSize: 8, capacity: capacity, context: c)
        cat1 = FloatBuffer(count: capacity * small * 4 * ch)
        cat2 = FloatBuffer(count: capacity * small * 3 * ch)
        upsampled = FloatBuffer(count: capacity * big * 2 * ch)
        cat3 = FloatBuffer(count: capacity * big * 3 * ch)
        cat4 = FloatBuffer(count: capacity * big * 2 * ch)
        (g0, g1) = (FloatBuffer(count: capacity * big * ch), FloatBuffer(count: capacity * big * ch))
        (g2, g3) = (FloatBuffer(count: capacity * small * ch), FloatBuffer(count: capacity * small * 2 * ch))
        gMain = FloatBuffer(count: capacity * big * 2 * ch)
        gSmall = FloatBuffer(count: capacity * small * 2 * ch)
        gOut = FloatBuffer(count: capacity * big * ch)
        channelMajor = FloatBuffer(count: net.outputChannels > 1 ? capacity * big * net.outputChannels : 0)
        labelOffset = layout["label_emb.weight"]?.offset ?? 0
    }

    /// Copies `values` (the layout's flat vector) in and repacks every weight.
    public func load(_ values: [Float]) {
        precondition(values.count == net.layout.count, "UNetEngine.load: \(values.count) values for \(net.layout.count) parameters")
        values.withUnsafeBufferPointer { parameters.pointer.update(from: $0.baseAddress!, count: values.count) }
        let p = UnsafePointer(parameters.pointer)
        timeIn.load(p); timeOut.load(p); convIn.load(p); down0.load(p); downsample.load(p); down1.load(p); down1Attention.load(p)
        mid1.load(p); midAttention.load(p); mid2.load(p); up1a.load(p); up1aAttention.load(p); up1b.load(p); up1bAttention.load(p)
        upsampleConv.load(p); up0a.load(p); up0b.load(p); normOut.load(p); convOut.load(p)
    }

    /// ε_θ(xₜ, t) for `t.count` images x [images, 64] (row-major 8 × 8; channels-last with one channel
    /// is the same layout). - Returns: the output [images, 64], valid until the next call.
    @discardableResult
    public func forward(_ x: UnsafePointer<Float>, steps t: [Int]) -> UnsafePointer<Float> { forward(x, steps: t, labels: nil) }

    /// `forward` with one label per image (0…classes, `classes` = ∅) for a class-conditional net; its
    /// row of `label_emb.weight` is added to the time embedding before the SiLU the blocks share.
    @discardableResult
    public func forward(_ x: UnsafePointer<Float>, steps t: [Int], labels: [Int]?) -> UnsafePointer<Float> {
        let n = t.count
        precondition(n >= 1 && n <= capacity, "UNetEngine.forward: \(n) images, capacity \(capacity)")
        precondition((net.classes == 0) == (labels == nil), "UNetEngine.forward: labels are for class-conditional nets, and they need them")
        if let labels {
            precondition(labels.count == n && labels.allSatisfy { (0...net.classes).contains($0) }, "UNetEngine.forward: one label in 0…\(net.classes) per image")
            self.labels = labels
        }
        let ch = net.ch
        let e = UNet.embeddingWidth
        for (i, step) in t.enumerated() {
            for (j, f) in TimeEmbedding.frequencies.enumerated() {
                let a = Float(step) * f
                embedding.pointer[i * 32 + j] = Float.sin(a)
                embedding.pointer[i * 32 + 16 + j] = Float.cos(a)
            }
        }
        timeIn.forward(embedding.pointer, images: n)
        for i in 0..<(n * e) { let z = timeIn.output.pointer[i]; act1.pointer[i] = z / (1 + Float.exp(-z)) }
        timeOut.forward(act1.pointer, images: n)
        if let labels {
            for (i, y) in labels.enumerated() { for j in 0..<e { timeOut.output.pointer[i * e + j] += parameters.pointer[labelOffset + y * e + j] } }
        }
        for i in 0..<(n * e) { let z = timeOut.output.pointer[i]; tembAct.pointer[i] = z / (1 + Float.exp(-z)) }
        let temb = UnsafePointer(tembAct.pointer)
        convIn.forward(x, images: n)
        let h0 = convIn.output.pointer
        down0.forward(h0, embedding: temb, images: n)
        let h1 = down0.output.pointer
        downsample.forward(h1, images: n)
        let h2 = downsample.output.pointer
        down1.forward(h2, embedding: temb, images: n)
        down1Attention.forward(down1.output.pointer, images: n)
        let h3 = down1Attention.output.pointer
        mid1.forward(h3, embedding: temb, images: n)
        midAttention.forward(mid1.output.pointer, images: n)
        mid2.forward(midAttention.output.pointer, embedding: temb, images: n)
        MapOps.concatenate(mid2.output.pointer, 2 * ch, h3, 2 * ch, rows: n * 16, into: cat1.pointer)
        up1a.forward(cat1.pointer, embedding: temb, images: n)
        up1aAttention.forward(up1a.output.pointer, images: n)
        MapOps.concatenate(up1aAttention.output.pointer, 2 * ch, h2, ch, rows: n * 16, into: cat2.pointer)
        up1b.forward(cat2.pointer, embedding: temb, images: n)
        up1bAttention.forward(up1b.output.pointer, images: n)
        MapOps.upsample(up1bAttention.output.pointer, images: n, size: 4, channels: 2 * ch, into: upsampled.pointer)
        upsampleConv.forward(upsampled.pointer, images: n)
        MapOps.concatenate(upsampleConv.output.pointer, 2 * ch, h1, ch, rows: n * 64, into: cat3.pointer)
        up0a.forward(cat3.pointer, embedding: temb, images: n)
        MapOps.concatenate(up0a.output.pointer, ch, h0, ch, rows: n * 64, into: cat4.pointer)
        up0b.forward(cat4.pointer, embedding: temb, images: n)
        normOut.forward(up0b.output.pointer, images: n)
        convOut.forward(normOut.output.pointer, images: n)
        let c = net.outputChannels
        if c == 1 { return UnsafePointer(convOut.output.pointer) }
        // Channels-last [n, 64, c] → channel after channel [n, c, 64], as the tape's [N, C, 8, 8].
        for i in 0..<n { for p in 0..<64 { for k in 0..<c { channelMajor.pointer[(i * c + k) * 64 + p] = convOut.output.pointer[(i * 64 + p) * c + k] } } }
        return UnsafePointer(channelMajor.pointer)
    }

    /// The gradient of a loss with ∂L/∂ε_θ = `gradOutput` [images, 64], for the batch of the last
    /// `forward`, written into `gradients` (the layout's flat vector; overwritten).
    public func backward(_ gradOutput: UnsafePointer<Float>, images n: Int, into gradients: UnsafeMutablePointer<Float>) {
        let ch = net.ch
        let e = UNet.embeddingWidth
        gradients.update(repeating: 0, count: net.layout.count)
        gradTembAct.pointer.update(repeating: 0, count: n * e)
        let gt = gradTembAct.pointer
        let c = net.outputChannels
        if c > 1 { for i in 0..<n { for p in 0..<64 { for k in 0..<c { channelMajor.pointer[(i * 64 + p) * c + k] = gradOutput[(i * c + k) * 64 + p] } } } }
        convOut.backward(c == 1 ? gradOutput : UnsafePointer(channelMajor.pointer), images: n, gradients: gradients, gradInput: gOut.pointer)
        normOut.backward(gOut.pointer, images: n, gradients: gradients, gradInput: gMain.pointer)
        up0b.backward(gMain.pointer, images: n, gradients: gradients, gradEmbedding: gt)
        g0.pointer.update(repeating: 0, count: n * 64 * ch)
        MapOps.split(up0b.gradInput.pointer, ch, ch, rows: n * 64, into: gOut.pointer, addingTo: g0.pointer)       // ∂up0a.out, ∂h0 (skip)
        up0a.backward(gOut.pointer, images: n, gradients: gradients, gradEmbedding: gt)
        g1.pointer.update(repeating: 0, count: n * 64 * ch)
        MapOps.split(up0a.gradInput.pointer, 2 * ch, ch, rows: n * 64, into: gMain.pointer, addingTo: g1.pointer)   // ∂upsample.out, ∂h1 (skip)
        upsampleConv.backward(gMain.pointer, images: n, gradients: gradients, gradInput: upsampled.pointer)
        MapOps.downsampleSum(upsampled.pointer, images: n, size: 4, channels: 2 * ch, into: gSmall.pointer)
        up1bAttention.backward(gSmall.pointer, images: n, gradients: gradients)
        up1b.backward(up1bAttention.gradInput.pointer, images: n, gradients: gradients, gradEmbedding: gt)
        g2.pointer.update(repeating: 0, count: n * 16 * ch)
        MapOps.split(up1b.gradInput.pointer, 2 * ch, ch, rows: n * 16, into: gSmall.pointer, addingTo: g2.pointer)  // ∂up1a_attn.out, ∂h2
        up1aAttention.backward(gSmall.pointer, images: n, gradients: gradients)
        up1a.backward(up1aAttention.gradInput.pointer, images: n, gradients: gradients, gradEmbedding: gt)
        g3.pointer.update(repeating: 0, count: n * 16 * 2 * ch)
        MapOps.split(up1a.gradInput.pointer, 2 * ch, 2 * ch, rows: n * 16, into: gSmall.pointer, addingTo: g3.pointer) // ∂mid2.out, ∂h3
        mid2.backward(gSmall.pointer, images: n, gradients: gradients, gradEmbedding: gt)
        midAttention.backward(mid2.gradInput.pointer, images: n, gradients: gradients)
        mid1.backward(midAttention.gradInput.pointer, images: n, gradients: gradients, gradEmbedding: gt)
        MapOps.add(mid1.gradInput.pointer, to: g3.pointer, count: n * 16 * 2 * ch)
        down1Attention.backward(g3.pointer, images: n, gradients: gradients)
        down1.backward(down1Attention.gradInput.pointer, images: n, gradients: gradients, gradEmbedding: gt)
        MapOps.add(down1.gradInput.pointer, to: g2.pointer, count: n * 16 * ch)
        downsample.backward(g2.pointer, images: n, gradients: gradients, gradInput: gMain.pointer)
        MapOps.add(gMain.pointer, to: g1.pointer, count: n * 64 * ch)
        down0.backward(g1.pointer, images: n, gradients: gradients, gradEmbedding: gt)
        MapOps.add(down0.gradInput.pointer, to: g0.pointer, count: n * 64 * ch)
        convIn.backward(g0.pointer, images: n, gradients: gradients, gradInput: nil)
        // The time MLP: ∂temb = ∂SiLU(temb)·SiLU′(temb), then through temb.2, SiLU and temb.0.
        for i in 0..<(n * e) {
            let z = timeOut.output.pointer[i]
            let s = 1 / (1 + Float.exp(-z))
            gt[i] *= s * (1 + z * (1 - s))
        }
        if net.classes > 0 {
            // ∂label_emb[y] = Σ over the images labelled y of ∂temb, added in image order.
            for (i, y) in labels.prefix(n).enumerated() { for j in 0..<e { gradients[labelOffset + y * e + j] += gt[i * e + j] } }
        }
        timeOut.backward(gt, images: n, gradients: gradients, gradInput: gradAct1.pointer, accumulate: false)
        for i in 0..<(n * e) {
            let z = timeIn.output.pointer[i]
            let s = 1 / (1 + Float.exp(-z))
            gradAct1.pointer[i] *= s * (1 + z * (1 - s))
        }
        timeIn.backward(gradAct1.pointer, images: n, gradients: gradients, gradInput: nil, accumulate: false)
    }
}
