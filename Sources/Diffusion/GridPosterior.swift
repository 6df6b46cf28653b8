import RealModule

/// A one-dimensional posterior computed by brute force: Bayes' rule evaluated on a grid and
/// normalised by the trapezoid rule. It knows nothing of Eq. (7), so it is an independent check
/// of the closed forms.
public struct GridPosterior: Sendable {
    /// The grid points.
    public let grid: [Double]
    /// The normalised density at each grid point.
    public let density: [Double]
    /// ∫ x·p(x) dx.
    public let mean: Double
    /// ∫ (x − mean)²·p(x) dx.
    public let variance: Double

    /// p(x ∣ data) ∝ exp(logPrior(x) + logLikelihood(x)) on `count` points of [`lower`, `upper`].
    ///
    /// Trapezoid-rule error is O(h²·p″); for a Gaussian of standard deviation s sampled with
    /// spacing h ≤ s/20 over ±10 s, the moments are exact to about 1e-9 relative (the rule is
    /// spectrally accurate for smooth, decayed integrands).
    public init(
        lower: Double, upper: Double, count: Int, logPrior: (Double) -> Double, logLikelihood: (Double) -> Double
    ) {
        precondition(count >= 3 && upper > lower, "GridPosterior: need ≥ 3 points on a non-empty interval")
        let h = (upper - lower) / Double(count - 1)
        let grid = (0..<count).map { lower + Double($0) * h }
        let logs = grid.map { logPrior($0) + logLikelihood($0) }
        let largest = logs.max()!
        let unnormalised = logs.map { Double.exp($0 - largest) }
        func integral(_ f: [Double]) -> Double {
            h * (f.reduce(0, +) - 0.5 * (f.first! + f.last!))
        }
        let total = integral(unnormalised)
        let density = unnormalised.map { $0 / total }
        let mean = integral(zip(grid, density).map { $0 * $1 })
        self.grid = grid
        self.density = density
        self.mean = mean
        self.variance = integral(zip(grid, density).map { ($0 - mean) * ($0 - mean) * $1 })
    }

    /// log N(x; m, v) = −½·log(2πv) − (x − m)²/(2v).
    public static func logNormal(_ x: Double, mean m: Double, variance v: Double) -> Double {
        -0.5 * Double.log(2 * Double.pi * v) - (x - m) * (x - m) / (2 * v)
    }

    /// The posterior of xₜ₋₁ given xₜ when xₜ₋₁ has the prior N(`priorMean`, `priorVariance`):
    /// Bayes' rule with the step likelihood q(xₜ∣xₜ₋₁) = N(√αₜ·xₜ₋₁, βₜ) of Eq. (2), on 8001 points
    /// spanning both factors ±12 standard deviations of the narrower one. With the prior
    /// q(xₜ₋₁∣x₀) = N(√ᾱₜ₋₁·x₀, 1 − ᾱₜ₋₁) this is q(xₜ₋₁∣xₜ, x₀), computed without Eq. (7).
    public static func reverseStep(
        schedule: NoiseSchedule, t: Int, xt: Double, priorMean: Double, priorVariance: Double
    ) -> GridPosterior {
        let scale = schedule.alpha(t).squareRoot()
        let likelihoodPeak = xt / scale
        let spread = 12 * min((schedule.beta(t) / schedule.alpha(t)).squareRoot(), priorVariance.squareRoot())
        return GridPosterior(
            lower: min(likelihoodPeak, priorMean) - spread, upper: max(likelihoodPeak, priorMean) + spread, count: 8001,
            logPrior: { logNormal($0, mean: priorMean, variance: priorVariance) },
            logLikelihood: { logNormal(xt, mean: scale * $0, variance: schedule.beta(t)) })
    }
}
