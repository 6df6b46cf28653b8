import Diffusion
import Networks
import TensorCore
import Training

/// A noisy-digit classifier p_φ(y∣xₜ, t) for classifier guidance (Dhariwal & Nichol 2021), built from
/// the workbench's layers: an MLP on [xₜ, emb(t)] (64 + 32 inputs, the U-Net's sinusoidal time
/// embedding) → 128 → 128 → 10 with SiLU, trained on xₜ = √ᾱₜ·x₀ + √(1 − ᾱₜ)·ε with t ~ U{1…T}:
///
///     L(φ) = E_{x₀, y, t, ε} [−log p_φ(y∣xₜ, t)],   guidance uses ∇ₓ log p_φ(y∣xₜ, t) from the tape.
public struct NoisyDigitClassifier: Sendable {
    /// The layers, in PyTorch's layout.
    public static let layers = [Linear(64 + TimeEmbedding.width, 128), Linear(128, 128), Linear(128, 10)]

    /// Names and shapes: `l0.*`, `l1.*`, `l2.*`.
    public static let layout: ParameterLayout = {
        var layout = ParameterLayout()
        for (i, layer) in layers.enumerated() { layer.declare("l\(i)", in: &layout) }
        return layout
    }()

    /// The parameters (the layout's flat vector).
    public var parameters: [Float]
    /// The schedule it was trained on.
    public let schedule: NoiseSchedule

    /// The logits [N, 10] for x [N, 64] at steps t (one per row), on a tape.
    public static func logits<Scalar>(_ x: Variable<Scalar>, steps t: [Int], _ p: TapeParameters<Scalar>) -> Variable<Scalar> {
        let input = Variable.concatenateColumns([x, x.tape.variable(UNet.embedding(t, as: Scalar.self))])
        let h = layers[1](layers[0](input, p.scope("l0")).silu(), p.scope("l1")).silu()
        return layers[2](h, p.scope("l2"))
    }

    /// Trains for `steps` batches of 128 (rows with replacement, then t, then ε, as Algorithm 1 draws them),
    /// Adam 2e-3, on images [n, 64] with labels; every draw from `seed`.
    public static func train(images: [Float], labels: [Int], schedule: NoiseSchedule, steps: Int, seed: UInt64) -> NoisyDigitClassifier {
        let n = labels.count
        precondition(images.count == n * 64 && steps >= 1, "NoisyDigitClassifier.train: \(images.count) values for \(n) images, \(steps) steps")
        var rng = SeededGenerator(seed: seed)
        var parameters = layout.linearDefaults(using: &rng)
        var adam = Adam(count: parameters.count, learningRate: 2e-3)
        let batch = 128
        var noise = [Float](repeating: 0, count: batch * 64)
        for _ in 0..<steps {
            let rows = (0..<batch).map { _ in rng.integer(in: 0...(n - 1)) }
            let t = (0..<batch).map { _ in rng.integer(in: 1...schedule.steps) }
            noise.withUnsafeMutableBufferPointer { rng.fillNormals($0.baseAddress!, count: batch * 64) }
            var xt = [Float](repeating: 0, count: batch * 64)
            for (i, row) in rows.enumerated() {
                let q = schedule.float(t[i])
                for j in 0..<64 { xt[i * 64 + j] = q.noised(images[row * 64 + j], noise: noise[i * 64 + j]) }  // Eq. 4
            }
            let tape = Tape<Float>()
            let flat = tape.variable(Tensor(parameters))
            let loss = logits(tape.variable(Tensor(shape: [batch, 64], scalars: xt)), steps: t, TapeParameters(layout: layout, flat: flat))
                .softmaxCrossEntropy(labels: rows.map { labels[$0] })
            adam.update(&parameters, gradients: tape.gradients(of: loss)[flat].scalars)
        }
        return NoisyDigitClassifier(parameters: parameters, schedule: schedule)
    }

    /// The most likely class of each xₜ [n, 64] at step t.
    public func classify(_ xt: [Float], t: Int) -> [Int] {
        let tape = Tape<Double>()
        let p = TapeParameters(layout: NoisyDigitClassifier.layout, flat: tape.variable(Tensor(parameters.map(Double.init))))
        let n = xt.count / 64
        let z = NoisyDigitClassifier.logits(tape.variable(Tensor(shape: [n, 64], scalars: xt.map(Double.init))), steps: [Int](repeating: t, count: n), p).value
        return (0..<n).map { row in (0..<10).max { z.scalars[row * 10 + $0] < z.scalars[row * 10 + $1] }! }
    }

    /// Σₙ log p_φ(yₙ∣xₙ, t) and its gradient ∇ₓ [n, 64] for a batch x [n, 64] at one step t, in Double on the
    /// tape: the mean cross-entropy's gradient times −n.
    public func logProbabilityGradient(_ x: [Float], t: Int, labels: [Int]) -> (logProbability: Double, gradient: [Float]) {
        let n = labels.count
        precondition(x.count == n * 64, "NoisyDigitClassifier: \(x.count) values for \(n) labels")
        let tape = Tape<Double>()
        let p = TapeParameters(layout: NoisyDigitClassifier.layout, flat: tape.variable(Tensor(parameters.map(Double.init))))
        let input = tape.variable(Tensor(shape: [n, 64], scalars: x.map(Double.init)))
        let loss = NoisyDigitClassifier.logits(input, steps: [Int](repeating: t, count: n), p).softmaxCrossEntropy(labels: labels)
        let gradient = tape.gradients(of: loss)[input].scalars
        return (-Double(n) * loss.value.scalars[0], gradient.map { Float(-Double(n) * $0) })
    }
}
