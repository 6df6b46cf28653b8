import RealModule

/// Eq. (13), the discrete decoder of the last step, for data with K levels −1, −1 + 2/(K−1), …, 1:
///
///     p_θ(x₀∣x₁) = Πᵢ ∫_{δ₋(x₀ⁱ)}^{δ₊(x₀ⁱ)} N(x; μ_θⁱ(x₁, 1), σ₁²) dx,
///     δ₊(x) = +∞ if x = 1 else x + 1/(K−1),   δ₋(x) = −∞ if x = −1 else x − 1/(K−1).
///
/// The paper writes it for K = 256 (half-width 1/255). Φ is computed through `erfc` and every bin's
/// log-probability in log space (tails through an asymptotic series of log erfc), so a confident
/// decoder gives a very negative but finite log-probability, never log 0 and never a clamp.
public struct DiscreteDecoder: Sendable, Equatable {
    /// K, the number of levels (17 for the digits, 256 for 8-bit images).
    public let levels: Int

    /// A decoder for `levels` ≥ 2 levels.
    public init(levels: Int) {
        precondition(levels >= 2, "DiscreteDecoder: \(levels) levels (at least 2)")
        self.levels = levels
    }

    /// The bin half-width 1/(K − 1).
    public var halfWidth: Double { 1 / Double(levels - 1) }

    /// Level k = 0…K−1 on the model's scale: −1 + 2k/(K − 1).
    public func value(ofLevel k: Int) -> Double { -1 + 2 * Double(k) * halfWidth }

    /// The level nearest to x (clamped to 0…K−1).
    public func level(nearest x: Double) -> Int {
        min(levels - 1, max(0, Int(((x + 1) / (2 * halfWidth)).rounded())))
    }

    /// log P(x₀ = level k ∣ μ, σ) in nats: log ∫ over level k's bin of N(x; μ, σ²), the edge bins
    /// reaching to ±∞.
    public func logProbability(level k: Int, mean mu: Double, standardDeviation sigma: Double) -> Double {
        precondition((0..<levels).contains(k), "DiscreteDecoder: level \(k) outside 0…\(levels - 1)")
        precondition(sigma > 0 && sigma.isFinite, "DiscreteDecoder: standard deviation \(sigma)")
        let v = value(ofLevel: k)
        let lower = k == 0 ? -Double.infinity : (v - halfWidth - mu) / sigma
        let upper = k == levels - 1 ? Double.infinity : (v + halfWidth - mu) / sigma
        return GaussianTail.logMass(from: lower, to: upper)
    }

    /// −log p_θ(x₀∣x₁) of Eq. (13) in nats for a whole image: x₀ on the level grid (each value within
    /// a quarter bin of a level), μ the decoder means, one σ for every coordinate.
    public func negativeLogLikelihood(x0: [Double], mean: [Double], standardDeviation sigma: Double) -> Double {
        negativeLogLikelihood(x0: x0, mean: mean, standardDeviations: [Double](repeating: sigma, count: x0.count))
    }

    /// The same with a standard deviation per coordinate (a learned diagonal Σ).
    public func negativeLogLikelihood(x0: [Double], mean: [Double], standardDeviations sigmas: [Double]) -> Double {
        precondition(x0.count == mean.count && mean.count == sigmas.count, "DiscreteDecoder: \(x0.count) values, \(mean.count) means, \(sigmas.count) deviations")
        var total = 0.0
        for i in x0.indices {
            let k = level(nearest: x0[i])
            precondition(abs(value(ofLevel: k) - x0[i]) < halfWidth / 2, "DiscreteDecoder: x₀ = \(x0[i]) is not one of the \(levels) levels")
            total -= logProbability(level: k, mean: mean[i], standardDeviation: sigmas[i])
        }
        return total
    }
}

/// Standard normal masses in log space: log Φ(z) and log(Φ(b) − Φ(a)), accurate far in the tails.
public enum GaussianTail {
    /// log Φ(z) = log(½·erfc(−z/√2)), exact to Double precision for every finite z
    /// (−∞ at z = −∞, 0 at z = +∞).
    public static func logCDF(_ z: Double) -> Double {
        if z == -.infinity { return -.infinity }
        if z == .infinity { return 0 }
        let x = -z / 2.0.squareRoot()
        // For x below 1 the mass is at least ½·erfc(1) ≈ 0.08: log1p of −½·erfc(−x) keeps the
        // digits of log Φ when Φ is close to 1.
        if x < -1 { return Double.log(onePlus: -0.5 * Double.erfc(-x)) }
        return -Double.log(2) + logErfc(x)
    }

    /// log(Φ(b) − Φ(a)) for a ≤ b (a may be −∞, b may be +∞). Tails are taken on the side where
    /// they are small, so neither Φ(b) − Φ(a) nor 1 − Φ cancels: a ≥ 0 uses Φ(−a) − Φ(−b), b ≤ 0
    /// uses Φ(b) − Φ(a), and a bin that straddles 0 is ½·(erf(b/√2) + erf(−a/√2)), a sum of positives.
    public static func logMass(from a: Double, to b: Double) -> Double {
        precondition(a <= b, "GaussianTail: lower limit \(a) above upper limit \(b)")
        if a >= 0 { return logMass(from: -b, to: -a) }
        if b <= 0 {
            let high = logCDF(b)
            let low = logCDF(a)
            return high + logOneMinusExp(low - high)
        }
        let r = 1 / 2.0.squareRoot()
        let right = b == .infinity ? 1 : Double.erf(b * r)
        let left = a == -.infinity ? 1 : Double.erf(-a * r)
        return Double.log(0.5 * (right + left))
    }

    /// log erfc(x) for any real x: directly while erfc(x) is a normal Double (x < 26), then the
    /// asymptotic series erfc(x) = e^{−x²}/(x√π)·Σₙ (−1)ⁿ(2n − 1)!!/(2x²)ⁿ, whose 10 terms at x ≥ 26
    /// leave a relative error below 19!!/1352¹⁰ ≈ 3e−23.
    public static func logErfc(_ x: Double) -> Double {
        if x < 26 { return Double.log(Double.erfc(x)) }
        let u = 1 / (2 * x * x)
        var term = 1.0
        var sum = 1.0
        for n in 1...10 {
            term *= -Double(2 * n - 1) * u
            sum += term
        }
        return -x * x - Double.log(x * Double.pi.squareRoot()) + Double.log(sum)
    }

    /// log(1 − eᵈ) for d ≤ 0, by expm1 near 0 and log1p further out (no cancellation either way).
    static func logOneMinusExp(_ d: Double) -> Double {
        precondition(d <= 0, "GaussianTail: log(1 − e^\(d)) of a positive exponent")
        return d > -Double.log(2) ? Double.log(-Double.expMinusOne(d)) : Double.log(onePlus: -Double.exp(d))
    }
}

extension DiscreteDecoder {
    /// log P(x₀ = level k ∣ μ, σ² = e^ℓ) with its derivatives in μ and ℓ = log σ² (for training on the
    /// bound): with z = (edge − μ)/σ at the bin's edges a < b and P = Φ(z_b) − Φ(z_a),
    /// ∂log P/∂μ = (φ(z_a) − φ(z_b))/(σP) and ∂log P/∂ℓ = (z_a·φ(z_a) − z_b·φ(z_b))/(2P), each ratio
    /// taken in log space; an infinite edge contributes 0.
    public func logProbabilityWithGradient(level k: Int, mean mu: Double, logVariance: Double) -> (logP: Double, dMean: Double, dLogVariance: Double) {
        let sigma = Double.exp(0.5 * logVariance)
        let logP = logProbability(level: k, mean: mu, standardDeviation: sigma)
        let v = value(ofLevel: k)
        let logDensityConstant = -0.5 * Double.log(2 * Double.pi)
        func ratio(_ edge: Double?) -> (phi: Double, zPhi: Double) {
            guard let edge else { return (0, 0) }
            let z = (edge - mu) / sigma
            let r = Double.exp(logDensityConstant - 0.5 * z * z - logP)
            return (r, z * r)
        }
        let lower = ratio(k == 0 ? nil : v - halfWidth)
        let upper = ratio(k == levels - 1 ? nil : v + halfWidth)
        return (logP, (lower.phi - upper.phi) / sigma, 0.5 * (lower.zPhi - upper.zPhi))
    }
}
