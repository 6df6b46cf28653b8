// Lesson 04, section 6: the tutorial's training tricks, each measured against ε*.
import Diffusion
import Learning
import LessonKit
import Plotting
import TensorCore

extension Lesson04 {
    /// The gap to ε* averaged over the t buckets, on a fixed evaluation set.
    func meanOracleGap(_ model: MLP, data: Tensor<Double>, schedule: NoiseSchedule) -> Double {
        let predictor = NoisePredictor(model: model, steps: schedule.steps)
        var total = 0.0
        for (b, range) in Self.buckets.enumerated() {
            let batch = Self.evaluationBatch(data, range: range, count: 512, schedule: schedule, seed: 600 + UInt64(b))
            let predicted = predictor.predict(x: batch.xt.scalars.map(Float.init), t: batch.t).map(Double.init)
            total += Self.meanSquaredError(predicted, Self.oracleNoise(batch.xt, t: batch.t, schedule: schedule))
        }
        return total / Double(Self.buckets.count)
    }

    // MARK: - 6. The tricks, measured

    /// Trains one network for `steps` steps with `options` from seeds derived from the lesson's; returns the mean
    /// loss of its last steps and its mean gap to ε*.
    func trickRun(_ options: TrainingOptions, data: Tensor<Double>, steps: Int, schedule: NoiseSchedule, offset: UInt64)
        throws -> (loss: Double, gap: Double)
    {
        var rng = SeededGenerator(seed: self.options.seed &+ offset &+ 7)
        let trainer = try NetworkTrainer(
            model: MLP(using: &rng), data: data.converted(to: Float.self).scalars, schedule: schedule, options: options,
            seed: self.options.seed &+ offset &+ 8)
        var last: [Double] = []
        for step in 1...steps {
            let loss = Double(trainer.step())
            if step > steps - min(500, steps) { last.append(loss) }
        }
        return (last.reduce(0, +) / Double(last.count), meanOracleGap(trainer.samplingModel, data: data, schedule: schedule))
    }

    /// Section 6; returns the tricks whose gap differs from plain Adam's beyond the run-to-run noise, and that
    /// noise (the standard deviation of plain Adam's gap over seeds).
    func tricks(_ book: Notebook, data: Tensor<Double>, steps: Int, schedule: NoiseSchedule) throws
        -> (beyondNoise: [String], noise: Double)
    {
        book.section("6. The tutorial's tricks, measured")
        let repeats = 3
        book.text(
            """
            A widely copied tutorial trains with an exponential moving average of the weights, gradient-norm \
            clipping at 1, and antithetic time steps (each t paired with T + 1 − t, so every batch covers small and \
            large t evenly). Each is an option here. Their effect, measured on the 8 Gaussians by the gap to ε* \
            after \(steps) steps, every variant from the same initial weights and the same seeds. Each variant is \
            a single run; to see how much a single run's gap moves on its own, plain Adam is also trained from \
            \(repeats) different seeds.
            """)
        let variants: [(String, (inout TrainingOptions) -> Void)] = [
            (
                "none (plain Adam, constant learning rate)",
                { o in
                    o.emaDecay = nil; o.clipNorm = nil; o.antithetic = false; o.schedule = .constant
                }
            ),
            (
                "EMA 0.995",
                { o in
                    o.emaDecay = 0.995; o.clipNorm = nil; o.antithetic = false; o.schedule = .constant
                }
            ),
            (
                "clipping at 1",
                { o in
                    o.emaDecay = nil; o.clipNorm = 1; o.antithetic = false; o.schedule = .constant
                }
            ),
            (
                "antithetic t",
                { o in
                    o.emaDecay = nil; o.clipNorm = nil; o.antithetic = true; o.schedule = .constant
                }
            ),
            (
                "cosine learning rate",
                { o in
                    o.emaDecay = nil; o.clipNorm = nil; o.antithetic = false; o.schedule = .cosine(steps: steps, floor: 0.02)
                }
            ),
            (
                "all of the above",
                { o in
                    o.emaDecay = 0.995; o.clipNorm = 1; o.antithetic = true; o.schedule = .cosine(steps: steps, floor: 0.02)
                }
            ),
        ]
        var rng = SeededGenerator(seed: options.seed &+ 7)
        let untrained = meanOracleGap(MLP(using: &rng), data: data, schedule: schedule)
        var rows: [[String]] = [["(untrained network)", "—", NumberFormat.significant(untrained, 3)]]
        var results: [(loss: Double, gap: Double)] = []
        for (name, configure) in variants {
            var options = trainingOptions(steps: steps)
            configure(&options)
            let result = try trickRun(options, data: data, steps: steps, schedule: schedule, offset: 0)
            results.append(result)
            rows.append([name, NumberFormat.fixed(result.loss, 4), NumberFormat.significant(result.gap, 3)])
        }
        // Plain Adam again from other seeds (other initial weights, batches and noise): the run-to-run spread.
        var plainOptions = trainingOptions(steps: steps)
        variants[0].1(&plainOptions)
        var plainGaps = [results[0].gap]
        for r in 1..<repeats {
            let result = try trickRun(plainOptions, data: data, steps: steps, schedule: schedule, offset: 100 * UInt64(r))
            plainGaps.append(result.gap)
            rows.append([
                "plain Adam, \(r == 1 ? "second" : r == 2 ? "third" : "another") seed", NumberFormat.fixed(result.loss, 4),
                NumberFormat.significant(result.gap, 3),
            ])
        }
        book.table(["trick", "mean loss, last \(min(500, steps)) steps", "mean gap ‖ε_θ − ε*‖²/2"], rows)
        let (plainMean, plainVariance) = meanAndVariance(plainGaps)
        let plainSD = (plainVariance * Double(repeats) / Double(repeats - 1)).squareRoot()
        // A single run against the mean of `repeats` runs: the difference has sd σ·√(1 + 1/repeats).
        let threshold = 2 * plainSD * (1 + 1 / Double(repeats)).squareRoot()
        let percent = { (x: Double) in NumberFormat.fixed(100 * x / plainMean, 0) + " %" }
        book.text(
            """
            The loss column barely moves: it is dominated by the irreducible part E‖ε − ε*‖². The gap to ε* is the \
            honest measure. Plain Adam from \(repeats) seeds gives gaps from \
            \(NumberFormat.significant(plainGaps.min()!, 3)) to \(NumberFormat.significant(plainGaps.max()!, 3)) \
            (mean \(NumberFormat.significant(plainMean, 3)), standard deviation \
            \(NumberFormat.significant(plainSD, 2)), \(percent(plainSD)) of the mean): a single run's gap moves that \
            much by chance. Twice the standard deviation of a single run's difference from that mean is \
            \(NumberFormat.significant(threshold, 2)); only differences beyond it are called effects below.
            """)
        var beyondNoise: [String] = []
        for (v, (name, _)) in variants.enumerated().dropFirst() {
            let result = results[v]
            let difference = result.gap - plainMean
            if v == 2 && result.gap == results[0].gap && result.loss == results[0].loss {
                book.text(
                    """
                    Clipping at 1 never triggered: its run has plain Adam's loss and gap to every digit \
                    (\(NumberFormat.significant(result.gap, 3))).
                    """)
            } else if abs(difference) > threshold {
                beyondNoise.append(name)
                book.text(
                    """
                    \(name.prefix(1).uppercased() + name.dropFirst()): gap \(NumberFormat.significant(result.gap, 3)), \
                    \(percent(abs(difference))) \(difference < 0 ? "below" : "above") plain Adam's mean — beyond \
                    the run-to-run noise: \(difference < 0 ? "better" : "worse") in this run, a difference to be \
                    confirmed with other seeds.
                    """)
            } else {
                book.text(
                    """
                    \(name.prefix(1).uppercased() + name.dropFirst()): gap \(NumberFormat.significant(result.gap, 3)), \
                    \(percent(abs(difference))) \(difference < 0 ? "below" : "above") plain Adam's mean — inside the \
                    run-to-run noise: no difference that single runs can show.
                    """)
            }
        }
        if options.quick {
            book.text(
                """
                (Quick mode: runs this short are dominated by their start, and the EMA still remembers the untrained \
                weights; nothing is checked.)
                """)
        } else {
            book.check(
                results.allSatisfy { $0.gap < untrained / 2 },
                "every variant at least halves the untrained network's gap to ε*")
        }
        book.tryIt("--seed 1", "new data, initial weights and batches for every run: see which differences survive")
        book.tryIt(
            "--clip 1 --no-antithetic",
            "the full runs of sections 2 and 4 with clipping and without antithetic t: compare the gap in section 5")
        return (beyondNoise, plainSD)
    }
}
