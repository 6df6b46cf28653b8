import TensorCore

extension NoiseSchedule {
    /// The score estimate of the ε-parameterisation (Sec. 3.2): s(xₜ, t) = −ε_θ(xₜ, t)/√(1 − ᾱₜ)
    /// estimates ∇ log q(xₜ) (exactly, for ε = ε*).
    public func scoreFromNoise(_ predictedNoise: Tensor<Double>, t: Int) -> Tensor<Double> {
        (-1 / sqrtOneMinusAlphaBar(t)) * predictedNoise
    }
}

/// Annealed Langevin dynamics (Song & Ermon 2019, NCSN): for noise levels from coarse to fine, a few
/// Langevin steps x ← x + (δ/2)·s(x) + √δ·z at each, with step size proportional to the level's
/// noise variance, δ = η·σ². Here the levels are the DDPM marginals q(xₜ), σ² = 1 − ᾱₜ, and s is a
/// score estimate such as −ε_θ/√(1 − ᾱₜ).
public struct AnnealedLangevin: Sendable {
    /// The schedule defining the noise levels.
    public let schedule: NoiseSchedule
    /// The levels, as paper steps t, from the largest to the smallest.
    public let levels: [Int]
    /// Langevin steps per level.
    public let stepsPerLevel: Int
    /// η in δ = η·(1 − ᾱₜ).
    public let eta: Double

    /// Annealed Langevin over `levels` (descending t), `stepsPerLevel` steps each, δ = η·(1 − ᾱₜ).
    public init(schedule: NoiseSchedule, levels: [Int], stepsPerLevel: Int, eta: Double) {
        precondition(!levels.isEmpty && stepsPerLevel >= 1 && eta > 0, "AnnealedLangevin: need levels, steps ≥ 1, η > 0")
        precondition(
            zip(levels, levels.dropFirst()).allSatisfy { $0 > $1 } && levels.last! >= 1 && levels.first! <= schedule.steps,
            "AnnealedLangevin: levels must decrease within 1…T")
        self.schedule = schedule
        self.levels = levels
        self.stepsPerLevel = stepsPerLevel
        self.eta = eta
    }

    /// Score evaluations a run makes: levels × steps per level.
    public var evaluations: Int { levels.count * stepsPerLevel }

    /// One Langevin step at step size δ: x + (δ/2)·score + √δ·z.
    public static func step(_ x: Tensor<Double>, score: Tensor<Double>, delta: Double, noise z: Tensor<Double>) -> Tensor<Double> {
        x + (delta / 2) * score + delta.squareRoot() * z
    }

    /// Runs the chain from `start`; `score(x, t)` estimates ∇ log q(xₜ).
    public func run(
        from start: Tensor<Double>, generator: inout SeededGenerator, score: (Tensor<Double>, Int) -> Tensor<Double>
    ) -> Tensor<Double> {
        var x = start
        for t in levels {
            let delta = eta * schedule.oneMinusAlphaBar(t)
            for _ in 0..<stepsPerLevel {
                x = Self.step(x, score: score(x, t), delta: delta, noise: .randomNormal(x.shape, using: &generator))
            }
        }
        return x
    }
}
