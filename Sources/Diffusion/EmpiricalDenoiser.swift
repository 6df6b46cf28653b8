import RealModule

/// The ideal denoiser of a finite data set: when the data distribution is the empirical one,
/// q(x₀) = (1/N)·Σᵢ δ(x₀ − x⁽ⁱ⁾), the posterior over the data points given xₜ is exact,
///
///     q(x⁽ⁱ⁾∣xₜ) = wᵢ ∝ exp(−‖xₜ − √ᾱₜ·x⁽ⁱ⁾‖²/(2(1 − ᾱₜ)))          (Bayes with Eq. 4)
///     x̂₀*(xₜ) = E[x₀∣xₜ] = Σᵢ wᵢ·x⁽ⁱ⁾,   ε*(xₜ) = (xₜ − √ᾱₜ·x̂₀*)/√(1 − ᾱₜ)     (Eq. 15 solved for ε)
///
/// It is the best any network trained on these points could do, so what it cannot recover from xₜ
/// is gone from xₜ: lesson 10 measures how fast each schedule destroys a digit with it.
public struct EmpiricalDenoiser: Sendable {
    /// The data points, [count, dimension] row-major.
    public let points: [Double]
    /// Values per point.
    public let dimension: Int
    /// ‖x⁽ⁱ⁾‖² for each point.
    let squaredNorms: [Double]

    /// A denoiser for `points` ([count, dimension] row-major, count ≥ 1).
    public init(points: [Double], dimension: Int) {
        precondition(dimension >= 1 && !points.isEmpty && points.count % dimension == 0, "EmpiricalDenoiser: \(points.count) values are not whole points of \(dimension)")
        self.points = points
        self.dimension = dimension
        squaredNorms = stride(from: 0, to: points.count, by: dimension).map { start in
            (0..<dimension).reduce(0) { $0 + points[start + $1] * points[start + $1] }
        }
    }

    /// The number of points.
    public var count: Int { points.count / dimension }

    /// The posterior weights wᵢ = q(x⁽ⁱ⁾∣xₜ) for one xₜ at step t (t = 1…T), summing to 1. The log
    /// weights −‖xₜ − √ᾱₜx⁽ⁱ⁾‖²/(2(1 − ᾱₜ)) are shifted by their maximum before exponentiating.
    public func weights(xt: [Double], t: Int, schedule: NoiseSchedule) -> [Double] {
        precondition(xt.count == dimension, "EmpiricalDenoiser: xₜ has \(xt.count) values, not \(dimension)")
        let (a, variance) = (schedule.sqrtAlphaBar(t), schedule.oneMinusAlphaBar(t))
        let xtNorm = xt.reduce(0) { $0 + $1 * $1 }
        var logs = [Double](repeating: 0, count: count)
        for i in 0..<count {
            var dot = 0.0
            for j in 0..<dimension { dot += xt[j] * points[i * dimension + j] }
            // ‖xₜ − a·x⁽ⁱ⁾‖² = ‖xₜ‖² − 2a·xₜ·x⁽ⁱ⁾ + a²‖x⁽ⁱ⁾‖², clamped at 0 against rounding.
            logs[i] = -max(0, xtNorm - 2 * a * dot + a * a * squaredNorms[i]) / (2 * variance)
        }
        let top = logs.max()!
        let unnormalised = logs.map { Double.exp($0 - top) }
        let total = unnormalised.reduce(0, +)
        return unnormalised.map { $0 / total }
    }

    /// x̂₀*(xₜ) = Σᵢ wᵢ·x⁽ⁱ⁾, the posterior mean of x₀ given xₜ at step t.
    public func predictedX0(xt: [Double], t: Int, schedule: NoiseSchedule) -> [Double] {
        let w = weights(xt: xt, t: t, schedule: schedule)
        var mean = [Double](repeating: 0, count: dimension)
        for i in 0..<count where w[i] > 0 {
            for j in 0..<dimension { mean[j] += w[i] * points[i * dimension + j] }
        }
        return mean
    }

    /// ε*(xₜ) = (xₜ − √ᾱₜ·x̂₀*)/√(1 − ᾱₜ), the noise prediction that minimises L_simple at step t.
    public func optimalNoise(xt: [Double], t: Int, schedule: NoiseSchedule) -> [Double] {
        let x0 = predictedX0(xt: xt, t: t, schedule: schedule)
        let (a, s) = (schedule.sqrtAlphaBar(t), schedule.sqrtOneMinusAlphaBar(t))
        return (0..<dimension).map { (xt[$0] - a * x0[$0]) / s }
    }
}
