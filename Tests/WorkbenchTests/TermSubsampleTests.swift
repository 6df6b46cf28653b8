import Foundation
import Testing

@testable import Diffusion
@testable import Evaluation
@testable import TensorCore

/// The stratified subsample of the bound's terms (lesson 09): how it deals images out, and that it estimates the
/// full bound without bias.
struct TermSubsampleTests {
    @Test("TermSubsample: every image at every step up to fullSteps, then at exactly one step of each block, the steps evenly shared")
    func dealsEachImageOncePerBlock() {
        let (count, steps) = (23, 57)
        let sub = TermSubsample(fullSteps: 10, blockSize: 7, seed: 4)
        let selected = sub.images(count: count, steps: steps)
        for t in 1...10 { #expect(selected[t - 1] == Array(0..<count), "t = \(t)") }
        // Blocks 11…17, …, 53…57 (the last holds 5 steps).
        for start in stride(from: 11, through: steps, by: 7) {
            let block = start..<min(start + 7, steps + 1)
            let dealt = block.flatMap { selected[$0 - 1] }
            #expect(dealt.sorted() == Array(0..<count), "block from \(start): each image once")
            let sizes = block.map { selected[$0 - 1].count }
            #expect(sizes.max()! - sizes.min()! <= 1, "block from \(start): sizes \(sizes)")
        }
        // 10 full steps and 7 blocks (the last of 5 steps): 17 evaluations per image.
        #expect(sub.evaluations(count: count, steps: steps) == 17 * count)
        #expect(sub.evaluations(count: 3, steps: steps) == 3 * steps)
        // Fewer images than a block's steps: that block is evaluated in full, so no step is left without an image.
        #expect(sub.images(count: 3, steps: steps).allSatisfy { $0 == [0, 1, 2] })
    }

    @Test("Eq. 5 subsampled: each image's weighted total averages to its full Σ of terms over the dealing, and Σ terms = L exactly")
    func subsampledBoundIsUnbiased() throws {
        let s = try NoiseSchedule.linear(steps: 60)
        let d = 64
        var rng = SeededGenerator(seed: 5)
        let decoder = DiscreteDecoder(levels: 17)
        let x0 = (0..<12 * d).map { _ in Float(decoder.value(ofLevel: Int(rng.next() % 17))) }
        // A deliberately imperfect ε-model, so the terms vary with t and between images.
        let engine = ClosedFormEngine(capacity: 16, dimension: d) { x, t, i in 0.9 * s.sqrtOneMinusAlphaBar(t) * x + 0.01 * Double(i % 5) }
        let bound = VariationalBound(engine: engine, dimension: d, schedule: s, decoder: decoder)
        let model = [ReverseModel(name: "ε", mean: .noise, variance: .beta)]
        let full = bound.evaluate(x0, models: model, seed: 7)[0]
        // The same noise (seed 7) under R independent dealings: only the subsampling varies.
        let rounds = 200
        let estimates = (0..<rounds).map { r in
            bound.evaluate(x0, models: model, seed: 7, subsample: TermSubsample(fullSteps: 5, blockSize: 4, seed: UInt64(100 + r)))[0]
        }
        for report in estimates.prefix(5) {
            // Horvitz–Thompson: the per-step means and the weighted per-image totals are the same sum, up to rounding.
            expectClose(report.terms.reduce(0, +), report.total, relative: 1e-12)
        }
        let totals = estimates.map(\.total)
        let mean = totals.reduce(0, +) / Double(rounds)
        let sd = (totals.reduce(0) { $0 + ($1 - mean) * ($1 - mean) } / Double(rounds - 1)).squareRoot()
        #expect(sd > 0, "the dealing must change the estimate, or this test proves nothing")
        // The mean of R unbiased estimates is within 5 standard errors sd/√R of the full value (a false alarm ≈ 6e−7).
        expectClose(mean, full.total, absolute: 5 * sd / Double(rounds).squareRoot())
        // Per image: image 0's estimate over the dealings, the same bound.
        let first = estimates.map { $0.imageTotals[0] }
        let m0 = first.reduce(0, +) / Double(rounds)
        let sd0 = (first.reduce(0) { $0 + ($1 - m0) * ($1 - m0) } / Double(rounds - 1)).squareRoot()
        expectClose(m0, full.imageTotals[0], absolute: 5 * sd0 / Double(rounds).squareRoot() + 1e-12)
    }
}
