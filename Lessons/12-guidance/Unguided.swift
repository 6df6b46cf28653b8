// Lesson 12, end of section 1: the unguided samples reconciled with lesson 11's (clipping and seeds).
import Diffusion
import LessonKit
import Sampling

extension Lesson12 {
    /// The s = 0 samples of section 1 against lesson 11's respaced DDPM at the same S: the same sampler with
    /// and without x̂₀ clipped, from this lesson's seeds and from lesson 08's (lesson 11's), all scored alike.
    func unguided(_ book: Notebook, run: Run, judge: Judge, atZero: Point) throws {
        let engine = run.net.makeEngine(capacity: 100, threads: run.threads)
        engine.load(run.parameters)
        let tau = run.schedule.evenlySpacedSteps(run.samplingSteps)
        let count = run.labels.count
        func score(clip: Bool, seed: UInt64) throws -> (d2: Double, samples: [Float]) {
            let sampler = try StridedSampler(
                engine: engine, dimension: run.net.dimension, schedule: run.schedule, tau: tau, method: .ddpm(.beta),
                clipDenoised: clip)
            let samples = sampler.sample(count: count, seed: seed).map { max(-1, min(1, $0)) }
            return (judge.yardstick.distance(samples), samples)
        }
        let (ours, lesson08) = (run.seed &+ 123, run.seed &+ TrainedDigitsModel.sampleSeedOffset)
        let same = try score(clip: true, seed: ours)
        book.check(
            same.samples == atZero.samples,
            "classifier guidance with s = 0 is respaced DDPM itself: the same \(count) samples, bit for bit")
        let rows = [
            ("this lesson's (s = 0 above)", "clipped", same.d2),
            ("this lesson's", "not clipped", try score(clip: false, seed: ours).d2),
            ("lesson 08's, as lesson 11 draws them", "clipped", try score(clip: true, seed: lesson08).d2),
            ("lesson 08's, as lesson 11 draws them", "not clipped", try score(clip: false, seed: lesson08).d2),
        ]
        book.text(
            """
            Unguided (s = 0), these are respaced DDPM samples with S = \(run.samplingSteps) and σᵢ² = β′ᵢ, as in \
            lesson 11, but with x̂₀ clipped to [−1, 1] at every step (lesson 10's remedy; lesson 11 does not clip) and \
            from this lesson's seeds. Do those two choices explain a Fréchet distance unlike lesson 11's? The same \
            sampler, \(count) samples each, with and without clipping, from both sets of seeds:
            """)
        book.table(
            ["seeds (x_T and every z)", "x̂₀", "Fréchet d² (floor \(judge.yardstick.floorText))"],
            rows.map { [$0.0, $0.1, NumberFormat.significant($0.2, 3)] })
        let clipping = [(rows[0].2, rows[1].2), (rows[2].2, rows[3].2)]
        let seeds = [(rows[0].2, rows[2].2), (rows[1].2, rows[3].2)]
        let clippingMatters = clipping.contains { judge.yardstick.differ($0.0, $0.1) }
        let seedsMatter = seeds.contains { judge.yardstick.differ($0.0, $0.1) }
        let clippingText = clippingMatters ? "moves d² by more than that" : "moves d² by less than that, from either set of seeds"
        let seedsText =
            seedsMatter
            ? """
            move it by more than that, so the floor's sd understates the noise of a model's d²: one draw of \(count) \
            samples is not enough to rank two samplers this close
            """
            : "move it by less than that"
        book.text(
            """
            With the metric's noise at \(NumberFormat.significant(judge.yardstick.differenceNoise, 3)): clipping \
            \(clippingText); the seeds \(seedsText). \
            The last row uses lesson 11's sampler, seeds, batch size and sample count: it is the number lesson 11 \
            prints for σ² = β at S = \(run.samplingSteps) when both lessons run with the same --seed.
            """)
    }
}
