import Foundation
import Testing
@testable import Diffusion
@testable import Learning
@testable import TensorCore

@Suite("Training: Adam, EMA, clipping, Algorithm 1")
struct TrainingTests {
    @Test("Adam's first three steps equal the update written out by hand (PyTorch semantics), vector and scalar paths")
    func adamMatchesHandComputation() {
        // 11 parameters: one 8-wide vector block and three left over, so both code paths are checked.
        let count = 11
        var rng = SeededGenerator(seed: 90)
        var adam = Adam(count: count, learningRate: 0.1)
        var p = (0..<count).map { _ in Float(rng.normal()) }
        var expected = p.map(Double.init)
        var m = [Double](repeating: 0, count: count)
        var v = [Double](repeating: 0, count: count)
        for k in 1...3 {
            let g = (0..<count).map { _ in Float(rng.normal()) }
            adam.update(&p, gradients: g)
            // By hand in Double: m ← 0.9m + 0.1g, v ← 0.999v + 0.001g², p ← p − 0.1/(1 − 0.9ᵏ)·m/(√v/√(1 − 0.999ᵏ) + 1e-8).
            for i in 0..<count {
                m[i] = 0.9 * m[i] + 0.1 * Double(g[i])
                v[i] = 0.999 * v[i] + 0.001 * Double(g[i]) * Double(g[i])
                expected[i] -= 0.1 / (1 - pow(0.9, Double(k))) * m[i] / (v[i].squareRoot() / (1 - pow(0.999, Double(k))).squareRoot() + 1e-8)
            }
        }
        // Float arithmetic on O(1) values over three steps: a few ulps, 1e-6.
        for i in 0..<count { expectClose(Double(p[i]), expected[i], absolute: 1e-6, "p[\(i)]") }
        #expect(adam.step == 3)
    }

    @Test("EMA and gradient clipping follow their formulas")
    func emaAndClipping() {
        var ema = ExponentialMovingAverage(decay: 0.9, parameters: [0, 10])
        ema.update([1, 0])
        #expect(ema.average.enumerated().allSatisfy { abs(Double($1) - [0.1, 9.0][$0]) < 1e-6 })
        var g: [Float] = [3, 4]
        let norm = clipGradientNorm(&g, maxNorm: 1)
        #expect(norm == 5)
        expectClose(Double(g[0]), 3 / (5 + 1e-6), relative: 1e-6, "clipped g₀")
        var small: [Float] = [0.3, 0.4]
        clipGradientNorm(&small, maxNorm: 1)
        #expect(small == [0.3, 0.4])
        #expect(LearningRateSchedule.cosine(steps: 100, floor: 0.1).rate(at: 100, base: 1) == 0.1)
        expectClose(LearningRateSchedule.cosine(steps: 100, floor: 0).rate(at: 50, base: 2), 1, relative: 1e-12, "half way")
    }

    @Test("Same seed → bit-identical weights, at 1 thread and at 2 threads alike")
    func determinism() throws {
        let schedule = try NoiseSchedule.linear()
        func train(threads: Int, seed: UInt64) -> [Float] {
            var rng = SeededGenerator(seed: 1)
            let data = Datasets.swissRoll(500, using: &rng).converted(to: Float.self).scalars
            var options = TrainingOptions()
            options.batchSize = 32
            options.threads = threads
            options.emaDecay = 0.99
            options.clipNorm = 1
            options.antithetic = true
            let trainer = Trainer(model: MLP(sizes: [34, 16, 16, 2], using: &rng), data: data, schedule: schedule, options: options, seed: seed)
            for _ in 0..<20 { trainer.step() }
            return trainer.model.parameters + trainer.samplingModel.parameters
        }
        let a = train(threads: 1, seed: 5)
        #expect(a == train(threads: 1, seed: 5))
        #expect(a == train(threads: 2, seed: 5))
        #expect(a != train(threads: 1, seed: 6))
    }

    @Test("Antithetic steps pair t with T + 1 − t")
    func antitheticSteps() throws {
        var rng = SeededGenerator(seed: 2)
        var options = TrainingOptions()
        options.batchSize = 8
        options.antithetic = true
        let trainer = Trainer(model: MLP(sizes: [34, 8, 2], using: &rng), data: [0, 0, 1, 1], schedule: try .linear(), options: options, seed: 3)
        trainer.step()
        for i in 0..<4 { #expect(trainer.lastSteps[i] + trainer.lastSteps[i + 4] == 1001) }
    }

    @Test("Training on a tiny problem lowers the loss (mean of the last 100 steps below the first 100 by 30 %)")
    func trainingLowersLoss() throws {
        var rng = SeededGenerator(seed: 3)
        let data = Datasets.eightGaussians(1000, using: &rng).converted(to: Float.self).scalars
        var options = TrainingOptions()
        options.batchSize = 64
        let trainer = Trainer(model: MLP(sizes: [34, 32, 32, 2], using: &rng), data: data, schedule: try .linear(), options: options, seed: 4)
        let losses = (0..<1500).map { _ in Double(trainer.step()) }
        let first = losses.prefix(100).reduce(0, +) / 100
        let last = losses.suffix(100).reduce(0, +) / 100
        // An untrained net starts near loss ≈ 1 (it predicts ≈ 0 for unit-variance ε); a learned
        // ε-predictor on this data reaches ≈ 0.5 within a few hundred steps (measured 0.45–0.55).
        #expect(last < 0.7 * first, "first \(first), last \(last)")
    }
}
