import RealModule
import TensorCore

/// The SiLU (swish) activation elementwise, y = z·σ(z) = z/(1 + e⁻ᶻ), on any shape; its derivative
/// σ(z)·(1 + z·(1 − σ(z))). Used where a value is activated once for several readers (the U-Net's
/// SiLU(temb)); where it follows a norm it is fused into `GroupNormSiLU`.
public struct SiLU: LayerKind {
    /// The activation.
    public init() {}

    /// The input's shape.
    public func outputShape(_ inputs: [FeatureShape]) -> FeatureShape {
        precondition(inputs.count == 1, "SiLU: \(inputs.count) inputs")
        return inputs[0]
    }

    /// `Variable.silu()`.
    public func tape<Scalar>(_ inputs: [Variable<Scalar>], _ scope: ParameterScope<Scalar>, _ context: TapeContext<Scalar>) -> Variable<Scalar> {
        inputs[0].silu()
    }

    /// A `SiLUOp`.
    public func makeOp(_ prefix: String, layout: ParameterLayout, inputs: [FeatureShape], capacity: Int, context: EngineContext) -> any FastOp {
        SiLUOp(count: inputs[0].count, capacity: capacity, context: context)
    }
}

/// `SiLU` on the fast path: y = z/(1 + e⁻ᶻ); ∂z = ∂y·(s·(1 + z·(1 − s))) with s = 1/(1 + e⁻ᶻ).
final class SiLUOp: FastOp {
    let count: Int
    let context: EngineContext
    let output: FloatBuffer
    private var input: UnsafePointer<Float>?

    init(count: Int, capacity: Int, context: EngineContext) {
        (self.count, self.context) = (count, context)
        output = FloatBuffer(count: capacity * count)
    }

    func forward(_ inputs: [UnsafePointer<Float>], _ conditioning: Conditioning, images: Int) {
        let z = inputs[0]
        input = z
        for i in 0..<(images * count) { output.pointer[i] = z[i] / (1 + Float.exp(-z[i])) }
    }

    func backward(_ gradOutput: UnsafePointer<Float>, images: Int, gradients: UnsafeMutablePointer<Float>, sinks: [GradientSink]) {
        guard let z = input else { preconditionFailure("SiLUOp.backward before forward") }
        sinks[0].deliver(count: images * count, context: context) { gz in
            for i in 0..<(images * count) {
                let s = 1 / (1 + Float.exp(-z[i]))
                gz[i] = gradOutput[i] * (s * (1 + z[i] * (1 - s)))
            }
        }
    }
}
