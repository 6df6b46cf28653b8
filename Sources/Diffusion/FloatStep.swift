/// One step t of a schedule with its coefficients rounded to Float once, for the networks' Float
/// buffers: the one place where Eq. 4, Eq. 15 and Eq. 11 are written in Float (the trainer, the
/// samplers and the lessons call these; the Double forms are `NoiseSchedule`'s).
public struct FloatStep: Sendable, Equatable {
    /// The paper step t (0…T; ᾱ₀ = 1).
    public let t: Int
    /// √ᾱₜ and √(1 − ᾱₜ) (Eq. 4).
    public let sqrtAlphaBar: Float, sqrtOneMinusAlphaBar: Float
    /// βₜ/√(1 − ᾱₜ) and 1/√αₜ (Eq. 11); 0 and 1 at t = 0, where there is no step.
    public let noiseCoefficient: Float, inverseSqrtAlpha: Float

    /// Step t of `schedule` (t = 0…T).
    public init(_ schedule: NoiseSchedule, t: Int) {
        precondition((0...schedule.steps).contains(t), "FloatStep: t = \(t) outside 0…\(schedule.steps)")
        self.t = t
        sqrtAlphaBar = Float(schedule.sqrtAlphaBar(t))
        sqrtOneMinusAlphaBar = Float(schedule.sqrtOneMinusAlphaBar(t))
        noiseCoefficient = t == 0 ? 0 : Float(schedule.beta(t) / schedule.sqrtOneMinusAlphaBar(t))
        inverseSqrtAlpha = t == 0 ? 1 : Float(1 / schedule.alpha(t).squareRoot())
    }

    /// Ho et al. 2020, Eq. (4) with given noise: xₜ = √ᾱₜ·x₀ + √(1 − ᾱₜ)·ε.
    @inlinable
    public func noised(_ x0: Float, noise: Float) -> Float { sqrtAlphaBar * x0 + sqrtOneMinusAlphaBar * noise }

    /// Eq. (4) over a batch: xₜ[i] = √ᾱₜ·x₀[i] + √(1 − ᾱₜ)·ε[i] for `count` values.
    @inlinable
    public func noise(_ x0: UnsafePointer<Float>, _ noise: UnsafePointer<Float>, count: Int, into xt: UnsafeMutablePointer<Float>) {
        for i in 0..<count { xt[i] = noised(x0[i], noise: noise[i]) }
    }

    /// Eq. (15): x̂₀ = (xₜ − √(1 − ᾱₜ)·ε)/√ᾱₜ.
    @inlinable
    public func predictedX0(_ xt: Float, noise: Float) -> Float { (xt - sqrtOneMinusAlphaBar * noise) / sqrtAlphaBar }

    /// Eq. (11)'s mean: μ_θ = (xₜ − βₜ/√(1 − ᾱₜ)·ε_θ)/√αₜ.
    @inlinable
    public func meanFromNoise(_ xt: Float, noise: Float) -> Float { (xt - noiseCoefficient * noise) * inverseSqrtAlpha }
}

extension NoiseSchedule {
    /// Step t's coefficients in Float (`FloatStep`), t = 0…T.
    public func float(_ t: Int) -> FloatStep { FloatStep(self, t: t) }
}
