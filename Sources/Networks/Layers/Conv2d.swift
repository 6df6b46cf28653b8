import TensorCore

/// A 2-D convolution (cross-correlation, as PyTorch's `nn.Conv2d`) on `[N, C, H, W]` tensors:
///
///     y[n, o, i, j] = b[o] + Σ_c Σ_{u,v} w[o, c, u, v] · x[n, c, s·i + u − p, s·j + v − p]
///
/// with stride s, zero padding p, kernel k × k; the output is ⌊(H + 2p − k)/s⌋ + 1 on each side.
/// Parameters `weight` [out, in, k, k] and `bias` [out], PyTorch's layout and default
/// initialisation: U(±1/√fan_in) for both, fan_in = in·k·k; or, for the last layer of a residual
/// branch, that draw set to 0 (Ho's init_scale = 0, improved-diffusion's `zero_module`).
public struct Conv2d: Sendable {
    /// Input and output channels.
    public let inChannels: Int, outChannels: Int
    /// k (square kernels), s and p.
    public let kernelSize: Int, stride: Int, padding: Int
    /// Whether the weight and bias start at 0 (after their default draw, so later tensors' draws are unchanged).
    public let startsAtZero: Bool

    /// A convolution; the default is 3 × 3, stride 1, padding 1 (size-preserving).
    public init(_ inChannels: Int, _ outChannels: Int, kernelSize: Int = 3, stride: Int = 1, padding: Int = 1, startsAtZero: Bool = false) {
        precondition(inChannels >= 1 && outChannels >= 1 && kernelSize >= 1 && stride >= 1 && padding >= 0, "Conv2d: invalid geometry")
        (self.inChannels, self.outChannels, self.kernelSize, self.stride, self.padding) = (inChannels, outChannels, kernelSize, stride, padding)
        self.startsAtZero = startsAtZero
    }

    /// `weight` [out, in, k, k] and `bias` [out] under `prefix`.
    public func declare(_ prefix: String, in layout: inout ParameterLayout) {
        let bound = 1 / Double(inChannels * kernelSize * kernelSize).squareRoot()
        let initialisation: Initialisation = startsAtZero ? .zeroed(bound: bound) : .uniform(bound: bound)
        layout.append(prefix + ".weight", [outChannels, inChannels, kernelSize, kernelSize], initialisation: initialisation)
        layout.append(prefix + ".bias", [outChannels], initialisation: initialisation)
    }

    /// The output side for an input side `size`.
    public func outputSize(_ size: Int) -> Int { (size + 2 * padding - kernelSize) / stride + 1 }

    /// The convolution on the tape.
    public func callAsFunction<Scalar>(_ x: Variable<Scalar>, _ scope: ParameterScope<Scalar>) -> Variable<Scalar> {
        Variable.conv2d(x, weight: scope("weight"), bias: scope("bias"), stride: stride, padding: padding)
    }
}

extension Conv2d: LayerKind {
    /// One square map of `inChannels` → `outChannels` × ⌊(H + 2p − k)/s⌋ + 1 on each side.
    public func outputShape(_ inputs: [FeatureShape]) -> FeatureShape {
        precondition(
            inputs.count == 1 && inputs[0].channels == inChannels && inputs[0].height == inputs[0].width,
            "Conv2d(\(inChannels) → \(outChannels)): input \(inputs)")
        return FeatureShape(channels: outChannels, height: outputSize(inputs[0].height), width: outputSize(inputs[0].width))
    }

    /// Output positions · cout · cin · k².
    public func multiplyAdds(_ inputs: [FeatureShape]) -> Int {
        outputShape(inputs).positions * outChannels * inChannels * kernelSize * kernelSize
    }

    /// `callAsFunction`.
    public func tape<Scalar>(_ inputs: [Variable<Scalar>], _ scope: ParameterScope<Scalar>, _ context: TapeContext<Scalar>) -> Variable<Scalar> {
        self(inputs[0], scope)
    }

    /// A `ConvolutionOp`.
    public func makeOp(_ prefix: String, layout: ParameterLayout, inputs: [FeatureShape], capacity: Int, context: EngineContext) -> any FastOp {
        ConvolutionOp(self, prefix: prefix, layout: layout, inputSize: inputs[0].height, capacity: capacity, context: context)
    }
}

extension Variable {
    /// The convolution of `Conv2d` for x [N, C, H, W], weight [O, C, k, k], bias [O].
    /// Pullback, beside the forward loops: ∂x[n, c, s·i + u − p, s·j + v − p] += w[o, c, u, v]·g[n, o, i, j],
    /// ∂w[o, c, u, v] += x[…]·g[n, o, i, j], ∂b[o] = Σ g[n, o, ·, ·].
    public static func conv2d(_ x: Variable, weight: Variable, bias: Variable, stride s: Int, padding p: Int) -> Variable {
        let (xv, wv, bv) = (x.value, weight.value, bias.value)
        precondition(
            xv.rank == 4 && wv.rank == 4 && xv.shape[1] == wv.shape[1] && bv.shape == [wv.shape[0]],
            "conv2d: input \(xv.shape), weight \(wv.shape), bias \(bv.shape)")
        let (n, c, h, w) = (xv.shape[0], xv.shape[1], xv.shape[2], xv.shape[3])
        let (o, k) = (wv.shape[0], wv.shape[2])
        let (ho, wo) = ((h + 2 * p - k) / s + 1, (w + 2 * p - k) / s + 1)
        /// Visits every (input index, weight index, output index) triple that the sum above multiplies.
        func forEachTap(_ body: (Int, Int, Int) -> Void) {
            for b in 0..<n {
                for oc in 0..<o {
                    for ic in 0..<c {
                        for u in 0..<k {
                            for v in 0..<k {
                                let wIndex = ((oc * c + ic) * k + u) * k + v
                                for i in 0..<ho {
                                    let row = s * i + u - p
                                    guard row >= 0 && row < h else { continue }
                                    for j in 0..<wo {
                                        let column = s * j + v - p
                                        guard column >= 0 && column < w else { continue }
                                        body(((b * c + ic) * h + row) * w + column, wIndex, ((b * o + oc) * ho + i) * wo + j)
                                    }
                                }
                            }
                        }
                    }
                }
            }
        }
        var y = [Scalar](repeating: 0, count: n * o * ho * wo)
        for b in 0..<n { for oc in 0..<o { for q in 0..<(ho * wo) { y[(b * o + oc) * ho * wo + q] = bv.scalars[oc] } } }
        forEachTap { xi, wi, yi in y[yi] += wv.scalars[wi] * xv.scalars[xi] }
        return x.tape.record(Tensor(shape: [n, o, ho, wo], scalars: y), inputs: [x, weight, bias]) { g in
            var (gx, gw, gb) = ([Scalar](repeating: 0, count: xv.count), [Scalar](repeating: 0, count: wv.count), [Scalar](repeating: 0, count: o))
            forEachTap { xi, wi, yi in
                gx[xi] += wv.scalars[wi] * g.scalars[yi]
                gw[wi] += xv.scalars[xi] * g.scalars[yi]
            }
            for b in 0..<n { for oc in 0..<o { for q in 0..<(ho * wo) { gb[oc] += g.scalars[(b * o + oc) * ho * wo + q] } } }
            return [Tensor(shape: xv.shape, scalars: gx), Tensor(shape: wv.shape, scalars: gw), Tensor(shape: bv.shape, scalars: gb)]
        }
    }
}
