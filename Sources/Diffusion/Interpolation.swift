import TensorCore

/// Interpolation in latent space (Ho et al. 2020, Sec. 4.4): encode two data points with the
/// stochastic encoder q(xₜ∣x₀), mix the encodings, x̄ₜ = (1 − λ)·xₜ + λ·x′ₜ, and decode with the
/// reverse process starting at step t — not at t − 1, and mixing xₜ, not x₀. The decoding noise is
/// held fixed across λ, so the only thing that changes along a path is λ.
public struct LatentInterpolation: Sendable {
    /// The diffusion schedule.
    public let schedule: NoiseSchedule
    /// The step the endpoints are encoded to and decoding starts from, 0…T.
    public let t: Int
    /// σₜ² of the decoder.
    public let variance: ReverseVariance

    /// An interpolation through step `t`.
    public init(schedule: NoiseSchedule, t: Int, variance: ReverseVariance = .beta) {
        precondition(t >= 0 && t <= schedule.steps, "LatentInterpolation: t = \(t) outside 0…\(schedule.steps)")
        self.schedule = schedule
        self.t = t
        self.variance = variance
    }

    /// The stochastic encoder, Eq. (4): xₜ = √ᾱₜ·x₀ + √(1 − ᾱₜ)·ε with the given noise.
    public func encode(_ x0: Tensor<Double>, noise: Tensor<Double>) -> Tensor<Double> {
        schedule.marginalSample(x0: x0, t: t, noise: noise)
    }

    /// x̄ₜ = (1 − λ)·xₜ + λ·x′ₜ.
    public func mix(_ xt: Tensor<Double>, _ otherXt: Tensor<Double>, lambda: Double) -> Tensor<Double> {
        (1 - lambda) * xt + lambda * otherXt
    }

    /// The reverse process from x̄ₜ at step t down to x₀ (Algorithm 2 started at t), its noise drawn
    /// from `SeededGenerator(seed: decodingSeed)`, so equal seeds give equal noise for every λ.
    /// Calls `predictor` exactly t times.
    public func decode(
        _ mixed: Tensor<Double>, decodingSeed: UInt64, predictor: (Tensor<Double>, Int) -> Tensor<Double>
    ) -> Tensor<Double> {
        var generator = SeededGenerator(seed: decodingSeed)
        return schedule.reverseProcess(from: mixed, at: t, variance: variance, generator: &generator, predictor: predictor)
    }

    /// The whole path: encode both endpoints, mix for each λ, decode each with the same noise.
    /// - Parameters:
    ///   - noise: ε for x₀; `otherNoise`: ε′ for x′₀ (pass the same tensor for a shared encoding).
    /// - Returns: one decoded point set per λ.
    public func path(
        from x0: Tensor<Double>, to other: Tensor<Double>, noise: Tensor<Double>, otherNoise: Tensor<Double>,
        lambdas: [Double], decodingSeed: UInt64, predictor: (Tensor<Double>, Int) -> Tensor<Double>
    ) -> [Tensor<Double>] {
        let (a, b) = (encode(x0, noise: noise), encode(other, noise: otherNoise))
        return lambdas.map { decode(mix(a, b, lambda: $0), decodingSeed: decodingSeed, predictor: predictor) }
    }
}
