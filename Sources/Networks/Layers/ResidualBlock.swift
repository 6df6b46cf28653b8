import TensorCore

/// The U-Net's residual block (Ho et al., App. B; the peer's `ResBlock(cin, cout)`), with the time
/// embedding added per channel:
///
///     h = Conv3×3(SiLU(GN(x)));  h[n, c, ·, ·] += (Linear(SiLU(temb)))[n, c];  h = Conv3×3(SiLU(GN(h)))
///     out = skip(x) + h,   skip = Conv1×1 when cin ≠ cout, else the identity
///
/// Its inputs are x and SiLU(temb): every block of a network applies the same SiLU to the same temb,
/// so the network computes it once. Parameters in the peer's order: `norm1`, `conv1`, `temb`, `norm2`,
/// `conv2` (starts at zero), `skip` (when present). On the fast path: `ResidualOp`, GroupNorm + SiLU
/// fused and conv2 writing into the block's output.
public struct ResidualBlock: LayerKind {
    /// Input and output channels.
    public let inChannels: Int, outChannels: Int
    /// The layers.
    public let norm1: GroupNorm, conv1: Conv2d, temb: Linear, norm2: GroupNorm, conv2: Conv2d
    /// The 1 × 1 skip convolution, when the widths differ.
    public let skip: Conv2d?

    /// A block from `inChannels` to `outChannels`; `embeddingWidth` is temb's width, `groups` GroupNorm's.
    public init(_ inChannels: Int, _ outChannels: Int, embeddingWidth: Int, groups: Int) {
        (self.inChannels, self.outChannels) = (inChannels, outChannels)
        norm1 = GroupNorm(groups: groups, channels: inChannels)
        conv1 = Conv2d(inChannels, outChannels)
        temb = Linear(embeddingWidth, outChannels)
        norm2 = GroupNorm(groups: groups, channels: outChannels)
        conv2 = Conv2d(outChannels, outChannels, startsAtZero: true)
        skip = inChannels == outChannels ? nil : Conv2d(inChannels, outChannels, kernelSize: 1, padding: 0)
    }

    /// The block's tensors under `prefix`, in the peer's order.
    public func declare(_ prefix: String, in layout: inout ParameterLayout) {
        norm1.declare(prefix + ".norm1", in: &layout)
        conv1.declare(prefix + ".conv1", in: &layout)
        temb.declare(prefix + ".temb", in: &layout)
        norm2.declare(prefix + ".norm2", in: &layout)
        conv2.declare(prefix + ".conv2", in: &layout)
        skip?.declare(prefix + ".skip", in: &layout)
    }

    /// The block on the tape, for x [N, cin, H, W] and the activated time embedding SiLU(temb) [N, E].
    public func callAsFunction<Scalar>(_ x: Variable<Scalar>, embedding: Variable<Scalar>, _ scope: ParameterScope<Scalar>) -> Variable<Scalar> {
        var h = conv1(norm1(x, scope.child("norm1")).silu(), scope.child("conv1"))
        let perChannel = temb(embedding, scope.child("temb"))
        h = h + perChannel.reshaped([perChannel.value.shape[0], outChannels, 1, 1])
        h = conv2(norm2(h, scope.child("norm2")).silu(), scope.child("conv2"))
        return (skip.map { $0(x, scope.child("skip")) } ?? x) + h
    }
}

extension ResidualBlock {
    /// A map of cin channels and a vector of E → a map of cout channels of the same size.
    public func outputShape(_ inputs: [FeatureShape]) -> FeatureShape {
        precondition(
            inputs.count == 2 && inputs[0].channels == inChannels && inputs[1] == .vector(temb.inFeatures),
            "ResidualBlock(\(inChannels) → \(outChannels)): inputs \(inputs)")
        return FeatureShape(channels: outChannels, height: inputs[0].height, width: inputs[0].width)
    }

    /// conv1 + temb + conv2 (+ skip).
    public func multiplyAdds(_ inputs: [FeatureShape]) -> Int {
        let out = [outputShape(inputs)]
        return conv1.multiplyAdds([inputs[0]]) + temb.multiplyAdds([inputs[1]]) + conv2.multiplyAdds(out) + (skip?.multiplyAdds([inputs[0]]) ?? 0)
    }

    /// `callAsFunction(x, embedding:)`.
    public func tape<Scalar>(_ inputs: [Variable<Scalar>], _ scope: ParameterScope<Scalar>, _ context: TapeContext<Scalar>) -> Variable<Scalar> {
        self(inputs[0], embedding: inputs[1], scope)
    }

    /// A `ResidualOp`.
    public func makeOp(_ prefix: String, layout: ParameterLayout, inputs: [FeatureShape], capacity: Int, context: EngineContext) -> any FastOp {
        ResidualOp(self, prefix: prefix, layout: layout, size: inputs[0].height, capacity: capacity, context: context)
    }
}
