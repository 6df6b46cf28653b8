import Diffusion
import Networks

/// DDIM (Song et al. 2021) on a subsequence τ of 1…T: from x at t = τᵢ to s = τᵢ₋₁ (τ₀ = 0),
///
///     x̂₀ = (x − √(1 − ᾱₜ)·ε̂)/√ᾱₜ,   x ← √ᾱₛ·x̂₀ + √(1 − ᾱₛ − σ²)·ε̂ + σ·z,   σ = η·√((1 − ᾱₛ)/(1 − ᾱₜ))·√(1 − ᾱₜ/ᾱₛ)
///
/// (`NoiseSchedule.ddimStep`); η = 0 is deterministic, η = 1 is Algorithm 2 with σ² = β̃ on τ.
public struct DDIMRule: ReverseRule {
    /// The full schedule.
    public let schedule: NoiseSchedule
    /// τ, strictly increasing inside 1…T.
    public let steps: [Int]
    /// Values per sample.
    public let dimension: Int
    /// Values the network outputs per sample (ε̂ is the first `dimension`).
    public let outputDimension: Int
    /// η ≥ 0.
    public let eta: Double

    /// DDIM on `tau` with `eta`. - Throws: `ScheduleError` for an invalid τ.
    public init(schedule: NoiseSchedule, tau: [Int], dimension: Int, outputDimension: Int? = nil, eta: Double) throws(ScheduleError) {
        _ = try schedule.respaced(on: tau)
        (self.schedule, steps, self.dimension, self.eta) = (schedule, tau, dimension, eta)
        self.outputDimension = outputDimension ?? dimension
    }

    /// One DDIM step τᵢ → τᵢ₋₁.
    public func update(
        _ x: inout [Float], output: [Double], shift: [Double]?, position i: Int, noise z: [Float], images n: Int,
        record: ((Int, Float, Float) -> Void)?
    ) {
        precondition(shift == nil, "DDIMRule: classifier guidance shifts a DDPM mean")
        let (t, s) = (steps[i - 1], i > 1 ? steps[i - 2] : 0)
        let (d, outputs) = (dimension, outputDimension)
        for j in 0..<(n * d) {
            let eps = output[j / d * outputs + j % d]
            record?(j, x[j], Float((Double(x[j]) - schedule.sqrtOneMinusAlphaBar(t) * eps) / schedule.sqrtAlphaBar(t)))
            x[j] = Float(schedule.ddimStep(xt: Double(x[j]), predictedNoise: eps, from: t, to: s, eta: eta, noise: i > 1 ? Double(z[j]) : 0))
        }
    }
}
