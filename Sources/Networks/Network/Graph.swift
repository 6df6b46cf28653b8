import TensorCore

/// The shape of one sample's tensor: `channels` × `height` × `width`. A vector (a time embedding, a
/// row of logits) has height = width = 1; on the tape it is [N, channels], a map is [N, C, H, W]; on
/// the fast path both are channels-last, [N·H·W, C].
public struct FeatureShape: Hashable, Sendable, CustomStringConvertible {
    /// C, H, W.
    public let channels: Int, height: Int, width: Int

    /// A map of `channels` × `height` × `width` (1 × 1: a vector).
    public init(channels: Int, height: Int = 1, width: Int = 1) {
        precondition(channels >= 1 && height >= 1 && width >= 1, "FeatureShape: \(channels) × \(height) × \(width)")
        (self.channels, self.height, self.width) = (channels, height, width)
    }

    /// A vector of `count` features.
    public static func vector(_ count: Int) -> FeatureShape { FeatureShape(channels: count) }

    /// H·W.
    public var positions: Int { height * width }
    /// C·H·W, the floats per sample.
    public var count: Int { channels * positions }
    /// Whether this is a vector (H = W = 1).
    public var isVector: Bool { positions == 1 }
    /// The tape's shape for `samples` samples: [N, C] or [N, C, H, W].
    public func tapeShape(_ samples: Int) -> [Int] { isVector ? [samples, channels] : [samples, channels, height, width] }
    /// `C×H×W`, or `C` for a vector.
    public var description: String { isVector ? "\(channels)" : "\(channels)×\(height)×\(width)" }
}

/// What a network is given besides its input tensors: the paper step t of each sample (t = 1…T) and,
/// for a class-conditional network, one label per sample (0…classes − 1, or `classes` for ∅).
public struct Conditioning: Sendable {
    /// One paper step per sample; its count is the batch size.
    public let steps: [Int]
    /// One label per sample, or nil for an unconditional network.
    public let labels: [Int]?

    /// Steps `t` and optional labels (one per step).
    public init(steps: [Int], labels: [Int]? = nil) {
        precondition(labels == nil || labels!.count == steps.count, "Conditioning: \(labels!.count) labels for \(steps.count) steps")
        (self.steps, self.labels) = (steps, labels)
    }
}

/// A network written once, as data: layers (each a `LayerKind` under a dotted name) wired to the
/// outputs of earlier layers or to the graph's inputs, skip connections included. From it come the
/// parameter layout (`layout`), the forward pass on the tape (`tape(_:_:parameters:)`, the Double
/// reference), the fast forward and backward pass (`GraphEngine`) and the cost (`multiplyAdds`).
///
/// Values are numbered: the graph's inputs first, then each node's output in order; a node reads only
/// values numbered before its own, so the nodes' order is an execution order.
public struct Graph: Sendable {
    /// One layer: its name (the prefix of its parameters, "" for none), kind, inputs and output shape.
    public struct Node: Sendable {
        /// The dotted prefix of its parameters, e.g. `encoder.attn` (its tensors `encoder.attn.qkv.weight`, …).
        public let name: String
        /// What it computes.
        public let kind: any LayerKind
        /// The values it reads.
        public let inputs: [Int]
        /// Its output's shape per sample.
        public let shape: FeatureShape
    }

    /// The shapes of the graph's inputs (values 0 ..< inputs.count).
    public let inputs: [FeatureShape]
    /// The layers in execution order (node i's output is value inputs.count + i).
    public let nodes: [Node]
    /// The value the network outputs.
    public let output: Int
    /// Every parameter tensor, named `<node name>.<tensor>`.
    public let layout: ParameterLayout

    /// Whether the network is class-conditional: some layer reads the labels (which it then needs).
    public var readsLabels: Bool { nodes.contains { $0.kind.readsLabels } }

    /// The shape of value `v`.
    public func shape(_ v: Int) -> FeatureShape { v < inputs.count ? inputs[v] : nodes[v - inputs.count].shape }

    /// Multiply-adds of one forward pass per sample (convolutions, linear maps and attention products;
    /// norms, activations and copies count 0), summed over the layers.
    public var multiplyAdds: Int {
        nodes.map { node in node.kind.multiplyAdds(node.inputs.map(shape)) }.reduce(0, +)
    }

    /// The forward pass on the tape: `inputs` in the tape's shapes (`FeatureShape.tapeShape`), the
    /// conditioning, and the parameters (by name). - Returns: the output value.
    public func tape<Scalar: TensorScalar>(_ inputs: [Variable<Scalar>], _ conditioning: Conditioning, parameters: TapeParameters<Scalar>) -> Variable<Scalar> {
        precondition(inputs.count == self.inputs.count, "Graph.tape: \(inputs.count) inputs for \(self.inputs.count)")
        precondition(readsLabels == (conditioning.labels != nil), "Graph.tape: labels are for class-conditional nets, and they need them")
        let tape = parameters.tape
        var values = inputs
        for node in nodes {
            let scope = parameters.scope(node.name)
            values.append(node.kind.tape(node.inputs.map { values[$0] }, scope, TapeContext(tape: tape, conditioning: conditioning)))
        }
        return values[output]
    }
}

/// What a tape op sees besides its inputs: the tape (for layers that create values) and the conditioning.
public struct TapeContext<Scalar: TensorScalar> {
    /// The tape of this forward pass.
    public let tape: Tape<Scalar>
    /// The steps (and labels) of the batch.
    public let conditioning: Conditioning
}

/// Builds a `Graph` layer by layer: `add` returns the new layer's output, which later layers take as
/// input; a skip connection is a value read twice.
public struct GraphBuilder {
    /// A value of the graph under construction: its number and shape.
    public struct Value: Sendable {
        /// The value's number.
        public let index: Int
        /// Its shape per sample.
        public let shape: FeatureShape
    }

    /// Where a layer's parameter tensors go in the layout.
    public enum ParameterPlacement: Sendable, Equatable {
        /// In the layer's place (the order of `add` calls).
        case inOrder
        /// After every in-order tensor, so that a network without this layer has a layout that is a
        /// prefix of this one's (the same seed then draws the same values for every shared tensor).
        case last
    }

    /// The graph's inputs, as values.
    public let inputs: [Value]
    private var nodes: [Graph.Node] = []
    private var placements: [ParameterPlacement] = []

    /// A builder for a graph with inputs of `shapes`.
    public init(inputs shapes: [FeatureShape]) {
        inputs = shapes.enumerated().map { Value(index: $0.offset, shape: $0.element) }
    }

    /// Adds layer `kind`, which has no parameters, reading `inputs`. - Returns: its output.
    @discardableResult
    public mutating func add(_ kind: any LayerKind, _ inputs: Value...) -> Value { add("", kind, inputs, parameters: .inOrder) }

    /// Adds layer `kind` named `name` (the prefix of its parameters) reading `inputs`. - Returns: its output.
    @discardableResult
    public mutating func add(_ name: String, _ kind: any LayerKind, _ inputs: Value..., parameters: ParameterPlacement = .inOrder) -> Value {
        add(name, kind, inputs, parameters: parameters)
    }

    private mutating func add(_ name: String, _ kind: any LayerKind, _ inputs: [Value], parameters: ParameterPlacement) -> Value {
        let shape = kind.outputShape(inputs.map(\.shape))
        nodes.append(Graph.Node(name: name, kind: kind, inputs: inputs.map(\.index), shape: shape))
        placements.append(parameters)
        return Value(index: self.inputs.count + nodes.count - 1, shape: shape)
    }

    /// The graph whose output is `output`.
    public func build(output: Value) -> Graph {
        var layout = ParameterLayout()
        for placement in [ParameterPlacement.inOrder, .last] {
            for (node, place) in zip(nodes, placements) where place == placement { node.kind.declare(node.name, in: &layout) }
        }
        return Graph(inputs: inputs.map(\.shape), nodes: nodes, output: output.index, layout: layout)
    }

}
