import TensorCore

extension Variable {
    /// Nearest-neighbour upsampling ×2 of x [N, C, H, W] → [N, C, 2H, 2W]: y[n, c, i, j] = x[n, c, ⌊i/2⌋, ⌊j/2⌋]
    /// (PyTorch's `F.interpolate(scale_factor: 2, mode: "nearest")`). Pullback: each input gathers the
    /// sum of its 2 × 2 block of output gradients.
    public func upsampled() -> Variable {
        let xv = value
        precondition(xv.rank == 4, "upsampled: expects [N, C, H, W], got \(xv.shape)")
        let (planes, h, w) = (xv.shape[0] * xv.shape[1], xv.shape[2], xv.shape[3])
        var y = [Scalar](repeating: 0, count: xv.count * 4)
        for p in 0..<planes {
            for i in 0..<(2 * h) {
                for j in 0..<(2 * w) {
                    y[(p * 2 * h + i) * 2 * w + j] = xv.scalars[(p * h + i / 2) * w + j / 2]
                }
            }
        }
        return tape.record(Tensor(shape: [xv.shape[0], xv.shape[1], 2 * h, 2 * w], scalars: y), inputs: [self]) { g in
            var gx = [Scalar](repeating: 0, count: xv.count)
            for p in 0..<planes {
                for i in 0..<(2 * h) {
                    for j in 0..<(2 * w) {
                        gx[(p * h + i / 2) * w + j / 2] += g.scalars[(p * 2 * h + i) * 2 * w + j]
                    }
                }
            }
            return [Tensor(shape: xv.shape, scalars: gx)]
        }
    }
}

/// Nearest-neighbour upsampling ×2 as a layer: `Variable.upsampled()` on the tape, `UpsampleOp` fast.
public struct Upsample: LayerKind {
    /// The upsampling.
    public init() {}

    /// C × 2H × 2W.
    public func outputShape(_ inputs: [FeatureShape]) -> FeatureShape {
        precondition(inputs.count == 1 && !inputs[0].isVector, "Upsample: input \(inputs)")
        return FeatureShape(channels: inputs[0].channels, height: 2 * inputs[0].height, width: 2 * inputs[0].width)
    }

    /// `upsampled()`.
    public func tape<Scalar>(_ inputs: [Variable<Scalar>], _ scope: ParameterScope<Scalar>, _ context: TapeContext<Scalar>) -> Variable<Scalar> {
        inputs[0].upsampled()
    }

    /// An `UpsampleOp`.
    public func makeOp(_ prefix: String, layout: ParameterLayout, inputs: [FeatureShape], capacity: Int, context: EngineContext) -> any FastOp {
        UpsampleOp(channels: inputs[0].channels, size: inputs[0].height, capacity: capacity, context: context)
    }
}

/// `Upsample` channels-last (square maps): `MapOps.upsample` forward, its adjoint `downsampleSum` backward.
final class UpsampleOp: FastOp {
    let channels: Int, size: Int
    let context: EngineContext
    let output: FloatBuffer

    init(channels: Int, size: Int, capacity: Int, context: EngineContext) {
        (self.channels, self.size, self.context) = (channels, size, context)
        output = FloatBuffer(count: capacity * 4 * size * size * channels)
    }

    func forward(_ inputs: [UnsafePointer<Float>], _ conditioning: Conditioning, images: Int) {
        MapOps.upsample(inputs[0], images: images, size: size, channels: channels, into: output.pointer, context: context)
    }

    func backward(_ gradOutput: UnsafePointer<Float>, images: Int, gradients: UnsafeMutablePointer<Float>, sinks: [GradientSink]) {
        sinks[0].deliver(count: images * size * size * channels, context: context) { g in
            MapOps.downsampleSum(gradOutput, images: images, size: size, channels: channels, into: g, context: context)
        }
    }
}
