import Datasets
// Lesson 08, sections 1–3: the data, Algorithm 1 on the U-Net, and the loss by t.
import Diffusion
import Foundation
import Learning
import LessonKit
import Plotting
import TensorCore

extension Lesson08 {
    // MARK: - 1. The data

    func introduction(_ book: Notebook, digits: DigitImages) {
        book.section("1. The data: 8 × 8 digits with 17 gray levels")
        let training = digits.training
        var counts = [Int](repeating: 0, count: 17)
        for v in training.grayLevels { counts[Int(v)] += 1 }
        let share0 = Double(counts[0]) / Double(training.grayLevels.count)
        let share16 = Double(counts[16]) / Double(training.grayLevels.count)
        book.text(
            """
            \(digits.count) handwritten digits (UCI Optical Recognition of Handwritten Digits, CC BY 4.0): 32 × 32 \
            bitmaps counted in 4 × 4 blocks, so each pixel is a gray level v ∈ 0…16. The network sees x = v/8 − 1 ∈ \
            [−1, 1]: 17 values, a bin of 2/16 = 0.125 apart. The first \(training.count) images train, the last \
            \(digits.heldOut.count) are held out. \(NumberFormat.fixed(100 * share0, 1)) % of training pixels are \
            background (v = 0) and \(NumberFormat.fixed(100 * share16, 1)) % are full ink (v = 16). The figures draw \
            every digit as here: white ink on black, one square per pixel, pale blue between images.
            """)
        let shown = (0..<100).map { DigitPictures.image(training.values, $0) }
        book.figure(
            Figure(
                name: "data",
                title:
                    """
                    The first 100 training digits and the use of the 17 gray levels
                    """, columns: 2, width: 1300, height: 640,
                panels: [
                    DigitPictures.grid(shown, columns: 10, title: "training digits 1–100"),
                    Panel(
                        xLabel: "gray level v", yLabel: "share of training pixels", logY: true, legend: .hidden,
                        series: [
                            .line(x: (0..<17).map(Double.init), y: counts.map { Double($0) / Double(training.grayLevels.count) }),
                            .scatter(x: (0..<17).map(Double.init), y: counts.map { Double($0) / Double(training.grayLevels.count) }, size: 1.2),
                        ]),
                ]),
            caption:
                """
                The first 100 training digits (left) and how often each gray level occurs (right, log scale)
                """)
    }

    // MARK: - 2. Training

    /// The trainer after `run.steps` steps, every step's batch loss, and the EMA weights after
    /// `TrainedDigitsModel.table2Steps` steps when the recipe is lesson 09's Table 2 recipe (else nil).
    func train(_ book: Notebook, run: Run) throws -> (trainer: NetworkTrainer<UNet>, losses: [Double], table2: [Float]?) {
        book.section("2. Algorithm 1 on the U-Net")
        book.text(
            """
            The network is Ho et al.'s U-Net scaled to 8 × 8: a 3 × 3 conv to \(run.net.ch) channels, a residual block \
            at 8 × 8, a stride-2 conv to 4 × 4, residual blocks with \(2 * run.net.ch) channels and self-attention at \
            4 × 4, skip connections concatenated on the way up, nearest upsampling and a 3 × 3 conv back to 8 × 8. \
            Every residual block adds the time embedding per channel; GroupNorm with 8 groups; the last conv of each \
            residual branch starts at zero. \(run.net.layout.count) parameters. Training is Algorithm 1 exactly as in \
            lesson 04, on 64-value images instead of 2-D points.
            """)
        book.equation(
            """
            repeat: x₀ ~ data, t ~ U{1…T}, ε ~ N(0, I);  step on ∇_θ ‖ε − ε_θ(√ᾱₜ·x₀ + √(1 − ᾱₜ)·ε, t)‖²      \
            (Algorithm 1, Eq. 14)
            """)
        var options = TrainingOptions()
        options.batchSize = 128
        options.learningRate = learningRate
        options.emaDecay = ema > 0 ? ema : nil
        options.threads = run.threads
        var rng = SeededGenerator(seed: run.seed &+ TrainedDigitsModel.initialSeedOffset)
        let trainer = try NetworkTrainer(
            network: run.net, parameters: run.net.initialParameters(using: &rng), data: run.digits.training.values,
            schedule: run.schedule, options: options, seed: run.seed &+ TrainedDigitsModel.trainerSeedOffset)
        // Lesson 09's Table 2 trains its rows with the digits recipe from these seeds: keep the step-600 weights.
        let recipe = TrainingOptions.digits(threads: run.threads)
        let keep = learningRate == recipe.learningRate && options.emaDecay == recipe.emaDecay && run.steps >= TrainedDigitsModel.table2Steps
        var (step, table2): (Int, [Float]?) = (0, nil)
        let losses = trainer.train(steps: run.steps, label: "training the U-Net") {
            step += 1
            if keep && step == TrainedDigitsModel.table2Steps { table2 = trainer.samplingParameters }
        }
        let window = max(run.steps / 50, 1)
        let smoothed = stride(from: 0, to: run.steps, by: window).map { start -> (Double, Double) in
            let chunk = losses[start..<min(start + window, run.steps)]
            return (Double(start + chunk.count / 2 + 1), chunk.reduce(0, +) / Double(chunk.count))
        }
        let ema = options.emaDecay.map {
            "and keep an exponential moving average (EMA) of the weights with decay \($0); the samples use the EMA copy"
        }
        book.text(
            """
            We train for \(run.steps) steps in batches of 128 with Adam (learning rate \
            \(NumberFormat.significant(learningRate, 3))) \(ema ?? "without a moving average of the weights").
            """)
        book.figure(
            Figure(
                name: "loss", title: "L_simple while training the U-Net on digits", width: 1000, height: 460,
                panels: [
                    Panel(
                        xLabel: "step", yLabel: "batch loss", yRange: 0...1.2, legend: .topRight,
                        series: [
                            .scatter(x: losses.indices.map { Double($0 + 1) }, y: losses, label: "batch loss", size: 0.3, color: "#9ecae1"),
                            .line(x: smoothed.map(\.0), y: smoothed.map(\.1), label: "mean over \(window) steps", width: 2.5),
                        ])
                ]), caption: "The batch loss (dots) and its running mean (line)")
        let head = losses.prefix(max(1, min(50, losses.count / 4)))
        let tail = losses.suffix(max(1, min(200, losses.count / 4)))
        let first = head.reduce(0, +) / Double(head.count), last = tail.reduce(0, +) / Double(tail.count)
        book.value("mean loss over the first \(head.count) steps", first, digits: 4)
        book.value("mean loss over the last \(tail.count) steps", last, digits: 4)
        book.check(last < first, "the loss fell during training")
        book.tryIt(
            "--steps 3000",
            """
            twice the training: does the loss curve's tail still fall, and does section 6's d² move?
            """)
        book.tryIt(
            "--ema 0",
            """
            samples from the raw weights instead of their moving average: compare section 6's d² with this run's
            """)
        return (trainer, losses, table2)
    }

    // MARK: - 3. The loss by t

    func lossByStep(_ book: Notebook, run: Run, parameters: [Float]) {
        book.section("3. The loss by t on held-out digits")
        book.text(
            """
            As in lesson 04, split L_simple by t, here on the held-out digits with fresh noise (the EMA weights). \
            Large t: xₜ is nearly pure noise and ε ≈ xₜ is easy. Small t: the noise is a sliver on top of a digit. \
            How hard is that sliver to predict when the data lives on 17 gray levels?
            """)
        let held = run.digits.heldOut
        let engine = run.net.makeEngine(capacity: held.count, threads: run.threads)
        engine.load(parameters)
        let buckets: [ClosedRange<Int>] = [1...5, 6...20, 21...50, 51...100, 101...200, 201...400, 401...700, 701...1000]
        var rng = SeededGenerator(seed: run.seed &+ 800)
        var rows: [[String]] = []
        var points: [(Double, Double)] = []
        let x0 = held.values
        for range in buckets {
            let t = (0..<held.count).map { _ in rng.integer(in: range) }
            let noise = (0..<(held.count * 64)).map { _ in Float(rng.normal()) }
            let xt = (0..<(held.count * 64)).map { i -> Float in
                let s = t[i / 64]
                return run.schedule.float(s).noised(x0[i], noise: noise[i])
            }
            let out = xt.withUnsafeBufferPointer { engine.forward($0.baseAddress!, steps: t) }
            var sum = 0.0
            for i in 0..<(held.count * 64) { sum += Double((out[i] - noise[i]) * (out[i] - noise[i])) }
            let loss = sum / Double(held.count * 64)
            rows.append(["\(range.lowerBound)–\(range.upperBound)", NumberFormat.fixed(loss, 4)])
            points.append((Double(range.lowerBound + range.upperBound) / 2, loss))
        }
        book.table(["t", "L_simple on the \(held.count) held-out digits"], rows)
        book.figure(
            Figure(
                name: "loss-by-t", title: "Held-out L_simple by t", width: 900, height: 460,
                panels: [
                    Panel(
                        xLabel: "t (bucket centre)", yLabel: "mean (ε − ε_θ)²", logX: true, legend: .hidden,
                        series: [
                            .line(x: points.map(\.0), y: points.map(\.1)), .scatter(x: points.map(\.0), y: points.map(\.1), size: 1.2),
                        ])
                ]), caption: "L_simple of the trained U-Net on held-out digits, by range of t")
        let hardest = points.indices.max { points[$0].1 < points[$1].1 }!
        let falling = zip(points, points.dropFirst()).allSatisfy { $0.1 >= $1.1 }
        let sliver = hardest == 0 ? ": predicting that sliver is the hard part" : ""
        book.text(
            """
            The loss \(falling ? "falls steadily" : "falls overall") with t, from \
            \(NumberFormat.fixed(points.first!.1, 3)) at t = 1–5 to \(NumberFormat.fixed(points.last!.1, 4)) at t = \
            701–1000; the hardest bucket is t = \(rows[hardest][0]) \
            (\(NumberFormat.fixed(points[hardest].1, 3)))\(sliver).
            """)
        book.check(points.first!.1 > points.last!.1, "the loss at small t exceeds the loss at large t")
    }
}
