import Diffusion
import Networks
import TensorCore

/// Algorithm 1 for any `DenoisingNetwork` on its fast engine:
///
///     repeat: x₀ ~ data; t ~ Uniform{1…T}; ε ~ N(0, I)
///             gradient step on mean (ε − ε_θ(√ᾱₜ·x₀ + √(1 − ᾱₜ)·ε, t))²  over the batch's elements
///
/// Random draws per step, in order: the batch rows (with replacement), t, ε — as the PyTorch peer — and
/// for a class-conditional network one uniform per row that drops its label to ∅ with probability
/// `labelDropout` (classifier-free guidance's joint training, Ho & Salimans 2021).
/// Adam, an optional EMA of the weights, optional clipping; the engine splits each layer's work
/// over the threads in a fixed order, so the weights after any number of steps do not depend on the
/// thread count.
public final class NetworkTrainer<Network: DenoisingNetwork> {
    /// The network.
    public let network: Network
    /// The current parameters (the layout's flat vector).
    public private(set) var parameters: [Float]
    /// The moving average of the parameters, if enabled.
    public private(set) var ema: ExponentialMovingAverage?
    /// The options it was created with (`threads` may be any positive number here).
    public let options: TrainingOptions
    /// The diffusion schedule.
    public let schedule: NoiseSchedule
    /// What the network predicts and the loss (`.simple` is Algorithm 1 as written).
    public let objective: Objective
    /// Steps taken.
    public private(set) var steps = 0
    /// The t of each sample in the last batch.
    public private(set) var lastSteps: [Int]
    /// The class of each data row, for a class-conditional network (nil otherwise).
    public let labels: [Int]?
    /// The probability that a row's label is replaced by ∅ (= the network's `classes`).
    public let labelDropout: Double
    /// The labels the network saw in the last batch (∅ where dropped).
    public private(set) var lastLabels: [Int] = []

    let engine: any DenoisingEngine
    let data: [Float]
    var generator: SeededGenerator
    var optimiser: Adam
    /// Each step's Float coefficients, index t − 1.
    let floatSteps: [FloatStep]
    var input: [Float], noise: [Float], gradOutput: [Float], gradients: [Float]
    var rows: [Int]
    /// The decoder of Eq. 13 the bound objectives score x₀ with (nil for L_simple).
    let decoder: DiscreteDecoder?

    /// A trainer starting from `parameters` on `data` ([n, dimension] row-major).
    /// `objective` chooses Table 2's row; the bound objectives score x₀ with `decoder` (Eq. 13, the data's levels).
    /// `labels` (one per data row, 0…classes − 1) train a class-conditional network, with each label dropped
    /// to ∅ with probability `labelDropout`.
    /// - Throws: `TrainerError` for a batch < 1 (or odd with antithetic t), threads < 1, data that is not whole
    ///   samples, a network whose outputs do not fit the objective, or a bound objective without a decoder.
    public init(
        network: Network, parameters: [Float], data: [Float], schedule: NoiseSchedule,
        options: TrainingOptions = TrainingOptions(), objective: Objective = .simple, decoder: DiscreteDecoder? = nil, labels: [Int]? = nil,
        labelDropout: Double = 0.1, seed: UInt64
    ) throws(TrainerError) {
        let d = network.dimension
        guard options.batchSize >= 1 && (!options.antithetic || options.batchSize % 2 == 0) else { throw .batchSize(options.batchSize) }
        guard options.threads >= 1 else { throw .threads(options.threads) }
        guard d >= 1 && !data.isEmpty && data.count % d == 0 else { throw .data(count: data.count, dimension: d) }
        guard network.outputDimension == d * objective.outputChannels else { throw .outputs(network.outputDimension, expected: d * objective.outputChannels) }
        guard objective == .simple || decoder != nil else { throw .decoder }
        self.decoder = decoder
        precondition(parameters.count == network.layout.count, "NetworkTrainer: \(parameters.count) parameters for \(network.layout.count)")
        precondition((labels == nil) == (network.classes == 0), "NetworkTrainer: labels go with a class-conditional network")
        precondition(labels == nil || labels!.count == data.count / d, "NetworkTrainer: \(labels?.count ?? 0) labels for \(data.count / d) rows")
        precondition((0...1).contains(labelDropout), "NetworkTrainer: label dropout \(labelDropout) outside [0, 1]")
        self.labels = labels
        self.labelDropout = labelDropout
        self.objective = objective
        self.network = network
        self.parameters = parameters
        self.options = options
        self.schedule = schedule
        self.data = data
        generator = SeededGenerator(seed: seed)
        optimiser = Adam(count: parameters.count, learningRate: options.learningRate)
        ema = options.emaDecay.map { ExponentialMovingAverage(decay: $0, parameters: parameters) }
        floatSteps = schedule.timeSteps.map { schedule.float($0) }
        engine = network.makeEngine(capacity: options.batchSize, threads: options.threads)
        engine.load(parameters)
        lastSteps = [Int](repeating: 1, count: options.batchSize)
        input = [Float](repeating: 0, count: options.batchSize * d)
        noise = input
        gradOutput = [Float](repeating: 0, count: options.batchSize * network.outputDimension)
        rows = [Int](repeating: 0, count: options.batchSize)
        gradients = [Float](repeating: 0, count: parameters.count)
    }

    /// The parameters to sample from: the moving average if enabled, else the trained ones.
    public var samplingParameters: [Float] { ema?.average ?? parameters }

    /// One step of Algorithm 1. - Returns: the batch loss, the mean over its elements of (ε − ε_θ)²
    /// (or of the objective's per-coordinate loss).
    @discardableResult
    public func step() -> Float {
        let (batch, d) = (options.batchSize, network.dimension)
        let n = data.count / d
        for i in 0..<batch { rows[i] = generator.integer(in: 0...(n - 1)) }
        for i in 0..<batch { lastSteps[i] = generator.integer(in: 1...schedule.steps) }
        if options.antithetic {
            for i in (batch / 2)..<batch { lastSteps[i] = TrainingOptions.antitheticPartner(of: lastSteps[i - batch / 2], steps: schedule.steps) }
        }
        noise.withUnsafeMutableBufferPointer { generator.fillNormals($0.baseAddress!, count: batch * d) }
        for (i, row) in rows.enumerated() {
            let q = floatSteps[lastSteps[i] - 1]
            for j in 0..<d { input[i * d + j] = q.noised(data[row * d + j], noise: noise[i * d + j]) }  // Eq. 4
        }
        if let labels { lastLabels = rows.map { generator.uniform() < labelDropout ? network.classes : labels[$0] } }
        let output = input.withUnsafeBufferPointer { engine.forward($0.baseAddress!, steps: lastSteps, labels: labels == nil ? nil : lastLabels) }
        let sum = objective == .simple ? simpleLoss(output) : objectiveLoss(output)
        gradOutput.withUnsafeBufferPointer { g in
            gradients.withUnsafeMutableBufferPointer { engine.backward(g.baseAddress!, images: batch, into: $0.baseAddress!) }
        }
        if let clip = options.clipNorm { clipGradientNorm(&gradients, maxNorm: clip) }
        optimiser.learningRate = options.schedule.rate(at: steps, base: options.learningRate)
        optimiser.update(&parameters, gradients: gradients)
        ema?.update(parameters)
        engine.load(parameters)
        steps += 1
        return Float(sum / Double(batch * d))
    }

    /// L = Σ (ε_θ − ε)²/(B·D); ∂L/∂ε_θ = 2(ε_θ − ε)/(B·D). - Returns: the sum of squares.
    func simpleLoss(_ output: UnsafePointer<Float>) -> Double {
        let count = options.batchSize * network.dimension
        var sum = 0.0
        let scale = 2 / Float(count)
        for i in 0..<count {
            let difference = output[i] - noise[i]
            sum += Double(difference * difference)
            gradOutput[i] = scale * difference
        }
        return sum
    }

    /// The objective's loss per coordinate, in Double, averaged over the batch's B·D coordinates.
    /// - Returns: the sum of the coordinates' losses.
    func objectiveLoss(_ output: UnsafePointer<Float>) -> Double {
        let (batch, d) = (options.batchSize, network.dimension)
        let outputs = network.outputDimension
        let scale = 1 / Double(batch * d)
        var sum = 0.0
        for i in 0..<batch {
            let t = lastSteps[i]
            for j in 0..<d {
                let v = objective.variance.isLearned ? Double(output[i * outputs + d + j]) : 0
                let (loss, dOutput, dVariance) = objective.loss(
                    output: Double(output[i * outputs + j]), varianceOutput: v, x0: Double(data[rows[i] * d + j]), xt: Double(input[i * d + j]),
                    noise: Double(noise[i * d + j]), t: t, schedule: schedule, decoder: decoder!)
                sum += loss
                gradOutput[i * outputs + j] = Float(dOutput * scale)
                if objective.variance.isLearned { gradOutput[i * outputs + d + j] = Float(dVariance * scale) }
            }
        }
        return sum
    }
}

extension NetworkTrainer where Network == MLP {
    /// A trainer of `model` (its parameters the starting point) on `data`, with L_simple.
    public convenience init(model: MLP, data: [Float], schedule: NoiseSchedule, options: TrainingOptions = TrainingOptions(), seed: UInt64) throws(TrainerError) {
        try self.init(network: model, parameters: model.parameters, data: data, schedule: schedule, options: options, seed: seed)
    }

    /// The network with its current parameters.
    public var model: MLP { MLP(sizes: network.sizes, parameters: parameters) }

    /// The network to sample from: the moving average of the weights if enabled, else the trained weights.
    public var samplingModel: MLP { MLP(sizes: network.sizes, parameters: samplingParameters) }
}
