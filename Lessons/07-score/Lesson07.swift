// Lesson 07 — the score view of sampling (Ho et al. 2020, Sec. 3.2; Song & Ermon 2019).
//
// Goal: read ε_θ as a score, s_θ = −ε_θ/√(1 − ᾱₜ); compare it with the exact score; split one step of
// Algorithm 2 into a probability-flow step and a Langevin step; sample with annealed Langevin dynamics at the
// same number of network evaluations as Algorithm 2.
// Run:  swift run -c release lesson-07 [--seed 0] [--models Plots/04-training] [--output Plots/07-score]
// Expect: the learned score's relative error falls with t (about a fifth at t = 10, about a hundredth at t = 400);
// Algorithm 2's drift matches a Langevin step with δ = 2βₜ and its noise one with δ = βₜ; at equal cost both
// samplers reach every mode, Langevin less tightly. About 10 s in release.
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

    @Option(help: "Folder with lesson 04's eight-gaussians.safetensors and swissroll.safetensors.")
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
        let gaussians = try TrainedModels.load("eight-gaussians.safetensors", from: models)
        let roll = try TrainedModels.load("swissroll.safetensors", from: models)
        let book = try Notebook(number: "07", options: options)
        book.opening(
            """
            A noise predictor is a scaled score: s_θ = −ε_θ/√(1 − ᾱₜ) estimates ∇log q(xₜ). This lesson compares \
            the learned score with the exact one, splits one step of Algorithm 2 into a deterministic \
            probability-flow step and one Langevin step, and runs annealed Langevin dynamics against Algorithm 2 \
            at 1,000 network evaluations each.
            """,
            equations: """
                s_θ(xₜ, t) = −ε_θ(xₜ, t)/√(1 − ᾱₜ)  ≈  ∇log q(xₜ)
                Langevin:     x ← x + (δ/2)·s + √δ·z
                Algorithm 2:  xₜ₋₁ ≈ xₜ + (βₜ/2)·xₜ + βₜ·s + √βₜ·z   (σₜ² = βₜ)
                """)
        let fields = scoreFields(book, model: gaussians, schedule: schedule)
        langevinLikeStep(book, model: gaussians, schedule: schedule)
        let race = samplers(book, gaussians: gaussians, roll: roll, schedule: schedule)
        book.recap([
            """
            −ε_θ/√(1 − ᾱₜ) is a model of the score: on the 8 Gaussians its relative error is \
            \(NumberFormat.significant(fields.first, 2)) at t = 10 and \(NumberFormat.significant(fields.last, 2)) at \
            t = 400\(fields.first > fields.last ? ", largest where the score is sharpest" : "").
            """,
            """
            One step of Algorithm 2 is a probability-flow step (βₜ/2)(xₜ + s) plus one Langevin step with δ = βₜ: \
            its drift alone would match δ = 2βₜ, its noise matches δ = βₜ.
            """,
            race,
        ])
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

    /// Section 1; returns the learned score's relative error at the first and the last t shown.
    func scoreFields(_ book: Notebook, model: MLP, schedule: NoiseSchedule) -> (first: Double, last: Double) {
        book.section("1. ε_θ is a score")
        let clip = -8.0
        book.text(
            """
            Tweedie's formula says E[ε∣xₜ] = −√(1 − ᾱₜ)·∇ log q(xₜ), so a network trained to predict ε is, up to a \
            known factor, a model of the score of the noisy data. Below, on the 8 Gaussians, the arrows show the \
            learned score (top) and the exact one (bottom), over the exact log-density of q(xₜ), clipped at \
            −\(NumberFormat.significant(-clip, 2)) for display so that the colours resolve the modes; at each t both \
            panels use the same arrow scale. (Multiplied by 1 − ᾱₜ, the score is Tweedie's step from xₜ to its \
            denoised mean E[√ᾱₜ·x₀∣xₜ].)
            """)
        book.equation("s_θ(xₜ, t) = −ε_θ(xₜ, t) / √(1 − ᾱₜ)  ≈  ∇ₓ log q(xₜ)")
        let predictor = NoisePredictor(model: model, steps: schedule.steps)
        let times = [10, 100, 400]
        let axis = linearGrid(-1.6, 1.6, count: 15)
        let grid = Tensor<Double>(shape: [axis.count * axis.count, 2], scalars: axis.flatMap { y in axis.flatMap { x in [x, y] } })
        let fine = linearGrid(-1.7, 1.7, count: 90)
        var top: [Panel] = []
        var bottom: [Panel] = []
        var rows: [[String]] = []
        var errors: [Double] = []
        for t in times {
            let q = GaussianMixture2D.eightGaussians.diffused(by: schedule, to: t)
            let background = Series.heatmap(xs: fine, ys: fine) { max(q.logDensity($0, $1), clip) }
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
                    dx: field.column(0).scalars.map { $0 * scale }, dy: field.column(1).scalars.map { $0 * scale },
                    color: "#ffffff")
                let panel = Panel(
                    title: "\(name), t = \(t)", xLabel: "first coordinate", yLabel: "second coordinate",
                    xRange: -1.7...1.7, yRange: -1.7...1.7, equalAspect: true, legend: .hidden,
                    colorbarLabel: "log q(xₜ) (clipped at −8)", series: [background, arrows])
                if panels == 0 { top.append(panel) } else { bottom.append(panel) }
            }
            // Agreement where the data is: at points drawn from q(xₜ).
            let points = Self.diffusedSamples(2000, t: t, schedule: schedule, seed: 700 + UInt64(t))
            let exactAtPoints = Self.exactScore(points, t: t, schedule: schedule)
            let difference = schedule.scoreFromNoise(predictor.predict(points, t: t), t: t) - exactAtPoints
            let relative = (difference.squared().sum() / exactAtPoints.squared().sum()).squareRoot()
            errors.append(relative)
            rows.append([String(t), NumberFormat.significant(relative, 3)])
        }
        book.figure(
            Figure(
                name: "score-fields", title: "8 Gaussians: learned score (top) and exact score (bottom) over log q(xₜ)",
                columns: 3, width: 1400, height: 880, panels: top + bottom),
            caption: "Score fields at t = 10, 100, 400: the network's −ε_θ/√(1 − ᾱₜ) and the exact ∇ log q(xₜ)")
        book.table(["t", "‖s_θ − ∇ log q‖ / ‖∇ log q‖ over 2,000 points from q(xₜ)"], rows)
        let falling = zip(errors, errors.dropFirst()).allSatisfy { $0 > $1 }
        let reason = """
            , falling as t grows: at small t the score of q(xₜ) is sharp, steep around each tight mode, and hard to \
            learn; at larger t q(xₜ) is smooth and the network's score is close to the exact one.
            """
        book.text(
            """
            The learned score's relative error is \(NumberFormat.significant(errors.first!, 2)) at t = \(times.first!) \
            and \(NumberFormat.significant(errors.last!, 2)) at t = \(times.last!)\(falling ? reason : ".")
            """)
        if !options.quick {
            book.check(
                falling,
                """
                the learned score's relative error falls from t = \(times.first!) to t = \(times.last!)
                """)
        }
        return (errors.first!, errors.last!)
    }

    // MARK: - 2. One step of Algorithm 2: a probability-flow step plus a Langevin step

    func langevinLikeStep(_ book: Notebook, model: MLP, schedule: NoiseSchedule) {
        book.section("2. A step of Algorithm 2: a probability-flow step plus a Langevin step")
        book.text(
            """
            A Langevin step with step size δ moves a point up the score and adds noise: x ← x + (δ/2)·∇ log q(x) + \
            √δ·z. Repeated with a small δ, it samples q (exactly only as δ → 0). Write Algorithm 2's step (σₜ² = βₜ) \
            with the score s = −ε_θ/√(1 − ᾱₜ): x_{t−1} = (xₜ + βₜ·s)/√αₜ + √βₜ·z. Since 1/√αₜ = 1 + βₜ/2 + O(βₜ²), its \
            drift is (βₜ/2)·xₜ + βₜ·s + O(βₜ²). Matched against Langevin, the drift βₜ·s alone would need δ = 2βₜ, but \
            the noise √βₜ·z needs δ = βₜ. What corresponds exactly is a split of βₜ·s into two halves: the contraction \
            plus one half, (βₜ/2)·(xₜ + s), is a deterministic step of the probability-flow ODE, which moves the \
            points of q(xₜ) onto q(xₜ₋₁) without noise; the other half and the noise, (βₜ/2)·s + √βₜ·z, is one \
            Langevin step with δ = βₜ, which leaves their distribution approximately unchanged while it shuffles them.
            """)
        book.equation(
            """
            Langevin:      x ← x + (δ/2)·∇ log q(x) + √δ·z
            Algorithm 2:   x_{t−1} = (xₜ + βₜ·s)/√αₜ + √βₜ·z  =  xₜ + (βₜ/2)·xₜ + βₜ·s + √βₜ·z + O(βₜ²)
                                                   [drift: Langevin with δ = 2βₜ; noise: Langevin with δ = βₜ]
                           =  xₜ + (βₜ/2)·(xₜ + s)   +   (βₜ/2)·s + √βₜ·z   +   O(βₜ²)
                                 probability flow         Langevin, δ = βₜ
            """)
        book.text("Measured with the exact score on points from q(xₜ):")
        var rows: [[String]] = []
        var worst = 0.0
        var contraction: [Double] = []
        var remainders: [Double] = []
        for t in [2, 50, 200, 500, 1000] {
            let x = Self.diffusedSamples(1000, t: t, schedule: schedule, seed: 800 + UInt64(t))
            let score = Self.exactScore(x, t: t, schedule: schedule)
            let beta = schedule.beta(t)
            let drift = (1 / schedule.alpha(t).squareRoot()) * (x + beta * score) - x
            let flow = (beta / 2) * (x + score)
            let langevin = (beta / 2) * score
            let size = drift.squared().sum().squareRoot()
            let remainder = (drift - flow - langevin).squared().sum().squareRoot() / size
            let offScore = (drift - beta * score).squared().sum().squareRoot() / size
            worst = max(worst, remainder / beta)
            contraction.append(offScore)
            remainders.append(remainder)
            rows.append([
                String(t), NumberFormat.significant(beta, 3), NumberFormat.significant(offScore, 3),
                NumberFormat.significant(remainder, 3), NumberFormat.significant(remainder / beta, 3),
            ])
        }
        book.table(
            [
                "t", "βₜ", "‖drift − βₜ·s‖ / ‖drift‖", "‖drift − (βₜ/2)(xₜ + s) − (βₜ/2)s‖ / ‖drift‖",
                "the same, in units of βₜ",
            ], rows)
        book.text(
            """
            At t = 2 the drift differs from βₜ·s by \(NumberFormat.significant(contraction.first!, 2)) of its size: \
            where the score is large, the contraction hardly matters. At t = T the difference is \
            \(NumberFormat.significant(contraction.last!, 3)) of the drift's size: there q(xₜ) ≈ N(0, I), so \
            s ≈ −xₜ, the contraction (βₜ/2)·xₜ cancels half of βₜ·s, and the drift that is left, ≈ −(βₜ/2)·xₜ, is \
            as large as the contraction itself. The O(βₜ²) terms the split leaves out are small: relative to the \
            drift they are at most \(NumberFormat.significant(worst, 2))·βₜ at these t \
            (\(NumberFormat.significant(remainders.last!, 2)) of the drift at t = T, where βₜ is largest).
            """)
        // drift − (βₜ/2)(xₜ + s) − (βₜ/2)s = xₜ·(1/√αₜ − 1 − βₜ/2) + βₜs·(1/√αₜ − 1) ≈ (3/8)βₜ²·xₜ + (βₜ²/2)·s,
        // against a drift ≈ βₜ·(s + xₜ/2): relative size about βₜ/2, so below βₜ at every t.
        book.check(
            worst < 1,
            "what the probability-flow step and the Langevin step leave out is below βₜ·‖drift‖ at every t")
    }
}
