import Diffusion
import TensorCore

/// Sampling on a subsequence τ = (τ₁ < … < τ_S) of 1…T with S network evaluations per sample:
/// Algorithm 2 on the respaced schedule (σ² = β′ or β̃′), or DDIM with parameter η. The network
/// always sees its own step index τᵢ. Batch b draws its noise from `SeededGenerator(seed: seed &+ b)`,
/// as `NetworkSampler` does.
public struct StridedSampler {
    /// The update rule.
    public enum Method: Sendable, Equatable {
        /// Eq. 11 with the respaced β′ᵢ = 1 − ᾱ_{τᵢ}/ᾱ_{τᵢ₋₁}, plus σᵢ·z (σᵢ² = β′ᵢ or β̃′ᵢ).
        case ddpm(ReverseVariance)
        /// DDIM (Song et al. 2021): x̂₀ and ε̂ recombined at τᵢ₋₁, σ = η·√((1 − ᾱₛ)/(1 − ᾱₜ))·√(1 − ᾱₜ/ᾱₛ).
        case ddim(eta: Double)
    }

    /// The loaded engine.
    public let engine: any DenoisingEngine
    /// Values per sample.
    public let dimension: Int
    /// The full schedule (T steps).
    public let schedule: NoiseSchedule
    /// τ, strictly increasing inside 1…T.
    public let tau: [Int]
    /// The update rule.
    public let method: Method
    let respaced: NoiseSchedule

    /// A sampler on `tau` (default: `schedule.evenlySpacedSteps`).
    /// - Throws: `ScheduleError` for an invalid τ.
    public init(engine: any DenoisingEngine, dimension: Int, schedule: NoiseSchedule, tau: [Int], method: Method) throws(ScheduleError) {
        self.engine = engine
        self.dimension = dimension
        self.schedule = schedule
        self.tau = tau
        self.method = method
        respaced = try schedule.respaced(on: tau)
    }

    /// `count` samples from x_{τ_S} ~ N(0, I).
    public func sample(count: Int, seed: UInt64) -> [Float] { decode(nil, count: count, seed: seed) }

    /// Runs the reverse chain from `start` at τ_S (fresh N(0, I) when nil) down to x₀.
    public func decode(_ start: [Float]?, count: Int, seed: UInt64) -> [Float] {
        precondition(start == nil || start!.count == count * dimension, "StridedSampler: start holds \(start!.count) values for \(count) samples")
        let d = dimension
        var samples = [Float](repeating: 0, count: count * d)
        for (batchIndex, first) in stride(from: 0, to: count, by: engine.capacity).enumerated() {
            let n = min(engine.capacity, count - first)
            var generator = SeededGenerator(seed: seed &+ UInt64(batchIndex))
            var x = [Float](repeating: 0, count: n * d)
            if let start { x = Array(start[(first * d)..<((first + n) * d)]) } else { x.withUnsafeMutableBufferPointer { generator.fillNormals($0.baseAddress!, count: n * d) } }
            var z = [Float](repeating: 0, count: n * d)
            for i in stride(from: tau.count, through: 1, by: -1) {
                let (t, s) = (tau[i - 1], i > 1 ? tau[i - 2] : 0)
                let eps = x.withUnsafeBufferPointer { engine.forward($0.baseAddress!, steps: [Int](repeating: t, count: n)) }
                if i > 1 { z.withUnsafeMutableBufferPointer { generator.fillNormals($0.baseAddress!, count: n * d) } }
                switch method {
                case .ddpm(let variance):
                    let coefficient = respaced.beta(i) / respaced.sqrtOneMinusAlphaBar(i)
                    let inverseRoot = 1 / respaced.alpha(i).squareRoot()
                    let sigma = i > 1 ? respaced.sigma2(i, variance).squareRoot() : 0
                    for j in 0..<(n * d) { x[j] = Float((Double(x[j]) - coefficient * Double(eps[j])) * inverseRoot + sigma * Double(z[j])) }
                case .ddim(let eta):
                    for j in 0..<(n * d) {
                        x[j] = Float(schedule.ddimStep(xt: Double(x[j]), predictedNoise: Double(eps[j]), from: t, to: s, eta: eta, noise: i > 1 ? Double(z[j]) : 0))
                    }
                }
            }
            for j in 0..<(n * d) { samples[first * d + j] = x[j] }
        }
        return samples
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
                for j in 0..<(n * d) { x[j] = Float(schedule.ddimEncodeStep(xs: Double(x[j]), predictedNoise: Double(eps[j]), from: s, to: t)) }
            }
            for j in 0..<(n * d) { out[first * d + j] = x[j] }
        }
        return out
    }
}
