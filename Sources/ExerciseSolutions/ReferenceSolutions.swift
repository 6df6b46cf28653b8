// The reference solutions to every exercise, written the way a student would (plain loops and
// formulas, not the library's functions), so the checks compare two independent computations.
import Diffusion
import ExerciseKit
import Foundation

/// Reference answers to lesson 01.
public struct Lesson01Solution: Lesson01Answers {
    /// Creates the reference answers.
    public init() {}

    /// ᾱₜ as the direct product ∏ₛ₌₁ᵗ (1 − βₛ); the empty product at t = 0 is 1.
    public func alphaBar(betas: [Double], t: Int) throws -> Double {
        betas.prefix(t).reduce(1) { $0 * (1 - $1) }
    }

    /// Eq. (4): √ᾱ·x₀ + √(1 − ᾱ)·ε.
    public func noisySample(x0: Double, alphaBar: Double, noise: Double) throws -> Double {
        alphaBar.squareRoot() * x0 + (1 - alphaBar).squareRoot() * noise
    }

    /// The first t with ᾱₜ < 1 − ᾱₜ, i.e. ᾱₜ < ½.
    public func firstStepWithSNRBelowOne(schedule: NoiseSchedule) throws -> Int {
        for t in 1...schedule.steps where schedule.alphaBar(t) < 1 - schedule.alphaBar(t) { return t }
        return schedule.steps + 1
    }
}

/// Reference answers to lesson 02.
public struct Lesson02Solution: Lesson02Answers {
    /// Creates the reference answers.
    public init() {}

    /// Eq. (7): β̃ₜ = (1 − ᾱₜ₋₁)/(1 − ᾱₜ)·βₜ.
    public func posteriorVariance(beta: Double, alphaBar: Double, alphaBarPrevious: Double) throws -> Double {
        (1 - alphaBarPrevious) / (1 - alphaBar) * beta
    }

    /// Eq. (7): μ̃ₜ = √ᾱₜ₋₁·βₜ/(1 − ᾱₜ)·x₀ + √αₜ·(1 − ᾱₜ₋₁)/(1 − ᾱₜ)·xₜ.
    public func posteriorMean(x0: Double, xt: Double, beta: Double, alphaBar: Double, alphaBarPrevious: Double)
        throws -> Double
    {
        let denominator = 1 - alphaBar
        return alphaBarPrevious.squareRoot() * beta / denominator * x0
            + (1 - beta).squareRoot() * (1 - alphaBarPrevious) / denominator * xt
    }
}

/// Reference answers to lesson 03.
public struct Lesson03Solution: Lesson03Answers {
    /// Creates the reference answers.
    public init() {}

    /// Eq. (15): x̂₀ = (xₜ − √(1 − ᾱₜ)·ε_θ)/√ᾱₜ.
    public func predictedX0(xt: Double, predictedNoise: Double, alphaBar: Double) throws -> Double {
        (xt - (1 - alphaBar).squareRoot() * predictedNoise) / alphaBar.squareRoot()
    }

    /// Eq. (11): μ_θ = (xₜ − βₜ/√(1 − ᾱₜ)·ε_θ)/√αₜ.
    public func modelMean(xt: Double, predictedNoise: Double, beta: Double, alphaBar: Double) throws -> Double {
        (xt - beta / (1 - alphaBar).squareRoot() * predictedNoise) / (1 - beta).squareRoot()
    }

    /// Eq. (12): βₜ²/(2σₜ²·αₜ·(1 − ᾱₜ)).
    public func lossWeight(beta: Double, alphaBar: Double, sigma2: Double) throws -> Double {
        beta * beta / (2 * sigma2 * (1 - beta) * (1 - alphaBar))
    }
}

/// Reference answers to lesson 04.
public struct Lesson04Solution: Lesson04Answers {
    /// Creates the reference answers.
    public init() {}

    /// Eq. (14) on one batch: Σ (ε − ε_θ)² / n.
    public func simpleLoss(noise: [Double], predicted: [Double]) throws -> Double {
        var sum = 0.0
        for i in noise.indices { sum += (noise[i] - predicted[i]) * (noise[i] - predicted[i]) }
        return sum / Double(noise.count)
    }

    /// Adam, PyTorch semantics.
    public func adamStep(parameter: Double, gradient: Double, m: Double, v: Double, step k: Int, learningRate: Double)
        throws -> (parameter: Double, m: Double, v: Double)
    {
        let m1 = 0.9 * m + 0.1 * gradient
        let v1 = 0.999 * v + 0.001 * gradient * gradient
        let stepSize = learningRate / (1 - pow(0.9, Double(k)))
        let denominator = v1.squareRoot() / (1 - pow(0.999, Double(k))).squareRoot() + 1e-8
        return (parameter - stepSize * m1 / denominator, m1, v1)
    }

    /// θ̄ ← d·θ̄ + (1 − d)·θ.
    public func movingAverage(average: Double, parameter: Double, decay: Double) throws -> Double {
        decay * average + (1 - decay) * parameter
    }
}

/// Reference answers to lesson 05.
public struct Lesson05Solution: Lesson05Answers {
    /// Creates the reference answers.
    public init() {}

    /// Algorithm 2, one step, written out.
    public func reverseStep(xt: Double, predictedNoise: Double, t: Int, schedule: NoiseSchedule, sigma2: Double, z: Double) throws -> Double {
        let mean = (xt - schedule.beta(t) / (1 - schedule.alphaBar(t)).squareRoot() * predictedNoise) / schedule.alpha(t).squareRoot()
        return t > 1 ? mean + sigma2.squareRoot() * z : mean
    }

    /// Sorted pairing.
    public func wasserstein1D(_ a: [Double], _ b: [Double]) throws -> Double {
        let (x, y) = (a.sorted(), b.sorted())
        var sum = 0.0
        for i in x.indices { sum += abs(x[i] - y[i]) }
        return sum / Double(x.count)
    }
}

/// Reference answers to lesson 06.
public struct Lesson06Solution: Lesson06Answers {
    /// Creates the reference answers.
    public init() {}

    /// Encode each endpoint (Eq. 4), then mix.
    public func mixedLatent(x0: Double, otherX0: Double, noise: Double, otherNoise: Double, alphaBar: Double, lambda: Double) throws -> Double {
        let xt = alphaBar.squareRoot() * x0 + (1 - alphaBar).squareRoot() * noise
        let otherXt = alphaBar.squareRoot() * otherX0 + (1 - alphaBar).squareRoot() * otherNoise
        return (1 - lambda) * xt + lambda * otherXt
    }

    /// Variances of independent terms add: (1 − λ)² + λ².
    public func mixedNoiseVariance(lambda: Double) throws -> Double {
        (1 - lambda) * (1 - lambda) + lambda * lambda
    }
}

/// Reference answers to lesson 07.
public struct Lesson07Solution: Lesson07Answers {
    /// Creates the reference answers.
    public init() {}

    /// s = −ε_θ/√(1 − ᾱₜ).
    public func score(predictedNoise: Double, alphaBar: Double) throws -> Double {
        -predictedNoise / (1 - alphaBar).squareRoot()
    }

    /// x + (δ/2)·s + √δ·z.
    public func langevinStep(x: Double, score: Double, delta: Double, z: Double) throws -> Double {
        x + delta / 2 * score + delta.squareRoot() * z
    }
}

/// Reference answers to lesson 08.
public struct Lesson08Solution: Lesson08Answers {
    /// Creates the reference answers.
    public init() {}

    /// v = round(8·(x + 1)), clamped to 0…16.
    public func grayLevel(of x: Double) throws -> Int {
        Int(max(0, min(16, (8 * (x + 1)).rounded())))
    }

    /// Mean over each set of the distance to the nearest training image; their ratio.
    public func memorisationRatio(samples: [[Double]], heldOut: [[Double]], training: [[Double]]) throws -> Double {
        func nearest(_ x: [Double]) -> Double {
            training.map { y in zip(x, y).reduce(0) { $0 + ($1.0 - $1.1) * ($1.0 - $1.1) } }.min()!.squareRoot()
        }
        let mean = { (set: [[Double]]) in set.map(nearest).reduce(0, +) / Double(set.count) }
        return mean(samples) / mean(heldOut)
    }

    /// (m₁ − m₂)² + s₁² + s₂² − 2s₁s₂.
    public func frechetDistance1D(_ a: [Double], _ b: [Double]) throws -> Double {
        func moments(_ x: [Double]) -> (Double, Double) {
            let m = x.reduce(0, +) / Double(x.count)
            return (m, (x.reduce(0) { $0 + ($1 - m) * ($1 - m) } / Double(x.count - 1)).squareRoot())
        }
        let ((ma, sa), (mb, sb)) = (moments(a), moments(b))
        return (ma - mb) * (ma - mb) + sa * sa + sb * sb - 2 * sa * sb
    }
}

/// The reference answers to lesson 09.
public struct Lesson09Solution: Lesson09Answers {
    /// Creates the reference answers.
    public init() {}

    /// Φ(b) − Φ(a) with Φ(z) = ½·erfc(−z/√2), a = −∞ for k = 0 and b = +∞ for k = K − 1.
    public func binProbability(level k: Int, levels: Int, mean mu: Double, standardDeviation sigma: Double) throws -> Double {
        let h = 1 / Double(levels - 1)
        let v = -1 + 2 * Double(k) * h
        func phi(_ z: Double) -> Double { 0.5 * erfc(-z / 2.0.squareRoot()) }
        let upper = k == levels - 1 ? 1 : phi((v + h - mu) / sigma)
        let lower = k == 0 ? 0 : phi((v - h - mu) / sigma)
        return upper - lower
    }

    /// β̃ₜ and μ̃ₜ from Eq. 7, then the Gaussian KL.
    public func reverseKL(beta: Double, alphaBar: Double, alphaBarPrevious: Double, x0: Double, xt: Double, modelMean: Double, sigma2: Double) throws -> Double {
        let variance = (1 - alphaBarPrevious) / (1 - alphaBar) * beta
        let mean = alphaBarPrevious.squareRoot() * beta / (1 - alphaBar) * x0 + (1 - beta).squareRoot() * (1 - alphaBarPrevious) / (1 - alphaBar) * xt
        return 0.5 * (log(sigma2 / variance) + (variance + (mean - modelMean) * (mean - modelMean)) / sigma2 - 1)
    }

    /// t* = the largest t with distortion below the threshold; the terms L₀ … L_{t*−1} over the total.
    public func shareAfterDistortion(below threshold: Double, terms: [Double], distortion: [Double]) throws -> Double {
        guard let t = distortion.indices.last(where: { distortion[$0] < threshold }).map({ $0 + 1 }) else { return 0 }
        return terms[0..<t].reduce(0, +) / terms.reduce(0, +)
    }
}

/// The reference answers to lesson 10.
public struct Lesson10Solution: Lesson10Answers {
    /// Creates the reference answers.
    public init() {}

    /// f(t)/f(0) with f written as cos².
    public func cosineAlphaBar(steps: Int, offset s: Double) throws -> [Double] {
        func f(_ t: Int) -> Double { let c = cos((Double(t) / Double(steps) + s) / (1 + s) * Double.pi / 2); return c * c }
        return (0...steps).map { f($0) / f(0) }
    }

    /// The log-space interpolation.
    public func interpolatedVariance(v: Double, beta: Double, betaTilde: Double) throws -> Double {
        exp(v * log(beta) + (1 - v) * log(betaTilde))
    }

    /// ∂KL/∂log Σ = ½(1 − (β̃ + (μ̃ − μ)²)/Σ), times ∂log Σ/∂v = log β − log β̃.
    public func hybridVarianceGradient(v: Double, beta: Double, betaTilde: Double, posteriorMean: Double, modelMean: Double, weight c: Double) throws -> Double {
        let sigma = try interpolatedVariance(v: v, beta: beta, betaTilde: betaTilde)
        let d = posteriorMean - modelMean
        return c * 0.5 * (1 - (betaTilde + d * d) / sigma) * (log(beta) - log(betaTilde))
    }
}

/// The reference answers to lesson 11.
public struct Lesson11Solution: Lesson11Answers {
    /// Creates the reference answers.
    public init() {}

    /// Ratios of consecutive ᾱ on τ.
    public func respacedBetas(alphaBar: [Double], tau: [Int]) throws -> [Double] {
        var previous = 1.0
        return tau.map { t in
            defer { previous = alphaBar[t - 1] }
            return 1 - alphaBar[t - 1] / previous
        }
    }

    /// The formula as written.
    public func ddimSigma(alphaBarT: Double, alphaBarS: Double, eta: Double) throws -> Double {
        eta * ((1 - alphaBarS) / (1 - alphaBarT)).squareRoot() * (1 - alphaBarT / alphaBarS).squareRoot()
    }

    /// θ from the normalised dot product, then the two sine weights.
    public func slerp(_ a: [Double], _ b: [Double], _ lambda: Double) throws -> [Double] {
        let dot = zip(a, b).reduce(0) { $0 + $1.0 * $1.1 }
        let norms = (a.reduce(0) { $0 + $1 * $1 } * b.reduce(0) { $0 + $1 * $1 }).squareRoot()
        let theta = acos(max(-1, min(1, dot / norms)))
        let (wa, wb) = (sin((1 - lambda) * theta) / sin(theta), sin(lambda * theta) / sin(theta))
        return zip(a, b).map { wa * $0 + wb * $1 }
    }
}

/// The reference answers to lesson 12.
public struct Lesson12Solution: Lesson12Answers {
    /// Creates the reference answers.
    public init() {}

    /// The Ho & Salimans form.
    public func guidedNoise(conditional: [Double], unconditional: [Double], w: Double) throws -> [Double] {
        zip(conditional, unconditional).map { (1 + w) * $0 - w * $1 }
    }

    /// Softmax probabilities (shifted by the largest logit), then W[y] − Σₖ pₖ·W[k].
    public func logitGradient(weights: [[Double]], bias: [Double], x: [Double], label: Int) throws -> [Double] {
        let z = zip(weights, bias).map { row, b in zip(row, x).reduce(b) { $0 + $1.0 * $1.1 } }
        let top = z.max()!
        let e = z.map { exp($0 - top) }
        let total = e.reduce(0, +)
        return x.indices.map { j in weights[label][j] - weights.indices.reduce(0) { $0 + e[$1] / total * weights[$1][j] } }
    }

    /// The shift s·σ²·g added to μ.
    public func guidedMean(mean: [Double], sigma2: Double, scale: Double, gradient: [Double]) throws -> [Double] {
        zip(mean, gradient).map { $0 + scale * sigma2 * $1 }
    }
}
