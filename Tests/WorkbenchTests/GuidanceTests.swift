import Foundation
import Testing

@testable import Diffusion
@testable import Evaluation
@testable import Networks
@testable import Sampling
@testable import TensorCore
@testable import Training

/// An engine whose ε depends on the label: ε(x, t, y) for a class-conditional closed form; it counts
/// the calls that asked for the null label.
final class LabelledEngine: DenoisingEngine {
    let capacity: Int
    let dimension: Int
    let noise: (_ x: Double, _ t: Int, _ y: Int) -> Double
    var output: [Float]
    var nullCalls = 0
    let nullLabel: Int

    init(capacity: Int, dimension: Int, nullLabel: Int, noise: @escaping (Double, Int, Int) -> Double) {
        (self.capacity, self.dimension, self.nullLabel, self.noise) = (capacity, dimension, nullLabel, noise)
        output = [Float](repeating: 0, count: capacity * dimension)
    }

    func load(_ parameters: [Float]) {}
    func forward(_ x: UnsafePointer<Float>, steps t: [Int]) -> UnsafePointer<Float> { preconditionFailure("LabelledEngine needs labels") }
    func forward(_ x: UnsafePointer<Float>, steps t: [Int], labels: [Int]?) -> UnsafePointer<Float> {
        if labels!.contains(nullLabel) { nullCalls += 1 }
        for n in t.indices { for i in 0..<dimension { output[n * dimension + i] = Float(noise(Double(x[n * dimension + i]), t[n], labels![n])) } }
        return output.withUnsafeBufferPointer { $0.baseAddress! }
    }
    func backward(_ gradOutput: UnsafePointer<Float>, images: Int, into gradients: UnsafeMutablePointer<Float>) {}
}

/// A class-conditional engine with its labels fixed, seen as an unconditional one.
final class FixedLabels: DenoisingEngine {
    let inner: LabelledEngine
    let labels: [Int]
    init(_ inner: LabelledEngine, labels: [Int]) { (self.inner, self.labels) = (inner, labels) }
    var capacity: Int { inner.capacity }
    func load(_ parameters: [Float]) {}
    func forward(_ x: UnsafePointer<Float>, steps t: [Int]) -> UnsafePointer<Float> { inner.forward(x, steps: t, labels: Array(labels.prefix(t.count))) }
    func backward(_ gradOutput: UnsafePointer<Float>, images: Int, into gradients: UnsafeMutablePointer<Float>) {}
}

@Suite("Guidance (Dhariwal & Nichol 2021; Ho & Salimans 2021): the classifier's gradient, the two CFG forms, w = 0, and exact guidance on a mixture")
struct GuidanceTests {
    @Test("∇ₓ log p_φ(y∣xₜ, t) from the tape matches central differences of log p_φ, t = 1, 500, 1000", arguments: [1, 500, 1000])
    func classifierGradient(t: Int) throws {
        var rng = SeededGenerator(seed: 70 + UInt64(t))
        let layout = NoisyDigitClassifier.layout
        let classifier = NoisyDigitClassifier(parameters: (0..<layout.count).map { _ in Float(0.15 * rng.normal()) }, schedule: try .linear())
        // Inputs on a 2⁻¹² grid so x ± h (h = 2⁻¹⁰) is exact in Float.
        let x = (0..<(3 * 64)).map { _ in Float((rng.normal() * 4096).rounded() / 4096) }
        let labels = [2, 7, 7]
        let (logP, gradient) = classifier.logProbabilityGradient(x, t: t, labels: labels)
        #expect(logP < 0)
        let h: Float = 1.0 / 1024
        for k in stride(from: 0, to: x.count, by: 13) {
            var (up, down) = (x, x)
            up[k] += h
            down[k] -= h
            let numeric =
                (classifier.logProbabilityGradient(up, t: t, labels: labels).logProbability
                    - classifier.logProbabilityGradient(down, t: t, labels: labels).logProbability) / (2 * Double(h))
            // Truncation h²·f‴/6 with h ≈ 1e−3 and |f‴| = O(1): ~1e−7; the gradient is rounded to Float (6e−8 relative).
            expectClose(Double(gradient[k]), numeric, relative: 1e-4, absolute: 1e-5, "∂/∂x[\(k)] at t = \(t)")
        }
    }

    @Test("The two classifier-free forms agree: (1 + w)·ε_c − w·ε_u = ε_u + s·(ε_c − ε_u) with s = 1 + w")
    func twoGuidanceFormsAgree() {
        var rng = SeededGenerator(seed: 71)
        for _ in 0..<100 {
            let (c, u, w) = (rng.normal(), rng.normal(), rng.uniform(0, 8))
            // Two orderings of the same sum in Double: a few ulps of the terms' size (≤ 10).
            expectClose(Guidance.guidedNoise(conditional: c, unconditional: u, w: w), u + (1 + w) * (c - u), relative: 1e-12, absolute: 1e-13)
        }
        #expect(Guidance.guidedNoise(conditional: 0.3, unconditional: -0.2, w: 0) == 0.3)
    }

    @Test("With w = 0, classifier-free guidance is the conditional model: the same chain as the strided sampler, and ∅ is never asked for")
    func zeroWeightIsTheConditionalModel() throws {
        let s = try NoiseSchedule.cosine()
        let labels = [0, 3, 3, 9, 5]
        let conditional = LabelledEngine(capacity: 5, dimension: 64, nullLabel: 10) { x, t, y in 0.4 * x + 0.02 * Double(y - 5) - 0.001 * Double(t % 11) }
        // The same ε as an unconditional engine that always answers for these labels.
        let fixed = FixedLabels(LabelledEngine(capacity: 5, dimension: 64, nullLabel: 10) { x, t, y in 0.4 * x + 0.02 * Double(y - 5) - 0.001 * Double(t % 11) }, labels: labels)
        let tau = s.evenlySpacedSteps(25)
        let guided = try GuidedSampler(engine: conditional, dimension: 64, nullLabel: 10, schedule: s, tau: tau).sample(labels: labels, guidance: .classifierFree(w: 0), seed: 8)
        let plain = try StridedSampler(engine: fixed, dimension: 64, schedule: s, tau: tau, method: .ddpm(.beta), clipDenoised: true).sample(count: 5, seed: 8)
        // The same formula and draws in the same order: equal up to Float rounding of intermediate sums (1e−6).
        #expect(zip(guided, plain).map { abs($0 - $1) }.max()! < 1e-5)
        #expect(conditional.nullCalls == 0)
        _ = try GuidedSampler(engine: conditional, dimension: 64, nullLabel: 10, schedule: s, tau: tau).sample(labels: labels, guidance: .classifierFree(w: 2), seed: 8)
        #expect(conditional.nullCalls == tau.count, "w = 2 asks for ε_θ(x, ∅) once per step")
    }

    /// The two-class mixture ½N(−1, 0.3²) + ½N(+1, 0.3²): class 0 on the left, class 1 on the right.
    static let mixture = GaussianMixture1D([.init(weight: 0.5, mean: -1, standardDeviation: 0.3), .init(weight: 0.5, mean: 1, standardDeviation: 0.3)])

    @Test("Exact guidance on a two-class mixture: classifier guidance with s = 1 (exact p(y∣xₜ)) and CFG with w = 0 (exact ε(xₜ, y)) sample p(x₀∣y) = N(±1, 0.3²); s = 0 does not pick a class; s = 3 pushes further")
    func exactGuidanceSamplesTheConditional() throws {
        let s = try NoiseSchedule.linear()
        let m = Self.mixture
        let unconditional = ClosedFormEngine(capacity: 500, dimension: 1) { x, t, _ in m.optimalNoise(xt: x, t: t, schedule: s) }
        // ∇ₓ log p(y∣xₜ) = ∇ log q(xₜ∣y) − ∇ log q(xₜ), both diffused by Eq. 4.
        let gradient = { (x: [Float], t: Int, y: [Int]) -> [Float] in
            let diffused = m.diffused(by: s, to: t)
            return zip(x, y).map { xi, yi in Float(GaussianMixture1D([diffused.components[yi]]).score(Double(xi)) - diffused.score(Double(xi))) }
        }
        let conditional = LabelledEngine(capacity: 500, dimension: 1, nullLabel: 2) { x, t, y in
            y == 2 ? m.optimalNoise(xt: x, t: t, schedule: s) : GaussianMixture1D([m.components[y]]).optimalNoise(xt: x, t: t, schedule: s)
        }
        let tau = Array(1...1000)
        let labels = [Int](repeating: 1, count: 2000)
        func moments(_ v: [Float]) -> (mean: Double, variance: Double, right: Double) {
            let mean = v.reduce(0) { $0 + Double($1) } / Double(v.count)
            return (mean, v.reduce(0) { $0 + (Double($1) - mean) * (Double($1) - mean) } / Double(v.count - 1), Double(v.filter { $0 > 0 }.count) / Double(v.count))
        }
        let sampler = try GuidedSampler(engine: unconditional, dimension: 1, nullLabel: 2, schedule: s, tau: tau, variance: .betaTilde, clipDenoised: false)
        let guided = moments(sampler.sample(labels: labels, guidance: .classifier(scale: 1, gradient: gradient), seed: 9))
        let cfg = moments(
            try GuidedSampler(engine: conditional, dimension: 1, nullLabel: 2, schedule: s, tau: tau, variance: .betaTilde, clipDenoised: false)
                .sample(labels: labels, guidance: .classifierFree(w: 0), seed: 9))
        let none = moments(sampler.sample(labels: labels, guidance: .classifier(scale: 0, gradient: gradient), seed: 9))
        let strong = moments(sampler.sample(labels: labels, guidance: .classifier(scale: 3, gradient: gradient), seed: 9))
        for (name, r) in [("classifier s = 1", guided), ("CFG w = 0", cfg)] {
            // N = 2000 draws of N(1, 0.09): the mean's sd is 0.3/√N = 0.0067 and the variance's 0.09·√(2/N) = 0.0028; 5σ
            // bounds (false-failure rate ~1e−6) plus 0.01 for the 1,000-step discretisation of the reverse process.
            #expect(abs(r.mean - 1) < 5 * 0.0067 + 0.01, "\(name): mean \(r.mean)")
            #expect(abs(r.variance - 0.09) < 5 * 0.0028 + 0.01, "\(name): variance \(r.variance)")
        }
        // Unguided, half the mass is on each side (binomial sd 0.011): the class is not chosen.
        #expect(abs(none.right - 0.5) < 5 * 0.011, "s = 0: share on the right \(none.right)")
        // s = 3 tilts toward p(y∣x)³, which grows with x: at least as much mass on the chosen side, the mean no lower
        // (same seed, so the two runs share their draws; 0.02 allows for the chains' different paths).
        #expect(strong.right >= guided.right && strong.mean > guided.mean - 0.02, "s = 3: \(strong), s = 1: \(guided)")
    }

    @Test("The class-conditional trainer shows each row its own label, or ∅ with probability 0.1, and its loss is the tape's for those labels")
    func conditionalTrainerDropsLabels() throws {
        let s = try NoiseSchedule.linear()
        let net = UNet(ch: 8, classes: 3)
        var rng = SeededGenerator(seed: 72)
        let (n, d) = (12, 64)
        let data = (0..<(n * d)).map { _ in Float(rng.integer(in: 0...16)) / 8 - 1 }
        let labels = (0..<n).map { $0 % 3 }
        var options = TrainingOptions()
        options.batchSize = 32
        // Ho's zero initialisation makes the output 0 for any label: perturb every weight so the labels matter.
        let parameters = net.initialParameters(using: &rng).map { $0 + 0.3 * Float(rng.normal()) }
        let trainer = try NetworkTrainer(network: net, parameters: parameters, data: data, schedule: s, options: options, labels: labels, labelDropout: 0.1, seed: 73)
        // Step 1 by hand: the trainer's draws in its order (rows, t, ε, then one uniform per row for the dropout).
        var g = SeededGenerator(seed: 73)
        let rows = (0..<32).map { _ in g.integer(in: 0...(n - 1)) }
        let steps = (0..<32).map { _ in g.integer(in: 1...s.steps) }
        var noise = [Float](repeating: 0, count: 32 * d)
        noise.withUnsafeMutableBufferPointer { g.fillNormals($0.baseAddress!, count: 32 * d) }
        let expectedLabels = rows.map { g.uniform() < 0.1 ? 3 : labels[$0] }
        let loss = Double(trainer.step())
        #expect(trainer.lastLabels == expectedLabels)
        // The tape's L_simple for the same xₜ, t and labels, in Double: the Float engine matches the tape's outputs to
        // ~1e−6 of their scale (UNetEngineTests), so the mean of squares agrees to 2e−5 relative.
        let tape = Tape<Double>()
        let xt = (0..<(32 * d)).map { k in s.sqrtAlphaBar(steps[k / d]) * Double(data[rows[k / d] * d + k % d]) + s.sqrtOneMinusAlphaBar(steps[k / d]) * Double(noise[k]) }
        func tapeLoss(_ y: [Int]) -> Double {
            let out = net.tapeForward(
                tape.variable(Tensor(shape: [32, d], scalars: xt)), steps: steps, labels: y,
                parameters: TapeParameters(layout: net.layout, values: parameters.map(Double.init), on: tape)
            ).value.scalars
            return zip(out, noise).reduce(0) { $0 + ($1.0 - Double($1.1)) * ($1.0 - Double($1.1)) } / Double(32 * d)
        }
        let reference = tapeLoss(expectedLabels)
        expectClose(loss, reference, relative: 2e-5)
        // The labels matter at these weights: with every label ∅ the loss moves by ≥ 10× the tolerance above.
        let allNull = tapeLoss([Int](repeating: 3, count: 32))
        #expect(abs(allNull - reference) > 2e-4 * reference, "∅ everywhere: \(allNull), the trainer's labels: \(reference)")
        // Over many steps ∅ appears at the dropout rate: 200 steps × 32 rows, binomial sd √(0.09/6400) = 0.00375; 5σ.
        var dropped = expectedLabels.filter { $0 == 3 }.count
        for _ in 1..<200 { trainer.step(); dropped += trainer.lastLabels.filter { $0 == 3 }.count }
        #expect(abs(Double(dropped) / 6400 - 0.1) < 5 * 0.00375, "share of ∅: \(Double(dropped) / 6400)")
    }
}
