// Lesson 08 — DDPM on handwritten digits: the paper's U-Net in miniature, trained with Algorithm 1 and
// sampled with Algorithm 2 (Ho et al. 2020, Sec. 4, App. B; Eq. 14, 15; Fig. 6–8).
//
// Goal: the paper's real system at classroom size — a U-Net with residual blocks, GroupNorm, the time
// embedding in every block and self-attention at 4 × 4, on 8 × 8 digits with 17 gray levels — and
// honest measures of what it learned: new digits or copies, how digit-like (a classifier and a
// Fréchet distance in its features), what is decided when along the chain.
// Run:  swift run -c release lesson-08 [--seed 0] [--steps 1500] [--ch 16] [--threads 2] [--output Plots/08-digits]
// Expect: recognisable digits in the grids, a memorisation ratio near 1, a Fréchet distance within 2× of
// the data floor (σ² = β, with β̃ beside it). About 2½ minutes in release on 2 cores (3¼ in a slow hour); writes
// the model for lessons 09–12, its weights at step 600 for lesson 09's Table 2, and both sample sets for lesson 11.
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
struct Lesson08: OneLineErrorCommand {
    static let configuration = CommandConfiguration(
        commandName: "lesson-08",
        abstract:
            """
            Lesson 08: DDPM on 8 × 8 digits with the paper's U-Net (Algorithms 1 and 2).
            """)

    @OptionGroup var options: LessonOptions

    @Option(parsing: .unconditional, help: "Training steps (batch 128).")
    var steps = 1_500

    @Option(parsing: .unconditional, help: "U-Net width at 8 × 8 (a multiple of 8).")
    var ch = 16

    @Option(parsing: .unconditional, help: "Adam's learning rate.")
    var learningRate = 2e-3

    @Option(parsing: .unconditional, help: "Decay of the exponential moving average of the weights (0 disables it).")
    var ema = 0.995

    @OptionGroup var compute: ComputeOptions

    /// Threads for training and sampling.
    var threads: Int { compute.threads }

    @Option(
        parsing: .unconditional,
        help:
            """
            Samples for samples.csv, samples-tilde.csv and the measures (≥ 297, the held-out count).
            """)
    var samples = 300

    func validate() throws {
        guard steps >= 1 else { throw ValidationError("--steps must be ≥ 1, got \(steps)") }
        guard ch >= 8 && ch % 8 == 0 else { throw ValidationError("--ch must be a positive multiple of 8, got \(ch)") }
        guard learningRate > 0, learningRate < 1 else { throw ValidationError("--learning-rate must be in (0, 1), got \(learningRate)") }
        guard ema >= 0, ema < 1 else { throw ValidationError("--ema must be in [0, 1), got \(ema)") }
        guard samples >= 297 else { throw ValidationError("--samples must be at least 297, got \(samples)") }
    }

    func run() throws {
        let book = try Notebook(number: "08", options: options)
        let schedule = try NoiseSchedule.linear()
        let digits = try DigitImages.forLesson()
        let net = UNet(ch: ch)
        let context = DigitsContext(net: net, schedule: schedule, digits: digits, options: options, compute: compute)
        let run = Run(
            context: context, steps: context.size(steps, quick: QuickBudgets.Lesson08.steps),
            count: context.size(samples, quick: QuickBudgets.Lesson08.samples))
        book.opening(
            """
            We train the paper's U-Net, scaled to 8 × 8 digits, with Algorithm 1 and sample it with Algorithm 2, both \
            exactly as lessons 04 and 05 did on points. Then we ask what a student of generative models asks of any \
            sampler: are the samples new or copies, how digit-like are they (a Fréchet distance with its noise), and \
            when along the chain is a digit decided?
            """,
            equations: """
                L_simple = E‖ε − ε_θ(√ᾱₜ·x₀ + √(1 − ᾱₜ)·ε, t)‖²      (Eq. 14, Algorithm 1)
                x_{t−1} = (xₜ − βₜ/√(1 − ᾱₜ)·ε_θ(xₜ, t))/√αₜ + σₜz      (Algorithm 2)
                x̂₀ = (xₜ − √(1 − ᾱₜ)·ε_θ(xₜ, t))/√ᾱₜ      (Eq. 15)
                d² = ‖μ₁ − μ₂‖² + Tr(Σ₁ + Σ₂ − 2(Σ₁^½·Σ₂·Σ₁^½)^½)      (Fréchet distance)
                """)
        introduction(book, digits: digits)
        let (trainer, losses, table2) = try train(book, run: run)
        lossByStep(book, run: run, parameters: trainer.samplingParameters)
        let drawn = sampleGrids(book, run: run, parameters: trainer.samplingParameters)
        let ratio = novelty(book, run: run, samples: drawn.samples)
        let yardstick = context.yardstick(size: run.count)
        let fid = quality(book, run: run, samples: drawn.samples, tilde: drawn.tilde, yardstick: yardstick)
        let half = progressive(book, run: run, snapshots: drawn.snapshots)
        try sharedLatents(book, run: run, parameters: trainer.samplingParameters, snapshots: drawn.snapshots, classifier: yardstick.classifier)
        interpolation(book, run: run, parameters: trainer.samplingParameters)
        try writeOutputs(
            book, run: run, parameters: trainer.samplingParameters, samples: drawn.samples, tilde: drawn.tilde, losses: losses, table2: table2)
        let gap = yardstick.differ(fid, yardstick.floor) ? "a gap beyond the metric's noise" : "within the metric's noise of real digits"
        book.recap([
            """
            Algorithms 1 and 2 carry over from points to images unchanged; only the network grew (a U-Net with \
            \(net.layout.count) parameters).
            """,
            """
            \(ratio > 0.7 ? "The samples are new digits, not copies" : "The samples are close to copies"): they sit \
            \(NumberFormat.fixed(ratio, 2)) times as far from the \
            training set as held-out digits do.
            """,
            """
            They score d² = \(NumberFormat.significant(fid, 3)) against the held-out digits, where real digits score \
            \(yardstick.floorText): \(gap).
            """,
            """
            Along the chain, the clipped guess x̂₀ has covered half its distance to the final digit by t = \(half) \
            (of \(schedule.steps)).
            """,
        ])
        book.exercises(Course.exercises(lesson: 8))
        try book.finish()
    }

    /// What every section shares: the context, the training steps and the sample count.
    struct Run: DigitsRun {
        let context: DigitsContext
        let steps: Int
        let count: Int
    }

    /// A sampler with capacity `capacity` for `parameters`.
    func sampler(_ run: Run, parameters: [Float], capacity: Int, variance: ReverseVariance = .beta) -> NetworkSampler {
        run.context.sampler(parameters: parameters, capacity: capacity, variance: variance)
    }
}
