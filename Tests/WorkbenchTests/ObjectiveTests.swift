import Foundation
import Testing

@testable import Diffusion
@testable import Evaluation
@testable import Networks
@testable import Sampling
@testable import TensorCore
@testable import Training

@Suite("Table 2's objectives (Sec. 4.2): losses against their definitions, gradients, samplers and bounds")
struct ObjectiveTests {
    static let schedule = try! NoiseSchedule.linear()
    static let decoder = DiscreteDecoder(levels: 17)
    static let objectives: [Objective] = [
        .simple, Objective(prediction: .noise, weighting: .bound), Objective(prediction: .mean, weighting: .bound),
        Objective(prediction: .mean, weighting: .unweighted), Objective(prediction: .mean, weighting: .bound, variance: .learned),
        Objective(prediction: .noise, weighting: .bound, variance: .fixed(.betaTilde)),
        Objective(prediction: .noise, weighting: .bound, variance: .interpolated),
    ]

    /// The loss by its definition, through functions other than `Objective.loss`: the Tensor forms of
    /// Eq. 7 and 11, `reverseTerm` (checked against Eq. 12 elsewhere), `GaussianKL.divergence`, Eq. 13.
    static func definition(_ objective: Objective, o: Double, v: Double, x0: Double, xt: Double, noise: Double, t: Int) -> Double {
        let s = schedule
        let target = t == 1 ? x0 : s.posteriorMean(x0: Tensor([x0]), xt: Tensor([xt]), t: t).scalars[0]
        let mu = objective.prediction == .mean ? o : s.meanFromNoise(xt: Tensor([xt]), predictedNoise: Tensor([o]), t: t).scalars[0]
        switch (objective.weighting, objective.variance) {
        case (.unweighted, _): return objective.prediction == .noise ? (noise - o) * (noise - o) : (target - mu) * (target - mu)
        case (.bound, .fixed(let variance)):
            if t == 1 { return -decoder.logProbability(level: decoder.level(nearest: x0), mean: mu, standardDeviation: s.beta(1).squareRoot()) }
            return s.reverseTerm(x0: [x0], xt: [xt], modelMean: [mu], t: t, sigma2: s.sigma2(t, variance))
        case (.bound, .learned), (.bound, .interpolated):
            // Offset: βₜ·eᵛ. Interpolated: βₜ^v·β̃ₜ^(1−v), β̃₁ replaced by β̃₂.
            let sigma2 = objective.variance == .learned ? s.beta(t) * exp(v) : pow(s.beta(t), v) * pow(t == 1 ? s.betaTilde(2) : s.betaTilde(t), 1 - v)
            if t == 1 { return -decoder.logProbability(level: decoder.level(nearest: x0), mean: mu, standardDeviation: sigma2.squareRoot()) }
            return GaussianKL.divergence(mean1: target, variance1: s.betaTilde(t), mean2: mu, variance2: sigma2)
        case (.hybrid, _):
            preconditionFailure("L_hybrid's stop-gradient has its own test (LearnedVarianceTests)")
        }
    }

    @Test("Each objective's loss is its definition, and its derivatives match central differences", arguments: [1, 2, 10, 500, 1000])
    func lossesMatchDefinitions(t: Int) {
        let s = Self.schedule
        var rng = SeededGenerator(seed: UInt64(t))
        for objective in Self.objectives {
            for _ in 0..<20 {
                let x0 = Double(rng.integer(in: 0...16)) / 8 - 1
                let noise = rng.normal()
                let xt = s.sqrtAlphaBar(t) * x0 + s.sqrtOneMinusAlphaBar(t) * noise
                // An output near the right answer (within a bin of x₀ at t = 1), so every term is moderate.
                let o = objective.prediction == .noise ? noise + 0.2 * rng.normal() : (t == 1 ? x0 + 0.05 * rng.normal() : xt * 0.9 + 0.05 * rng.normal())
                let v = 0.5 * rng.normal()
                let (loss, dOutput, dVariance) = objective.loss(output: o, varianceOutput: v, x0: x0, xt: xt, noise: noise, t: t, schedule: s, decoder: Self.decoder)
                let expected = Self.definition(objective, o: o, v: v, x0: x0, xt: xt, noise: noise, t: t)
                // Two Double evaluations of the same quantity by different formulas: 1e−9 relative
                // (the KL's μ̃ − μ_θ keeps ≥ 10 digits at these sizes).
                expectClose(loss, expected, relative: 1e-9, absolute: 1e-12, "\(objective) at t = \(t)")
                // Central differences, step h: error O(h²·f‴) plus rounding O(ε·f/h); h = 1e−5·(|o| + 1)
                // keeps both below 1e−5 of the derivative's scale at these magnitudes.
                let h = 1e-5 * (abs(o) + 1)
                let numeric =
                    (Self.definition(objective, o: o + h, v: v, x0: x0, xt: xt, noise: noise, t: t)
                        - Self.definition(objective, o: o - h, v: v, x0: x0, xt: xt, noise: noise, t: t)) / (2 * h)
                expectClose(dOutput, numeric, relative: 1e-4, absolute: 1e-6 * (abs(loss) + 1) / h, "∂/∂o of \(objective) at t = \(t)")
                if objective.variance.isLearned {
                    let numericV =
                        (Self.definition(objective, o: o, v: v + 1e-5, x0: x0, xt: xt, noise: noise, t: t)
                            - Self.definition(objective, o: o, v: v - 1e-5, x0: x0, xt: xt, noise: noise, t: t)) / 2e-5
                    expectClose(dVariance, numericV, relative: 1e-4, absolute: 1e-6, "∂/∂v at t = \(t)")
                } else {
                    #expect(dVariance == 0)
                }
            }
        }
    }

    @Test("A μ-predicting network that outputs Eq. 11's mean samples and scores exactly like the ε-network it wraps")
    func meanPredictionAgreesWithNoisePrediction() {
        let s = Self.schedule
        let epsilon = { (x: Double, t: Int, i: Int) in 0.3 * x + 0.01 * Double(i % 5) - 0.02 }
        let noiseEngine = ClosedFormEngine(capacity: 8, dimension: 64) { x, t, i in epsilon(x, t, i) }
        let meanEngine = ClosedFormEngine(capacity: 8, dimension: 64) { x, t, i in
            (x - s.beta(t) / s.sqrtOneMinusAlphaBar(t) * epsilon(x, t, i)) / s.alpha(t).squareRoot()
        }
        let net = UNet(ch: 8)
        let parameters = [Float](repeating: 0, count: net.layout.count)
        let a = NetworkSampler(network: net, parameters: parameters, engine: noiseEngine, schedule: s, variance: .betaTilde).sample(count: 8, seed: 4).samples
        let b = NetworkSampler(network: net, parameters: parameters, engine: meanEngine, schedule: s, variance: .betaTilde, prediction: .mean).sample(count: 8, seed: 4).samples
        // The same z and the same μ (one in Float, one in Double): the chains differ by rounding only,
        // ≲ 1e−6 per step relative to |x| ~ 1, accumulated over 1,000 contracting steps.
        let worst = zip(a, b).map { abs($0 - $1) }.max()!
        #expect(worst < 1e-3, "largest difference \(worst)")
        let images = (0..<(4 * 64)).map { Float(($0 % 17) - 8) / 8 }
        let noiseBound = VariationalBound(engine: noiseEngine, dimension: 64, schedule: s, decoder: Self.decoder)
            .evaluate(images, models: [ReverseModel(name: "ε", objective: Objective(prediction: .noise, weighting: .bound))], seed: 2)[0]
        let meanBound = VariationalBound(engine: meanEngine, dimension: 64, schedule: s, decoder: Self.decoder)
            .evaluate(images, models: [ReverseModel(name: "μ", objective: Objective(prediction: .mean, weighting: .bound))], seed: 2)[0]
        // Same xₜ, same means up to Float rounding of the engines' outputs (relative 6e−8): the totals agree to 1e−4.
        expectClose(meanBound.total, noiseBound.total, relative: 1e-4)
    }

    @Test("A learned variance at v = log(β̃ₜ/βₜ) scores like the fixed σ² = β̃ (t ≥ 2), and samples with σ² = β at v = 0")
    func learnedVarianceReducesToFixed() {
        let s = Self.schedule
        let epsilon = { (x: Double, t: Int) in 0.4 * x }
        let fixed = ClosedFormEngine(capacity: 8, dimension: 64) { x, t, _ in epsilon(x, t) }
        let mean = { (x: Double, t: Int) in (x - s.beta(t) / s.sqrtOneMinusAlphaBar(t) * epsilon(x, t)) / s.alpha(t).squareRoot() }
        let learned = ClosedFormEngine(capacity: 8, dimension: 64, outputDimension: 128) { x, t, i in
            i < 64 ? mean(x, t) : (t == 1 ? 0 : log(s.betaTilde(t) / s.beta(t)))
        }
        let images = (0..<(3 * 64)).map { Float(($0 % 17) - 8) / 8 }
        let a = VariationalBound(engine: fixed, dimension: 64, schedule: s, decoder: Self.decoder)
            .evaluate(images, models: [ReverseModel(name: "β̃", mean: .noise, variance: .betaTilde)], seed: 3)[0]
        let b = VariationalBound(engine: learned, dimension: 64, outputDimension: 128, schedule: s, decoder: Self.decoder)
            .evaluate(images, models: [ReverseModel(name: "learned", mean: .direct, variance: .learned)], seed: 3)[0]
        for t in [1, 2, 3, 50, 999] {
            // At t = 1 both decoders use σ₁² = β₁ (v = 0); elsewhere exp(log βₜ + log(β̃ₜ/βₜ)) = β̃ₜ to rounding.
            expectClose(b.terms[t - 1], a.terms[t - 1], relative: 1e-4, absolute: 1e-9, "term at t = \(t)")
        }
        let zero = ClosedFormEngine(capacity: 8, dimension: 64, outputDimension: 128) { x, t, i in i < 64 ? mean(x, t) : 0 }
        let plain = NetworkSampler(
            network: UNet(ch: 8), parameters: [Float](repeating: 0, count: UNet(ch: 8).layout.count), engine: fixed,
            schedule: s, variance: .beta
        ).sample(count: 8, seed: 6).samples
        let net = UNet(ch: 8, outputChannels: 2)
        let withV = NetworkSampler(
            network: net, parameters: [Float](repeating: 0, count: net.layout.count), engine: zero, schedule: s,
            prediction: .mean, learnedVariance: .learned
        ).sample(count: 8, seed: 6).samples
        // σ = exp(½(log βₜ + 0)) = √βₜ and the same z: the chains agree up to Float rounding (see above).
        #expect(zip(plain, withV).map { abs($0 - $1) }.max()! < 1e-3)
    }

    @Test("One NetworkTrainer step on a bound objective: its loss is the mean of Objective.loss over the same draws, and Adam moves every parameter against that loss's gradient")
    func trainerStepUsesTheObjective() throws {
        let s = Self.schedule
        let objective = Objective(prediction: .mean, weighting: .bound, variance: .learned)
        let net = UNet(ch: 8, outputChannels: 2)
        var init0 = SeededGenerator(seed: 12)
        let parameters = net.initialParameters(using: &init0).map { $0 + 0.01 * Float(init0.normal()) }
        let (batch, d, n) = (4, 64, 10)
        var dataRng = SeededGenerator(seed: 13)
        let data = (0..<(n * d)).map { _ in Float(dataRng.integer(in: 0...16)) / 8 - 1 }
        var options = TrainingOptions()
        options.batchSize = batch
        options.learningRate = 1e-3
        let trainer = try NetworkTrainer(
            network: net, parameters: parameters, data: data, schedule: s, options: options, objective: objective,
            decoder: DiscreteDecoder(levels: 17), seed: 14)
        // The trainer's draws, in its order: rows, then t, then ε.
        var g = SeededGenerator(seed: 14)
        let rows = (0..<batch).map { _ in g.integer(in: 0...(n - 1)) }
        let steps = (0..<batch).map { _ in g.integer(in: 1...s.steps) }
        var noise = [Float](repeating: 0, count: batch * d)
        noise.withUnsafeMutableBufferPointer { g.fillNormals($0.baseAddress!, count: batch * d) }
        var input = [Float](repeating: 0, count: batch * d)
        for i in 0..<batch { for j in 0..<d { input[i * d + j] = Float(s.sqrtAlphaBar(steps[i])) * data[rows[i] * d + j] + Float(s.sqrtOneMinusAlphaBar(steps[i])) * noise[i * d + j] } }
        let engine = GraphEngine(graph: net.graph, capacity: batch)
        engine.load(parameters)
        let output = Array(UnsafeBufferPointer(start: engine.forward(input, steps: steps), count: batch * 2 * d))
        var expected = 0.0
        var gradOutput = [Float](repeating: 0, count: batch * 2 * d)
        for i in 0..<batch {
            for j in 0..<d {
                let r = objective.loss(
                    output: Double(output[i * 2 * d + j]), varianceOutput: Double(output[i * 2 * d + d + j]), x0: Double(data[rows[i] * d + j]),
                    xt: Double(input[i * d + j]), noise: Double(noise[i * d + j]), t: steps[i], schedule: s, decoder: Self.decoder)
                expected += r.loss / Double(batch * d)
                gradOutput[i * 2 * d + j] = Float(r.dOutput / Double(batch * d))
                gradOutput[i * 2 * d + d + j] = Float(r.dVariance / Double(batch * d))
            }
        }
        let loss = trainer.step()
        #expect(trainer.lastSteps == steps)
        // The same Float forward pass and the same Double sum: equal to Float rounding of the result.
        expectClose(Double(loss), expected, relative: 1e-6)
        var gradient = [Float](repeating: 0, count: net.layout.count)
        gradOutput.withUnsafeBufferPointer { go in gradient.withUnsafeMutableBufferPointer { engine.backward(go.baseAddress!, images: batch, into: $0.baseAddress!) } }
        // Adam's first step is −lr·g/(|g| + ε·…) = −lr·sign(g) wherever |g| ≫ ε = 1e−8.
        let top = gradient.map(abs).max()!
        var checked = 0
        for k in gradient.indices where abs(gradient[k]) > 1e-4 * top {
            let moved = trainer.parameters[k] - parameters[k]
            #expect(moved * gradient[k] < 0, "parameter \(k) moved \(moved) with gradient \(gradient[k])")
            checked += 1
        }
        #expect(checked > net.layout.count / 4, "only \(checked) parameters had a clear gradient")
    }
}
