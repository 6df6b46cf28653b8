import Foundation
import Testing

@testable import Diffusion
@testable import Evaluation
@testable import Networks
@testable import Sampling
@testable import TensorCore
@testable import Training

@Suite("Clipped x̂₀ (clip_denoised): μ_θ = μ̃ₜ(xₜ, clip(x̂₀)) in the strided sampler and in the bound")
struct ClippingTests {
    /// An ε-network whose x̂₀ often leaves [−1, 1], so clipping changes the answer.
    static func epsilon(_ x: Double) -> Double { 2.5 * x + 0.3 }

    @Test(
        "A clipped respaced DDPM chain is the plain Double loop x ← μ̃′ᵢ(x, clip(x̂₀)) + √β′ᵢ·z (Tensor forms of Eq. 7 and 15), and clipping changes it",
        arguments: [10, 1000])
    func clippedSamplerMatchesHandComputation(steps: Int) throws {
        let s = try NoiseSchedule.cosine()
        let (n, d) = (4, 64)
        let engine = ClosedFormEngine(capacity: n, dimension: d) { x, _, _ in Self.epsilon(x) }
        let tau = s.evenlySpacedSteps(steps)
        let got = try StridedSampler(engine: engine, dimension: d, schedule: s, tau: tau, method: .ddpm(.beta), clipDenoised: true).sample(count: n, seed: 7)
        let plain = try StridedSampler(engine: engine, dimension: d, schedule: s, tau: tau, method: .ddpm(.beta)).sample(count: n, seed: 7)
        // The sampler's draws, in its order: x_T, then z before every step but the last (batch 0 uses seed + 0).
        let r = try s.respaced(on: tau)
        var generator = SeededGenerator(seed: 7)
        var x = [Float](repeating: 0, count: n * d), z = x
        x.withUnsafeMutableBufferPointer { generator.fillNormals($0.baseAddress!, count: n * d) }
        for i in stride(from: tau.count, through: 1, by: -1) {
            if i > 1 { z.withUnsafeMutableBufferPointer { generator.fillNormals($0.baseAddress!, count: n * d) } }
            let xt = x.map(Double.init)
            let eps = xt.map { Double(Float(Self.epsilon($0))) }  // the engine answers in Float
            let x0 = r.x0FromNoise(xt: Tensor(xt), predictedNoise: Tensor(eps), t: i).scalars.map { min(1, max(-1, $0)) }
            let mean = r.posteriorMean(x0: Tensor(x0), xt: Tensor(xt), t: i).scalars
            let sigma = i > 1 ? r.beta(i).squareRoot() : 0
            x = (0..<(n * d)).map { Float(mean[$0] + sigma * Double(z[$0])) }
        }
        // The same operations in another order in Double, rounded to Float each step: ≤ a few Float ulps per step,
        // and the chain contracts (|∂μ/∂x| < 1 once x̂₀ is clipped): 1e−4 absolute.
        let worst = zip(got, x).map { abs($0 - $1) }.max()!
        #expect(worst < 1e-4, "S = \(steps): largest difference \(worst)")
        #expect(zip(got, plain).map { abs($0 - $1) }.max()! > 0.01, "clipping changed nothing at S = \(steps)")
    }

    @Test(
        "The bound with x̂₀ clipped: each L_{t−1} is the Gaussian KL to N(μ̃ₜ(xₜ, clip(x̂₀)), σₜ²) at the evaluator's own xₜ",
        arguments: [2, 3, 500, 1000])
    func clippedBoundTerms(t: Int) throws {
        let s = try NoiseSchedule.cosine()
        let (n, d) = (2, 64)
        let engine = ClosedFormEngine(capacity: n, dimension: d) { x, _, _ in Self.epsilon(x) }
        let images = (0..<(n * d)).map { Float(($0 * 7 % 17) - 8) / 8 }
        let report = VariationalBound(engine: engine, dimension: d, schedule: s, decoder: DiscreteDecoder(levels: 17))
            .evaluate(images, models: [ReverseModel(name: "clipped", mean: .clippedNoise, variance: .beta)], seed: 11)[0]
        // The evaluator's xₜ: its noise for step t comes from SeededGenerator(seed: seed + t), all images at once.
        var generator = SeededGenerator(seed: 11 &+ UInt64(t))
        var noise = [Float](repeating: 0, count: n * d)
        noise.withUnsafeMutableBufferPointer { generator.fillNormals($0.baseAddress!, count: n * d) }
        var total = 0.0
        for k in 0..<(n * d) {
            let x0 = Double(images[k])
            let xt = s.sqrtAlphaBar(t) * x0 + s.sqrtOneMinusAlphaBar(t) * Double(noise[k])  // Double; the network sees Float(xₜ)
            let e = Double(Float(Self.epsilon(Double(Float(xt)))))
            let clipped = min(1, max(-1, (xt - s.sqrtOneMinusAlphaBar(t) * e) / s.sqrtAlphaBar(t)))
            let target = s.posteriorMean(x0: Tensor([x0]), xt: Tensor([xt]), t: t).scalars[0]
            let model = s.posteriorMean(x0: Tensor([clipped]), xt: Tensor([xt]), t: t).scalars[0]
            total += GaussianKL.divergence(mean1: target, variance1: s.betaTilde(t), mean2: model, variance2: s.beta(t))
        }
        let expected = total / (Double(n * d) * log(2))
        // Float inputs to the network, Double elsewhere: agreement to 1e−9 relative of the term.
        expectClose(report.terms[t - 1], expected, relative: 1e-9, absolute: 1e-15, "L_{t−1} at t = \(t)")
    }
}
