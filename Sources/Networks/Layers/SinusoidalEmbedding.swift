import RealModule
import TensorCore

/// The sinusoidal embedding of each sample's paper step t as a layer with no inputs: a vector of 32
/// per sample, [sin a₀ … sin a₁₅, cos a₀ … cos a₁₅] with aᵢ = Float(t)·fᵢ (the float32 frequencies),
/// formed as the peer forms it. On the tape the arguments are formed in `Scalar` from those Float
/// values (so in Double they are the float32 values widened, as the peer's float64 golden model).
public struct SinusoidalEmbedding: LayerKind {
    /// The embedding.
    public init() {}

    /// No inputs, so no gradient to deliver.
    public var usesSinkScratch: Bool { false }

    /// A vector of `TimeEmbedding.width`.
    public func outputShape(_ inputs: [FeatureShape]) -> FeatureShape {
        precondition(inputs.isEmpty, "SinusoidalEmbedding takes no inputs")
        return .vector(TimeEmbedding.width)
    }

    /// The embedding of paper steps `t` [N, 32] in `Scalar`.
    public static func values<Scalar: TensorScalar>(_ t: [Int], as _: Scalar.Type = Scalar.self) -> Tensor<Scalar> {
        var values: [Scalar] = []
        for step in t {
            let arguments = TimeEmbedding.frequencies.map { Scalar(Float(step)) * Scalar($0) }
            values += arguments.map { Scalar.sin($0) } + arguments.map { Scalar.cos($0) }
        }
        return Tensor(shape: [t.count, TimeEmbedding.width], scalars: values)
    }

    /// A constant on the tape.
    public func tape<Scalar>(_ inputs: [Variable<Scalar>], _ scope: ParameterScope<Scalar>, _ context: TapeContext<Scalar>) -> Variable<Scalar> {
        context.tape.variable(Self.values(context.conditioning.steps, as: Scalar.self))
    }

    /// A `SinusoidalEmbeddingOp`.
    public func makeOp(_ prefix: String, layout: ParameterLayout, inputs: [FeatureShape], capacity: Int, context: EngineContext) -> any FastOp {
        SinusoidalEmbeddingOp(capacity: capacity)
    }
}

/// `SinusoidalEmbedding` in Float: sin and cos of Float(t)·fᵢ, kept in a table by t as steps are met
/// (the same values, computed once).
final class SinusoidalEmbeddingOp: FastOp {
    let output: FloatBuffer
    /// Row t − 1 holds the embedding of t, for t = 1…table.count/32.
    private var table: [Float] = []

    init(capacity: Int) { output = FloatBuffer(count: capacity * TimeEmbedding.width) }

    func forward(_ inputs: [UnsafePointer<Float>], _ conditioning: Conditioning, images: Int) {
        precondition(conditioning.steps.allSatisfy { $0 >= 1 }, "SinusoidalEmbedding: paper steps start at t = 1")
        let width = TimeEmbedding.width
        if let largest = conditioning.steps.max(), largest > table.count / width {
            for step in (table.count / width + 1)...largest {
                let arguments = TimeEmbedding.frequencies.map { Float(step) * $0 }
                table += arguments.map { Float.sin($0) } + arguments.map { Float.cos($0) }
            }
        }
        table.withUnsafeBufferPointer { rows in
            for (i, step) in conditioning.steps.enumerated() {
                (output.pointer + i * width).update(from: rows.baseAddress! + (step - 1) * width, count: width)
            }
        }
    }

    func backward(_ gradOutput: UnsafePointer<Float>, images: Int, gradients: UnsafeMutablePointer<Float>, sinks: [GradientSink]) {}
}
