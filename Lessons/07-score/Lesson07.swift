// Lesson 07 — the score view of sampling (Ho et al. 2020, Sec. 3.2; Song & Ermon 2019).
//
// Goal: read ε_θ as a score, s_θ = −ε_θ/√(1 − ᾱₜ); compare it with the exact score; sample with
// annealed Langevin dynamics at the same number of network evaluations as Algorithm 2; and see that
// one step of Algorithm 2 is itself a Langevin-like step.
// Run:  swift run -c release lesson-07 [--seed 0] [--models Plots/04-training] [--output Plots/07-score]
// Expect: the learned score is within ~17 % of the exact one at t = 10 and ~2 % at t = 400; Algorithm 2's
// step is a Langevin step with δ = 2βₜ plus a contraction; at equal cost both samplers reach every mode,
// Langevin less tightly. About 10 s in release.
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
struct Lesson07: OneLineErrorCommand {
    static let configuration = CommandConfiguration(
        commandName: "lesson-07", abstract: "Lesson 07: the score view — s_θ = −ε_θ/√(1 − ᾱₜ), Langevin dynamics.")

    @OptionGroup var options: LessonOptions

    @Option(help: "Folder with lesson 04's eight-gaussians.ddpm and swissroll.ddpm.")
    var models = "Plots/04-training"

    @Option(parsing: .unconditional, help: "η in the Langevin step size δ = η·(1 − ᾱₜ) (> 0).")
    var eta = 1.0

    @OptionGroup var compute: ComputeOptions

    /// Threads for the networks.
    var threads: Int { compute.threads }

    func validate() throws {
        guard eta > 0, eta < 2 else { throw ValidationError("--eta must be in (0, 2), got \(eta)") }
    }

    func run() throws {
        let schedule = try NoiseSchedule.linear()
        let gaussians = try TrainedModels.load("eight-gaussians.ddpm", from: models)
        let roll = try TrainedModels.load("swissroll.ddpm", from: models)
        let book = try Notebook(number: "07", folder: "07-score", title: "The score view: ε_θ as a score, Langevin dynamics", options: options)
        scoreFields(book, model: gaussians, schedule: schedule)
        langevinLikeStep(book, model: gaussians, schedule: schedule)
        samplers(book, gaussians: gaussians, roll: roll, schedule: schedule)
        book.exercises(Course.exercises(lesson: 7))
        try book.finish()
    }

    /// Points `[n, 2]` drawn from q(xₜ) of the 8 Gaussians.
    static func diffusedSamples(_ n: Int, t: Int, schedule: NoiseSchedule, seed: UInt64) -> Tensor<Double> {
        var rng = SeededGenerator(seed: seed)
        let x0 = GaussianMixture2D.eightGaussians.sample(n, using: &rng)
        return schedule.marginalSample(x0: x0, t: t, noise: .randomNormal(x0.shape, using: &rng))
    }

    /// The exact score ∇ log q(xₜ) of the 8 Gaussians at every row of `x`.
    static func exactScore(_ x: Tensor<Double>, t: Int, schedule: NoiseSchedule) -> Tensor<Double> {
        let q = GaussianMixture2D.eightGaussians.diffused(by: schedule, to: t)
        return Tensor(
            shape: x.shape,
            scalars: (0..<x.shape[0]).flatMap { i -> [Double] in
                let (gx, gy) = q.score(x.scalars[2 * i], x.scalars[2 * i + 1])
                return [gx, gy]
            })
    }

    // MARK: - 1. Score fields

    func scoreFields(_ book: Notebook, model: MLP, schedule: NoiseSchedule) {
        book.section("1. ε_θ is a score")
        book.text("Tweedie's formula says E[ε∣xₜ] = −√(1 − ᾱₜ)·∇ log q(xₜ), so a network trained to predict ε is, up to a known factor, a model of the score of the noisy data. Below, on the 8 Gaussians, the arrows show the learned score (top) and the exact one (bottom), over the exact log-density of q(xₜ); at each t both use the same arrow scale. (Multiplied by 1 − ᾱₜ, the score is Tweedie's step from xₜ to its denoised mean E[√ᾱₜ·x₀∣xₜ].)")
        book.equation("s_θ(xₜ, t) = −ε_θ(xₜ, t) / √(1 − ᾱₜ)  ≈  ∇ₓ log q(xₜ)")
        let predictor = NoisePredictor(model: model, steps: schedule.steps)
        let times = [10, 100, 400]
        let axis = linearGrid(-1.6, 1.6, count: 15)
        let grid = Tensor<Double>(shape: [axis.count * axis.count, 2], scalars: axis.flatMap { y in axis.flatMap { x in [x, y] } })
        let fine = linearGrid(-1.7, 1.7, count: 90)
        var top: [Panel] = []
        var bottom: [Panel] = []
        var rows: [[String]] = []
        for t in times {
            let q = GaussianMixture2D.eightGaussians.diffused(by: schedule, to: t)
            let background = Series.heatmap(xs: fine, ys: fine) { max(q.logDensity($0, $1), -8) }
            let learned = schedule.scoreFromNoise(predictor.predict(grid, t: t), t: t)
            let exact = Self.exactScore(grid, t: t, schedule: schedule)
            // One arrow scale per t, shared by both panels: the longest exact arrow spans 0.8 grid cells.
            var longest = 0.0
            for i in 0..<exact.shape[0] {
                let (gx, gy) = (exact.scalars[2 * i], exact.scalars[2 * i + 1])
                longest = max(longest, (gx * gx + gy * gy).squareRoot())
            }
            let scale = 0.8 * (axis[1] - axis[0]) / longest
            for (panels, field, name) in [(0, learned, "learned s_θ"), (1, exact, "exact ∇ log q")] {
                let arrows = Series.vectors(
                    x: grid.column(0).scalars, y: grid.column(1).scalars,
                    dx: field.column(0).scalars.map { $0 * scale }, dy: field.column(1).scalars.map { $0 * scale }, color: "#ffffff")
                let panel = Panel(
                    title: "\(name), t = \(t)", xRange: -1.7...1.7, yRange: -1.7...1.7, equalAspect: true, legend: .hidden,
                    colorbarLabel: nil, series: [background, arrows])
                if panels == 0 { top.append(panel) } else { bottom.append(panel) }
            }
            // Agreement where the data is: at points drawn from q(xₜ).
            let points = Self.diffusedSamples(2000, t: t, schedule: schedule, seed: 700 + UInt64(t))
            let exactAtPoints = Self.exactScore(points, t: t, schedule: schedule)
            let difference = schedule.scoreFromNoise(predictor.predict(points, t: t), t: t) - exactAtPoints
            let relative = (difference.squared().sum() / exactAtPoints.squared().sum()).squareRoot()
            rows.append([String(t), NumberFormat.significant(relative, 3)])
        }
        book.figure(
            Figure(name: "score-fields", title: "8 Gaussians: learned score (top) and exact score (bottom) over log q(xₜ)", columns: 3, width: 1300, height: 880, panels: top + bottom),
            caption: "Score fields at t = 10, 100, 400: the network's −ε_θ/√(1 − ᾱₜ) and the exact ∇ log q(xₜ)")
        book.table(["t", "‖s_θ − ∇ log q‖ / ‖∇ log q‖ over 2,000 points from q(xₜ)"], rows)
    }

    // MARK: - 2. One step of Algorithm 2 is Langevin-like

    func langevinLikeStep(_ book: Notebook, model: MLP, schedule: NoiseSchedule) {
        book.section("2. A step of Algorithm 2 is a Langevin-like step")
        book.text("Write Algorithm 2's step with the score: x_{t−1} = (xₜ + βₜ·s)/√αₜ + σₜz. Since 1/√αₜ = 1 + βₜ/2 + O(βₜ²), its drift is βₜ·s + (βₜ/2)·xₜ + O(βₜ²): a Langevin step x + (δ/2)·∇ log q with δ = 2βₜ, plus a contraction (βₜ/2)·xₜ that undoes the forward process's scaling by √αₜ. Measured with the exact score on points from q(xₜ):")
        book.equation("μ_θ(xₜ) − xₜ = (xₜ + βₜ·s)/√αₜ − xₜ  =  βₜ·s  +  (βₜ/2)·xₜ  +  O(βₜ²)        [Langevin: (δ/2)·∇ log q with δ = 2βₜ]")
        var rows: [[String]] = []
        var worst = 0.0
        var shares: [Double] = []
        for t in [2, 50, 200, 500, 1000] {
            let x = Self.diffusedSamples(1000, t: t, schedule: schedule, seed: 800 + UInt64(t))
            let score = Self.exactScore(x, t: t, schedule: schedule)
            let beta = schedule.beta(t)
            let drift = (1 / schedule.alpha(t).squareRoot()) * (x + beta * score) - x
            let langevin = beta * score
            let predicted = langevin + (beta / 2) * x
            let size = drift.squared().sum().squareRoot()
            let remainder = (drift - predicted).squared().sum().squareRoot() / size
            worst = max(worst, remainder / beta)
            shares.append((langevin.squared().sum()).squareRoot() / size)
            rows.append([
                String(t), NumberFormat.significant(beta, 3), NumberFormat.significant((langevin.squared().sum()).squareRoot() / size, 4),
                NumberFormat.significant(remainder, 3),
            ])
        }
        book.table(["t", "βₜ", "‖βₜ·s‖ / ‖drift‖ (the Langevin part)", "‖drift − βₜ·s − (βₜ/2)xₜ‖ / ‖drift‖"], rows)
        book.text("At t = 2, ‖βₜ·s‖/‖drift‖ = \(NumberFormat.fixed(shares.first!, 3)): the drift is the Langevin part βₜ·s to within \(NumberFormat.fixed(100 * abs(shares.first! - 1), 1)) %. At t = T the ratio is \(NumberFormat.fixed(shares.last!, 2)): the contraction (βₜ/2)·xₜ points against βₜ·s and cancels \(NumberFormat.fixed(100 * (1 - 1 / shares.last!), 0)) % of it (there q(xₜ) ≈ N(0, I), so s ≈ −xₜ and βₜ·s + (βₜ/2)·xₜ ≈ −(βₜ/2)·xₜ). What is left is O(βₜ²) against a drift of size O(βₜ): at most \(NumberFormat.significant(worst, 3))·βₜ of the drift here.")
        // drift − βₜs − (βₜ/2)xₜ = xₜ·(1/√αₜ − 1 − βₜ/2) + βₜs·(1/√αₜ − 1) ≈ (3/8)βₜ²·xₜ + (βₜ²/2)·s, against a
        // drift ≈ βₜ·(s + xₜ/2): relative size about βₜ/2, so below βₜ at every t.
        book.check(worst < 1, "what is left after the Langevin drift and the contraction is below βₜ·‖drift‖ at every t")
    }
}
