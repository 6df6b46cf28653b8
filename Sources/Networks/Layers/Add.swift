import TensorCore

/// The elementwise sum of inputs of one shape: a residual connection between layers, or a control
/// branch added into a skip. The gradient of the sum goes to every input unchanged.
public struct Add: LayerKind {
    /// The sum.
    public init() {}

    /// The inputs' common shape.
    public func outputShape(_ inputs: [FeatureShape]) -> FeatureShape {
        precondition(inputs.count >= 2 && inputs.allSatisfy { $0 == inputs[0] }, "Add: inputs \(inputs)")
        return inputs[0]
    }

    /// a + b + ….
    public func tape<Scalar>(_ inputs: [Variable<Scalar>], _ scope: ParameterScope<Scalar>, _ context: TapeContext<Scalar>) -> Variable<Scalar> {
        inputs.dropFirst().reduce(inputs[0], +)
    }

    /// An `AddOp`.
    public func makeOp(_ prefix: String, layout: ParameterLayout, inputs: [FeatureShape], capacity: Int, context: EngineContext) -> any FastOp {
        AddOp(count: inputs[0].count, capacity: capacity, context: context)
    }
}

/// `Add` on the fast path, summing in input order.
final class AddOp: FastOp {
    let count: Int
    let context: EngineContext
    let output: FloatBuffer

    init(count: Int, capacity: Int, context: EngineContext) {
        (self.count, self.context) = (count, context)
        output = FloatBuffer(count: capacity * count)
    }

    func forward(_ inputs: [UnsafePointer<Float>], _ conditioning: Conditioning, images: Int) {
        output.pointer.update(from: inputs[0], count: images * count)
        for x in inputs.dropFirst() { context.add(x, to: output.pointer, count: images * count) }
    }

    func backward(_ gradOutput: UnsafePointer<Float>, images: Int, gradients: UnsafeMutablePointer<Float>, sinks: [GradientSink]) {
        for sink in sinks {
            sink.deliver(count: images * count, context: context) { $0.update(from: gradOutput, count: images * count) }
        }
    }
}
