import Diffusion
import TensorCore

/// The settings of Algorithm 1 that a lesson or the benchmark may change.
public struct TrainingOptions: Sendable {
    /// Samples per step (the benchmark: 256).
    public var batchSize = 256
    /// Adam's base learning rate.
    public var learningRate = 1e-3
    /// How the learning rate changes over the run.
    public var schedule = LearningRateSchedule.constant
    /// The decay of an exponential moving average of the weights, or `nil` for none.
    public var emaDecay: Double?
    /// The gradient-norm clipping threshold, or `nil` for none.
    public var clipNorm: Double?
    /// Antithetic time steps: the second half of the batch uses T + 1 − t of the first half.
    public var antithetic = false
    /// Threads, 1 or 2 (`Trainer.maximumThreads`): the batch is split into two halves, one per
    /// thread; results do not depend on it (see `Trainer`).
    public var threads = 1

    /// The benchmark workload's settings: batch 256, Adam 1e-3, nothing else.
    public init() {}

    /// Lesson 08's recipe for the digits U-Net: batch 128, Adam 2e-3, an EMA of the weights with decay 0.995.
    public static func digits(threads: Int) -> TrainingOptions {
        var options = TrainingOptions()
        options.batchSize = 128
        options.learningRate = 2e-3
        options.emaDecay = 0.995
        options.threads = threads
        return options
    }
}

/// A trainer's settings that cannot work, each naming the value.
public enum TrainerError: Error, Equatable, CustomStringConvertible {
    /// The network's input width is not the data's dimension plus the embedding's.
    case inputWidth(Int, expected: Int)
    /// A batch size the trainer cannot split.
    case batchSize(Int)
    /// A thread count the trainer would not use.
    case threads(Int)
    /// Data that is not a whole number of samples.
    case data(count: Int, dimension: Int)
    /// An antithetic partner T + 1 − t outside 1…T.
    case antitheticPartner(t: Int, partner: Int, steps: Int)

    /// One line naming the problem.
    public var description: String {
        switch self {
        case .inputWidth(let width, let expected): "the network's input width is \(width), expected \(expected) (point and time embedding)"
        case .batchSize(let size): "the batch size must be even and ≥ 2, got \(size)"
        case .threads(let threads): "threads must be 1 or \(Trainer.maximumThreads) (one per half batch), got \(threads)"
        case .data(let count, let dimension): "the data (\(count) values) is not a whole number of \(dimension)-D points"
        case .antitheticPartner(let t, let partner, let steps): "the antithetic partner of t = \(t) is \(partner), outside 1…\(steps)"
        }
    }
}

/// Algorithm 1 (training) for an `MLP` noise predictor on a fixed data set:
///
///     repeat: x₀ ~ data; t ~ Uniform{1…T}; ε ~ N(0, I)
///             gradient step on ‖ε − ε_θ(√ᾱₜ·x₀ + √(1 − ᾱₜ)·ε, t)‖²  (mean over the batch's elements)
///
/// Random draws per step, in order: batch indices (with replacement), t, ε — as the PyTorch peer.
/// The batch is always processed as two halves whose gradients are added in a fixed order, one half
/// per thread with `threads = 2`: so the weights after any number of steps are bit-identical for
/// every thread count.
public final class Trainer {
    /// The most threads a trainer uses: one per half of the batch.
    public static let maximumThreads = 2
    /// The network being trained.
    public private(set) var model: MLP
    /// The moving average of the weights, if enabled.
    public private(set) var ema: ExponentialMovingAverage?
    /// The options it was created with.
    public let options: TrainingOptions
    /// The diffusion schedule.
    public let schedule: NoiseSchedule
    /// Steps taken.
    public private(set) var steps = 0
    /// The t of each sample in the last batch.
    public private(set) var lastSteps: [Int] = []

    let data: [Float]
    let dimension: Int
    var generator: SeededGenerator
    var optimiser: Adam
    let embeddings: [Float]
    let sqrtAlphaBar: [Float]
    let sqrtOneMinusAlphaBar: [Float]
    let halves: [Half]
    let pool: WorkerPool
    let packed: PackedNetwork
    var gradients: [Float]
    var indices: [Int]
    var noise: [Float]

    /// One half of the batch: its engine and buffers.
    final class Half {
        let engine: NetworkEngine
        let input: FloatBuffer
        let noise: FloatBuffer
        let output: FloatBuffer
        let gradOutput: FloatBuffer
        let gradients: FloatBuffer
        var loss: Double = 0

        init(sizes: [Int], rows: Int) {
            engine = NetworkEngine(sizes: sizes, capacity: rows)
            input = FloatBuffer(count: rows * sizes[0])
            noise = FloatBuffer(count: rows * sizes.last!)
            output = FloatBuffer(count: rows * sizes.last!)
            gradOutput = FloatBuffer(count: rows * sizes.last!)
            gradients = FloatBuffer(count: MLP.parameterCount(sizes))
        }
    }

    /// A trainer for `model` on `data` (`[n, D]` row-major, D = the network's output width).
    /// - Throws: `TrainerError` naming the problem: the input width is not D + 32 (point and time
    ///   embedding), the batch is odd or < 2, the threads are not 1 or 2, the data is not a whole
    ///   number of D-D points, or an antithetic partner would leave 1…T.
    public init(model: MLP, data: [Float], schedule: NoiseSchedule, options: TrainingOptions = TrainingOptions(), seed: UInt64) throws(TrainerError) {
        let d = model.sizes.last!
        guard model.sizes[0] == d + TimeEmbedding.width else { throw .inputWidth(model.sizes[0], expected: d + TimeEmbedding.width) }
        guard options.batchSize >= 2 && options.batchSize % 2 == 0 else { throw .batchSize(options.batchSize) }
        guard (1...Trainer.maximumThreads).contains(options.threads) else { throw .threads(options.threads) }
        guard !data.isEmpty && data.count % d == 0 else { throw .data(count: data.count, dimension: d) }
        if options.antithetic, let t = schedule.timeSteps.first(where: { !schedule.timeSteps.contains(Trainer.antitheticPartner(of: $0, steps: schedule.steps)) }) {
            throw .antitheticPartner(t: t, partner: Trainer.antitheticPartner(of: t, steps: schedule.steps), steps: schedule.steps)
        }
        self.model = model
        self.options = options
        self.schedule = schedule
        self.data = data
        self.dimension = d
        self.generator = SeededGenerator(seed: seed)
        self.optimiser = Adam(count: model.parameters.count, learningRate: options.learningRate)
        self.ema = options.emaDecay.map { ExponentialMovingAverage(decay: $0, parameters: model.parameters) }
        self.embeddings = TimeEmbedding.table(steps: schedule.steps)
        // Derived in Double, rounded to Float once (WORKLOAD.md).
        self.sqrtAlphaBar = schedule.timeSteps.map { Float(schedule.sqrtAlphaBar($0)) }
        self.sqrtOneMinusAlphaBar = schedule.timeSteps.map { Float(schedule.sqrtOneMinusAlphaBar($0)) }
        self.halves = (0..<2).map { _ in Half(sizes: model.sizes, rows: options.batchSize / 2) }
        self.pool = WorkerPool(threads: options.threads)
        self.packed = PackedNetwork(model)
        self.gradients = [Float](repeating: 0, count: model.parameters.count)
        self.indices = [Int](repeating: 0, count: options.batchSize)
        self.lastSteps = [Int](repeating: 1, count: options.batchSize)
        self.noise = [Float](repeating: 0, count: options.batchSize * d)
    }

    /// The antithetic partner of paper step t: T + 1 − t, so 1 ↔ T and the pair's mean is (T + 1)/2.
    public static func antitheticPartner(of t: Int, steps: Int) -> Int { steps + 1 - t }

    /// The weights to sample from: the moving average if enabled, else the trained weights.
    public var samplingModel: MLP {
        ema.map { MLP(sizes: model.sizes, parameters: $0.average) } ?? model
    }

    /// One step of Algorithm 1. - Returns: the batch loss, mean of (ε − ε_θ)² over its elements.
    @discardableResult
    public func step() -> Float {
        let batch = options.batchSize
        let n = data.count / dimension
        for i in 0..<batch { indices[i] = generator.integer(in: 0...(n - 1)) }
        for i in 0..<batch { lastSteps[i] = generator.integer(in: 1...schedule.steps) }
        if options.antithetic {
            for i in (batch / 2)..<batch {
                lastSteps[i] = Trainer.antitheticPartner(of: lastSteps[i - batch / 2], steps: schedule.steps)
            }
        }
        for i in 0..<(batch * dimension) { noise[i] = Float(generator.normal()) }
        let rows = batch / 2
        pool.run { part in
            for h in stride(from: part, to: 2, by: self.pool.threads) { self.halves[h].run(rows: rows, offset: h * rows, trainer: self) }
        }
        let (g0, g1) = (halves[0].gradients.pointer, halves[1].gradients.pointer)
        for i in gradients.indices { gradients[i] = g0[i] + g1[i] }
        if let clip = options.clipNorm { clipGradientNorm(&gradients, maxNorm: clip) }
        optimiser.learningRate = options.schedule.rate(at: steps, base: options.learningRate)
        optimiser.update(&model.parameters, gradients: gradients)
        ema?.update(model.parameters)
        packed.update(model)
        steps += 1
        return Float((halves[0].loss + halves[1].loss) / Double(batch * dimension))
    }
}

extension Trainer.Half {
    /// Forward and backward for rows `offset ..< offset + rows` of the batch.
    func run(rows: Int, offset: Int, trainer: Trainer) {
        let d = trainer.dimension
        let width = trainer.model.sizes[0]
        let total = Float(2 * rows * d)
        let (x, e) = (input.pointer, noise.pointer)
        trainer.data.withUnsafeBufferPointer { data in
            trainer.embeddings.withUnsafeBufferPointer { embeddings in
                for r in 0..<rows {
                    let b = offset + r
                    let step = trainer.lastSteps[b]
                    let (a, s) = (trainer.sqrtAlphaBar[step - 1], trainer.sqrtOneMinusAlphaBar[step - 1])
                    let source = trainer.indices[b] * d
                    for j in 0..<d {
                        e[r * d + j] = trainer.noise[b * d + j]
                        x[r * width + j] = a * data[source + j] + s * e[r * d + j]  // Eq. 4
                    }
                    (x + r * width + d).update(from: embeddings.baseAddress! + (step - 1) * TimeEmbedding.width, count: TimeEmbedding.width)
                }
            }
        }
        engine.forward(trainer.packed, input: x, rows: rows, output: output.pointer)
        // L = Σ (ε_θ − ε)² / (B·D) over the whole batch; this half's share of ∂L/∂ε_θ = 2(ε_θ − ε)/(B·D).
        var sum = 0.0
        for i in 0..<(rows * d) {
            let difference = output.pointer[i] - e[i]
            sum += Double(difference * difference)
            gradOutput.pointer[i] = 2 * difference / total
        }
        loss = sum
        engine.backward(trainer.packed, input: x, gradOutput: gradOutput.pointer, rows: rows, gradients: gradients.pointer)
    }
}
