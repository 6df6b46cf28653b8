import RealModule

/// The terms of the bound L of Eq. (5) for one image, given the model's means, in nats:
///
///     L = L_T + Σₜ₌₂ᵀ L_{t−1} + L₀,
///     L_T     = KL(q(x_T∣x₀) ‖ N(0, I))                         (`priorKL`)
///     L_{t−1} = KL(q(x_{t−1}∣xₜ, x₀) ‖ p_θ(x_{t−1}∣xₜ)) = Σᵢ KL(N(μ̃ₜⁱ, β̃ₜ) ‖ N(μ_θⁱ, σₜ²))   (Eq. 6–8)
///     L₀      = −log p_θ(x₀∣x₁), the discrete decoder of Eq. (13).
///
/// At t = 1 the reverse variance is a convention, because β̃₁ = 0 would make the decoder a hard
/// rounding of μ_θ (an infinite codelength for one misrounded pixel): the workbench's decoder uses
/// σ₁² = β₁, the forward step's own noise, for both σₜ² = βₜ and σₜ² = β̃ₜ. With σₜ² = βₜ that is
/// exactly the true reverse step for data x₀ ~ N(0, I) (Sec. 3.2). (Ho's code uses β̃₂ at t = 1.)
extension NoiseSchedule {
    /// σ₁² of the decoder p_θ(x₀∣x₁) of Eq. (13): β₁ (see above).
    public var decoderVariance: Double { beta(1) }

    /// L_{t−1} for t = 2…T in nats: Σᵢ KL(N(μ̃ₜ(xₜ, x₀)ⁱ, β̃ₜ) ‖ N(μ_θⁱ, σₜ²)) for the model's means
    /// `modelMean` and σₜ² = `sigma2`. μ̃ₜ is Eq. (7) from the true x₀.
    public func reverseTerm(x0: [Double], xt: [Double], modelMean: [Double], t: Int, sigma2: Double) -> Double {
        precondition(t >= 2 && t <= steps, "reverseTerm: t = \(t) outside 2…\(steps) (t = 1 is the decoder's term)")
        precondition(x0.count == xt.count && xt.count == modelMean.count, "reverseTerm: \(x0.count), \(xt.count) and \(modelMean.count) values")
        let (a, b) = (posteriorMeanCoefX0(t), posteriorMeanCoefXt(t))
        let posteriorVariance = betaTilde(t)
        var squared = 0.0
        for i in x0.indices {
            let d = a * x0[i] + b * xt[i] - modelMean[i]
            squared += d * d
        }
        let perCoordinate = 0.5 * (Double.log(sigma2 / posteriorVariance) + posteriorVariance / sigma2 - 1)
        return Double(x0.count) * perCoordinate + 0.5 * squared / sigma2
    }

    /// L₀ in nats: −log p_θ(x₀∣x₁) of Eq. (13) with decoder means `modelMean` and σ₁² = `decoderVariance`.
    public func decoderTerm(x0: [Double], modelMean: [Double], decoder: DiscreteDecoder) -> Double {
        decoder.negativeLogLikelihood(x0: x0, mean: modelMean, standardDeviation: decoderVariance.squareRoot())
    }

    /// L_{t−1} in nats with a variance per coordinate (a learned diagonal Σ):
    /// Σᵢ ½·(log(σᵢ²/β̃ₜ) + (β̃ₜ + (μ̃ₜⁱ − μ_θⁱ)²)/σᵢ² − 1).
    public func reverseTerm(x0: [Double], xt: [Double], modelMean: [Double], t: Int, sigma2s: [Double]) -> Double {
        precondition(t >= 2 && t <= steps, "reverseTerm: t = \(t) outside 2…\(steps) (t = 1 is the decoder's term)")
        precondition(x0.count == xt.count && xt.count == modelMean.count && modelMean.count == sigma2s.count, "reverseTerm: mismatched lengths")
        let (a, b) = (posteriorMeanCoefX0(t), posteriorMeanCoefXt(t))
        let posteriorVariance = betaTilde(t)
        var total = 0.0
        for i in x0.indices {
            let d = a * x0[i] + b * xt[i] - modelMean[i]
            total += 0.5 * (Double.log(sigma2s[i] / posteriorVariance) + (posteriorVariance + d * d) / sigma2s[i] - 1)
        }
        return total
    }
}
