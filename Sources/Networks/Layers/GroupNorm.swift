import TensorCore

/// Group normalisation (Wu & He 2018), as PyTorch's `nn.GroupNorm(groups, channels, eps: 1e-5)`:
/// for each image n and group g of C/G channels, over those channels and all positions,
///
///     μ = mean(x),  σ² = mean((x − μ)²),  x̂ = (x − μ)/√(σ² + ε),  y[c] = γ[c]·x̂[c] + β[c]
///
/// Parameters `weight` (γ, starts at 1) and `bias` (β, starts at 0), both [C].
public struct GroupNorm: Sendable {
    /// G and C.
    public let groups: Int, channels: Int
    /// ε under the square root.
    public let epsilon: Double

    /// G groups over C channels (C a multiple of G).
    public init(groups: Int, channels: Int, epsilon: Double = 1e-5) {
        precondition(groups >= 1 && channels % groups == 0, "GroupNorm: \(channels) channels in \(groups) groups")
        (self.groups, self.channels, self.epsilon) = (groups, channels, epsilon)
    }

    /// `weight` [C] and `bias` [C] under `prefix`.
    public func declare(_ prefix: String, in layout: inout ParameterLayout) {
        layout.append(prefix + ".weight", [channels], initialisation: .constant(1))
        layout.append(prefix + ".bias", [channels], initialisation: .constant(0))
    }

    /// The normalisation on the tape.
    public func callAsFunction<Scalar>(_ x: Variable<Scalar>, _ scope: ParameterScope<Scalar>) -> Variable<Scalar> {
        Variable.groupNorm(x, weight: scope("weight"), bias: scope("bias"), groups: groups, epsilon: Scalar(epsilon))
    }
}

extension GroupNorm: LayerKind {
    /// The input's shape (C channels, any map).
    public func outputShape(_ inputs: [FeatureShape]) -> FeatureShape {
        precondition(inputs.count == 1 && inputs[0].channels == channels, "GroupNorm(\(channels)): input \(inputs)")
        return inputs[0]
    }

    /// `callAsFunction`.
    public func tape<Scalar>(_ inputs: [Variable<Scalar>], _ scope: ParameterScope<Scalar>, _ context: TapeContext<Scalar>) -> Variable<Scalar> {
        self(inputs[0], scope)
    }

    /// A `GroupNormOp` without the SiLU.
    public func makeOp(_ prefix: String, layout: ParameterLayout, inputs: [FeatureShape], capacity: Int, context: EngineContext) -> any FastOp {
        GroupNormOp(self, prefix: prefix, layout: layout, positions: inputs[0].positions, capacity: capacity, silu: false, context: context)
    }
}

/// SiLU(GroupNorm(x)), fused on the fast path (one pass over the map): how the residual blocks and the
/// U-Net's output use GroupNorm. Parameters those of `norm`.
public struct GroupNormSiLU: LayerKind {
    /// The normalisation.
    public let norm: GroupNorm

    /// G groups over C channels.
    public init(groups: Int, channels: Int) { norm = GroupNorm(groups: groups, channels: channels) }

    /// The input's shape.
    public func outputShape(_ inputs: [FeatureShape]) -> FeatureShape { norm.outputShape(inputs) }
    /// `norm`'s tensors.
    public func declare(_ prefix: String, in layout: inout ParameterLayout) { norm.declare(prefix, in: &layout) }

    /// SiLU(GN(x)) on the tape.
    public func tape<Scalar>(_ inputs: [Variable<Scalar>], _ scope: ParameterScope<Scalar>, _ context: TapeContext<Scalar>) -> Variable<Scalar> {
        norm(inputs[0], scope).silu()
    }

    /// A `GroupNormOp` with the SiLU.
    public func makeOp(_ prefix: String, layout: ParameterLayout, inputs: [FeatureShape], capacity: Int, context: EngineContext) -> any FastOp {
        GroupNormOp(norm, prefix: prefix, layout: layout, positions: inputs[0].positions, capacity: capacity, silu: true, context: context)
    }
}

extension Variable {
    /// `GroupNorm` for x [N, C, H, W]. Pullback, per group of m = (C/G)·H·W values with r = 1/√(σ² + ε):
    /// with d = γ·g, ∂x = r·(d − mean(d) − x̂·mean(d·x̂)); ∂γ[c] = Σ g·x̂, ∂β[c] = Σ g.
    public static func groupNorm(_ x: Variable, weight: Variable, bias: Variable, groups: Int, epsilon: Scalar) -> Variable {
        let (xv, gamma, beta) = (x.value, weight.value.scalars, bias.value.scalars)
        let (n, c) = (xv.shape[0], xv.shape[1])
        precondition(xv.rank >= 2 && c % groups == 0 && gamma.count == c && beta.count == c, "groupNorm: \(xv.shape), \(groups) groups")
        let positions = xv.count / (n * c)
        let perGroup = c / groups
        let m = Scalar(perGroup * positions)
        var normalised = [Scalar](repeating: 0, count: xv.count)
        var rstd = [Scalar](repeating: 0, count: n * groups)
        var y = [Scalar](repeating: 0, count: xv.count)
        /// The flat range of channel `channel` of image `b`.
        func span(_ b: Int, _ channel: Int) -> Range<Int> { ((b * c + channel) * positions)..<((b * c + channel + 1) * positions) }
        for b in 0..<n {
            for g in 0..<groups {
                let channels = (g * perGroup)..<((g + 1) * perGroup)
                var sum: Scalar = 0
                for ch in channels { for i in span(b, ch) { sum += xv.scalars[i] } }
                let mean = sum / m
                var squares: Scalar = 0
                for ch in channels { for i in span(b, ch) { squares += (xv.scalars[i] - mean) * (xv.scalars[i] - mean) } }
                let r = 1 / (squares / m + epsilon).squareRoot()
                rstd[b * groups + g] = r
                for ch in channels {
                    for i in span(b, ch) {
                        normalised[i] = (xv.scalars[i] - mean) * r
                        y[i] = gamma[ch] * normalised[i] + beta[ch]
                    }
                }
            }
        }
        return x.tape.record(Tensor(shape: xv.shape, scalars: y), inputs: [x, weight, bias]) { g in
            var (gx, gg, gb) = ([Scalar](repeating: 0, count: xv.count), [Scalar](repeating: 0, count: c), [Scalar](repeating: 0, count: c))
            for b in 0..<n {
                for group in 0..<groups {
                    let channels = (group * perGroup)..<((group + 1) * perGroup)
                    var (meanD, meanDX): (Scalar, Scalar) = (0, 0)
                    for ch in channels {
                        for i in span(b, ch) {
                            let d = gamma[ch] * g.scalars[i]
                            meanD += d
                            meanDX += d * normalised[i]
                            gg[ch] += g.scalars[i] * normalised[i]
                            gb[ch] += g.scalars[i]
                        }
                    }
                    (meanD, meanDX) = (meanD / m, meanDX / m)
                    let r = rstd[b * groups + group]
                    for ch in channels {
                        for i in span(b, ch) { gx[i] = r * (gamma[ch] * g.scalars[i] - meanD - normalised[i] * meanDX) }
                    }
                }
            }
            return [Tensor(shape: xv.shape, scalars: gx), Tensor([Scalar](gg)), Tensor([Scalar](gb))]
        }
    }
}
