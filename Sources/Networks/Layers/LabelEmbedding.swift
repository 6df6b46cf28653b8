import TensorCore

/// A class label's learned vector added to the input (improved-diffusion's `label_emb`, added to the
/// time embedding): out[n] = x[n] + weight[yₙ] with `weight` [rows, width] and yₙ from the
/// conditioning's labels (row `rows − 1` is the null label ∅ of classifier-free guidance). `weight`
/// starts U(±1/√width). The gradient of row y sums the samples labelled y, in sample order.
public struct LabelEmbedding: LayerKind {
    /// Rows of the table (classes + 1, with ∅) and their width.
    public let rows: Int, width: Int

    /// A table of `rows` vectors of `width`.
    public init(rows: Int, width: Int) {
        precondition(rows >= 2 && width >= 1, "LabelEmbedding: \(rows) rows of \(width)")
        (self.rows, self.width) = (rows, width)
    }

    /// A vector of `width` → the same.
    public func outputShape(_ inputs: [FeatureShape]) -> FeatureShape {
        precondition(inputs.count == 1 && inputs[0] == .vector(width), "LabelEmbedding(\(width)): input \(inputs)")
        return inputs[0]
    }

    /// `weight` [rows, width].
    public func declare(_ prefix: String, in layout: inout ParameterLayout) {
        layout.append(prefix + ".weight", [rows, width], initialisation: .uniform(bound: 1 / Double(width).squareRoot()))
    }

    /// It does.
    public var readsLabels: Bool { true }

    /// Validates the labels (one per sample, each in 0 ..< rows).
    func labels(_ conditioning: Conditioning) -> [Int] {
        guard let labels = conditioning.labels, labels.allSatisfy({ (0..<rows).contains($0) }) else {
            preconditionFailure("LabelEmbedding: a class-conditional net needs one label in 0…\(rows - 1) per sample")
        }
        return labels
    }

    /// x + weight.gatherRows(y).
    public func tape<Scalar>(_ inputs: [Variable<Scalar>], _ scope: ParameterScope<Scalar>, _ context: TapeContext<Scalar>) -> Variable<Scalar> {
        inputs[0] + scope("weight").gatherRows(labels(context.conditioning))
    }

    /// A `LabelEmbeddingOp`.
    public func makeOp(_ prefix: String, layout: ParameterLayout, inputs: [FeatureShape], capacity: Int, context: EngineContext) -> any FastOp {
        LabelEmbeddingOp(self, offset: layout[prefix + ".weight"]!.offset, capacity: capacity, context: context)
    }
}

/// `LabelEmbedding` on the fast path.
final class LabelEmbeddingOp: FastOp {
    let kind: LabelEmbedding
    let offset: Int
    let context: EngineContext
    let output: FloatBuffer
    private var table: UnsafePointer<Float>?
    private var labels: [Int] = []

    init(_ kind: LabelEmbedding, offset: Int, capacity: Int, context: EngineContext) {
        (self.kind, self.offset, self.context) = (kind, offset, context)
        output = FloatBuffer(count: capacity * kind.width)
    }

    func load(_ parameters: UnsafePointer<Float>) { table = parameters + offset }

    func forward(_ inputs: [UnsafePointer<Float>], _ conditioning: Conditioning, images: Int) {
        guard let table else { preconditionFailure("LabelEmbeddingOp.forward before load") }
        labels = kind.labels(conditioning)
        let e = kind.width
        for (i, y) in labels.enumerated() { for j in 0..<e { output.pointer[i * e + j] = inputs[0][i * e + j] + table[y * e + j] } }
    }

    func backward(_ gradOutput: UnsafePointer<Float>, images: Int, gradients: UnsafeMutablePointer<Float>, sinks: [GradientSink]) {
        let e = kind.width
        for (i, y) in labels.prefix(images).enumerated() { for j in 0..<e { gradients[offset + y * e + j] += gradOutput[i * e + j] } }
        sinks[0].deliver(count: images * e, context: context) { $0.update(from: gradOutput, count: images * e) }
    }
}
