// Lesson 06 — interpolation in latent space (Ho et al. 2020, Sec. 4.4), done right.
//
// Goal: encode two data points with q(xₜ∣x₀), mix the encodings, decode with the reverse process
// starting at step t with the decoding noise fixed across λ; see how t sets the coarseness, why naive
// interpolation in data space leaves the data, and what the encoder's noise does.
// Run:  swift run -c release lesson-06 [--seed 0] [--models Plots/04-training] [--output Plots/06-interpolation]
// Expect: latent paths stay on the modes (log-density near the data's), the naive line crosses empty
// space; reconstruction error grows with t; at t = T decodes forget the endpoints. A few seconds.
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
struct Lesson06: OneLineErrorCommand {
    static let configuration = CommandConfiguration(
        commandName: "lesson-06", abstract: "Lesson 06: interpolation in latent space (Sec. 4.4).")

    @OptionGroup var options: LessonOptions

    @Option(help: "Folder with lesson 04's eight-gaussians.safetensors and swissroll.safetensors.")
    var models = "Plots/04-training"

    @Option(parsing: .unconditional, help: "Decoding-noise draws per path (≥ 1).")
    var repeats = 12

    static let lambdas = (0...10).map { Double($0) / 10 }
    static let steps = [50, 100, 250, 500, 1000]

    func validate() throws {
        guard repeats >= 1 else { throw ValidationError("--repeats must be at least 1, got \(repeats)") }
    }

    func run() throws {
        let schedule = try NoiseSchedule.linear()
        let gaussians = try TrainedModels.load("eight-gaussians.safetensors", from: models)
        let roll = try TrainedModels.load("swissroll.safetensors", from: models)
        let book = try Notebook(number: "06", options: options)
        book.opening(
            """
            Sec. 4.4 interpolates between two data points by encoding both to step t with the forward process, \
            mixing the encodings and decoding with the learned reverse process. This lesson shows how t sets the \
            coarseness of the path, compares it with a straight line in data space, measures what independent \
            rather than shared encoder noise does to the mixed latent, and how much of x₀ survives the round trip.
            """,
            equations: """
                x̄ₜ = (1 − λ)·xₜ + λ·x′ₜ,   x̄₀ ~ p_θ(x₀∣x̄ₜ)                 (Sec. 4.4)
                Var[(1 − λ)·ε + λ·ε′] = (1 − λ)² + λ²   for independent ε, ε′
                """)
        let r = options.quick ? 4 : repeats
        book.section("1. Encode, mix, decode from step t")
        book.text(
            """
            Take two data points x₀ and x′₀. Encode each with the forward process to step t (Eq. 4), mix the \
            encodings linearly, and run the learned reverse process from step t back to 0. Two details matter, and \
            popular code gets them wrong: decoding starts at step t — the step the encodings live at — not at \
            t − 1, and the mixing happens on xₜ, not on x₀ (one translation of the paper has that typo). The \
            decoding noise is drawn once and reused for every λ, so a path changes only because λ does.
            """)
        book.equation(
            """
            xₜ = √ᾱₜ·x₀ + √(1 − ᾱₜ)·ε,   x′ₜ = √ᾱₜ·x′₀ + √(1 − ᾱₜ)·ε′
            x̄ₜ = (1 − λ)·xₜ + λ·x′ₜ,   x̄₀ ~ p_θ(x₀∣x̄ₜ)  (Algorithm 2 from step t, same z for every λ)
            """)
        let paths = try paths(book, model: gaussians, schedule: schedule, repeats: r)
        let left = try encoderNoise(book, model: gaussians, schedule: schedule, repeats: r)
        let round = reconstruction(book, model: roll, schedule: schedule, repeats: r)
        book.recap([
            paths.shape,
            paths.density,
            """
            Independent encoder noise leaves the middle of the path with \(NumberFormat.fixed(left, 2)) of a real \
            xₜ's noise variance; one shared ε keeps it at 1.
            """,
            """
            The round trip through step t costs more of x₀ as t grows: the reconstruction error rises from \
            \(NumberFormat.fixed(round.first, 3)) at t = 1 to \(NumberFormat.fixed(round.last, 3)) at t = T.
            """,
        ])
        book.exercises(Course.exercises(lesson: 6))
        try book.finish()
    }

    /// ε_θ through the fast engine, for the Double reverse process.
    static func predictor(_ model: MLP, steps: Int) -> (Tensor<Double>, Int) -> Tensor<Double> {
        let network = NoisePredictor(model: model, steps: steps)
        return { x, t in network.predict(x, t: t) }
    }

    /// `count` copies of one 2-D point, `[count, 2]`.
    static func repeated(_ x: Double, _ y: Double, _ count: Int) -> Tensor<Double> {
        Tensor(shape: [count, 2], scalars: (0..<count).flatMap { _ in [x, y] })
    }
}
