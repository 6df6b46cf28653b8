// Lesson 05 — Algorithm 2: sampling (Ho et al. 2020, Algorithm 2, Eq. 11, 15, Sec. 3.2).
//
// Goal: turn the networks trained in lesson 04 into generators, watch samples form, and measure
// them: sliced Wasserstein distance to held-out data, mode coverage on the 8 Gaussians.
// Run:  swift run -c release lesson-05 [--seed 0] [--models Plots/04-training] [--output Plots/05-sampling]
// Expect: Swiss-roll SWD ≈ 0.03, inside the spread of independent data draws scored the same way (≈ 0.03 ± 0.005);
// ≈ 95 % of 8-Gaussian samples within 3σ of a mode, every mode 10–15 %. About half a minute in release on 2 cores.
import ArgumentParser
import Course
import Diffusion
import ExerciseKit
import Foundation
import Learning
import LessonKit
import Plotting
import TensorCore

@main
struct Lesson05: OneLineErrorCommand {
    static let configuration = CommandConfiguration(
        commandName: "lesson-05", abstract: "Lesson 05: Algorithm 2, sampling from the trained ε_θ.")

    @OptionGroup var options: LessonOptions

    @Option(help: "Folder with lesson 04's swissroll.safetensors and eight-gaussians.safetensors.")
    var models = "Plots/04-training"

    @Option(parsing: .unconditional, help: "Samples per draw (≥ 100).")
    var samples = 2_000

    @Option(parsing: .unconditional, help: "Sampling draws for the Swiss-roll SWD (≥ 1; the first is the headline).")
    var draws = 5

    @OptionGroup var compute: ComputeOptions

    /// Threads for the networks.
    var threads: Int { compute.threads }

    func validate() throws {
        guard samples >= 100 else { throw ValidationError("--samples must be at least 100, got \(samples)") }
        guard draws >= 1 else { throw ValidationError("--draws must be at least 1, got \(draws)") }
    }

    func run() throws {
        let schedule = try NoiseSchedule.linear()
        let roll = try TrainedModels.load("swissroll.safetensors", from: models)
        let gaussians = try TrainedModels.load("eight-gaussians.safetensors", from: models)
        let book = try Notebook(number: "05", options: options)
        book.opening(
            """
            Algorithm 2 runs the learned reverse process from pure noise N(0, I) down to data. This lesson samples \
            lesson 04's two models with both fixed variances of Sec. 3.2, measures the Swiss-roll samples by their \
            sliced Wasserstein distance to held-out data and the 8-Gaussian samples by mode coverage against the \
            exact ε*, and watches xₜ and the running guess x̂₀ form.
            """,
            equations: """
                xₜ₋₁ = (xₜ − βₜ/√(1 − ᾱₜ)·ε_θ(xₜ, t))/√αₜ + σₜz,   σₜ² ∈ {βₜ, β̃ₜ},   z = 0 at t = 1   (Algorithm 2)
                """)
        let n = options.quick ? 500 : samples
        book.section("1. Algorithm 2")
        book.text(
            """
            Sampling runs the learned reverse process: start from pure noise x_T ~ N(0, I) and apply \
            T = \(schedule.steps) steps of Eq. (11), each removing the predicted noise and adding back a little \
            fresh noise σₜz. The last step adds none. σₜ² is βₜ or β̃ₜ (Sec. 3.2). The models are lesson 04's, \
            read from `\(models)`.
            """)
        book.equation(
            """
            x_T ~ N(0, I);  for t = T…1:  z ~ N(0, I) if t > 1 else z = 0
                x_{t−1} = (xₜ − βₜ/√(1 − ᾱₜ)·ε_θ(xₜ, t)) / √αₜ + σₜ·z          (Algorithm 2)
            """)
        let rollResult = swissRoll(book, model: roll, schedule: schedule, count: n)
        try writeSamples(book, rollResult.headline)
        let coverage = eightGaussians(book, model: gaussians, schedule: schedule, count: n)
        let forming = watchingSamplesForm(book, model: roll, schedule: schedule, count: n)
        book.recap([
            """
            Algorithm 2 turns lesson 04's noise predictors into samplers: T = \(schedule.steps) network calls per \
            sample, from N(0, I) to data.
            """,
            rollResult.summary,
            """
            On the 8 Gaussians, \(NumberFormat.fixed(100 * coverage.learned, 1)) % of the trained model's samples \
            land within 3σ of a mode, against \(NumberFormat.fixed(100 * coverage.oracle, 1)) % for the exact ε*.
            """,
            """
            Half of the mean distance from xₜ to its end point is still left at t = \(forming.half), after \
            \(forming.percentDone) % of the steps.
            """,
        ])
        book.exercises(Course.exercises(lesson: 5))
        try book.finish()
    }

    /// Algorithm 2 draw `draw` (0-based) for the lesson's seed.
    func drawSeed(_ draw: Int) -> UInt64 { options.seed &* 1000 &+ UInt64(1000 * (draw + 1)) }

    func writeSamples(_ book: Notebook, _ x: [Float]) throws {
        var csv = "x,y\n"
        for i in 0..<(x.count / 2) {
            csv += "\(NumberFormat.significant(Double(x[2 * i]), 9)),\(NumberFormat.significant(Double(x[2 * i + 1]), 9))\n"
        }
        try FileManager.default.createDirectory(at: book.directory, withIntermediateDirectories: true)
        try csv.write(to: book.directory.appendingPathComponent("samples.csv"), atomically: true, encoding: .utf8)
        book.wroteFile(
            "samples.csv", "the headline Swiss-roll draw, \(x.count / 2) points (header x,y), for anyone to measure")
    }
}
