import TensorCore

/// A kind of layer, with its two implementations side by side: the tape op (Double or Float, its
/// pullback beside its forward: the reference) and the fast op (Float, channels-last, preallocated
/// buffers, threads). A `Graph` node is a layer kind under a name; `LayerKindTests` runs every kind's
/// fast op against its tape op and every tape pullback against central differences.
public protocol LayerKind: Sendable {
    /// The output's shape per sample for inputs of `inputs`. - Precondition: the inputs fit the layer.
    func outputShape(_ inputs: [FeatureShape]) -> FeatureShape
    /// Appends the layer's parameter tensors under `prefix` (`prefix.weight`, …), in the peer's order.
    func declare(_ prefix: String, in layout: inout ParameterLayout)
    /// Multiply-adds per sample of the forward pass (0 for norms, activations and copies).
    func multiplyAdds(_ inputs: [FeatureShape]) -> Int
    /// Whether the layer reads the conditioning's labels (a class-conditional network's label embedding).
    var readsLabels: Bool { get }
    /// Whether the fast op's backward pass uses the context's sink scratch (at most one input's gradient).
    var usesSinkScratch: Bool { get }
    /// The layer on the tape: inputs in the tape's shapes, parameters through `scope`.
    func tape<Scalar: TensorScalar>(_ inputs: [Variable<Scalar>], _ scope: ParameterScope<Scalar>, _ context: TapeContext<Scalar>) -> Variable<Scalar>
    /// The layer's fast op for batches of up to `capacity` samples, its parameters at `prefix` in `layout`.
    func makeOp(_ prefix: String, layout: ParameterLayout, inputs: [FeatureShape], capacity: Int, context: EngineContext) -> any FastOp
}

extension LayerKind {
    /// No parameters.
    public func declare(_ prefix: String, in layout: inout ParameterLayout) {}
    /// No multiply-adds.
    public func multiplyAdds(_ inputs: [FeatureShape]) -> Int { 0 }
    /// No labels.
    public var readsLabels: Bool { false }
    /// Uses it, unless the kind says otherwise.
    public var usesSinkScratch: Bool { true }
}

/// Where a fast op's backward pass puts the gradient of one of its inputs.
public enum GradientSink {
    /// Nobody needs it (the input is constant, or is the time embedding's sinusoid).
    case discard
    /// Overwrite this buffer: this op is the input's last reader, so the first to send it a gradient.
    case write(UnsafeMutablePointer<Float>)
    /// Add into this buffer, which already holds the gradient from the input's later readers.
    case add(UnsafeMutablePointer<Float>)

    /// Delivers a gradient of `count` floats that `compute` writes into the pointer it is given: the
    /// destination itself (`write`), or the context's sink scratch, then added to the destination (`add`).
    public func deliver(count: Int, context: EngineContext, _ compute: (UnsafeMutablePointer<Float>) -> Void) {
        switch self {
        case .discard: return
        case .write(let destination): compute(destination)
        case .add(let destination):
            compute(context.sinkScratch.pointer)
            context.add(context.sinkScratch.pointer, to: destination, count: count)
        }
    }

    /// For an op whose backward writes ∂input wherever it is told (and skips it when told nil, still
    /// computing its parameters' gradients): runs `backward` with the destination (`write`), with nil
    /// (`discard`), or with the context's sink scratch and then adds that into the destination (`add`).
    public func receive(count: Int, context: EngineContext, _ backward: (UnsafeMutablePointer<Float>?) -> Void) {
        switch self {
        case .discard: backward(nil)
        case .write(let destination): backward(destination)
        case .add(let destination):
            backward(context.sinkScratch.pointer)
            context.add(context.sinkScratch.pointer, to: destination, count: count)
        }
    }

}

/// A layer on the fast path: Float, channels-last ([samples·H·W, C]), buffers allocated once for
/// `capacity` samples. Work is split over the context's threads by whole rows or samples, and every
/// sum runs in a fixed order, so results do not depend on the thread count.
public protocol FastOp: AnyObject {
    /// The output [capacity·H·W, C], valid until the next forward.
    var output: FloatBuffer { get }
    /// Points the op at its parameters in the engine's flat buffer (and repacks what it packs).
    func load(_ parameters: UnsafePointer<Float>)
    /// Uses `leader`'s packed weights (the same op of an engine on the same parameters, loaded first) instead
    /// of packing its own: `load` then only points at the parameters. Ops that pack nothing ignore it.
    func sharePacking(with leader: any FastOp)
    /// Computes `output` for `images` samples from `inputs` (kept for the backward pass).
    func forward(_ inputs: [UnsafePointer<Float>], _ conditioning: Conditioning, images: Int)
    /// From ∂L/∂output: adds ∂L/∂θ into `gradients` (the layout's flat vector) and sends ∂L/∂input i to `sinks[i]`.
    func backward(_ gradOutput: UnsafePointer<Float>, images: Int, gradients: UnsafeMutablePointer<Float>, sinks: [GradientSink])
}

extension FastOp {
    /// No parameters.
    public func load(_ parameters: UnsafePointer<Float>) {}
    /// Packs its own weights.
    public func sharePacking(with leader: any FastOp) {}
}
