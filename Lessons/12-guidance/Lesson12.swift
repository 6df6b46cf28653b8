// Lesson 12 — guidance: steering samples toward a class with a noisy classifier (Dhariwal & Nichol
// 2021) or with a class-conditional network and its own unconditional twin (Ho & Salimans 2021).
//
// Goal: see the two guidance rules at work on the digits, prove that the two popular forms of
// classifier-free guidance are one, and measure what a larger guidance weight buys (the asked-for
// class more often) and costs (less variety within a class).
// Equations: μ̃ = μ + s·Σ·∇ₓ log p_φ(y∣xₜ, t);  ε̃ = (1 + w)·ε_θ(xₜ, y) − w·ε_θ(xₜ, ∅) = ε_u + s·(ε_c − ε_u), s = 1 + w.
// Run:  swift run -c release lesson-12 [--seed 0] [--models Plots/08-digits] [--steps 800] [--classifier-steps 1500] [--sampling-steps 50] [--threads 2]
// Expect: the intended class's accuracy rising with w and s, the within-class Fréchet distance rising
// with them too. About 4 minutes in release on 2 cores.
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
struct Lesson12: OneLineErrorCommand {
    static let configuration = CommandConfiguration(
        commandName: "lesson-12",
        abstract:
            """
            Lesson 12: classifier guidance and classifier-free guidance on the digits U-Net.
            """)

    @OptionGroup var options: LessonOptions

    @Option(help: "Folder with lesson 08's digits-unet.safetensors, the model that classifier guidance steers.")
    var models = "Plots/08-digits"

    @Option(parsing: .unconditional, help: "Training steps of the class-conditional U-Net (batch 128).")
    var steps = 800

    @Option(parsing: .unconditional, help: "Training steps of the noisy classifier p_φ(y∣xₜ, t) (batch 128).")
    var classifierSteps = 1_500

    @Option(parsing: .unconditional, help: "Respaced sampling steps S for every guided sample.")
    var samplingSteps = 50

    @OptionGroup var compute: ComputeOptions

    /// Threads for training and sampling.
    var threads: Int { compute.threads }

    func validate() throws {
        guard steps >= 1 else { throw ValidationError("--steps must be at least 1, got \(steps)") }
        guard classifierSteps >= 1 else {
            throw ValidationError(
                """
                --classifier-steps must be at least 1, got \(classifierSteps)
                """)
        }
        guard (2...1000).contains(samplingSteps) else {
            throw ValidationError(
                """
                --sampling-steps must be between 2 and 1000, got \(samplingSteps)
                """)
        }
    }

    func run() throws {
        let (net, parameters) = try TrainedDigitsModel.load(from: models)
        guard net.outputChannels == 1 else {
            throw ValidationError(
                """
                \(models)/digits-unet.safetensors holds \(net.configuration), not lesson 08's unconditional ε-network
                """)
        }
        let book = try Notebook(number: "12", options: options)
        let digits = try DigitImages.forLesson()
        let context = DigitsContext(net: net, schedule: try .linear(), digits: digits, options: options, compute: compute)
        let quick = QuickBudgets.Lesson12.self
        let perClass = quick.perClass(quick: context.quick)
        let run = Run(
            context: context, parameters: parameters, perClass: perClass, labels: (0..<10).flatMap { [Int](repeating: $0, count: perClass) },
            steps: context.size(steps, quick: quick.steps), classifierSteps: context.size(classifierSteps, quick: quick.classifierSteps),
            samplingSteps: context.size(samplingSteps, quick: quick.samplingSteps))
        book.opening(
            """
            Lessons 08–11 sample a digit of whatever class the chain lands on. Guidance asks for a class y. This \
            lesson steers lesson 08's U-Net (\(net.configuration), read from `\(models)`) with a classifier of noisy \
            digits, then trains a class-conditional U-Net and guides it with itself, and measures what each buys: the \
            class asked for, against the variety within a class. Every sample is respaced DDPM (lesson 11) with S = \
            \(run.samplingSteps) steps, σᵢ² = β′ᵢ and x̂₀ clipped to [−1, 1] at each step (lesson 10), \(perClass) per \
            class.
            """,
            equations: """
                x_{t−1} ~ N(μ_θ(xₜ, t) + s·σᵢ²·∇ₓ log p_φ(y∣xₜ, t), σᵢ²)      (classifier guidance)
                ε̃ = (1 + w)·ε_θ(xₜ, y) − w·ε_θ(xₜ, ∅)      (classifier-free guidance)
                """)
        let yardstick = context.yardstick(size: 10 * perClass)
        let judge = Judge(yardstick: yardstick, digits: digits, perClass: perClass, seed: run.seed)
        let classifierSweep = try classifierGuidance(book, run: run, judge: judge)
        let freeSweep = try classifierFreeGuidance(book, run: run, judge: judge)
        tradeOff(book, classifier: classifierSweep, free: freeSweep, judge: judge)
        let share = { (p: Point) in NumberFormat.fixed(100 * p.accuracy, 1) + " %" }
        let weight = { (p: Point) in NumberFormat.significant(p.weight, 2) }
        let (c0, c1, f0, f1) = (classifierSweep.first!, classifierSweep.last!, freeSweep.first!, freeSweep.last!)
        book.recap([
            """
            Classifier guidance adds s·σᵢ²·∇ log p_φ(y∣xₜ) to each step's mean; a classifier of noisy digits is all it \
            needs.
            """,
            """
            Classifier-free guidance trains one network with and without the label and extrapolates between its two \
            predictions.
            """,
            """
            The share of samples recognised as the class asked for went from \(share(c0)) to \(share(c1)) as s rose \
            from \(weight(c0)) to \(weight(c1)), and from \(share(f0)) to \(share(f1)) as w rose from \(weight(f0)) to \
            \(weight(f1)); the within-class Fréchet distance (section 3) shows what it cost in closeness to the real \
            digits of each class, whether in variety or in realism.
            """,
        ])
        book.exercises(Course.exercises(lesson: 12))
        try book.finish()
    }

    /// What every section shares.
    struct Run: DigitsRun {
        let context: DigitsContext
        let parameters: [Float]
        let perClass: Int
        /// The class asked for, sample by sample: `perClass` of each class in order.
        let labels: [Int]
        let steps: Int
        let classifierSteps: Int
        let samplingSteps: Int
    }
}
