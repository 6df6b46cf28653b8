import Foundation
import Testing

@testable import Diffusion
@testable import Evaluation
@testable import Networks
@testable import Sampling
@testable import TensorCore
@testable import Training

@Suite("Nichol & Dhariwal 2021: the interpolated variance, L_hybrid's stop-gradient, samplers and bounds with a learned Σ")
struct LearnedVarianceTests {
    static let schedules = [try! NoiseSchedule.linear(), try! NoiseSchedule.cosine()]
    static let decoder = DiscreteDecoder(levels: 17)

    @Test(
        "Σ_θ = exp(v·log βₜ + (1 − v)·log β̃ₜ) lies between β̃ₜ and βₜ for v ∈ [0, 1], is β̃ₜ at v = 0 and βₜ at v = 1",
        arguments: [1, 2, 10, 500, 999, 1000])
    func interpolatedVarianceLiesBetween(t: Int) {
        for s in Self.schedules {
            // At t = 1, β̃₁ = 0 is replaced by β̃₂ (improved-diffusion's clipped log variance).
            let low = t == 1 ? s.betaTilde(2) : s.betaTilde(t)
            let high = s.beta(t)
            var previous = 0.0
            for v in stride(from: 0.0, through: 1.0, by: 0.125) {
                let sigma2 = exp(Objective.Variance.interpolated.logVariance(t: t, v: v, schedule: s))
                // exp of a log: a few ulps of relative error (3e−16 per operation, the log of β ~ 10 in size → ~1e−14).
                #expect(sigma2 >= low * (1 - 1e-13) && sigma2 <= high * (1 + 1e-13), "t = \(t), v = \(v): Σ = \(sigma2) outside [\(low), \(high)]")
                #expect(sigma2 >= previous, "Σ decreases in v at t = \(t)")
                previous = sigma2
            }
            expectClose(exp(Objective.Variance.interpolated.logVariance(t: t, v: 0, schedule: s)), low, relative: 1e-13, "v = 0 at t = \(t)")
            expectClose(exp(Objective.Variance.interpolated.logVariance(t: t, v: 1, schedule: s)), high, relative: 1e-13, "v = 1 at t = \(t)")
            // The geometric mean at v = ½: the power form √(β·β̃).
            expectClose(exp(Objective.Variance.interpolated.logVariance(t: t, v: 0.5, schedule: s)), (high * low).squareRoot(), relative: 1e-13, "v = ½ at t = \(t)")
        }
    }

    /// L_hybrid by its definition, through functions other than `Objective.loss`: ‖ε − o‖² plus λ·T/ln 2 times
    /// the bound's term at the mean μ = μ_θ(`frozen`), the output held fixed (the stop-gradient), Σ from v.
    static func hybridDefinition(o: Double, frozen: Double, v: Double, x0: Double, xt: Double, noise: Double, t: Int, schedule s: NoiseSchedule) -> Double {
        let mu = s.meanFromNoise(xt: Tensor([xt]), predictedNoise: Tensor([frozen]), t: t).scalars[0]
        let low = t == 1 ? s.betaTilde(2) : s.betaTilde(t)
        let sigma2 = pow(s.beta(t), v) * pow(low, 1 - v)
        let vlb =
            t == 1
            ? -decoder.logProbability(level: decoder.level(nearest: x0), mean: mu, standardDeviation: sigma2.squareRoot())
            : GaussianKL.divergence(mean1: s.posteriorMean(x0: Tensor([x0]), xt: Tensor([xt]), t: t).scalars[0], variance1: s.betaTilde(t), mean2: mu, variance2: sigma2)
        return (noise - o) * (noise - o) + 0.001 * Double(s.steps) / log(2) * vlb
    }

    @Test(
        "L_hybrid: its loss is the definition, ∂/∂ε_θ is L_simple's 2(ε_θ − ε) alone (the mean's gradient stopped), ∂/∂v matches central differences",
        arguments: [1, 2, 10, 500, 1000])
    func hybridStopsTheMeanGradient(t: Int) {
        var rng = SeededGenerator(seed: 40 + UInt64(t))
        var meanGradientSeen = 0.0
        for s in Self.schedules {
            for _ in 0..<20 {
                let x0 = Double(rng.integer(in: 0...16)) / 8 - 1
                let noise = rng.normal()
                let xt = s.sqrtAlphaBar(t) * x0 + s.sqrtOneMinusAlphaBar(t) * noise
                let o = noise + 0.05 * rng.normal()
                let v = rng.uniform(-0.2, 1.2)
                let (loss, dOutput, dVariance) = Objective.hybrid.loss(output: o, varianceOutput: v, x0: x0, xt: xt, noise: noise, t: t, schedule: s, decoder: Self.decoder)
                let expected = Self.hybridDefinition(o: o, frozen: o, v: v, x0: x0, xt: xt, noise: noise, t: t, schedule: s)
                // Two Double evaluations of the same quantity by different formulas (Σ via exp-log and via pow): 1e−9 relative.
                expectClose(loss, expected, relative: 1e-9, absolute: 1e-12, "L_hybrid at t = \(t)")
                #expect(dOutput == 2 * (o - noise), "∂/∂ε_θ at t = \(t): \(dOutput), L_simple's \(2 * (o - noise))")
                // Central differences in v (μ fixed): h = 1e−5, truncation O(h²) and rounding O(1e−16·L/h) ≪ 1e−4 relative.
                let h = 1e-5
                let numeric =
                    (Self.hybridDefinition(o: o, frozen: o, v: v + h, x0: x0, xt: xt, noise: noise, t: t, schedule: s)
                        - Self.hybridDefinition(o: o, frozen: o, v: v - h, x0: x0, xt: xt, noise: noise, t: t, schedule: s)) / (2 * h)
                expectClose(dVariance, numeric, relative: 1e-4, absolute: 1e-6 * (abs(loss) + 1), "∂/∂v at t = \(t)")
                // Without the stop-gradient the o-derivative would carry the bound's mean term too: measure how large it is,
                // so the exact-equality check above is known to tell the two apart.
                let full =
                    (Self.hybridDefinition(o: o + h, frozen: o + h, v: v, x0: x0, xt: xt, noise: noise, t: t, schedule: s)
                        - Self.hybridDefinition(o: o - h, frozen: o - h, v: v, x0: x0, xt: xt, noise: noise, t: t, schedule: s)) / (2 * h)
                meanGradientSeen = max(meanGradientSeen, abs(full - 2 * (o - noise)))
            }
        }
        // At t = 1 the decoder's mean sits deep inside its bin (an output error of 0.05 moves μ by √β₁·0.05 ≈ 5e−4,
        // the bin's half-width is 0.0625), so there the bound's mean gradient is ~1e−8 and not a useful contrast.
        if t > 1 { #expect(meanGradientSeen > 1e-3, "the bound's mean gradient is never visible at t = \(t) (largest \(meanGradientSeen))") }
    }

    @Test(
        "The strided sampler with a learned Σ at v ≡ 1 is respaced DDPM with σ² = β′, at v ≡ 0 with σ² = β̃′ (S = 10, 1000)",
        arguments: [10, 1000])
    func stridedLearnedVarianceReducesToFixed(steps: Int) throws {
        let s = try NoiseSchedule.cosine()
        let epsilon = { (x: Double, t: Int) in 0.4 * x - 0.001 * Double(t % 7) }
        let plain = ClosedFormEngine(capacity: 8, dimension: 64) { x, t, _ in epsilon(x, t) }
        let tau = s.evenlySpacedSteps(steps)
        for (v, fixed) in [(1.0, ReverseVariance.beta), (0.0, .betaTilde)] {
            let learned = ClosedFormEngine(capacity: 8, dimension: 64, outputDimension: 128) { x, t, i in i < 64 ? epsilon(x, t) : v }
            let a = try StridedSampler(engine: plain, dimension: 64, schedule: s, tau: tau, method: .ddpm(fixed)).sample(count: 8, seed: 5)
            let b = try StridedSampler(engine: learned, dimension: 64, outputDimension: 128, schedule: s, tau: tau, method: .ddpmLearned(.interpolated)).sample(count: 8, seed: 5)
            // The same z and the same μ; σ through exp(½·log) instead of √: relative ~1e−15 per step, in Float chains of ≤ 1000 steps.
            let worst = zip(a, b).map { abs($0 - $1) }.max()!
            #expect(worst < 1e-4, "v = \(v), S = \(steps): largest difference \(worst)")
            // And the 2-channel network sampled with a fixed variance reads only its first channel.
            let c = try StridedSampler(engine: learned, dimension: 64, outputDimension: 128, schedule: s, tau: tau, method: .ddpm(fixed)).sample(count: 8, seed: 5)
            #expect(a == c, "the first channel of a 2-channel output, S = \(steps)")
        }
    }

    @Test("Algorithm 2 and the bound with an interpolated Σ at v ≡ 1 are those with σ² = β (t = 1 included), at v ≡ 0 σ² = β̃ (t ≥ 2)")
    func fullChainAndBoundWithInterpolatedVariance() {
        let s = Self.schedules[1]
        let epsilon = { (x: Double, t: Int) in 0.3 * x }
        let plain = ClosedFormEngine(capacity: 8, dimension: 64) { x, t, _ in epsilon(x, t) }
        let images = (0..<(3 * 64)).map { Float(($0 % 17) - 8) / 8 }
        let fixedBeta = VariationalBound(engine: plain, dimension: 64, schedule: s, decoder: Self.decoder)
            .evaluate(images, models: [ReverseModel(name: "β", mean: .noise, variance: .beta), ReverseModel(name: "β̃", mean: .noise, variance: .betaTilde)], seed: 3)
        let net = UNet(ch: 8, outputChannels: 2)
        for (v, reference) in [(1.0, fixedBeta[0]), (0.0, fixedBeta[1])] {
            let learned = ClosedFormEngine(capacity: 8, dimension: 64, outputDimension: 128) { x, t, i in i < 64 ? epsilon(x, t) : v }
            let report = VariationalBound(engine: learned, dimension: 64, outputDimension: 128, schedule: s, decoder: Self.decoder)
                .evaluate(images, models: [ReverseModel(name: "Σ_θ", mean: .noise, variance: .interpolated)], seed: 3)[0]
            // The same xₜ and means; σ² via exp(log) instead of the stored value: 1e−9 relative per term. At t = 1 with
            // v = 0 the learned decoder uses β̃₂, the fixed one β₁: that term is skipped for v = 0.
            for t in (v == 1 ? [1, 2, 3, 100, 1000] : [2, 3, 100, 1000]) {
                expectClose(report.terms[t - 1], reference.terms[t - 1], relative: 1e-7, absolute: 1e-12, "v = \(v), term at t = \(t)")
            }
            // The chains on the linear schedule: the cosine one's β_T = 0.999 amplifies rounding by 1/√α_T ≈ 32 in the first step.
            let linear = Self.schedules[0]
            let a = NetworkSampler(
                network: UNet(ch: 8), parameters: [Float](repeating: 0, count: UNet(ch: 8).layout.count), engine: plain,
                schedule: linear, variance: v == 1 ? .beta : .betaTilde
            ).sample(count: 8, seed: 6).samples
            let b = NetworkSampler(
                network: net, parameters: [Float](repeating: 0, count: net.layout.count), engine: learned, schedule: linear,
                learnedVariance: .interpolated
            ).sample(count: 8, seed: 6).samples
            // Float chain against the Double general step, same z: rounding only (see ObjectiveTests).
            #expect(zip(a, b).map { abs($0 - $1) }.max()! < 1e-3, "v = \(v)")
        }
    }

    @Test(
        "The ideal denoiser of a finite data set is Bayes: for the two points ±1, x̂₀* = tanh(√ᾱₜ·xₜ/(1 − ᾱₜ)); for one point, ε* is the true noise",
        arguments: [1, 10, 200, 700, 1000])
    func idealDenoiserIsBayes(t: Int) {
        let s = Self.schedules[0]
        let pair = EmpiricalDenoiser(points: [-1, 1], dimension: 1)
        var rng = SeededGenerator(seed: UInt64(t) &+ 9)
        for _ in 0..<20 {
            let xt = s.sqrtAlphaBar(t) * (rng.uniform() < 0.5 ? -1 : 1) + s.sqrtOneMinusAlphaBar(t) * rng.normal()
            let expected = tanh(s.sqrtAlphaBar(t) * xt / s.oneMinusAlphaBar(t))
            // Weights from shifted exponentials, summed and divided: a few ulps (≤ 1e−14 absolute on values ≤ 1).
            expectClose(pair.predictedX0(xt: [xt], t: t, schedule: s)[0], expected, relative: 1e-12, absolute: 1e-14, "t = \(t), xₜ = \(xt)")
        }
        let point = (0..<4).map { _ in rng.normal() }
        let one = EmpiricalDenoiser(points: point, dimension: 4)
        let noise = (0..<4).map { _ in rng.normal() }
        let xt = (0..<4).map { s.sqrtAlphaBar(t) * point[$0] + s.sqrtOneMinusAlphaBar(t) * noise[$0] }
        for (got, expected) in zip(one.optimalNoise(xt: xt, t: t, schedule: s), noise) {
            // (xₜ − √ᾱ·x)/√(1 − ᾱ) with xₜ built from the same terms: cancellation at t = 1 costs ~1e−16/√β₁ = 1e−14 relative.
            expectClose(got, expected, relative: 1e-10, absolute: 1e-10, "one point, t = \(t)")
        }
    }

    @Test(
        "The ideal denoiser's weights are Bayes' rule for points of different norms (Eq. 4's Gaussian densities, normalised)",
        arguments: [1, 10, 200, 700, 1000])
    func idealDenoiserWeightsAreBayes(t: Int) {
        let s = Self.schedules[0]
        // Four 2-D points with norms 0, √5, √9.25 and √8: a term in ‖x⁽ⁱ⁾‖² does not cancel from the weights.
        let points: [Double] = [0, 0, 1, 2, -3, 0.5, 2, -2]
        let denoiser = EmpiricalDenoiser(points: points, dimension: 2)
        var rng = SeededGenerator(seed: UInt64(t) &+ 31)
        for _ in 0..<10 {
            let source = rng.integer(in: 0...3)
            let xt = (0..<2).map { s.sqrtAlphaBar(t) * points[2 * source + $0] + s.sqrtOneMinusAlphaBar(t) * rng.normal() }
            // Bayes with a uniform prior: wᵢ ∝ ∏ⱼ N(xₜⱼ; √ᾱₜ·x⁽ⁱ⁾ⱼ, 1 − ᾱₜ), each density written out.
            let variance: Double = 1 - s.alphaBar(t)
            let mean: Double = s.alphaBar(t).squareRoot()
            var densities: [Double] = []
            for i in 0..<4 {
                var density = 1.0
                for j in 0..<2 {
                    let d: Double = xt[j] - mean * points[2 * i + j]
                    density *= Foundation.exp(-d * d / (2 * variance)) / (2 * Double.pi * variance).squareRoot()
                }
                densities.append(density)
            }
            let total: Double = densities.reduce(0, +)
            // The two computations round differently (a shifted exponent against a direct density): a few ulps,
            // 1e-12 relative to the largest weight.
            for (got, density) in zip(denoiser.weights(xt: xt, t: t, schedule: s), densities) {
                expectClose(got, density / total, absolute: 1e-12, "t = \(t), xₜ = \(xt)")
            }
        }
    }
}
