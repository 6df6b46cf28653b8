import TensorCore

/// Inputs stacked along channels, first input first (PyTorch's `torch.cat(parts, 1)`): the U-Net's
/// skip connections. Maps of one size, or vectors. The gradient is cut back into the parts.
public struct Concatenate: LayerKind {
    /// The concatenation.
    public init() {}

    /// ΣCₖ channels at the inputs' common size.
    public func outputShape(_ inputs: [FeatureShape]) -> FeatureShape {
        precondition(
            inputs.count >= 2 && inputs.allSatisfy { $0.height == inputs[0].height && $0.width == inputs[0].width },
            "Concatenate: inputs \(inputs)")
        return FeatureShape(channels: inputs.map(\.channels).reduce(0, +), height: inputs[0].height, width: inputs[0].width)
    }

    /// `Variable.concatenateChannels`.
    public func tape<Scalar>(_ inputs: [Variable<Scalar>], _ scope: ParameterScope<Scalar>, _ context: TapeContext<Scalar>) -> Variable<Scalar> {
        .concatenateChannels(inputs)
    }

    /// A `ConcatenateOp`.
    public func makeOp(_ prefix: String, layout: ParameterLayout, inputs: [FeatureShape], capacity: Int, context: EngineContext) -> any FastOp {
        ConcatenateOp(channels: inputs.map(\.channels), positions: inputs[0].positions, capacity: capacity, context: context)
    }
}

/// `Concatenate` channels-last: row r of the output is row r of each input in turn.
final class ConcatenateOp: FastOp {
    let channels: [Int], positions: Int
    let width: Int
    let context: EngineContext
    let output: FloatBuffer

    init(channels: [Int], positions: Int, capacity: Int, context: EngineContext) {
        (self.channels, self.positions, self.context) = (channels, positions, context)
        width = channels.reduce(0, +)
        output = FloatBuffer(count: capacity * positions * width)
    }

    func forward(_ inputs: [UnsafePointer<Float>], _ conditioning: Conditioning, images: Int) {
        var offset = 0
        for (x, c) in zip(inputs, channels) {
            let (start, out) = (offset, output.pointer)
            context.parallel(images * positions) { rows in for r in rows { (out + r * width + start).update(from: x + r * c, count: c) } }
            offset += c
        }
    }

    func backward(_ gradOutput: UnsafePointer<Float>, images: Int, gradients: UnsafeMutablePointer<Float>, sinks: [GradientSink]) {
        var offset = 0
        for (sink, c) in zip(sinks, channels) {
            let start = offset
            sink.deliver(count: images * positions * c, context: context) { g in
                context.parallel(images * positions) { rows in for r in rows { (g + r * c).update(from: gradOutput + r * width + start, count: c) } }
            }
            offset += c
        }
    }
}
