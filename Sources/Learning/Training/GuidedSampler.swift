import Diffusion
import TensorCore

/// Class-guided sampling on a subsequence τ of 1…T (respaced DDPM, lesson 11), for one requested
/// class per sample:
///
///     classifier-free (Ho & Salimans 2021):   ε̃ = (1 + w)·ε_θ(xₜ, y) − w·ε_θ(xₜ, ∅),   then μ from ε̃
///     classifier (Dhariwal & Nichol 2021):    μ̃ = μ(xₜ, ε_θ(xₜ)) + s·σᵢ²·∇ₓ log p_φ(y∣xₜ, t)
///
/// then x ← μ + σᵢ·z with σᵢ² = β′ᵢ or β̃′ᵢ of the respaced schedule, x̂₀ clipped to [−1, 1] when
/// `clipDenoised`. The network sees its own step τᵢ. Batch b draws x_T and every z from
/// `SeededGenerator(seed: seed &+ b)`, as `StridedSampler` does.
public struct GuidedSampler {
    /// The guidance rule.
    public enum Guidance {
        /// Classifier-free guidance with weight w ≥ 0 on a class-conditional network (w = 0: the conditional model).
        case classifierFree(w: Double)
        /// Classifier guidance with scale s on an unconditional network; `gradient(x, t, y)` returns
        /// ∇ₓ log p_φ(yₙ∣xₙ, t) for a batch x [n, dimension].
        case classifier(scale: Double, gradient: ([Float], Int, [Int]) -> [Float])
    }

    /// The loaded engine (a class-conditional network for `.classifierFree`).
    public let engine: any DenoisingEngine
    /// Values per sample.
    public let dimension: Int
    /// The null label ∅ (the network's class count) for classifier-free guidance.
    public let nullLabel: Int
    /// The full schedule.
    public let schedule: NoiseSchedule
    /// τ, strictly increasing inside 1…T.
    public let tau: [Int]
    /// σᵢ² = β′ᵢ or β̃′ᵢ.
    public let variance: ReverseVariance
    /// Whether x̂₀ is clipped to [−1, 1] before μ̃ is formed.
    public let clipDenoised: Bool
    let respaced: NoiseSchedule

    /// A sampler of `engine` on `tau`. - Throws: `ScheduleError` for an invalid τ.
    public init(engine: any DenoisingEngine, dimension: Int, nullLabel: Int, schedule: NoiseSchedule, tau: [Int], variance: ReverseVariance = .beta,
                clipDenoised: Bool = true) throws(ScheduleError) {
        self.engine = engine
        self.dimension = dimension
        self.nullLabel = nullLabel
        self.schedule = schedule
        self.tau = tau
        self.variance = variance
        self.clipDenoised = clipDenoised
        respaced = try schedule.respaced(on: tau)
    }

    /// ε̃ = (1 + w)·ε_c − w·ε_u, the form Ho & Salimans write; `ε_u + s·(ε_c − ε_u)` with s = 1 + w is the same number.
    public static func guidedNoise(conditional: Double, unconditional: Double, w: Double) -> Double {
        (1 + w) * conditional - w * unconditional
    }

    /// One sample per entry of `labels` (the class asked for), from x_{τ_S} ~ N(0, I).
    public func sample(labels: [Int], guidance: Guidance, seed: UInt64) -> [Float] {
        let d = dimension
        var samples = [Float](repeating: 0, count: labels.count * d)
        for (batchIndex, first) in stride(from: 0, to: labels.count, by: engine.capacity).enumerated() {
            let n = min(engine.capacity, labels.count - first)
            let y = Array(labels[first..<(first + n)])
            var generator = SeededGenerator(seed: seed &+ UInt64(batchIndex))
            var x = [Float](repeating: 0, count: n * d), z = x
            x.withUnsafeMutableBufferPointer { generator.fillNormals($0.baseAddress!, count: n * d) }
            for i in stride(from: tau.count, through: 1, by: -1) {
                let t = tau[i - 1]
                if i > 1 { z.withUnsafeMutableBufferPointer { generator.fillNormals($0.baseAddress!, count: n * d) } }
                let (eps, shift) = guidedStep(x, t: t, step: i, labels: y, guidance: guidance)
                let (a, s) = (respaced.sqrtAlphaBar(i), respaced.sqrtOneMinusAlphaBar(i))
                let (c0, cx) = (respaced.posteriorMeanCoefX0(i), respaced.posteriorMeanCoefXt(i))
                let sigma = i > 1 ? respaced.sigma2(i, variance).squareRoot() : 0
                for j in 0..<(n * d) {
                    // μ̃′ᵢ(x, x̂₀) with x̂₀ of Eq. 15 on the respaced schedule (equal to Eq. 11 unless clipped).
                    let raw = (Double(x[j]) - s * eps[j]) / a
                    let x0 = clipDenoised ? min(1, max(-1, raw)) : raw
                    x[j] = Float(c0 * x0 + cx * Double(x[j]) + shift[j] + sigma * Double(z[j]))
                }
            }
            for j in 0..<(n * d) { samples[first * d + j] = x[j] }
        }
        return samples
    }

    /// ε for step i and the mean's additive shift: ε̃ and 0 (classifier-free), or ε_θ and s·σᵢ²·∇ log p_φ (classifier).
    func guidedStep(_ x: [Float], t: Int, step i: Int, labels y: [Int], guidance: Guidance) -> (eps: [Double], shift: [Double]) {
        let count = x.count
        let steps = [Int](repeating: t, count: y.count)
        switch guidance {
        case .classifierFree(let w):
            let conditional = x.withUnsafeBufferPointer { p in
                let out = engine.forward(p.baseAddress!, steps: steps, labels: y)
                return (0..<count).map { Double(out[$0]) }
            }
            guard w != 0 else { return (conditional, [Double](repeating: 0, count: count)) }
            let unconditional = x.withUnsafeBufferPointer { p in
                let out = engine.forward(p.baseAddress!, steps: steps, labels: [Int](repeating: nullLabel, count: y.count))
                return (0..<count).map { Double(out[$0]) }
            }
            return ((0..<count).map { GuidedSampler.guidedNoise(conditional: conditional[$0], unconditional: unconditional[$0], w: w) },
                    [Double](repeating: 0, count: count))
        case .classifier(let scale, let gradient):
            let eps = x.withUnsafeBufferPointer { p in
                let out = engine.forward(p.baseAddress!, steps: steps)
                return (0..<count).map { Double(out[$0]) }
            }
            guard scale != 0 else { return (eps, [Double](repeating: 0, count: count)) }
            let g = gradient(x, t, y)
            let sigma2 = respaced.sigma2(i, variance)
            return (eps, g.map { scale * sigma2 * Double($0) })
        }
    }
}
