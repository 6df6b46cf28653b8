import TensorCore

/// A fully connected layer followed by SiLU, fused: y = SiLU(x·Wᵀ + b), the hidden layer of an MLP; like
/// `Linear` it may read several vector inputs as one concatenation
/// (PyTorch's `nn.Linear` then `nn.SiLU` in an `nn.Sequential`). Its parameters are `Linear`'s: `weight`
/// [out, in] and `bias` [out] under the Linear's name, initialised U(±1/√in). The fast op adds the bias
/// and applies SiLU in one pass over the product (in registers at inference); out is a multiple of 8.
public struct LinearSiLU: LayerKind {
    /// The linear part.
    public let linear: Linear

    /// A layer from `inFeatures` to `outFeatures` (a multiple of 8).
    public init(_ inFeatures: Int, _ outFeatures: Int) {
        precondition(outFeatures % 8 == 0, "LinearSiLU: \(outFeatures) outputs, a multiple of 8 is needed")
        linear = Linear(inFeatures, outFeatures)
    }

    /// A vector of `outFeatures` (the inputs as `Linear` takes them).
    public func outputShape(_ inputs: [FeatureShape]) -> FeatureShape { linear.outputShape(inputs) }

    /// `Linear`'s parameters.
    public func declare(_ prefix: String, in layout: inout ParameterLayout) { linear.declare(prefix, in: &layout) }

    /// Its GEMM adds ∂x into the sink itself.
    public var usesSinkScratch: Bool { false }

    /// in · out.
    public func multiplyAdds(_ inputs: [FeatureShape]) -> Int { linear.multiplyAdds(inputs) }

    /// SiLU of the `Linear` (on the input, or on the inputs' concatenation).
    public func tape<Scalar>(_ inputs: [Variable<Scalar>], _ scope: ParameterScope<Scalar>, _ context: TapeContext<Scalar>) -> Variable<Scalar> {
        linear.tape(inputs, scope, context).silu()
    }

    /// A `LinearOp` with the activation.
    public func makeOp(_ prefix: String, layout: ParameterLayout, inputs: [FeatureShape], capacity: Int, context: EngineContext) -> any FastOp {
        LinearOp(
            inputs: inputs.map(\.channels), outFeatures: linear.outFeatures, activated: true, prefix: prefix, layout: layout, capacity: capacity,
            context: context)
    }
}
