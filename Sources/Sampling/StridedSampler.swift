import Diffusion
import Networks
import TensorCore

/// Sampling on a subsequence τ = (τ₁ < … < τ_S) of 1…T with S network evaluations per sample: Algorithm 2
/// on the respaced schedule (`RespacedRule`, σ² = β′ or β̃′ or learned) or DDIM with parameter η
/// (`DDIMRule`), on `ReverseChain`; and DDIM's deterministic encoder. The network always sees its own
/// step index τᵢ. Batch b draws its noise from `SeededGenerator(seed: seed &+ b)`.
public struct StridedSampler {
    /// The update rule.
    public enum Method: Sendable, Equatable {
        /// Eq. 11 with the respaced β′ᵢ = 1 − ᾱ_{τᵢ}/ᾱ_{τᵢ₋₁}, plus σᵢ·z (σᵢ² = β′ᵢ or β̃′ᵢ).
        case ddpm(ReverseVariance)
        /// DDIM (Song et al. 2021): x̂₀ and ε̂ recombined at τᵢ₋₁, σ = η·√((1 − ᾱₛ)/(1 − ᾱₜ))·√(1 − ᾱₜ/ᾱₛ).
        case ddim(eta: Double)
        /// Eq. 11 on the respaced schedule with σᵢ² from the network's second output channel v.
        case ddpmLearned(Objective.Variance)
    }

    /// The loaded engine.
    public let engine: any DenoisingEngine
    /// Values per sample.
    public let dimension: Int
    /// Values the engine outputs per sample: `dimension`, or twice that for a network with a variance channel.
    public let outputDimension: Int
    /// The full schedule (T steps).
    public let schedule: NoiseSchedule
    /// τ, strictly increasing inside 1…T.
    public let tau: [Int]
    /// The update rule.
    public let method: Method
    /// Whether the DDPM steps clip x̂₀ to [−1, 1] and take μ = μ̃(xₜ, clip(x̂₀)) (`clip_denoised`).
    public let clipDenoised: Bool
    /// The rule on the driver.
    let rule: any ReverseRule

    /// A sampler on `tau`. - Throws: `ScheduleError` for an invalid τ.
    public init(
        engine: any DenoisingEngine, dimension: Int, outputDimension: Int? = nil, schedule: NoiseSchedule, tau: [Int], method: Method,
        clipDenoised: Bool = false
    ) throws(ScheduleError) {
        (self.engine, self.dimension, self.schedule, self.tau, self.method, self.clipDenoised) = (engine, dimension, schedule, tau, method, clipDenoised)
        self.outputDimension = outputDimension ?? dimension
        switch method {
        case .ddpm(let v):
            rule = try RespacedRule(schedule: schedule, tau: tau, dimension: dimension, outputDimension: outputDimension, variance: .fixed(v), clipDenoised: clipDenoised)
        case .ddpmLearned(let v):
            rule = try RespacedRule(schedule: schedule, tau: tau, dimension: dimension, outputDimension: outputDimension, variance: .learned(v), clipDenoised: clipDenoised)
        case .ddim(let eta):
            rule = try DDIMRule(schedule: schedule, tau: tau, dimension: dimension, outputDimension: outputDimension, eta: eta)
        }
    }

    /// `count` samples from x_{τ_S} ~ N(0, I).
    public func sample(count: Int, seed: UInt64) -> [Float] { decode(nil, count: count, seed: seed) }

    /// Runs the reverse chain from `start` at τ_S (fresh N(0, I) when nil) down to x₀.
    public func decode(_ start: [Float]?, count: Int, seed: UInt64) -> [Float] {
        ReverseChain(engines: [engine]).run(rule, from: start, count: count, seed: seed).samples
    }

    /// The deterministic DDIM encoder: x₀ → x_{τ_S} along τ, one network evaluation per step
    /// (at the lower step of each pair, starting from x₀ at t = 0 with ε̂ = ε_θ(x₀, τ₁)).
    public func encode(_ x0: [Float], count: Int) -> [Float] {
        let d = dimension
        var out = [Float](repeating: 0, count: count * d)
        for first in stride(from: 0, to: count, by: engine.capacity) {
            let n = min(engine.capacity, count - first)
            var x = Array(x0[(first * d)..<((first + n) * d)])
            for i in 1...tau.count {
                let (s, t) = (i > 1 ? tau[i - 2] : 0, tau[i - 1])
                // ε̂ at the lower end; at s = 0 the network is asked at τ₁ (its smallest step).
                let eps = x.withUnsafeBufferPointer { engine.forward($0.baseAddress!, steps: [Int](repeating: max(s, tau[0]), count: n)) }
                for j in 0..<(n * d) { x[j] = Float(schedule.ddimEncodeStep(xs: Double(x[j]), predictedNoise: Double(eps[j / d * outputDimension + j % d]), from: s, to: t)) }
            }
            for j in 0..<(n * d) { out[first * d + j] = x[j] }
        }
        return out
    }
}
