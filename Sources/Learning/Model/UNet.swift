import TensorCore

/// Ho et al.'s U-Net (App. B) scaled to 8 × 8 images: the peer's `UNet(ch)` of WORKLOAD-digits.md, layer
/// for layer and name for name. Channels ch at 8 × 8 and 2ch at 4 × 4, one residual block per level,
/// attention at 4 × 4, skip connections concatenated, nearest upsampling followed by a 3 × 3 conv:
///
///     temb = Linear(128→128)(SiLU(Linear(32→128)(emb(t))))  [+ label_emb[y] for a class-conditional net]
///     h0 = Conv(1→ch)(x)                      [ch, 8, 8]       h1 = Res(ch→ch)(h0)
///     h2 = Conv3×3 stride 2 (ch→ch)(h1)       [ch, 4, 4]       h3 = Attn(Res(ch→2ch)(h2))
///     h = Res(2ch→2ch), Attn, Res(2ch→2ch) (middle)
///     h = Attn(Res(4ch→2ch)(cat[h, h3]));  h = Attn(Res(3ch→2ch)(cat[h, h2]))
///     h = Conv(2ch→2ch)(upsample×2(h))        [2ch, 8, 8]
///     h = Res(3ch→ch)(cat[h, h1]);  h = Res(2ch→ch)(cat[h, h0]);  ε_θ = Conv(ch→1)(SiLU(GN(h)))
///
/// 701,345 parameters at ch = 32, 205,649 at ch = 16.
public struct UNet: Sendable, Equatable {
    /// GroupNorm groups everywhere.
    public static let groups = 8
    /// The time embedding MLP's width (fixed at 128 for every ch, as the peer).
    public static let embeddingWidth = 128
    /// Side of the images.
    public static let imageSize = 8

    /// Channels at 8 × 8 (a multiple of 8).
    public let ch: Int
    /// Output channels: 1 (ε_θ or μ_θ), or 2 with a learned log-variance (lesson 09's Table 2).
    public let outputChannels: Int
    /// Classes of a class-conditional network (0: unconditional). It then has a table `label_emb.weight`
    /// [classes + 1, 128] whose row y is added to the time embedding (improved-diffusion's `label_emb`);
    /// the last row, y = `classes`, is the null label ∅ of classifier-free guidance.
    public let classes: Int
    /// Every parameter tensor, in the peer's `named_parameters()` order.
    public let layout: ParameterLayout

    let timeIn: Linear, timeOut: Linear, convIn: Conv2d, down0: ResidualBlock, downsample: Conv2d
    let down1: ResidualBlock, down1Attention: Attention, mid1: ResidualBlock, midAttention: Attention, mid2: ResidualBlock
    let up1a: ResidualBlock, up1aAttention: Attention, up1b: ResidualBlock, up1bAttention: Attention, upsample: Conv2d
    let up0a: ResidualBlock, up0b: ResidualBlock, normOut: GroupNorm, convOut: Conv2d

    /// The network at width `ch` with `outputChannels` output channels and `classes` classes (1 and 0
    /// are the peer's network).
    public init(ch: Int = 32, outputChannels: Int = 1, classes: Int = 0) {
        precondition(ch >= 8 && ch % UNet.groups == 0, "UNet: ch = \(ch) must be a positive multiple of \(UNet.groups)")
        precondition(outputChannels >= 1, "UNet: \(outputChannels) output channels")
        precondition(classes >= 0, "UNet: \(classes) classes")
        self.ch = ch
        self.outputChannels = outputChannels
        self.classes = classes
        let (g, e) = (UNet.groups, UNet.embeddingWidth)
        func res(_ a: Int, _ b: Int) -> ResidualBlock { ResidualBlock(a, b, embeddingWidth: e, groups: g) }
        timeIn = Linear(TimeEmbedding.width, e)
        timeOut = Linear(e, e)
        convIn = Conv2d(1, ch)
        down0 = res(ch, ch)
        downsample = Conv2d(ch, ch, stride: 2)
        (down1, down1Attention) = (res(ch, 2 * ch), Attention(2 * ch, groups: g))
        (mid1, midAttention, mid2) = (res(2 * ch, 2 * ch), Attention(2 * ch, groups: g), res(2 * ch, 2 * ch))
        (up1a, up1aAttention) = (res(4 * ch, 2 * ch), Attention(2 * ch, groups: g))
        (up1b, up1bAttention) = (res(3 * ch, 2 * ch), Attention(2 * ch, groups: g))
        upsample = Conv2d(2 * ch, 2 * ch)
        up0a = res(3 * ch, ch)
        up0b = res(2 * ch, ch)
        normOut = GroupNorm(groups: g, channels: ch)
        convOut = Conv2d(ch, outputChannels)
        var layout = ParameterLayout()
        timeIn.declare("temb.0", in: &layout)
        timeOut.declare("temb.2", in: &layout)
        convIn.declare("conv_in", in: &layout)
        down0.declare("down0", in: &layout)
        downsample.declare("downsample", in: &layout)
        down1.declare("down1", in: &layout)
        down1Attention.declare("down1_attn", in: &layout)
        mid1.declare("mid1", in: &layout)
        midAttention.declare("mid_attn", in: &layout)
        mid2.declare("mid2", in: &layout)
        up1a.declare("up1a", in: &layout)
        up1aAttention.declare("up1a_attn", in: &layout)
        up1b.declare("up1b", in: &layout)
        up1bAttention.declare("up1b_attn", in: &layout)
        upsample.declare("upsample", in: &layout)
        up0a.declare("up0a", in: &layout)
        up0b.declare("up0b", in: &layout)
        normOut.declare("norm_out", in: &layout)
        convOut.declare("conv_out", in: &layout)
        if classes > 0 { layout.append("label_emb.weight", [classes + 1, e]) }
        self.layout = layout
    }

    /// Equal when the widths and the class counts are.
    public static func == (a: UNet, b: UNet) -> Bool { a.ch == b.ch && a.classes == b.classes }

    /// The tensors that start at zero (Ho's init_scale = 0): each residual block's `conv2`, each
    /// attention's `proj`, and `conv_out`.
    public static func startsAtZero(_ name: String) -> Bool {
        name.contains(".conv2.") || name.contains("_attn.proj.") || name.hasPrefix("conv_out.")
    }

    /// Initial parameters: PyTorch's defaults (every conv and linear weight and bias U(±1/√fan_in),
    /// fan_in = numel/shape[0] of the weight; GroupNorm weight 1, bias 0), drawn tensor by tensor in
    /// layout order, then the `startsAtZero` tensors set to zero.
    public func initialParameters(using generator: inout SeededGenerator) -> [Float] {
        var values: [Float] = []
        values.reserveCapacity(layout.count)
        for (i, entry) in layout.entries.enumerated() {
            let isNorm = entry.name.contains("norm")
            if isNorm {
                values += [Float](repeating: entry.name.hasSuffix("weight") ? 1 : 0, count: entry.count)
                continue
            }
            let weightShape = entry.name.hasSuffix("bias") ? layout.entries[i - 1].shape : entry.shape
            let bound = 1 / Double(weightShape.reduce(1, *) / weightShape[0]).squareRoot()
            let draws = (0..<entry.count).map { _ in Float(generator.uniform(-bound, bound)) }
            values += UNet.startsAtZero(entry.name) ? [Float](repeating: 0, count: entry.count) : draws
        }
        return values
    }

    /// The sinusoidal embedding of paper steps `t` as the peer computes it: the argument Float(t)·fᵢ with
    /// fᵢ the float32 frequencies, formed in `Scalar` (so in Double it is the float32 values widened, as
    /// the peer's float64 golden model does), then [sin, cos]. [N, 32].
    public static func embedding<Scalar: TensorScalar>(_ t: [Int], as _: Scalar.Type = Scalar.self) -> Tensor<Scalar> {
        var values: [Scalar] = []
        for step in t {
            let arguments = TimeEmbedding.frequencies.map { Scalar(Float(step)) * Scalar($0) }
            values += arguments.map { Scalar.sin($0) } + arguments.map { Scalar.cos($0) }
        }
        return Tensor(shape: [t.count, TimeEmbedding.width], scalars: values)
    }

    /// ε_θ(xₜ, t) on the tape: x [N, 1, 8, 8], `embedding` [N, 32] from `embedding(_:)`, and for a
    /// class-conditional net one label per image (0…classes, `classes` = ∅); the output is
    /// [N, outputChannels, 8, 8].
    public func callAsFunction<Scalar>(_ x: Variable<Scalar>, embedding: Tensor<Scalar>, labels: [Int]? = nil, _ p: TapeParameters<Scalar>) -> Variable<Scalar> {
        let s = { (name: String) in p.scope(name) }
        var temb = timeOut(timeIn(x.tape.variable(embedding), s("temb.0")).silu(), s("temb.2"))
        if classes > 0 {
            guard let labels, labels.count == embedding.shape[0], labels.allSatisfy({ (0...classes).contains($0) }) else {
                preconditionFailure("UNet: a class-conditional net needs one label in 0…\(classes) per image")
            }
            temb = temb + p.variables["label_emb.weight"]!.gatherRows(labels)
        }
        let h0 = convIn(x, s("conv_in"))
        let h1 = down0(h0, embedding: temb, s("down0"))
        let h2 = downsample(h1, s("downsample"))
        let h3 = down1Attention(down1(h2, embedding: temb, s("down1")), s("down1_attn"))
        var h = mid2(midAttention(mid1(h3, embedding: temb, s("mid1")), s("mid_attn")), embedding: temb, s("mid2"))
        h = up1aAttention(up1a(.concatenateChannels([h, h3]), embedding: temb, s("up1a")), s("up1a_attn"))
        h = up1bAttention(up1b(.concatenateChannels([h, h2]), embedding: temb, s("up1b")), s("up1b_attn"))
        h = upsample(h.upsampled(), s("upsample"))
        h = up0a(.concatenateChannels([h, h1]), embedding: temb, s("up0a"))
        h = up0b(.concatenateChannels([h, h0]), embedding: temb, s("up0b"))
        return convOut(normOut(h, s("norm_out")).silu(), s("conv_out"))
    }
}
