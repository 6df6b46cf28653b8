// Lesson 10 — noise schedules and learned variances (Nichol & Dhariwal 2021) on the digits U-Net.
//
// Goal: see what the cosine schedule changes (how fast xₜ forgets the digit, where the steps are
// spent), train the same U-Net with each schedule at one budget and compare the bound and the
// samples, then let the network learn its reverse variance with L_hybrid and measure what that buys
// in bits/dim and with few sampling steps.
// Equations: ᾱ(t) = f(t)/f(0), f(t) = cos²((t/T + s)/(1 + s)·π/2); Σ_θ = exp(v·log βₜ + (1 − v)·log β̃ₜ);
// L_hybrid = L_simple + λ·L_vlb (λ = 0.001, the mean's gradient stopped inside L_vlb); Eq. 4, 5, 13, 15.
// Run:  swift run -c release lesson-10 [--seed 0] [--steps 400] [--ch 16] [--samples 300] [--bound-images 50] [--threads 2]
// Expect: the linear schedule leaves xₜ close to pure noise for a large share of its steps; whether
// Nichol & Dhariwal's few-step gain from the learned variance reproduces at this budget is measured in
// section 4 and stated in the transcript. About 4 minutes in release on 2 cores.
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
struct Lesson10: OneLineErrorCommand {
    static let configuration = CommandConfiguration(
        commandName: "lesson-10",
        abstract:
            """
            Lesson 10: noise schedules (linear against cosine) and learned variances (L_hybrid) on the digits U-Net.
            """)

    @OptionGroup var options: LessonOptions

    @Option(
        parsing: .unconditional,
        help:
            """
            Training steps for each of the three networks (batch 128): one equal budget.
            """)
    var steps = 400

    @Option(parsing: .unconditional, help: "U-Net width at 8 × 8 (a multiple of 8).")
    var ch = 16

    @Option(parsing: .unconditional, help: "Samples per sampler and step count (≥ 297, the held-out count).")
    var samples = 300

    @Option(parsing: .unconditional, help: "Held-out digits the bound is evaluated on (1…297; all 1,000 terms each).")
    var boundImages = 50

    @OptionGroup var compute: ComputeOptions

    /// Threads for training and sampling.
    var threads: Int { compute.threads }

    func validate() throws {
        guard steps >= 1 else { throw ValidationError("--steps must be at least 1, got \(steps)") }
        guard ch >= 8, ch % 8 == 0 else { throw ValidationError("--ch must be a positive multiple of 8, got \(ch)") }
        guard samples >= 297 else { throw ValidationError("--samples must be at least 297, got \(samples)") }
        guard (1...297).contains(boundImages) else {
            throw ValidationError(
                """
                --bound-images must be between 1 and 297, got \(boundImages)
                """)
        }
    }

    func run() throws {
        let book = try Notebook(number: "10", options: options)
        let digits = try DigitImages.forLesson()
        let context = DigitsContext(net: UNet(ch: ch), schedule: try .linear(), digits: digits, options: options, compute: compute)
        let run = Run(
            context: context, cosine: try .cosine(), steps: context.size(steps, quick: QuickBudgets.Lesson10.steps),
            count: context.size(samples, quick: QuickBudgets.Lesson10.samples),
            boundImages: context.size(boundImages, quick: QuickBudgets.Lesson10.boundImages))
        book.opening(
            """
            Nichol & Dhariwal (2021) change two things in Ho et al.'s recipe: a cosine schedule for ᾱₜ in place of \
            the linear βₜ, and a reverse variance the network learns, trained with a hybrid loss. This lesson shows \
            how each schedule spends its steps and destroys a digit, then trains three U-Nets from the same seeds at \
            one budget (linear and cosine with L_simple, cosine with L_hybrid) and scores them by the bound (in \
            bits/dim) and by the Fréchet distance d² of their samples.
            """,
            equations: """
                ᾱₜ = f(t)/f(0),   f(t) = cos²(((t/T + s)/(1 + s))·π/2),   βₜ = min(1 − ᾱₜ/ᾱₜ₋₁, 0.999)
                Σ_θ(xₜ, t) = exp(v·log βₜ + (1 − v)·log β̃ₜ)
                L_hybrid = L_simple + λ·L_vlb
                """)
        let linear = run.linear
        book.text(
            """
            Lessons 08–09 used Ho et al.'s linear schedule, βₜ from \(NumberFormat.significant(linear.beta(1), 2)) to \
            \(NumberFormat.significant(linear.beta(linear.steps), 2)), and a fixed reverse variance. This lesson \
            measures both of Nichol & Dhariwal's changes on the digits, with lesson 08's U-Net \
            (\(run.net.configuration)) and metrics. Every number below is computed by this run.
            """)
        let yardstick = context.yardstick(size: run.count)
        compareSchedules(book, run: run)
        let lost = destruction(book, run: run, classifier: yardstick.classifier)
        let models = try trainModels(book, run: run)
        let (bounds, curves) = try schedulesAtOneBudget(book, run: run, models: models, yardstick: yardstick)
        let variances = learnedVariances(book, run: run, models: models, bounds: bounds, curves: curves, yardstick: yardstick)
        let T = run.cosine.steps
        let linearBound = bounds[1].total < bounds[2].total ? bounds[1] : bounds[2]
        let cosineBound = bounds[4].total < bounds[5].total ? bounds[4] : bounds[5]
        let gap = MeanDifference.paired(cosineBound.imageTotals, linearBound.imageTotals)
        let favoured = gap.mean < 0 ? "cosine" : "linear"
        let boundVerdict =
            gap.resolved
            ? "the bound favours the \(favoured) schedule by \(gap.text) bits/dim"
            : "the two bounds differ by \(gap.text) bits/dim, within two standard errors"
        let samples = yardstick.compare(curves[0].frechet.last!, "linear", curves[1].frechet.last!, "cosine")
        book.recap(
            [
                """
                Under the ideal denoiser of the training digits the class is lost for \
                \(NumberFormat.fixed(100 * lost.linear, 1)) % of the linear schedule's steps and \
                \(NumberFormat.fixed(100 * lost.cosine, 1)) % of the cosine schedule's.
                """,
                """
                At one budget of \(run.steps) steps \(boundVerdict); their samples (σ² = β, \
                S = \(stepCounts(run).last!)) score \(samples).
                """,
                """
                The cap β_T = 0.999 makes Eq. 11's last term cost the cosine network \
                \(NumberFormat.significant(bounds[3].terms[T - 1], 3)) bits/dim; clipping x̂₀ brings it to \
                \(NumberFormat.significant(bounds[4].terms[T - 1], 3)).
                """,
            ] + variances)
        book.exercises(Course.exercises(lesson: 10))
        try book.finish()
    }

    /// What every section shares: the context (its schedule the linear one), the cosine schedule and the sizes.
    struct Run: DigitsRun {
        let context: DigitsContext
        let cosine: NoiseSchedule
        let steps: Int
        let count: Int
        let boundImages: Int
        /// Ho et al.'s linear schedule.
        var linear: NoiseSchedule { context.schedule }
    }
}
