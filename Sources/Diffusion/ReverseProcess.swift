import TensorCore

/// Algorithm 2 (sampling) for any noise predictor, in Double: the reference implementation the
/// fast Float sampler and the oracle experiments are checked against.
extension NoiseSchedule {
    /// One reverse step (Eq. 11 and Sec. 3.2): x_{t−1} = (xₜ − βₜ/√(1 − ᾱₜ)·ε_θ)/√αₜ + σₜ·z,
    /// with z = 0 at t = 1 (the last step adds no noise).
    public func reverseStep(
        xt: Tensor<Double>, t: Int, predictedNoise: Tensor<Double>, variance: ReverseVariance, noise z: Tensor<Double>
    ) -> Tensor<Double> {
        let mean = meanFromNoise(xt: xt, predictedNoise: predictedNoise, t: t)
        return t > 1 ? mean + sigma2(t, variance).squareRoot() * z : mean
    }

    /// Runs Algorithm 2 from `start` at step `from` down to x₀: for t = from…1, draws z ~ N(0, I)
    /// (for t > 1, in row-major order) and applies `reverseStep`. `predictor(xₜ, t)` returns ε_θ.
    public func reverseProcess(
        from start: Tensor<Double>, at from: Int, variance: ReverseVariance, generator: inout SeededGenerator,
        predictor: (Tensor<Double>, Int) -> Tensor<Double>
    ) -> Tensor<Double> {
        precondition(from >= 0 && from <= steps, "reverseProcess: start step \(from) outside 0…\(steps)")
        var x = start
        for t in stride(from: from, through: 1, by: -1) {
            let z = t > 1 ? Tensor<Double>.randomNormal(x.shape, using: &generator) : Tensor.zeros(x.shape)
            x = reverseStep(xt: x, t: t, predictedNoise: predictor(x, t), variance: variance, noise: z)
        }
        return x
    }

    /// Algorithm 2 from x_T ~ N(0, I): `count` samples of dimension `dimension`.
    public func sample(
        count: Int, dimension: Int, variance: ReverseVariance, generator: inout SeededGenerator,
        predictor: (Tensor<Double>, Int) -> Tensor<Double>
    ) -> Tensor<Double> {
        let start = Tensor<Double>.randomNormal([count, dimension], using: &generator)
        return reverseProcess(from: start, at: steps, variance: variance, generator: &generator, predictor: predictor)
    }
}
