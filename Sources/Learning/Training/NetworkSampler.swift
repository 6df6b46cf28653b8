import Diffusion
import TensorCore

/// Algorithm 2 for any `DenoisingNetwork` on its fast engine, in Float:
///
///     x_T ~ N(0, I);  for t = T…1:  x_{t−1} = (xₜ − βₜ/√(1 − ᾱₜ)·ε_θ(xₜ, t))/√αₜ + σₜ·z,  z = 0 at t = 1
///
/// Samples run in batches of the engine's capacity; batch b draws its noise from
/// `SeededGenerator(seed: seed &+ b)`, so the samples do not depend on the thread count.
public struct NetworkSampler {
    /// The engine, loaded with the parameters to sample from.
    public let engine: any DenoisingEngine
    /// Values per sample.
    public let dimension: Int
    /// The diffusion schedule.
    public let schedule: NoiseSchedule
    /// σₜ² = βₜ or β̃ₜ.
    public let variance: ReverseVariance

    /// What a run records at a step t: xₜ and the prediction x̂₀ = (xₜ − √(1 − ᾱₜ)·ε_θ)/√ᾱₜ (Eq. 15).
    public struct Snapshot: Sendable {
        /// xₜ, [count, dimension].
        public var x: [Float]
        /// x̂₀ at t, [count, dimension].
        public var predictedX0: [Float]
    }

    /// A sampler of `network` with `parameters` on `engine` (already created with enough capacity).
    public init(network: some DenoisingNetwork, parameters: [Float], engine: any DenoisingEngine, schedule: NoiseSchedule, variance: ReverseVariance = .beta) {
        engine.load(parameters)
        self.engine = engine
        self.dimension = network.dimension
        self.schedule = schedule
        self.variance = variance
    }

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
        var samples = [Float](repeating: 0, count: count * d)
        var recorded: [Int: Snapshot] = [:]
        for t in snapshots { recorded[t] = Snapshot(x: samples, predictedX0: samples) }
        let capacity = engine.capacity
        var z = [Float](repeating: 0, count: capacity * d)
        for (batchIndex, first) in stride(from: 0, to: count, by: capacity).enumerated() {
            let n = min(capacity, count - first)
            var generator = SeededGenerator(seed: seed &+ UInt64(batchIndex))
            var x = [Float](repeating: 0, count: n * d)
            if let start { x = Array(start[(first * d)..<((first + n) * d)]) } else { x.withUnsafeMutableBufferPointer { generator.fillNormals($0.baseAddress!, count: n * d) } }
            for t in stride(from: from, through: 1, by: -1) {
                let eps = x.withUnsafeBufferPointer { engine.forward($0.baseAddress!, steps: [Int](repeating: t, count: n)) }
                if snapshots.contains(t) {
                    let (a, s) = (Float(schedule.sqrtAlphaBar(t)), Float(schedule.sqrtOneMinusAlphaBar(t)))
                    for i in 0..<(n * d) {
                        recorded[t]!.x[first * d + i] = x[i]
                        recorded[t]!.predictedX0[first * d + i] = (x[i] - s * eps[i]) / a
                    }
                }
                let coefficient = Float(schedule.beta(t) / schedule.sqrtOneMinusAlphaBar(t))
                let inverseRoot = Float(1 / schedule.alpha(t).squareRoot())
                let sigma = Float(schedule.sigma2(t, variance).squareRoot())
                if t > 1 {
                    z.withUnsafeMutableBufferPointer { generator.fillNormals($0.baseAddress!, count: sharedNoise ? d : n * d) }
                    if sharedNoise { for i in d..<(n * d) { z[i] = z[i % d] } }
                }
                for i in 0..<(n * d) {
                    x[i] = (x[i] - coefficient * eps[i]) * inverseRoot + (t > 1 ? sigma * z[i] : 0)
                }
            }
            for i in 0..<(n * d) { samples[first * d + i] = x[i] }
        }
        return (samples, recorded)
    }
}
