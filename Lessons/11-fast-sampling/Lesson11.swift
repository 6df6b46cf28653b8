// Lesson 11 — faster sampling: respaced DDPM (Nichol & Dhariwal 2021) and DDIM (Song et al. 2021) on
// lesson 08's U-Net, measured by lesson 08's Fréchet distance against the number of network evaluations.
//
// Goal: see that the network trained for T = 1000 steps can be sampled with 10–100, learn what DDIM
// changes (a non-Markovian forward process with the same marginals), and use deterministic DDIM as
// an encoder.
// Run:  swift run -c release lesson-11 [--seed 0] [--models Plots/08-digits] [--samples 300] [--threads 2] [--output Plots/11-fast-sampling]
// Expect: the Fréchet distance of five samplers against S = 10…1000, beside the metric's own noise (on
// these digits every sampler is within 2× the floor from S = 10); round trips through DDIM's x_T that
// sharpen as S grows. About 3½ minutes in release on 2 cores (the S = 1000 points of respaced DDPM are
// lesson 08's own samples).
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
        let book = try Notebook(number: "11", options: options)
        let digits = try DigitImages.forLesson()
        let engine = net.makeEngine(capacity: 100, threads: threads)
        engine.load(parameters)
        let context = DigitsContext(net: net, schedule: try NoiseSchedule.linear(), digits: digits, options: options, compute: compute)
        let count = context.size(samples, quick: QuickBudgets.Lesson11.samples)
        // Lesson 08's Algorithm 2 samples (σ² = β and β̃, T steps), the sweep's S = T points when there are as many.
        let algorithm2 = try [ReverseVariance.beta: "samples.csv", .betaTilde: "samples-tilde.csv"].compactMapValues { file in
            try SamplesCSV.read(file: file, in: models).flatMap { $0.count == count * 64 ? $0 : nil }
        }
        let run = Run(context: context, engine: engine, count: count, algorithm2Samples: algorithm2)
        book.opening(
            """
            Lesson 08's network was trained for T = 1000 steps, and Algorithm 2 pays 1000 network evaluations per \
            sample. This lesson samples the same network (\(net.configuration), EMA weights, read from `\(models)`) in \
            S ≪ 1000 steps without retraining: respaced DDPM keeps Algorithm 2 on fewer steps, DDIM changes the \
            process so that a step can be deterministic. Both are scored by lesson 08's Fréchet distance against S; \
            then deterministic DDIM serves as an encoder from a digit to its x_T.
            """,
            equations: """
                β′ᵢ = 1 − ᾱ_{τᵢ}/ᾱ_{τᵢ₋₁}      (respacing on τ₁ < … < τ_S = T)
                xₛ = √ᾱₛ·x̂₀ + √(1 − ᾱₛ − σ²)·ε̂ + σ·z,  σ = η·√((1 − ᾱₛ)/(1 − ᾱₜ))·√(1 − ᾱₜ/ᾱₛ)      (DDIM)
                """)
        try respacing(book, run: run)
        let enough = try sweep(book, run: run)
        try encoder(book, run: run)
        book.recap([
            """
            Respacing keeps the marginals q(x_{τᵢ}∣x₀), so the network trained on all T steps samples on any \
            subsequence.
            """,
            "DDIM's family has the same marginals; η = 1 is respaced DDPM with σ² = β̃′ and η = 0 a deterministic map.",
            enough.map {
                """
                From S = \($0) on, every sampler's d² lies within 2·√2 floor sd of real digits' floor, with \($0) \
                network evaluations per sample instead of Algorithm 2's \(run.schedule.steps); that sd, measured on \
                real digits, is a lower bound on a model's noise, so smaller gaps are not resolved at all.
                """
            } ?? "No S of the sweep brings every sampler's d² within 2·√2 floor sd of real digits' floor.",
            "Deterministic DDIM runs backwards too: an encoder from a digit to a latent x_T that decodes back to it.",
        ])
        book.exercises(Course.exercises(lesson: 11))
        try book.finish()
    }

    /// What every section shares.
    struct Run: DigitsRun {
        let context: DigitsContext
        /// Lesson 08's network on its engine, loaded once.
        let engine: any DenoisingEngine
        let count: Int
        /// Lesson 08's `count` samples by Algorithm 2 with σ² = β (`samples.csv`) and β̃ (`samples-tilde.csv`),
        /// where its folder has that many.
        let algorithm2Samples: [ReverseVariance: [Float]]

        /// A strided sampler with S evenly spaced steps.
        func sampler(steps: Int, _ method: StridedSampler.Method) throws -> StridedSampler {
            try StridedSampler(engine: engine, dimension: net.dimension, schedule: schedule, tau: schedule.evenlySpacedSteps(steps), method: method)
        }
    }
}
