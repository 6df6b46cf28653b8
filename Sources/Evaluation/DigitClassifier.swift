import Networks
import TensorCore
import Training

/// A digit classifier built from the workbench's own layers, for judging samples: an MLP
/// 64 → 128 → 32 → 10 with SiLU, trained with Adam on the softmax cross-entropy. Its 32 SiLU
/// outputs before the last layer are the features the Fréchet distance is measured in
/// ("FID in miniature": Inception's features replaced by this network's).
public struct DigitClassifier: Sendable {
    /// The layers, in PyTorch's layout.
    public static let layers = [Linear(64, 128), Linear(128, 32), Linear(32, 10)]
    /// Feature width.
    public static let featureWidth = 32

    /// Names and shapes: `l0.*`, `l1.*`, `l2.*`.
    public static let layout: ParameterLayout = {
        var layout = ParameterLayout()
        for (i, layer) in layers.enumerated() { layer.declare("l\(i)", in: &layout) }
        return layout
    }()

    /// The parameters (the layout's flat vector).
    public var parameters: [Float]

    /// The logits [N, 10] and the features [N, 32] on a tape.
    public static func forward<Scalar>(_ x: Variable<Scalar>, _ p: TapeParameters<Scalar>) -> (logits: Variable<Scalar>, features: Variable<Scalar>) {
        let h = layers[0](x, p.scope("l0")).silu()
        let features = layers[1](h, p.scope("l1")).silu()
        return (layers[2](features, p.scope("l2")), features)
    }

    /// Trains on images x [n, 64] (values in [−1, 1]) with labels: `epochs` passes in shuffled batches
    /// of 100, Adam 3e-3, every draw from `seed`.
    public static func train(images: [Float], labels: [Int], epochs: Int = 40, seed: UInt64) -> DigitClassifier {
        let n = labels.count
        precondition(images.count == n * 64, "DigitClassifier.train: \(images.count) values for \(n) images")
        var rng = SeededGenerator(seed: seed)
        var parameters = layout.linearDefaults(using: &rng)
        var adam = Adam(count: parameters.count, learningRate: 3e-3)
        var order = Array(0..<n)
        for _ in 0..<epochs {
            for i in stride(from: n - 1, to: 0, by: -1) { order.swapAt(i, rng.integer(in: 0...i)) }
            for start in stride(from: 0, to: n, by: 100) {
                let batch = Array(order[start..<min(start + 100, n)])
                let tape = Tape<Float>()
                let flat = tape.variable(Tensor(parameters))
                let x = tape.variable(Tensor(shape: [batch.count, 64], scalars: batch.flatMap { images[($0 * 64)..<($0 * 64 + 64)] }))
                let loss = forward(x, TapeParameters(layout: layout, flat: flat)).logits.softmaxCrossEntropy(labels: batch.map { labels[$0] })
                adam.update(&parameters, gradients: tape.gradients(of: loss)[flat].scalars)
            }
        }
        return DigitClassifier(parameters: parameters)
    }

    /// Logits [n, 10] and features [n, 32] for images x [n, 64], in Double.
    public func evaluate(_ images: [Float]) -> (logits: Tensor<Double>, features: Tensor<Double>) {
        let tape = Tape<Double>()
        let p = TapeParameters(layout: DigitClassifier.layout, flat: tape.variable(Tensor(parameters.map(Double.init))))
        let out = DigitClassifier.forward(tape.variable(Tensor(shape: [images.count / 64, 64], scalars: images.map(Double.init))), p)
        return (out.logits.value, out.features.value)
    }

    /// The most likely class of each image.
    public func classify(_ images: [Float]) -> [Int] {
        let logits = evaluate(images).logits
        return (0..<logits.shape[0]).map { row in (0..<10).max { logits.scalars[row * 10 + $0] < logits.scalars[row * 10 + $1] }! }
    }
}
