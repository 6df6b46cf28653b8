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
    /// The network: its layers, their names and wiring (below, the only place they are written).
    public let graph: Graph
    /// Every parameter tensor, in the peer's `named_parameters()` order.
    public var layout: ParameterLayout { graph.layout }

    /// The network at width `ch` with `outputChannels` output channels and `classes` classes (1 and 0
    /// are the peer's network).
    public init(ch: Int = 32, outputChannels: Int = 1, classes: Int = 0) {
        precondition(ch >= 8 && ch % UNet.groups == 0, "UNet: ch = \(ch) must be a positive multiple of \(UNet.groups)")
        precondition(outputChannels >= 1, "UNet: \(outputChannels) output channels")
        precondition(classes >= 0, "UNet: \(classes) classes")
        self.ch = ch
        self.outputChannels = outputChannels
        self.classes = classes
        graph = UNet.describe(ch: ch, outputChannels: outputChannels, classes: classes)
    }

    /// The U-Net as a graph. The skip list is built by appending on the way down and popping on the way
    /// up (improved-diffusion's `hs`); each residual block reads the activated time embedding.
    static func describe(ch: Int, outputChannels: Int, classes: Int) -> Graph {
        let (g, e) = (UNet.groups, UNet.embeddingWidth)
        var net = GraphBuilder(inputs: [FeatureShape(channels: 1, height: imageSize, width: imageSize)])
        func res(_ name: String, _ x: GraphBuilder.Value, _ out: Int, _ embedding: GraphBuilder.Value) -> GraphBuilder.Value {
            net.add(name, ResidualBlock(x.shape.channels, out, embeddingWidth: e, groups: g), x, embedding)
        }
        func attention(_ name: String, _ x: GraphBuilder.Value) -> GraphBuilder.Value {
            net.add(name, Attention(x.shape.channels, groups: g), x)
        }
        // temb = Linear(SiLU(Linear(emb(t)))) [+ label_emb[y]]; the blocks read SiLU(temb).
        var temb = net.add("temb.0", Linear(TimeEmbedding.width, e), net.add(SinusoidalEmbedding()))
        temb = net.add("temb.2", Linear(e, e), net.add(SiLU(), temb))
        if classes > 0 { temb = net.add("label_emb", LabelEmbedding(rows: classes + 1, width: e), temb, parameters: .last) }
        let embedding = net.add(SiLU(), temb)
        // Down: 8 × 8 at ch, then 4 × 4 at 2ch with attention.
        var skips = [net.add("conv_in", Conv2d(1, ch), net.inputs[0])]
        skips.append(res("down0", skips.last!, ch, embedding))
        skips.append(net.add("downsample", Conv2d(ch, ch, stride: 2), skips.last!))
        skips.append(attention("down1_attn", res("down1", skips.last!, 2 * ch, embedding)))
        // Middle.
        var h = res("mid2", attention("mid_attn", res("mid1", skips.last!, 2 * ch, embedding)), 2 * ch, embedding)
        // Up: each block reads the concatenation of h and the latest skip.
        h = attention("up1a_attn", res("up1a", net.add(Concatenate(), h, skips.removeLast()), 2 * ch, embedding))
        h = attention("up1b_attn", res("up1b", net.add(Concatenate(), h, skips.removeLast()), 2 * ch, embedding))
        h = net.add("upsample", Conv2d(2 * ch, 2 * ch), net.add(Upsample(), h))
        h = res("up0a", net.add(Concatenate(), h, skips.removeLast()), ch, embedding)
        h = res("up0b", net.add(Concatenate(), h, skips.removeLast()), ch, embedding)
        h = net.add("conv_out", Conv2d(ch, outputChannels, startsAtZero: true), net.add("norm_out", GroupNormSiLU(groups: g, channels: ch), h))
        return net.build(output: h)
    }

    /// Equal when the widths, output channels and class counts are.
    public static func == (a: UNet, b: UNet) -> Bool { a.ch == b.ch && a.outputChannels == b.outputChannels && a.classes == b.classes }

    /// Initial parameters: PyTorch's defaults (every conv and linear weight and bias U(±1/√fan_in),
    /// GroupNorm weight 1, bias 0), drawn tensor by tensor in layout order, with each residual branch's
    /// last layer (`conv2`, attention's `proj`, `conv_out`) then set to zero (Ho's init_scale = 0).
    public func initialParameters(using generator: inout SeededGenerator) -> [Float] { layout.initialValues(using: &generator) }

    /// The sinusoidal embedding of paper steps `t` as the peer computes it, [N, 32] (`SinusoidalEmbedding`).
    public static func embedding<Scalar: TensorScalar>(_ t: [Int], as _: Scalar.Type = Scalar.self) -> Tensor<Scalar> {
        SinusoidalEmbedding.values(t, as: Scalar.self)
    }

    /// ε_θ(xₜ, t) on the tape: x [N, 1, 8, 8] at paper steps `t`, and for a class-conditional net one
    /// label per image (0…classes, `classes` = ∅); the output is [N, outputChannels, 8, 8].
    public func callAsFunction<Scalar>(_ x: Variable<Scalar>, steps t: [Int], labels: [Int]? = nil, _ p: TapeParameters<Scalar>) -> Variable<Scalar> {
        graph.tape([x], Conditioning(steps: t, labels: labels), parameters: p)
    }
}
