import RealModule
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
        precondition(learnedVariance?.isLearned ?? true, "NetworkSampler: learnedVariance must be .learned or .interpolated")
        precondition(network.outputDimension == network.dimension * (learnedVariance == nil ? 1 : 2), "NetworkSampler: the network's outputs do not match the variance choice")
        engine.load(parameters)
        self.engine = engine
        self.dimension = network.dimension
        self.schedule = schedule
        self.variance = variance
        self.prediction = prediction
        self.learnedVariance = learnedVariance
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
                if prediction != .noise || learnedVariance != nil {
                    generalStep(&x, output: eps, t: t, images: n, generator: &generator, z: &z, sharedNoise: sharedNoise, record: snapshots.contains(t) ? { i, xt, x0 in
                        recorded[t]!.x[first * d + i] = xt
                        recorded[t]!.predictedX0[first * d + i] = x0
                    } : nil)
                    continue
                }
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

    /// One reverse step for a μ-predicting or variance-learning network: xₜ₋₁ = μ_θ + σₜ·z (z = 0 at
    /// t = 1), x̂₀ recovered from μ_θ = μ̃ₜ(xₜ, x̂₀) for the snapshots.
    func generalStep(_ x: inout [Float], output: UnsafePointer<Float>, t: Int, images n: Int, generator: inout SeededGenerator, z: inout [Float],
                     sharedNoise: Bool, record: ((Int, Float, Float) -> Void)?) {
        let d = dimension
        let outputs = learnedVariance == nil ? d : 2 * d
        if t > 1 {
            z.withUnsafeMutableBufferPointer { generator.fillNormals($0.baseAddress!, count: sharedNoise ? d : n * d) }
            if sharedNoise { for i in d..<(n * d) { z[i] = z[i % d] } }
        }
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
