import Diffusion
import Networks
import TensorCore

/// Algorithm 2 for any `DenoisingNetwork` on its fast engine: `AncestralRule` on `ReverseChain`,
///
///     x_T ~ N(0, I);  for t = T…1:  x_{t−1} = (xₜ − βₜ/√(1 − ᾱₜ)·ε_θ(xₜ, t))/√αₜ + σₜ·z,  z = 0 at t = 1
///
/// Batch b draws its noise from `SeededGenerator(seed: seed &+ b)`, so the samples depend on neither
/// the thread count nor the number of engines.
public struct NetworkSampler {
    /// The loop: batches, seeds, threads, snapshots.
    public let chain: ReverseChain
    /// Values per sample.
    public let dimension: Int
    /// The diffusion schedule.
    public let schedule: NoiseSchedule
    /// σₜ² = βₜ or β̃ₜ (when not learned).
    public let variance: ReverseVariance
    /// What the network's first output is: ε_θ (Eq. 11 gives μ_θ) or μ_θ itself.
    public let prediction: Objective.Prediction
    /// How σₜ² comes from a second output channel v, or nil when σₜ² is fixed.
    public let learnedVariance: Objective.Variance?

    /// What a run records at a step t: xₜ and x̂₀.
    public typealias Snapshot = ReverseChain.Snapshot

    /// A sampler of `network` with `parameters` on `engine` (already created with enough capacity).
    /// `prediction` and `learnedVariance` describe a network trained with another `Objective`.
    public init(
        network: some DenoisingNetwork, parameters: [Float], engine: any DenoisingEngine, schedule: NoiseSchedule, variance: ReverseVariance = .beta,
        prediction: Objective.Prediction = .noise, learnedVariance: Objective.Variance? = nil
    ) {
        self.init(network: network, parameters: parameters, engines: [engine], schedule: schedule, variance: variance, prediction: prediction, learnedVariance: learnedVariance)
    }

    /// A sampler that runs batches on each of `engines` in parallel (each loaded with `parameters`).
    public init(
        network: some DenoisingNetwork, parameters: [Float], engines: [any DenoisingEngine], schedule: NoiseSchedule, variance: ReverseVariance = .beta,
        prediction: Objective.Prediction = .noise, learnedVariance: Objective.Variance? = nil
    ) {
        precondition(learnedVariance?.isLearned ?? true, "NetworkSampler: learnedVariance must be .learned or .interpolated")
        precondition(network.outputDimension == network.dimension * (learnedVariance == nil ? 1 : 2), "NetworkSampler: the network's outputs do not match the variance choice")
        for engine in engines { engine.load(parameters) }
        chain = ReverseChain(engines: engines)
        (dimension, self.schedule, self.variance, self.prediction, self.learnedVariance) = (network.dimension, schedule, variance, prediction, learnedVariance)
    }

    /// A sampler on `threads` single-thread engines of `batch` samples each, one per thread: what a small
    /// network such as the 2-D MLP wants.
    public init(network: some DenoisingNetwork, parameters: [Float], schedule: NoiseSchedule, variance: ReverseVariance = .beta, batch: Int = 96, threads: Int = 1) {
        precondition(threads >= 1 && batch >= 1, "NetworkSampler: batch and threads must be ≥ 1")
        self.init(
            network: network, parameters: parameters, engines: (0..<threads).map { _ in network.makeEngine(capacity: batch, threads: 1) },
            schedule: schedule, variance: variance)
    }

    /// The first engine.
    public var engine: any DenoisingEngine { chain.engines[0] }

    /// `count` samples from x_T ~ N(0, I). Snapshots at the steps in `snapshots`.
    public func sample(count: Int, seed: UInt64, snapshots: Set<Int> = []) -> (samples: [Float], snapshots: [Int: Snapshot]) {
        run(from: nil, at: schedule.steps, count: count, seed: seed, snapshots: snapshots)
    }

    /// Algorithm 2 from `start` ([count, dimension], or fresh N(0, I) draws when nil) at step `from`
    /// down to x₀, calling the network exactly `from` times per batch. With `sharedNoise`, every sample
    /// of a batch gets the same z at each step (as latent interpolation wants: only λ changes).
    public func run(from start: [Float]?, at from: Int, count: Int, seed: UInt64, snapshots: Set<Int> = [], sharedNoise: Bool = false) -> (samples: [Float], snapshots: [Int: Snapshot]) {
        let rule = AncestralRule(schedule: schedule, dimension: dimension, variance: variance, prediction: prediction, learnedVariance: learnedVariance, from: from)
        return chain.run(rule, from: start, count: count, seed: seed, snapshots: snapshots, sharedNoise: sharedNoise)
    }
}
