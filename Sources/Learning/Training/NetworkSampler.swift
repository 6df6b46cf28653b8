import RealModule
import Diffusion
import Synchronization
import TensorCore

/// Algorithm 2 for any `DenoisingNetwork` on its fast engine, in Float:
///
///     x_T ~ N(0, I);  for t = T…1:  x_{t−1} = (xₜ − βₜ/√(1 − ᾱₜ)·ε_θ(xₜ, t))/√αₜ + σₜ·z,  z = 0 at t = 1
///
/// Samples run in batches of the engine's capacity; batch b draws its noise from
/// `SeededGenerator(seed: seed &+ b)`, so the samples depend on neither the thread count nor the
/// number of engines. With several engines (of one capacity), each runs on its own thread and claims
/// the next batch when it finishes one (a small network's batches fit in cache; a large one's engine
/// splits each batch over threads itself).
public struct NetworkSampler {
    /// The engines, loaded with the parameters to sample from (all of one capacity).
    public let engines: [any DenoisingEngine]
    /// Values per sample.
    public let dimension: Int
    /// The diffusion schedule.
    public let schedule: NoiseSchedule
    /// σₜ² = βₜ or β̃ₜ (when not learned).
    public let variance: ReverseVariance
    /// What the network's first output is: ε_θ (Eq. 11 gives μ_θ) or μ_θ itself.
    public let prediction: Objective.Prediction
    /// How σₜ² comes from a second output channel v (`.learned`: log σₜ² = log βₜ + v; `.interpolated`:
    /// v·log βₜ + (1 − v)·log β̃ₜ), or nil when σₜ² is fixed.
    public let learnedVariance: Objective.Variance?

    /// What a run records at a step t: xₜ and the prediction x̂₀ = (xₜ − √(1 − ᾱₜ)·ε_θ)/√ᾱₜ (Eq. 15).
    public struct Snapshot: Sendable {
        /// xₜ, [count, dimension].
        public var x: [Float]
        /// x̂₀ at t, [count, dimension].
        public var predictedX0: [Float]
    }

    /// A sampler of `network` with `parameters` on `engine` (already created with enough capacity).
    /// `prediction` and `learnedVariance` describe a network trained with another `Objective`.
    public init(network: some DenoisingNetwork, parameters: [Float], engine: any DenoisingEngine, schedule: NoiseSchedule, variance: ReverseVariance = .beta,
                prediction: Objective.Prediction = .noise, learnedVariance: Objective.Variance? = nil) {
        self.init(network: network, parameters: parameters, engines: [engine], schedule: schedule, variance: variance, prediction: prediction, learnedVariance: learnedVariance)
    }

    /// A sampler that runs batches on each of `engines` in parallel (each loaded with `parameters`).
    public init(network: some DenoisingNetwork, parameters: [Float], engines: [any DenoisingEngine], schedule: NoiseSchedule, variance: ReverseVariance = .beta,
                prediction: Objective.Prediction = .noise, learnedVariance: Objective.Variance? = nil) {
        precondition(!engines.isEmpty && engines.allSatisfy { $0.capacity == engines[0].capacity }, "NetworkSampler: one or more engines of one capacity")
        precondition(learnedVariance?.isLearned ?? true, "NetworkSampler: learnedVariance must be .learned or .interpolated")
        precondition(network.outputDimension == network.dimension * (learnedVariance == nil ? 1 : 2), "NetworkSampler: the network's outputs do not match the variance choice")
        for engine in engines { engine.load(parameters) }
        self.engines = engines
        self.dimension = network.dimension
        self.schedule = schedule
        self.variance = variance
        self.prediction = prediction
        self.learnedVariance = learnedVariance
    }

    /// A sampler on `threads` single-thread engines of `batch` samples each, one per thread: what a small
    /// network such as the 2-D MLP wants.
    public init(network: some DenoisingNetwork, parameters: [Float], schedule: NoiseSchedule, variance: ReverseVariance = .beta, batch: Int = 96, threads: Int = 1) {
        precondition(threads >= 1 && batch >= 1, "NetworkSampler: batch and threads must be ≥ 1")
        self.init(network: network, parameters: parameters, engines: (0..<threads).map { _ in network.makeEngine(capacity: batch, threads: 1) },
                  schedule: schedule, variance: variance)
    }

    /// The first engine.
    public var engine: any DenoisingEngine { engines[0] }

    /// `count` samples from x_T ~ N(0, I). Snapshots at the steps in `snapshots`.
    public func sample(count: Int, seed: UInt64, snapshots: Set<Int> = []) -> (samples: [Float], snapshots: [Int: Snapshot]) {
        run(from: nil, at: schedule.steps, count: count, seed: seed, snapshots: snapshots)
    }

    /// Algorithm 2 from `start` ([count, dimension], or fresh N(0, I) draws when nil) at step `from`
    /// down to x₀, calling the network exactly `from` times per batch. With `sharedNoise`, every sample
    /// of a batch gets the same z at each step (as latent interpolation wants: only λ changes).
    public func run(from start: [Float]?, at from: Int, count: Int, seed: UInt64, snapshots: Set<Int> = [], sharedNoise: Bool = false) -> (samples: [Float], snapshots: [Int: Snapshot]) {
        precondition((0...schedule.steps).contains(from), "NetworkSampler: start step \(from) outside 0…\(schedule.steps)")
        precondition(start == nil || start!.count == count * dimension, "NetworkSampler: start holds \(start!.count) values for \(count) samples")
        let d = dimension
        let capacity = engine.capacity
        let batches = (count + capacity - 1) / capacity
        // Every batch writes its own rows of these: samples, then per snapshot step xₜ and x̂₀.
        let samples = UnsafeMutablePointer<Float>.allocate(capacity: max(1, count * d))
        let recorded = Dictionary(uniqueKeysWithValues: snapshots.map { ($0, UnsafeMutablePointer<Float>.allocate(capacity: max(1, 2 * count * d))) })
        defer {
            samples.deallocate()
            for buffer in recorded.values { buffer.deallocate() }
        }
        let pool = WorkerPool(threads: max(1, min(engines.count, batches)))
        let nextBatch = Atomic<Int>(0)
        pool.run { part in
            var z = [Float](repeating: 0, count: capacity * d)
            while true {
                let batchIndex = nextBatch.add(1, ordering: .relaxed).oldValue
                if batchIndex >= batches { break }
                let first = batchIndex * capacity
                let n = min(capacity, count - first)
                var generator = SeededGenerator(seed: seed &+ UInt64(batchIndex))
                var x = [Float](repeating: 0, count: n * d)
                if let start { x = Array(start[(first * d)..<((first + n) * d)]) } else { x.withUnsafeMutableBufferPointer { generator.fillNormals($0.baseAddress!, count: n * d) } }
                for t in stride(from: from, through: 1, by: -1) {
                    let record = recorded[t].map { buffer in { (i: Int, xt: Float, x0: Float) in
                        buffer[first * d + i] = xt
                        buffer[(count + first) * d + i] = x0
                    } }
                    let eps = x.withUnsafeBufferPointer { engines[part].evaluate($0.baseAddress!, steps: [Int](repeating: t, count: n)) }
                    if prediction != .noise || learnedVariance != nil {
                        generalStep(&x, output: eps, t: t, images: n, generator: &generator, z: &z, sharedNoise: sharedNoise, record: record)
                    } else {
                        noiseStep(&x, eps: eps, t: t, images: n, generator: &generator, z: &z, sharedNoise: sharedNoise, record: record)
                    }
                }
                (samples + first * d).update(from: x, count: n * d)
            }
        }
        var result: [Int: Snapshot] = [:]
        for (t, buffer) in recorded {
            result[t] = Snapshot(x: Array(UnsafeBufferPointer(start: buffer, count: count * d)),
                                 predictedX0: Array(UnsafeBufferPointer(start: buffer + count * d, count: count * d)))
        }
        return (Array(UnsafeBufferPointer(start: samples, count: count * d)), result)
    }

    /// One step of Eq. 11 for an ε-predicting network in Float: xₜ₋₁ = (xₜ − βₜ/√(1 − ᾱₜ)·ε_θ)/√αₜ + σₜ·z
    /// (z = 0 at t = 1), and x̂₀ = (xₜ − √(1 − ᾱₜ)·ε_θ)/√ᾱₜ (Eq. 15) for the snapshots.
    func noiseStep(_ x: inout [Float], eps: UnsafePointer<Float>, t: Int, images n: Int, generator: inout SeededGenerator, z: inout [Float],
                   sharedNoise: Bool, record: ((Int, Float, Float) -> Void)?) {
        let d = dimension
        if let record {
            let (a, s) = (Float(schedule.sqrtAlphaBar(t)), Float(schedule.sqrtOneMinusAlphaBar(t)))
            for i in 0..<(n * d) { record(i, x[i], (x[i] - s * eps[i]) / a) }
        }
        let coefficient = Float(schedule.beta(t) / schedule.sqrtOneMinusAlphaBar(t))
        let inverseRoot = Float(1 / schedule.alpha(t).squareRoot())
        let sigma = Float(schedule.sigma2(t, variance).squareRoot())
        if t > 1 { drawNoise(&z, images: n, generator: &generator, sharedNoise: sharedNoise) }
        for i in 0..<(n * d) {
            x[i] = (x[i] - coefficient * eps[i]) * inverseRoot + (t > 1 ? sigma * z[i] : 0)
        }
    }

    /// z ~ N(0, I) for `n` samples, or one draw repeated for every sample with `sharedNoise`.
    func drawNoise(_ z: inout [Float], images n: Int, generator: inout SeededGenerator, sharedNoise: Bool) {
        let d = dimension
        z.withUnsafeMutableBufferPointer { generator.fillNormals($0.baseAddress!, count: sharedNoise ? d : n * d) }
        if sharedNoise { for i in d..<(n * d) { z[i] = z[i % d] } }
    }

    /// One reverse step for a μ-predicting or variance-learning network: xₜ₋₁ = μ_θ + σₜ·z (z = 0 at
    /// t = 1), x̂₀ recovered from μ_θ = μ̃ₜ(xₜ, x̂₀) for the snapshots.
    func generalStep(_ x: inout [Float], output: UnsafePointer<Float>, t: Int, images n: Int, generator: inout SeededGenerator, z: inout [Float],
                     sharedNoise: Bool, record: ((Int, Float, Float) -> Void)?) {
        let d = dimension
        let outputs = learnedVariance == nil ? d : 2 * d
        if t > 1 { drawNoise(&z, images: n, generator: &generator, sharedNoise: sharedNoise) }
        let (a, b) = (schedule.posteriorMeanCoefX0(t), schedule.posteriorMeanCoefXt(t))
        let fixed = schedule.sigma2(t, variance).squareRoot()
        let (coefficient, rootAlpha) = (schedule.beta(t) / schedule.sqrtOneMinusAlphaBar(t), schedule.alpha(t).squareRoot())
        for image in 0..<n {
            for j in 0..<d {
                let i = image * d + j
                let o = Double(output[image * outputs + j])
                let xt = Double(x[i])
                let mu = prediction == .mean ? o : (xt - coefficient * o) / rootAlpha
                record?(i, x[i], Float((mu - b * xt) / a))
                let sigma = learnedVariance.map { Double.exp(0.5 * $0.logVariance(t: t, v: Double(output[image * outputs + d + j]), schedule: schedule)) } ?? fixed
                x[i] = Float(mu + (t > 1 ? sigma * Double(z[i]) : 0))
            }
        }
    }
}
