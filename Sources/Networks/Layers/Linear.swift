import TensorCore

/// A fully connected layer in PyTorch's layout (`nn.Linear`): y = x·Wᵀ + b for x [N, in], with
/// `weight` [out, in] and `bias` [out], initialised U(±1/√in). Given several vector inputs it reads
/// their concatenation x = [x₁, x₂, …] (`torch.cat` then `nn.Linear`), without forming it on the fast path.
public struct Linear: Sendable {
    /// Input and output widths.
    public let inFeatures: Int, outFeatures: Int

    /// A layer from `inFeatures` to `outFeatures`.
    public init(_ inFeatures: Int, _ outFeatures: Int) {
        precondition(inFeatures >= 1 && outFeatures >= 1, "Linear: invalid widths")
        (self.inFeatures, self.outFeatures) = (inFeatures, outFeatures)
    }

    /// `weight` [out, in] and `bias` [out] under `prefix`.
    public func declare(_ prefix: String, in layout: inout ParameterLayout) {
        let bound = 1 / Double(inFeatures).squareRoot()
        layout.append(prefix + ".weight", [outFeatures, inFeatures], initialisation: .uniform(bound: bound))
        layout.append(prefix + ".bias", [outFeatures], initialisation: .uniform(bound: bound))
    }

    /// The layer on the tape.
    public func callAsFunction<Scalar>(_ x: Variable<Scalar>, _ scope: ParameterScope<Scalar>) -> Variable<Scalar> {
        Variable.linear(x, weight: scope("weight"), bias: scope("bias"))
    }
}

extension Linear: LayerKind {
    /// Vectors of `inFeatures` values in all → a vector of `outFeatures`.
    public func outputShape(_ inputs: [FeatureShape]) -> FeatureShape {
        precondition(
            !inputs.isEmpty && inputs.allSatisfy(\.isVector) && inputs.map(\.channels).reduce(0, +) == inFeatures,
            "Linear(\(inFeatures) → \(outFeatures)): inputs \(inputs)")
        return .vector(outFeatures)
    }

    /// Its GEMM adds ∂x into the sink itself.
    public var usesSinkScratch: Bool { false }

    /// in · out.
    public func multiplyAdds(_ inputs: [FeatureShape]) -> Int { inFeatures * outFeatures }

    /// `callAsFunction` on the input, or on the inputs' concatenation.
    public func tape<Scalar>(_ inputs: [Variable<Scalar>], _ scope: ParameterScope<Scalar>, _ context: TapeContext<Scalar>) -> Variable<Scalar> {
        self(inputs.count == 1 ? inputs[0] : .concatenateColumns(inputs), scope)
    }

    /// A `LinearOp`.
    public func makeOp(_ prefix: String, layout: ParameterLayout, inputs: [FeatureShape], capacity: Int, context: EngineContext) -> any FastOp {
        LinearOp(inputs: inputs.map(\.channels), outFeatures: outFeatures, activated: false, prefix: prefix, layout: layout, capacity: capacity, context: context)
    }
}

extension Variable {
    /// x·Wᵀ + b for x [N, in], W [out, in], b [out]. Pullback: ∂x = g·W, ∂W = gᵀ·x, ∂b = Σₙ g[n, ·].
    public static func linear(_ x: Variable, weight: Variable, bias: Variable) -> Variable {
        let (xv, wv, bv) = (x.value, weight.value, bias.value)
        precondition(
            xv.rank == 2 && wv.rank == 2 && xv.shape[1] == wv.shape[1] && bv.shape == [wv.shape[0]],
            "linear: input \(xv.shape), weight \(wv.shape), bias \(bv.shape)")
        let y = Tensor.matmul(xv, wv.transposed()) + bv
        return x.tape.record(y, inputs: [x, weight, bias]) { g in
            [Tensor.matmul(g, wv), Tensor.matmul(g.transposed(), xv), g.sum(alongAxis: 0)]
        }
    }
}
