import Foundation
import Testing

@testable import Diffusion
@testable import Evaluation
@testable import Networks
@testable import Sampling
@testable import TensorCore
@testable import Training

/// An engine whose output is a closed form f(x, t, i) of the input value x at coordinate i mod
/// `dimension`, computed in Double and returned in Float (i runs over `outputDimension` outputs).
final class ClosedFormEngine: DenoisingEngine {
    let capacity: Int
    let dimension: Int
    let outputDimension: Int
    let noise: (_ x: Double, _ t: Int, _ i: Int) -> Double
    var output: [Float]

    init(capacity: Int, dimension: Int, outputDimension: Int? = nil, noise: @escaping (Double, Int, Int) -> Double) {
        self.capacity = capacity
        self.dimension = dimension
        self.outputDimension = outputDimension ?? dimension
        self.noise = noise
        output = [Float](repeating: 0, count: capacity * self.outputDimension)
    }

    func load(_ parameters: [Float]) {}

    func forward(_ x: UnsafePointer<Float>, steps t: [Int]) -> UnsafePointer<Float> {
        for n in t.indices {
            for i in 0..<outputDimension { output[n * outputDimension + i] = Float(noise(Double(x[n * dimension + i % dimension]), t[n], i)) }
        }
        return output.withUnsafeBufferPointer { $0.baseAddress! }
    }

    func backward(_ gradOutput: UnsafePointer<Float>, images: Int, into gradients: UnsafeMutablePointer<Float>) {}
}

@Suite("The bound L in bits/dim (Eq. 5, 8, 12, 13) and progressive coding (Sec. 4.3)")
struct BoundTests {
    static let schedule = try! NoiseSchedule.linear()
    static let decoder = DiscreteDecoder(levels: 17)

    @Test("Eq. 8 = Eq. 12: L_{t−1} of an ε-prediction is C + βₜ²/(2σₜ²αₜ(1 − ᾱₜ))·‖ε − ε_θ‖²", arguments: [2, 3, 10, 500, 1000])
    func reverseTermIsTheWeightedNoiseError_eq12(t: Int) {
        let s = Self.schedule
        var rng = SeededGenerator(seed: UInt64(t))
        let d = 64
        let x0 = (0..<d).map { _ in Double(rng.integer(in: 0...16)) / 8 - 1 }
        let eps = (0..<d).map { _ in rng.normal() }
        let predicted = (0..<d).map { eps[$0] + 0.3 * rng.normal() }
        let xt = (0..<d).map { s.sqrtAlphaBar(t) * x0[$0] + s.sqrtOneMinusAlphaBar(t) * eps[$0] }
        let mean = s.meanFromNoise(xt: Tensor(xt), predictedNoise: Tensor(predicted), t: t).scalars
        let error = zip(eps, predicted).reduce(0.0) { $0 + ($1.0 - $1.1) * ($1.0 - $1.1) }
        for variance in ReverseVariance.allCases {
            let sigma2 = s.sigma2(t, variance)
            let expected = GaussianKL.eq8Constant(dimensions: d, betaTilde: s.betaTilde(t), sigma2: sigma2) + s.lossWeight(t, variance) * error
            // μ̃ − μ_θ is a difference of O(1) numbers of size ~ coefficient·|Δε| ≥ 1e−3: its square
            // keeps ≥ 10 of Double's 16 digits.
            expectClose(s.reverseTerm(x0: x0, xt: xt, modelMean: mean, t: t, sigma2: sigma2), expected, relative: 1e-9, "\(variance)")
        }
    }

    @Test("L_T equals a Monte Carlo estimate of KL(q(x_T∣x₀) ‖ N(0, I)) (T = 20, so the KL is not tiny; 5σ)")
    func priorTermMatchesMonteCarlo_LT() throws {
        let s = try NoiseSchedule.linear(steps: 20, betaStart: 1e-4, betaEnd: 0.02)
        let x0 = [0.8, -0.3, 1.0, 0]
        let (m, v) = (s.sqrtAlphaBar(20), s.oneMinusAlphaBar(20))
        var rng = SeededGenerator(seed: 5)
        let n = 200_000
        var sum = 0.0, squares = 0.0
        for _ in 0..<n {
            var logRatio = 0.0
            for x in x0 {
                let y = m * x + v.squareRoot() * rng.normal()
                logRatio += -0.5 * log(v) - (y - m * x) * (y - m * x) / (2 * v) + y * y / 2
            }
            sum += logRatio
            squares += logRatio * logRatio
        }
        let mean = sum / Double(n)
        let sd = (squares / Double(n) - mean * mean).squareRoot()
        // The Monte Carlo mean's standard error is sd/√n; 5 of them (P ≈ 6e−7 of a false alarm).
        expectClose(s.priorKL(x0: Tensor(x0)), mean, absolute: 5 * sd / Double(n).squareRoot())
    }

    @Test("Sec. 3.2: for a one-point data set and its exact ε*, every L_{t−1} is 0 under σ² = β̃ (and the Eq. 8 constant under σ² = β)")
    func pointMassTermsVanish_sec32() {
        let s = Self.schedule
        let point = (0..<64).map { Double($0 % 17) / 8 - 1 }
        let engine = ClosedFormEngine(capacity: 4, dimension: 64) { x, t, i in (x - s.sqrtAlphaBar(t) * point[i]) / s.sqrtOneMinusAlphaBar(t) }
        let bound = VariationalBound(engine: engine, dimension: 64, schedule: s, decoder: Self.decoder)
        let reports = bound.evaluate(
            (0..<3).flatMap { _ in point.map(Float.init) },
            models: [
                ReverseModel(name: "β̃", mean: .noise, variance: .betaTilde), ReverseModel(name: "β", mean: .noise, variance: .beta),
            ], seed: 1)
        let bits = 1 / (64 * log(2.0))
        for t in 2...s.steps {
            // ε* from a Float xₜ is off by ≤ 2⁻²⁴·(|xₜ| + 1)/√(1 − ᾱₜ) ≈ 2e−6 at t = 2, where Eq. 12's weight
            // is ≈ 0.6: ≤ 64 · 0.6 · (2e−6)² ≈ 2e−10 nats, 5e−12 bits/dim. 1e−8 bounds every t.
            expectClose(reports[0].terms[t - 1], 0, absolute: 1e-8, "σ² = β̃ at t = \(t)")
            let constant = GaussianKL.eq8Constant(dimensions: 64, betaTilde: s.betaTilde(t), sigma2: s.beta(t)) * bits
            expectClose(reports[1].terms[t - 1], constant, relative: 1e-6, absolute: 1e-8, "σ² = β at t = \(t)")
        }
        // L₀: x̂₀ is the level to ~1e−6, 6.25σ₁ from either edge: −log P ≤ 2Φ(−6.2) ≈ 6e−10 nats per pixel.
        expectClose(reports[0].decoderTerm, 0, absolute: 1e-9)
        expectClose(reports[0].prior, s.priorBitsPerDimension(x0: Tensor(point)), relative: 1e-12)
    }

    /// x₀ ~ N(0, I) has ε*(xₜ, t) = E[ε ∣ xₜ] = √(1 − ᾱₜ)·xₜ, and its true reverse step is N(√αₜ·xₜ, βₜ):
    /// the ε-model with σₜ² = βₜ is the data's own diffusion (and q(x_T) = N(0, I) exactly).
    static func gaussianReport(images: Int, seed: UInt64) -> (report: VariationalBound.Report, x0: [[Double]]) {
        let s = schedule
        let fine = DiscreteDecoder(levels: 2_001)
        var rng = SeededGenerator(seed: seed)
        // Values of magnitude 0.7…0.95, so E[x₀²] > ½: then the mean squared error of x̂₀, E[(1 − ᾱ)²x₀²] + ᾱ(1 − ᾱ),
        // rises with t (its derivative in ᾱ, 1 − 2ᾱ − 2(1 − ᾱ)·E[x₀²], is negative on all of [0, 1]).
        let x0 = (0..<images).map { _ in
            (0..<64).map { _ in
                fine.value(ofLevel: fine.level(nearest: (rng.uniform() < 0.5 ? -1 : 1) * rng.uniform(0.7, 0.95)))
            }
        }
        let engine = ClosedFormEngine(capacity: 16, dimension: 64) { x, t, _ in s.sqrtOneMinusAlphaBar(t) * x }
        let bound = VariationalBound(engine: engine, dimension: 64, schedule: s, decoder: fine)
        let report = bound.evaluate(x0.flatMap { $0.map(Float.init) }, models: [ReverseModel(name: "exact", mean: .noise, variance: .beta)], seed: seed)[0]
        return (report, x0)
    }

    @Test("For N(0, I) data and its exact reverse process, the bound equals −log₂ P(x₀) of the discretised Gaussian")
    func exactModelBoundIsTheLikelihood_eq5() {
        let (report, x0) = Self.gaussianReport(images: 256, seed: 3)
        let fine = DiscreteDecoder(levels: 2_001)
        // −log P(bin) = −log(2h·φ(v)) up to O(h²) = 2.5e−7 relative: the continuous density is exact here.
        let nll = x0.map { image in image.reduce(0.0) { $0 - log(2 * fine.halfWidth * exp(-$1 * $1 / 2) / (2 * Double.pi).squareRoot()) } / (64 * log(2.0)) }
        let differences = zip(report.imageTotals, nll).map { $0 - $1 }
        let mean = differences.reduce(0, +) / Double(differences.count)
        let sd = (differences.reduce(0) { $0 + ($1 - mean) * ($1 - mean) } / Double(differences.count - 1)).squareRoot()
        // The bound is tight in expectation (p(x₁:T∣x₀) = q(x₁:T∣x₀)); each image's terms are random
        // (fresh xₜ per t; about 0.2 bits/dim per image, mostly L₀'s χ²): 5 standard errors of 256 images,
        // ≈ 0.07 bits/dim, below the 0.11 that a decoder variance of β̃₂ instead of β₁ would add. The decoder's bins (h = 5e−4) against σ₁ = 0.01 add a
        // midpoint error of (h/σ₁)²/6·|z² − 1| ≤ 1.3e−3 nats a pixel, 2e−3 bits/dim.
        #expect(abs(mean) <= 5 * sd / Double(differences.count).squareRoot() + 2e-3, "bound − NLL = \(mean) ± \(sd / Double(differences.count).squareRoot()) bits/dim")
    }

    @Test("Sec. 4.3: distortion of x̂₀ (Eq. 15) is (1 − ᾱₜ)²x₀² + ᾱₜ(1 − ᾱₜ) for N(0, I) data, rising with t; rate falls with t")
    func rateAndDistortion_sec43() {
        let s = Self.schedule
        let (report, x0) = Self.gaussianReport(images: 32, seed: 4)
        let values = x0.flatMap { $0 }
        var previous = -1.0
        for t in [1, 10, 100, 300, 600, 1000] {
            let (a, v) = (s.alphaBar(t), s.oneMinusAlphaBar(t))
            // x̂₀ − x₀ = −(1 − ᾱ)x₀ + √(ᾱ(1 − ᾱ))·ε: Gaussian with mean m and variance w, so
            // (x̂₀ − x₀)² has mean m² + w and variance 2w² + 4m²w; 5 standard errors over 2,048 pixels.
            let expected = values.reduce(0.0) { $0 + v * v * $1 * $1 + a * v } / Double(values.count)
            let spread = values.reduce(0.0) { $0 + 2 * a * v * a * v + 4 * v * v * $1 * $1 * a * v } / Double(values.count)
            expectClose(report.squaredError[t - 1], expected, absolute: 5 * (spread / Double(values.count)).squareRoot(), "t = \(t)")
            #expect(report.squaredError[t - 1] > previous)
            previous = report.squaredError[t - 1]
        }
        for t in 0..<s.steps { #expect(report.rate(at: t) >= report.rate(at: t + 1), "rate at \(t) below rate at \(t + 1)") }
        expectClose(report.rate(at: 0), report.total, relative: 1e-12)
        expectClose(report.rate(at: s.steps), report.prior, relative: 1e-12)
    }

    @Test("The level posterior's mean is E[x₀ ∣ x̂₀]: Monte Carlo Bayes on a grid of readings (5σ)")
    func levelPosteriorIsBayes() {
        let decoder = DiscreteDecoder(levels: 17)
        let prior = (0..<17).map { k in k == 0 ? 8.0 : 1 + Double(k % 3) }
        let posterior = LevelPosterior(decoder: decoder, prior: prior)
        let total = prior.reduce(0, +)
        var rng = SeededGenerator(seed: 11)
        let s = 0.05
        let probes = [-0.97, -0.6, 0.01, 0.33]
        var sums = [Double](repeating: 0, count: probes.count), squares = sums, counts = sums
        for _ in 0..<2_000_000 {
            var u = rng.uniform() * total
            var k = 0
            while u > prior[k] && k < 16 { u -= prior[k]; k += 1 }
            let x0 = decoder.value(ofLevel: k)
            let reading = x0 + s * rng.normal()
            for (j, probe) in probes.enumerated() where abs(reading - probe) < 0.002 {
                sums[j] += x0
                squares[j] += x0 * x0
                counts[j] += 1
            }
        }
        for (j, probe) in probes.enumerated() {
            let mean = sums[j] / counts[j]
            let sd = (squares[j] / counts[j] - mean * mean).squareRoot()
            // Averaging over readings within w = 0.002 of the probe instead of at it biases the mean by
            // about x̄₀′·E[r − probe] + ½·x̄₀″·w²/3, with x̄₀′ = Var(x₀∣r)/s² ≤ (0.0625/0.05)² ≈ 1.6,
            // x̄₀″ ≲ x̄₀′/s ≈ 30 and |E[r − probe]| ≲ w²/(3s) ≈ 3e−5: under 1e−4. 1e−3 leaves room.
            expectClose(posterior.mean(estimate: probe, errorVariance: s * s), mean, absolute: 5 * sd / counts[j].squareRoot() + 1e-3, "reading \(probe)")
        }
        // s → 0 snaps to the nearest level; s → ∞ gives the prior mean.
        expectClose(posterior.mean(estimate: 0.3, errorVariance: 1e-8), decoder.value(ofLevel: decoder.level(nearest: 0.3)), absolute: 1e-12)
        let priorMean = (0..<17).reduce(0.0) { $0 + prior[$1] * decoder.value(ofLevel: $1) } / total
        expectClose(posterior.mean(estimate: 0.3, errorVariance: 1e8), priorMean, absolute: 1e-6)
    }
}
