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
        layout.append(prefix + ".weight", [channels])
        layout.append(prefix + ".bias", [channels])
    }

    /// The normalisation on the tape.
    public func callAsFunction<Scalar>(_ x: Variable<Scalar>, _ scope: ParameterScope<Scalar>) -> Variable<Scalar> {
        Variable.groupNorm(x, weight: scope("weight"), bias: scope("bias"), groups: groups, epsilon: Scalar(epsilon))
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
