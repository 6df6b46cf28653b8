import ArgumentParser
import Course
// Lesson 04 — Algorithm 1: training a noise predictor ε_θ (Ho et al. 2020, Eq. 14, Algorithm 1).
//
// Goal: train a real DDPM in Swift, watch it learn, and see how far the learned ε_θ is from the best
// possible ε* (known in closed form for the 8-Gaussian mixture).
// Run:  swift run -c release lesson-04 [--seed 0] [--steps 12000] [--threads 2] [--output Plots/04-training]
// Expect: the loss settles near 0.19 — not 0: even the best possible predictor has a large loss at small t.
// Models are saved for lesson 05. About a minute in release on 2 cores.
import Datasets
import Diffusion
import ExerciseKit
import Foundation
import Learning
import LessonKit
import Plotting
import TensorCore

@main
struct Lesson04: OneLineErrorCommand {
    static let configuration = CommandConfiguration(
        commandName: "lesson-04", abstract: "Lesson 04: Algorithm 1, training ε_θ with L_simple (Eq. 14).")

    @OptionGroup var options: LessonOptions

    @Option(parsing: .unconditional, help: "Training steps on the Swiss roll.")
    var steps = 12_000

    @Option(parsing: .unconditional, help: "Training steps on the 8 Gaussians.")
    var gaussianSteps = 10_000

    @Option(parsing: .unconditional, help: "Adam's base learning rate.")
    var learningRate = 4e-3

    @Option(help: "Learning-rate schedule: cosine (decays to 2 %) or constant.")
    var lrSchedule = LearningRateChoice.cosine

    @Option(parsing: .unconditional, help: "Decay of the exponential moving average of the weights (0 disables it).")
    var ema = 0.995

    @Option(parsing: .unconditional, help: "Gradient-norm clipping threshold (0 disables it).")
    var clip = 0.0

    @Flag(inversion: .prefixedNo, help: "Antithetic time steps (half the batch uses T + 1 − t).")
    var antithetic = true

    @OptionGroup var compute: ComputeOptions

    /// Threads for the networks.
    var threads: Int { compute.threads }

    enum LearningRateChoice: String, ExpressibleByArgument, CaseIterable { case cosine, constant }

    func validate() throws {
        guard steps >= 1, gaussianSteps >= 1 else { throw ValidationError("--steps and --gaussian-steps must be ≥ 1") }
        guard learningRate > 0, learningRate < 1 else { throw ValidationError("--learning-rate must be in (0, 1), got \(learningRate)") }
        guard ema >= 0, ema < 1 else { throw ValidationError("--ema must be in [0, 1), got \(ema)") }
        guard clip >= 0 else { throw ValidationError("--clip must be ≥ 0, got \(clip)") }
    }

    /// The training options these flags describe, for a run of `steps` steps.
    func trainingOptions(steps: Int) -> TrainingOptions {
        var o = TrainingOptions()
        o.learningRate = learningRate
        o.schedule = lrSchedule == .cosine ? .cosine(steps: steps, floor: 0.02) : .constant
        o.emaDecay = ema > 0 ? ema : nil
        o.clipNorm = clip > 0 ? clip : nil
        o.antithetic = antithetic
        o.threads = threads
        return o
    }

    /// What one training run leaves for the transcript: the trainer and its loss at the start and at the end.
    struct TrainingRun {
        let trainer: NetworkTrainer<MLP>
        /// Mean batch loss over the first steps and over the last ones, with the last mean's standard error.
        let first: Double, last: Double, lastStandardError: Double
    }

    func run() throws {
        let book = try Notebook(number: "04", options: options)
        book.opening(
            """
            Algorithm 1 trains a network ε_θ by regression: noise a data point with Eq. (4) and ask the network \
            which noise was added. This lesson trains an MLP on a Swiss roll and on 8 Gaussians, splits the loss by \
            t to see why it stays high, measures the network against the exact best predictor ε* (known for the \
            8 Gaussians), and tests the training tricks a popular tutorial uses.
            """,
            equations: """
                L_simple = E‖ε − ε_θ(√ᾱₜ·x₀ + √(1 − ᾱₜ)·ε, t)‖²,   t ~ U{1…T},  ε ~ N(0, I)      (Eq. 14)
                E‖ε − ε_θ‖² = E‖ε − ε*‖² + E‖ε* − ε_θ‖²,   ε* = E[ε∣xₜ]
                """)
        let schedule = try NoiseSchedule.linear()
        let scale = options.quick ? 10 : 1
        var rng = SeededGenerator(seed: options.seed)
        let roll = ToyData.swissRoll(10_000, using: &rng)
        let gaussians = ToyData.eightGaussians(10_000, using: &rng)
        introduction(book, roll: roll, gaussians: gaussians)
        let rollRun = try train(
            book, name: "Swiss roll", data: roll, steps: steps / scale, seed: options.seed &+ 1, schedule: schedule)
        let byStep = lossByStep(book, run: rollRun, data: roll, schedule: schedule)
        let gaussRun = try train(
            book, name: "8 Gaussians", data: gaussians, steps: gaussianSteps / scale, seed: options.seed &+ 2,
            schedule: schedule)
        let gap = oracleGap(book, model: gaussRun.trainer.samplingModel, data: gaussians, schedule: schedule)
        let tricks = try tricks(book, data: gaussians, steps: max(2_000 / scale, 100), schedule: schedule)
        try save(
            book, rollRun.trainer.samplingModel, "swissroll.safetensors",
            "the Swiss-roll model (EMA weights if enabled), for lesson 05")
        try save(book, gaussRun.trainer.samplingModel, "eight-gaussians.safetensors", "the 8-Gaussian model, for lesson 05")
        let averaged = ", and its average over t is the level the training loss settles at"
        book.recap([
            """
            Algorithm 1 is plain regression on the added noise; the Swiss-roll loss settles at \
            \(NumberFormat.fixed(rollRun.last, 3)), not 0.
            """,
            """
            The loss is high at small t and near 0 at large t (\(NumberFormat.fixed(byStep.first, 3)) against \
            \(NumberFormat.fixed(byStep.last, 4)) on the Swiss roll)\(byStep.agree ? averaged : "").
            """,
            """
            The honest measure of the network is its gap to the best predictor ε*: on the 8 Gaussians \
            \(NumberFormat.significant(gap, 2)) per coordinate averaged over t, against a training \
            loss of \(NumberFormat.fixed(gaussRun.last, 3)).
            """,
            tricks.beyondNoise.isEmpty
                ? """
                No training trick moved the gap beyond the run-to-run noise of single runs (standard deviation \
                \(NumberFormat.significant(tricks.noise, 2))).
                """
                : """
                Only \(tricks.beyondNoise.joined(separator: " and ")) moved the gap beyond the run-to-run noise of \
                single runs (standard deviation \(NumberFormat.significant(tricks.noise, 2))), in one run that other \
                seeds must confirm.
                """,
        ])
        book.exercises(Course.exercises(lesson: 4))
        try book.finish()
    }

    // MARK: - 1. Algorithm 1

    func introduction(_ book: Notebook, roll: Tensor<Double>, gaussians: Tensor<Double>) {
        book.section("1. Algorithm 1")
        let sizes = MLP.toySizes
        let layers = ["[xₜ, \(TimeEmbedding.width)-value sinusoidal embedding of t]"] + sizes.dropFirst().map(String.init)
        let digits = String(MLP.parameterCount(sizes))
        let count = digits.count > 3 ? "\(digits.dropLast(3)),\(digits.suffix(3))" : digits
        book.text(
            """
            Training is a regression: take a data point x₀, a step t and noise ε, form xₜ with Eq. (4), and teach \
            the network to say which noise was added. The loss is L_simple (Eq. 14), the plain squared error, \
            averaged over the batch's elements. The network is the benchmark's MLP: \
            \(layers.joined(separator: " → ")), with the SiLU activation SiLU(x) = x·σ(x) (σ the logistic sigmoid) \
            between layers, \(count) parameters in all, trained with Adam, a gradient method that scales each \
            weight's step by running averages of its gradient and squared gradient (exercise 04.2). It runs on the \
            workbench's own tensor kernels (SIMD matrix products, hand-written backward pass checked against the \
            autodiff tape).
            """)
        book.equation(
            """
            repeat:  x₀ ~ q(x₀);  t ~ Uniform{1…T};  ε ~ N(0, I)
                     gradient step on ‖ε − ε_θ(√ᾱₜ·x₀ + √(1 − ᾱₜ)·ε, t)‖²          (Algorithm 1, Eq. 14)
            """)
        book.figure(
            Figure(
                name: "data", title: "The two training sets (10,000 points each)", columns: 2, width: 1100, height: 520,
                panels: [
                    Panel(
                        title: "Swiss roll", xLabel: "first coordinate", yLabel: "second coordinate", equalAspect: true,
                        legend: .hidden,
                        series: [.scatter(x: roll.column(0).scalars, y: roll.column(1).scalars, size: 0.2)]),
                    Panel(
                        title: "8 Gaussians (radius 1, σ = 0.05)", xLabel: "first coordinate", yLabel: "second coordinate",
                        equalAspect: true, legend: .hidden,
                        series: [
                            .scatter(x: gaussians.column(0).scalars, y: gaussians.column(1).scalars, size: 0.2, color: "#d62728")
                        ]),
                ]),
            caption: "The training data: a Swiss roll and a mixture of 8 Gaussians")
    }

    // MARK: - 2. Training

    /// The training settings in words, each trick defined where it first appears (`first`).
    func settings(_ options: TrainingOptions, steps: Int, first: Bool) -> String {
        let rate = NumberFormat.significant(options.learningRate, 3)
        var clauses = ["\(steps) steps with batches of \(options.batchSize)"]
        switch (lrSchedule, first) {
        case (.cosine, true):
            clauses.append(
                """
                Adam's learning rate starts at \(rate) and follows a cosine decay: it falls along half a cosine \
                wave to its floor, 2 % of the start, at the last step
                """)
        case (.cosine, false): clauses.append("Adam's learning rate \(rate) with the same cosine decay to 2 %")
        case (.constant, _): clauses.append("Adam's learning rate a constant \(rate)")
        }
        switch (options.emaDecay, first) {
        case (let d?, true):
            clauses.append(
                """
                the model kept is an EMA, an exponential moving average of the weights, θ̄ ← d·θ̄ + (1 − d)·θ with \
                decay d = \(d) after every step (exercise 04.3), which smooths out the last steps' noise
                """)
        case (let d?, false): clauses.append("the model kept is the EMA of the weights with decay \(d)")
        case (nil, _): clauses.append("no EMA: the model kept is the last step's weights")
        }
        clauses.append(options.clipNorm.map { "the gradient's norm clipped at \($0)" } ?? "no gradient clipping")
        switch (options.antithetic, first) {
        case (true, true):
            clauses.append(
                "antithetic t: each t drawn for half the batch is paired with T + 1 − t for the other half")
        case (true, false): clauses.append("antithetic t")
        case (false, _): clauses.append("independent t")
        }
        return clauses.joined(separator: "; ") + "."
    }

    func train(_ book: Notebook, name: String, data: Tensor<Double>, steps: Int, seed: UInt64, schedule: NoiseSchedule)
        throws -> TrainingRun
    {
        let first = name == "Swiss roll"
        book.section("\(first ? 2 : 4). Training on the \(name)")
        var rng = SeededGenerator(seed: seed)
        let options = trainingOptions(steps: steps)
        let trainer = try NetworkTrainer(
            model: MLP(using: &rng), data: data.converted(to: Float.self).scalars, schedule: schedule, options: options,
            seed: seed)
        var bar = ProgressBar("training \(name)", total: steps)
        var losses: [Double] = []
        losses.reserveCapacity(steps)
        for step in 1...steps {
            losses.append(Double(trainer.step()))
            bar.update(step, status: "loss \(NumberFormat.fixed(losses.last!, 3))")
        }
        // The running mean over windows of equal width on the figure's log axis: about 40 from step 1 to the last.
        let edges = Array(Set((0...40).map { Int((pow(Double(steps), Double($0) / 40)).rounded()) })).sorted()
        let smoothed = zip(edges, edges.dropFirst()).map { lower, upper -> (Double, Double) in
            let chunk = losses[(lower - 1)..<(upper - 1)]
            return ((Double(lower) * Double(upper - 1)).squareRoot(), chunk.reduce(0, +) / Double(chunk.count))
        }
        book.text(settings(options, steps: steps, first: first))
        let slug = first ? "swissroll" : "eight-gaussians"
        // Every one of the first 200 steps (where the loss falls fastest), then about 2,000 evenly spaced ones.
        let every = max(steps / 2000, 1)
        let shown = losses.indices.filter { $0 < 200 || $0 % every == 0 }
        let top = 1.05 * (shown.map { losses[$0] }.max() ?? 1)
        book.figure(
            Figure(
                name: "loss-\(slug)", title: "L_simple while training on the \(name)", width: 1000, height: 480,
                panels: [
                    Panel(
                        xLabel: "step (log scale)", yLabel: "batch loss", xRange: 1...Double(steps), yRange: 0...top,
                        logX: true, legend: .topRight,
                        series: [
                            .scatter(
                                x: shown.map { Double($0 + 1) }, y: shown.map { losses[$0] }, label: "batch loss", size: 0.25,
                                color: "#9ecae1"),
                            .line(x: smoothed.map(\.0), y: smoothed.map(\.1), label: "running mean", width: 2.5),
                        ])
                ]),
            caption: "The batch loss (dots) and its running mean (line) on the \(name), against the step on a log axis")
        let head = losses.prefix(100)
        let tail = losses.suffix(min(1000, steps))
        let (tailMean, tailVariance) = meanAndVariance(Array(tail))
        book.value("mean loss over the first \(head.count) steps", head.reduce(0, +) / Double(head.count), digits: 4)
        book.value("mean loss over the last \(tail.count) steps", tailMean, digits: 4)
        if first {
            book.tryIt(
                "--steps 3000 --lr-schedule constant",
                "a quarter of the training at a fixed learning rate: compare where the running mean ends")
        }
        return TrainingRun(
            trainer: trainer, first: head.reduce(0, +) / Double(head.count), last: tailMean,
            lastStandardError: (tailVariance / Double(tail.count)).squareRoot())
    }

    func save(_ book: Notebook, _ model: MLP, _ file: String, _ description: String) throws {
        try FileManager.default.createDirectory(at: book.directory, withIntermediateDirectories: true)
        try Checkpoint.save(model, parameters: model.parameters, to: book.directory.appendingPathComponent(file))
        book.wroteFile(file, description)
    }
}
