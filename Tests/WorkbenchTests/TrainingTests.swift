import Foundation
import Testing

@testable import Datasets
@testable import Diffusion
@testable import Evaluation
@testable import Networks
@testable import Sampling
@testable import TensorCore
@testable import Training

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
        // One Float multiply-add per value: ≤ 1 ulp of the result (ulp(9) ≈ 9.5e-7); allow 2 ulps.
        for (i, expected) in [0.1, 9.0].enumerated() {
            expectClose(Double(ema.average[i]), expected, absolute: 2 * Double(Float(expected).ulp), "EMA[\(i)]")
        }
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

    @Test("Same seed → bit-identical weights, at 1, 2 and 3 threads alike")
    func determinism() throws {
        let schedule = try NoiseSchedule.linear()
        func train(threads: Int, seed: UInt64) throws -> [Float] {
            var rng = SeededGenerator(seed: 1)
            let data = ToyData.swissRoll(500, using: &rng).converted(to: Float.self).scalars
            var options = TrainingOptions()
            options.batchSize = 32
            options.threads = threads
            options.emaDecay = 0.99
            options.clipNorm = 1
            options.antithetic = true
            let trainer = try NetworkTrainer(model: MLP(sizes: [34, 16, 16, 2], using: &rng), data: data, schedule: schedule, options: options, seed: seed)
            for _ in 0..<20 { trainer.step() }
            return trainer.model.parameters + trainer.samplingModel.parameters
        }
        let a = try train(threads: 1, seed: 5)
        #expect(try a == train(threads: 1, seed: 5))
        #expect(try a == train(threads: 2, seed: 5))
        #expect(try a == train(threads: 3, seed: 5))
        #expect(try a != train(threads: 1, seed: 6))
    }

    @Test("A run's EMA weights after n of its steps equal an n-step run's, with or without a decoder for L_simple (lesson 09 reads its L_simple row from lesson 08's step-600 copy)")
    func stoppedRunIsShorterRun() throws {
        let schedule = try NoiseSchedule.linear()
        let net = UNet(ch: 8)
        let digits = try DigitImages.shipped().training.subset(0..<64).values
        func trainer(decoder: DiscreteDecoder?) throws -> NetworkTrainer<UNet> {
            var initial = SeededGenerator(seed: 8)
            var options = TrainingOptions.digits(threads: 2)
            options.batchSize = 8
            return try NetworkTrainer(
                network: net, parameters: net.initialParameters(using: &initial), data: digits, schedule: schedule, options: options, objective: .simple,
                decoder: decoder, seed: 80)
        }
        let long = try trainer(decoder: nil)
        var (step, kept): (Int, [Float]) = (0, [])
        for _ in 0..<4 {
            long.step()
            step += 1
            if step == 3 { kept = long.samplingParameters }
        }
        let short = try trainer(decoder: DiscreteDecoder(levels: DigitImages.levels))
        for _ in 0..<3 { short.step() }
        #expect(kept == short.samplingParameters)
        #expect(kept != long.samplingParameters, "the fourth step changes the weights, so the comparison can fail")
    }

    @Test("Antithetic steps pair t with T + 1 − t")
    func antitheticSteps() throws {
        var rng = SeededGenerator(seed: 2)
        var options = TrainingOptions()
        options.batchSize = 8
        options.antithetic = true
        let trainer = try NetworkTrainer(model: MLP(sizes: [34, 8, 2], using: &rng), data: [0, 0, 1, 1], schedule: try .linear(), options: options, seed: 3)
        trainer.step()
        for i in 0..<4 { #expect(trainer.lastSteps[i] + trainer.lastSteps[i + 4] == 1001) }
    }

    @Test("Settings that cannot work are refused with a message naming the value")
    func trainerRefusesBadSettings() {
        var rng = SeededGenerator(seed: 4)
        let schedule = try! NoiseSchedule.linear()
        let mlp = MLP(sizes: [34, 8, 2], using: &rng)
        var odd = TrainingOptions()
        odd.batchSize = 7
        odd.antithetic = true
        #expect(throws: TrainerError.batchSize(7)) { try NetworkTrainer(model: mlp, data: [0, 0], schedule: schedule, options: odd, seed: 1) }
        odd.antithetic = false
        _ = try? NetworkTrainer(model: mlp, data: [0, 0], schedule: schedule, options: odd, seed: 1).step()  // odd without antithetic t is fine
        var empty = TrainingOptions()
        empty.batchSize = 0
        #expect(throws: TrainerError.batchSize(0)) { try NetworkTrainer(model: mlp, data: [0, 0], schedule: schedule, options: empty, seed: 1) }
        var none = TrainingOptions()
        none.threads = 0
        #expect(throws: TrainerError.threads(0)) { try NetworkTrainer(model: mlp, data: [0, 0], schedule: schedule, options: none, seed: 1) }
        // Input 33 = 1 coordinate + 32 embedding values, but 2 outputs: not an ε-predictor for 1-D points.
        #expect(throws: TrainerError.outputs(2, expected: 1)) { try NetworkTrainer(model: MLP(sizes: [33, 8, 2], using: &rng), data: [0, 0], schedule: schedule, seed: 1) }
        #expect(throws: TrainerError.data(count: 3, dimension: 2)) { try NetworkTrainer(model: mlp, data: [0, 0, 1], schedule: schedule, seed: 1) }
        // A bound objective scores x₀ with the data's decoder (Eq. 13): without one the trainer refuses.
        let net = UNet(ch: 8)
        #expect(throws: TrainerError.decoder) {
            try NetworkTrainer(
                network: net, parameters: [Float](repeating: 0, count: net.layout.count), data: [Float](repeating: 0, count: 64), schedule: schedule,
                objective: Objective(prediction: .noise, weighting: .bound), seed: 1)
        }
        for error in [TrainerError.threads(0), .batchSize(7), .outputs(2, expected: 1), .data(count: 3, dimension: 2), .decoder] {
            #expect(!error.description.contains("\n") && error.description.count > 20)
        }
        #expect(TrainerError.threads(0).description.contains("got 0"))
    }

    @Test(
        "One NetworkTrainer<MLP> step equals Algorithm 1 recomputed in Double on the tape from the same draws, at 1 and 2 threads",
        arguments: [1, 2])
    func trainerStepMatchesTape_alg1(threads: Int) throws {
        let schedule = try NoiseSchedule.linear()
        var rng = SeededGenerator(seed: 11)
        let points = ToyData.swissRoll(64, using: &rng).converted(to: Float.self).scalars
        let model = MLP(sizes: [34, 16, 16, 2], using: &rng)
        var options = TrainingOptions()
        options.batchSize = 16
        options.threads = threads
        let trainer = try NetworkTrainer(model: model, data: points, schedule: schedule, options: options, seed: 21)
        let loss = trainer.step()
        // The draws replayed in the documented order: batch rows, then t, then ε (rounded to Float).
        var g = SeededGenerator(seed: 21)
        let rows = (0..<16).map { _ in g.integer(in: 0...63) }
        let steps = (0..<16).map { _ in g.integer(in: 1...1000) }
        var floats = [Float](repeating: 0, count: 32)
        floats.withUnsafeMutableBufferPointer { g.fillNormals($0.baseAddress!, count: 32) }
        let noise = floats.map(Double.init)
        #expect(trainer.lastSteps == steps)
        // ᾱₜ as a running product of the paper's 1 − βₛ (independent of NoiseSchedule), xₜ by Eq. 4, the
        // embedding as WORKLOAD.md fixes it (`mlpInput`) and the network written out by hand, all in Double.
        let betas = (0..<1000).map { 1e-4 + (0.02 - 1e-4) * Double($0) / 999 }
        var alphaBar: [Double] = []
        for beta in betas { alphaBar.append((alphaBar.last ?? 1) * (1 - beta)) }
        var xt: [Double] = []
        for (k, (row, t)) in zip(rows, steps).enumerated() {
            let ab = alphaBar[t - 1]
            for j in 0..<2 { xt.append(ab.squareRoot() * Double(points[2 * row + j]) + (1 - ab).squareRoot() * noise[2 * k + j]) }
        }
        let tape = Tape<Double>()
        let reference = HandWrittenMLP(tape.variable(mlpInput(xt, dimension: 2, steps: steps)), parameters: model.parameters, sizes: model.sizes)
        let expectedLoss = (reference.output - Tensor(shape: [16, 2], scalars: noise)).squared().mean()
        let expected = reference.flatGradient(tape.gradients(of: expectedLoss))
        // Float against Double: each layer's dot products (length ≤ 34) and the backward's sums over 8 rows
        // round by ≲ n·2⁻²⁴ ≈ 2e-6 relative in the worst case, ~1e-6 after three layers both ways. The
        // loss is a mean of positive terms (no cancellation): 1e-5 relative. A gradient entry can cancel,
        // so it is compared against the largest entry: 1e-4·max|g|. A 1 % error in xₜ moves both by far more.
        expectClose(Double(loss), expectedLoss.value.scalar, relative: 1e-5, "L_simple")
        let scale = expected.map(abs).max()!
        let worst = zip(trainer.gradients, expected).map { abs(Double($0) - $1) }.max()!
        #expect(trainer.gradients.count == expected.count)
        #expect(worst <= 1e-4 * scale, "largest gradient error \(worst) against max |g| = \(scale)")
    }

    @Test("The time embedding at t = 1 and t = T follows its formula", arguments: [1, 1000])
    func timeEmbeddingFormula(t: Int) {
        let embedding = TimeEmbedding.embedding(t)
        #expect(embedding.count == 32)
        for i in 0..<16 {
            let f = exp(-log(10_000.0) * Double(i) / 16)
            // WORKLOAD.md: the argument is float32, Float(t)·Float(fᵢ); Float's sin and cos of it are within
            // 1 ulp (≤ 6e-8 for values in [−1, 1]) of the Double functions of the same argument: allow 2.5e-7.
            let argument = Double(Float(t) * Float(f))
            expectClose(Double(embedding[i]), sin(argument), absolute: 2.5e-7, "sin, t = \(t), i = \(i)")
            expectClose(Double(embedding[16 + i]), cos(argument), absolute: 2.5e-7, "cos, t = \(t), i = \(i)")
            if t == 1 {
                // At t = 1 the argument is fᵢ itself, within ½ ulp of Float: the real sin(fᵢ), cos(fᵢ) to 2.5e-7.
                expectClose(Double(embedding[i]), sin(f), absolute: 2.5e-7, "sin fᵢ, i = \(i)")
                expectClose(Double(embedding[16 + i]), cos(f), absolute: 2.5e-7, "cos fᵢ, i = \(i)")
            }
        }
    }

    @Test("The time embedding equals the PyTorch peer's (scripts/peer/toy2d.py, scripts/peer_references.py)")
    func timeEmbeddingMatchesPeer() throws {
        let url = packageRoot.appendingPathComponent("Tests/WorkbenchTests/Resources/peer-embedding.csv")
        let lines = try String(contentsOf: url, encoding: .utf8).split(separator: "\n").dropFirst()
        #expect(lines.count == 8)
        for line in lines {
            let fields = line.split(separator: ",").map(String.init)
            let t = Int(fields[0])!
            let ours = TimeEmbedding.embedding(t)
            for i in 0..<32 {
                // Same float32 argument; torch's and glibc's float sin/cos may differ by 1 ulp (≤ 6e-8): allow 2 ulps.
                let peer = Float(fields[i + 1])!
                #expect(abs(ours[i] - peer) <= 2 * peer.ulp + 1e-9, "t = \(t), value \(i): ours \(ours[i]), peer \(peer)")
            }
        }
    }

    @Test("Training on a tiny problem lowers the loss (mean of the last 100 steps below the first 100 by 30 %)")
    func trainingLowersLoss() throws {
        var rng = SeededGenerator(seed: 3)
        let data = ToyData.eightGaussians(1000, using: &rng).converted(to: Float.self).scalars
        var options = TrainingOptions()
        options.batchSize = 64
        let trainer = try NetworkTrainer(model: MLP(sizes: [34, 32, 32, 2], using: &rng), data: data, schedule: try .linear(), options: options, seed: 4)
        let losses = (0..<1500).map { _ in Double(trainer.step()) }
        let first = losses.prefix(100).reduce(0, +) / 100
        let last = losses.suffix(100).reduce(0, +) / 100
        // An untrained net starts near loss ≈ 1 (it predicts ≈ 0 for unit-variance ε); a learned
        // ε-predictor on this data reaches ≈ 0.5 within a few hundred steps (measured 0.45–0.55).
        #expect(last < 0.7 * first, "first \(first), last \(last)")
    }
}
