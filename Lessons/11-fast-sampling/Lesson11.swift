// Lesson 11 — faster sampling: respaced DDPM (Nichol & Dhariwal 2021) and DDIM (Song et al. 2021) on
// lesson 08's U-Net, measured by lesson 08's Fréchet distance against the number of network evaluations.
//
// Goal: see that the network trained for T = 1000 steps can be sampled with 10–100, learn what DDIM
// changes (a non-Markovian forward process with the same marginals), and use deterministic DDIM as
// an encoder.
// Run:  swift run -c release lesson-11 [--seed 0] [--models Plots/08-digits] [--samples 300] [--threads 2] [--output Plots/11-fast-sampling]
// Expect: DDIM far ahead of respaced DDPM at 10–50 steps; both reach lesson 08's quality by a few
// hundred; round trips through DDIM's x_T that sharpen as S grows. About 3 minutes in release on 2 cores.
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
struct Lesson11: OneLineErrorCommand {
    static let configuration = CommandConfiguration(
        commandName: "lesson-11", abstract: "Lesson 11: faster sampling — respaced DDPM and DDIM on lesson 08's U-Net.")

    @OptionGroup var options: LessonOptions

    @OptionGroup var trained: TrainedModelOptions

    /// The folder with lesson 08's model.
    var models: String { trained.models }

    @Option(parsing: .unconditional, help: "Samples per sampler and step count (≥ 297, the held-out count).")
    var samples = 300

    @OptionGroup var compute: ComputeOptions

    /// Threads for training and sampling.
    var threads: Int { compute.threads }

    func validate() throws {
        guard samples >= 297 else { throw ValidationError("--samples must be at least 297, got \(samples)") }
    }

    func run() throws {
        let (net, parameters) = try trained.load()
        let book = try Notebook(number: "11", folder: "11-fast-sampling", title: "Faster sampling: respaced DDPM and DDIM", options: options)
        let digits = try DigitImages.forLesson()
        let engine = net.makeEngine(capacity: 100, threads: threads)
        engine.load(parameters)
        let context = DigitsContext(net: net, schedule: try NoiseSchedule.linear(), digits: digits, options: options, compute: compute)
        let run = Run(context: context, engine: engine, count: context.size(samples, quick: QuickBudgets.Lesson11.samples))
        book.text("The model is lesson 08's U-Net (\(net.configuration), EMA weights) read from `\(models)`, trained for T = 1000 steps. Nothing is retrained here: only the sampler changes. Every number below is computed by this run.")
        try respacing(book, run: run)
        try sweep(book, run: run)
        try encoder(book, run: run)
        book.exercises(Course.exercises(lesson: 11))
        try book.finish()
    }

    /// What every section shares.
    struct Run: DigitsRun {
        let context: DigitsContext
        /// Lesson 08's network on its engine, loaded once.
        let engine: any DenoisingEngine
        let count: Int

        /// A strided sampler with S evenly spaced steps.
        func sampler(steps: Int, _ method: StridedSampler.Method) throws -> StridedSampler {
            try StridedSampler(engine: engine, dimension: net.dimension, schedule: schedule, tau: schedule.evenlySpacedSteps(steps), method: method)
        }
    }
}
