import Foundation
import Testing

@testable import Diffusion
@testable import Evaluation
@testable import Networks
@testable import Sampling
@testable import TensorCore
@testable import Training

@Suite("Faster sampling: respaced DDPM and DDIM (Nichol & Dhariwal 2021, Song et al. 2021)")
struct FastSamplingTests {
    static let schedule = try! NoiseSchedule.linear()

    @Test(
        "The respaced schedule reproduces ᾱ on τ (evenly spaced and irregular), and τ = 1…T gives back the βs",
        arguments: [[10], [50], [250], [1, 2, 3, 17, 400, 999, 1000]])
    func respacedScheduleReproducesAlphaBar(spec: [Int]) throws {
        let s = Self.schedule
        let tau = spec.count == 1 ? s.evenlySpacedSteps(spec[0]) : spec
        #expect(tau.count == (spec.count == 1 ? spec[0] : spec.count) && tau.last == 1000 && zip(tau, tau.dropFirst()).allSatisfy { $0 < $1 })
        let r = try s.respaced(on: tau)
        for (i, t) in tau.enumerated() {
            // ᾱ′ is re-accumulated from β′ = −expm1(Δ log ᾱ): a few ulps per step, ≤ 1e−13 relative over ≤ 1000 steps.
            expectClose(r.alphaBar(i + 1), s.alphaBar(t), relative: 1e-13, "ᾱ′ at i = \(i + 1), τ = \(t)")
            expectClose(r.oneMinusAlphaBar(i + 1), s.oneMinusAlphaBar(t), relative: 1e-12, "1 − ᾱ′ at τ = \(t)")
        }
        let full = try s.respaced(on: Array(1...1000))
        for t in [1, 2, 500, 1000] { expectClose(full.beta(t), s.beta(t), relative: 1e-12, "β at t = \(t)") }
        #expect(throws: ScheduleError.invalidSubsequence(count: 3, steps: 1000)) { try s.respaced(on: [5, 5, 9]) }
        #expect(throws: ScheduleError.invalidSubsequence(count: 2, steps: 1000)) { try s.respaced(on: [0, 9]) }
        #expect(throws: ScheduleError.invalidSubsequence(count: 0, steps: 1000)) { try s.respaced(on: []) }
    }

    @Test(
        "DDIM keeps DDPM's marginals: composing q(xₜ∣x₀) with q_σ(xₛ∣xₜ, x₀) gives N(√ᾱₛ·x₀, 1 − ᾱₛ) for every η",
        arguments: [0.0, 0.5, 1.0])
    func ddimKeepsTheMarginals(eta: Double) {
        let s = Self.schedule
        for (t, prev) in [(1000, 900), (500, 499), (37, 2), (10, 0), (2, 1)] {
            for x0 in [-0.8, 0.3] {
                // With the true noise ε = (xₜ − √ᾱₜx₀)/√(1 − ᾱₜ), the step is affine in (ε, z): read off its
                // constant and coefficients, then compose with ε, z ~ N(0, 1) independent.
                func step(_ e: Double, _ z: Double) -> Double {
                    let xt = s.sqrtAlphaBar(t) * x0 + s.sqrtOneMinusAlphaBar(t) * e
                    return s.ddimStep(xt: xt, predictedNoise: e, from: t, to: prev, eta: eta, noise: z)
                }
                let constant = step(0, 0)
                let (ce, cz) = (step(1, 0) - constant, step(0, 1) - constant)
                expectClose(constant, s.sqrtAlphaBar(prev) * x0, relative: 1e-12, absolute: 1e-15, "mean, t = \(t) → \(prev)")
                expectClose(ce * ce + cz * cz, s.oneMinusAlphaBar(prev), relative: 1e-9, absolute: 1e-15, "variance, t = \(t) → \(prev)")
            }
        }
    }

    @Test(
        "DDIM with η = 1 on consecutive steps is Algorithm 2 with σ² = β̃ₜ, step by step (t = 1 adds no noise)",
        arguments: [1, 2, 10, 500, 1000])
    func ddimEtaOneIsAlgorithm2(t: Int) {
        let s = Self.schedule
        var rng = SeededGenerator(seed: UInt64(t))
        for _ in 0..<10 {
            let (xt, eps, z) = (rng.normal(), rng.normal(), rng.normal())
            let mean = s.meanFromNoise(xt: Tensor([xt]), predictedNoise: Tensor([eps]), t: t).scalars[0]
            let expected = mean + (t > 1 ? s.betaTilde(t).squareRoot() * z : 0)
            // Two algebraically equal forms in Double: 1e−10 relative to the values' size.
            expectClose(s.ddimStep(xt: xt, predictedNoise: eps, from: t, to: t - 1, eta: 1, noise: z), expected, relative: 1e-10, absolute: 1e-12)
        }
    }

    @Test("With the exact ε* of N(0, I) data, the DDIM round trip x₀ → x_T → x₀ loses less as S grows")
    func roundTripErrorFallsWithSteps() throws {
        let s = Self.schedule
        let engine = ClosedFormEngine(capacity: 16, dimension: 64) { x, t, _ in s.sqrtOneMinusAlphaBar(t) * x }
        var rng = SeededGenerator(seed: 31)
        let x0 = (0..<(8 * 64)).map { _ in Float(rng.normal() * 0.7) }
        var errors: [Double] = []
        for steps in [10, 50, 250, 1000] {
            let sampler = try StridedSampler(engine: engine, dimension: 64, schedule: s, tau: s.evenlySpacedSteps(steps), method: .ddim(eta: 0))
            let back = sampler.decode(sampler.encode(x0, count: 8), count: 8, seed: 0)
            errors.append((zip(back, x0).reduce(0.0) { $0 + Double(($1.0 - $1.1) * ($1.0 - $1.1)) } / Double(x0.count)).squareRoot())
        }
        #expect(zip(errors, errors.dropFirst()).allSatisfy { $0 > $1 }, "round-trip RMS errors \(errors)")
        #expect(errors.last! < 0.05 * errors.first!, "round-trip RMS errors \(errors)")
    }

    @Test("Respaced DDPM on the full sequence is Algorithm 2: the same samples as NetworkSampler")
    func respacedFullSequenceIsAlgorithm2() throws {
        let s = Self.schedule
        let engine = ClosedFormEngine(capacity: 8, dimension: 64) { x, t, i in 0.5 * x + 0.01 * Double(i % 3) }
        let net = UNet(ch: 8)
        for variance in ReverseVariance.allCases {
            let strided = try StridedSampler(engine: engine, dimension: 64, schedule: s, tau: Array(1...1000), method: .ddpm(variance)).sample(count: 8, seed: 9)
            let full = NetworkSampler(network: net, parameters: [Float](repeating: 0, count: net.layout.count), engine: engine, schedule: s, variance: variance)
                .sample(count: 8, seed: 9).samples
            // Same z, same ε; the strided update runs in Double, the full one in Float: rounding only.
            #expect(zip(strided, full).map { abs($0 - $1) }.max()! < 1e-3, "\(variance)")
        }
    }

    @Test("For a one-point data set and its exact ε*, every strided sampler ends at the point (x̂₀ is exact at every step)", arguments: [10, 37])
    func stridedSamplersFindThePoint(steps: Int) throws {
        let s = Self.schedule
        let point = (0..<64).map { Double($0 % 9) / 4 - 1 }
        let engine = ClosedFormEngine(capacity: 4, dimension: 64) { x, t, i in (x - s.sqrtAlphaBar(t) * point[i]) / s.sqrtOneMinusAlphaBar(t) }
        for method in [StridedSampler.Method.ddpm(.beta), .ddpm(.betaTilde), .ddim(eta: 0), .ddim(eta: 1)] {
            let samples = try StridedSampler(engine: engine, dimension: 64, schedule: s, tau: s.evenlySpacedSteps(steps), method: method).sample(count: 4, seed: 3)
            // The last step returns μ = x̂₀ = the point, computed from a Float x: ε* carries ~1e−7·|x|/√(1 − ᾱ)
            // and x̂₀ = (x − √(1 − ᾱ)ε*)/√ᾱ at τ₁ ≥ 100 for S ≤ 10 … 37: errors well below 1e−4.
            let worst = (0..<samples.count).map { abs(Double(samples[$0]) - point[$0 % 64]) }.max()!
            #expect(worst < 1e-4, "\(method), S = \(steps): largest distance from the point \(worst)")
        }
    }
}
