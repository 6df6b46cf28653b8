// Lesson 09 — the likelihood: the bound L in bits/dim (Eq. 5, 13), where its bits go, and sampling as
// progressive lossy compression (Ho et al. 2020, Sec. 3.3, 4.3; Fig. 5, Table 4).
//
// Goal: compute the paper's other headline number — the negative log-likelihood bound in bits per
// dimension — term by term for lesson 08's U-Net on held-out digits, judge it against baselines a
// reader can check, find where the bits go, fix what the data makes expensive, and read the same
// terms as a rate–distortion curve.
// Run:  swift run -c release lesson-09 [--seed 0] [--models Plots/08-digits] [--images 297] [--all-terms]
//        [--ablation-steps 600] [--all-rows] [--threads N] [--output Plots/09-likelihood]
// Expect: a held-out bound of a few bits/dim, much of it spent at t ≤ 10; the level-aware reverse
// process cuts it; most bits go to distortions below one gray level; Table 2 in miniature (its L_simple row
// is lesson 08's run, read from the copy lesson 08 keeps at step 600). About 3 minutes in release on 2 cores.
import ArgumentParser
import Course
import Datasets
import Diffusion
import ExerciseKit
import Foundation
import Learning
import LessonKit
import Plotting
import TensorCore

@main
struct Lesson09: OneLineErrorCommand {
    static let configuration = CommandConfiguration(
        commandName: "lesson-09",
        abstract: """
            Lesson 09: the bound in bits/dim (Eq. 5, 13), where the bits go, and progressive coding (Sec. 4.3).
            """)

    @OptionGroup var options: LessonOptions

    @OptionGroup var trained: TrainedModelOptions

    /// The folder with lesson 08's model.
    var models: String { trained.models }

    @Option(parsing: .unconditional, help: "Images per split for the bound (1…297).")
    var images = 297

    @Flag(help: "Evaluate every one of the T terms of every image, as the reference code does (about 5× the work).")
    var allTerms = false

    @Option(
        parsing: .unconditional,
        help: """
            Training images that calibrate the level-aware x̂₀ (1…1203, taken from the end of the training split).
            """)
    var calibration = 128

    @OptionGroup var compute: ComputeOptions

    /// Threads for training and sampling.
    var threads: Int { compute.threads }

    @Option(
        parsing: .unconditional,
        help: "Training steps of each of Table 2's rows (≥ 1; at 600 the L_simple row is lesson 08's run).")
    var ablationSteps = 600

    @Flag(
        help:
            """
            Train all five of Table 2's rows (μ̃ with an unweighted squared error and with a learned Σ too), not three.
            """)
    var allRows = false

    @Option(parsing: .unconditional, help: "Held-out digits for each objective's bound (1…297).")
    var ablationImages = 100

    @Option(parsing: .unconditional, help: "Samples for each objective's Fréchet distance (≥ 40).")
    var ablationSamples = 150

    func validate() throws {
        guard (1...297).contains(images) else { throw ValidationError("--images must be between 1 and 297, got \(images)") }
        guard (1...(DigitImages.trainingCount - 297)).contains(calibration) else {
            throw ValidationError(
                """
                --calibration must be between 1 and \(DigitImages.trainingCount - 297), got \(calibration)
                """)
        }
        guard ablationSteps >= 1 else { throw ValidationError("--ablation-steps must be at least 1, got \(ablationSteps)") }
        guard (1...297).contains(ablationImages) else {
            throw ValidationError(
                """
                --ablation-images must be between 1 and 297, got \(ablationImages)
                """)
        }
        guard ablationSamples >= 40 else {
            throw ValidationError(
                """
                --ablation-samples must be at least 40, got \(ablationSamples)
                """)
        }
    }

    func run() throws {
        let (net, parameters) = try trained.load()
        let book = try Notebook(number: "09", options: options)
        let digits = try DigitImages.forLesson()
        let context = DigitsContext(net: net, schedule: try NoiseSchedule.linear(), digits: digits, options: options, compute: compute)
        let quick = QuickBudgets.Lesson09.self
        let run = Run(
            context: context, parameters: parameters, images: context.size(images, quick: quick.images),
            calibration: context.size(calibration, quick: quick.calibration), ablationSteps: context.size(ablationSteps, quick: quick.ablationSteps),
            ablationImages: context.size(ablationImages, quick: quick.ablationImages),
            ablationSamples: context.size(ablationSamples, quick: quick.ablationSamples),
            subsample: allTerms ? nil : TermSubsample(fullSteps: 100, blockSize: 10, seed: options.seed &+ 89))
        book.opening(
            """
            This lesson computes the variational bound of Eq. 5 for lesson 08's network, term by term and in bits \
            per dimension, and judges it against baselines whose likelihood is exact. It finds where the bits go (the \
            first few steps), gives the reverse process an x̂₀ that knows the data's levels, reads the same terms as a \
            rate–distortion curve (Sec. 4.3), and ends with the paper's Table 2 in miniature: what to predict and \
            what to minimise.
            """,
            equations: """
                L = L_T + Σₜ₌₂ᵀ L_{t−1} + L₀                                   (Eq. 5)
                L_{t−1} = KL(q(x_{t−1}∣xₜ, x₀) ‖ p_θ(x_{t−1}∣xₜ))
                p_θ(x₀∣x₁) = Πᵢ ∫_{δ₋}^{δ₊} N(x; μ_θⁱ, σ₁²) dx                  (Eq. 13)
                bits/dim = L/(D·ln 2)
                """)
        book.text(
            """
            The model is lesson 08's U-Net (\(net.configuration), EMA weights) read from `\(models)`. Every number \
            below is computed by this run.
            """)
        decoderSection(book, run: run)
        let evaluation = bound(book, run: run)
        let baselines = baselines(book, run: run, evaluation: evaluation)
        whereTheBitsGo(book, run: run, evaluation: evaluation)
        let levels = levelAware(book, run: run, evaluation: evaluation, baselines: baselines)
        let coding = compression(book, run: run, evaluation: evaluation)
        let table2 = try ablation(book, run: run)
        try writeTerms(book, run: run, evaluation: evaluation)
        let plain = evaluation.heldOut[evaluation.bestPlain]
        let identifiable = max(run.schedule.timeSteps.last { Self.leaveProbability(run.schedule, $0) < 0.01 } ?? 1, 1)
        book.recap([
            """
            Lesson 08's network codes held-out digits in at most \(NumberFormat.fixed(plain.total, 3)) ± \
            \(NumberFormat.fixed(plain.standardError, 3)) bits/dim (the bound, \(plain.model.name)), and \
            \(NumberFormat.fixed(100 * Self.share(upTo: 10, of: plain), 1)) % of it is spent at t ≤ 10; \
            \(NumberFormat.fixed(100 * Self.share(upTo: identifiable, of: plain), 1)) % goes to t ≤ \(identifiable), \
            where fewer than 1 % of the interior pixels of xₜ/√ᾱₜ have left x₀'s bin.
            """,
            levels, coding, table2,
        ])
        book.exercises(Course.exercises(lesson: 9))
        try book.finish()
    }

    /// What every section shares.
    struct Run: DigitsRun {
        let context: DigitsContext
        let parameters: [Float]
        let images: Int
        let calibration: Int
        let ablationSteps: Int
        let ablationImages: Int
        let ablationSamples: Int
        /// The stratified share of the T terms evaluated (nil: all of them).
        let subsample: TermSubsample?

        /// The network evaluations the bound of one split costs.
        var evaluations: Int { subsample?.evaluations(count: images, steps: schedule.steps) ?? images * schedule.steps }

        /// The evaluator on a fresh engine.
        func evaluator() -> VariationalBound {
            let engine = net.makeEngine(capacity: 128, threads: threads)
            engine.load(parameters)
            return VariationalBound(
                engine: engine, dimension: net.dimension, schedule: schedule, decoder: DiscreteDecoder(levels: DigitImages.levels))
        }

        /// The first `images` rows of the held-out split and of the training split.
        var heldOut: DigitImages { digits.heldOut.subset(0..<images) }
        var training: DigitImages { digits.training.subset(0..<images) }
    }
}
