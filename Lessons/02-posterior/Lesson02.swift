// Lesson 02 — the forward-process posterior q(xₜ₋₁∣xₜ, x₀) (Ho et al. 2020, Eq. 6–7, Sec. 3.2).
//
// Goal: derive the posterior numerically by Bayes' rule and watch it coincide with the closed form;
// see what β̃ₜ and the two mean coefficients do over t; check the Sec. 3.2 claims about σₜ².
// Run:  swift run -c release lesson-02 [--seed 0] [--x0 0.5] [--output Plots/02-posterior]
// Expect: grid and closed form agree to rounding error; β̃₁ = 0; β̃ₜ/βₜ → 1 quickly; the reverse conditional
// has variance βₜ for N(0, 1) data and β̃ₜ for a point mass. Well under a second in release.
import ArgumentParser
import Course
import Diffusion
import ExerciseKit
import LessonKit
import Plotting
import TensorCore

@main
struct Lesson02: OneLineErrorCommand {
    static let configuration = CommandConfiguration(
        commandName: "lesson-02", abstract: "Lesson 02: the posterior q(xₜ₋₁∣xₜ, x₀) (Eq. 6–7).")

    @OptionGroup var options: LessonOptions

    @Option(name: .customLong("x0"), parsing: .unconditional, help: "The data point x₀ the posterior is conditioned on, in [−1, 1].")
    var x0: Double = 0.5

    func validate() throws {
        guard x0.isFinite, abs(x0) <= 1 else { throw ValidationError("--x0 must be a number in [−1, 1], got \(x0)") }
    }

    func run() throws {
        let book = try Notebook(number: "02", options: options)
        book.opening(
            """
            Given where a point started (x₀) and where it is now (xₜ), the previous step xₜ₋₁ is Gaussian in closed \
            form. This lesson derives that posterior by Bayes' rule on a grid and checks it against Eq. (7), follows \
            its variance β̃ₜ and its mean's two coefficients over t, and tests Sec. 3.2's two choices of the \
            reverse variance.
            """,
            equations: """
                q(xₜ₋₁∣xₜ, x₀) = N(μ̃ₜ, β̃ₜI)                                        (Eq. 6)
                μ̃ₜ = √ᾱₜ₋₁·βₜ/(1 − ᾱₜ)·x₀ + √αₜ·(1 − ᾱₜ₋₁)/(1 − ᾱₜ)·xₜ              (Eq. 7)
                β̃ₜ = (1 − ᾱₜ₋₁)/(1 − ᾱₜ)·βₜ                                         (Eq. 7)
                """)
        let schedule = try NoiseSchedule.linear()
        var rng = SeededGenerator(seed: options.seed)
        bayesOnAGrid(book, schedule: schedule, rng: &rng)
        let coefficients = coefficients(book, schedule: schedule)
        twoVariances(book, schedule: schedule, rng: &rng)
        book.recap([
            "The posterior q(xₜ₋₁∣xₜ, x₀) is a product of two Gaussians in xₜ₋₁, so it is Gaussian: Eq. (7) is exact.",
            """
            β̃ₜ/βₜ reaches 0.9 at t = \(coefficients.ninety): beyond the first few steps, knowing x₀ barely narrows \
            down the previous step.
            """,
            """
            The mean μ̃ₜ moves from x₀ (at t = 1) to mostly xₜ: its x₀ weight drops below 0.1 at \
            t = \(coefficients.smallX0).
            """,
            """
            σₜ² = βₜ is exact for N(0, 1) data and σₜ² = β̃ₜ for a known x₀; Sec. 3.2 calls them the upper and lower \
            bounds on the reverse process's entropy for data of unit variance per coordinate.
            """,
        ])
        book.exercises(Course.exercises(lesson: 2))
        try book.finish()
    }

    // MARK: - 1. Bayes' rule on a grid against Eq. (7)

    func bayesOnAGrid(_ book: Notebook, schedule: NoiseSchedule, rng: inout SeededGenerator) {
        book.section("1. The posterior by Bayes' rule, and by Eq. (7)")
        book.text(
            """
            Given where a point started (x₀ = \(NumberFormat.significant(x0, 3))) and where it is now (xₜ), where was \
            it one step earlier? Bayes' rule answers with the product of two Gaussians in xₜ₋₁: the step likelihood \
            q(xₜ∣xₜ₋₁) from Eq. (2) and the marginal q(xₜ₋₁∣x₀) from Eq. (4). Evaluate that product on a fine grid, \
            normalise it numerically, and compare with the closed form of Eq. (6)–(7).
            """)
        book.equation(
            """
            q(xₜ₋₁∣xₜ, x₀) ∝ q(xₜ∣xₜ₋₁)·q(xₜ₋₁∣x₀) = N(xₜ₋₁; μ̃ₜ(xₜ, x₀), β̃ₜ I)          (Eq. 6)
            μ̃ₜ = √ᾱₜ₋₁·βₜ/(1 − ᾱₜ)·x₀ + √αₜ·(1 − ᾱₜ₋₁)/(1 − ᾱₜ)·xₜ,   β̃ₜ = (1 − ᾱₜ₋₁)/(1 − ᾱₜ)·βₜ   (Eq. 7)
            """)
        var panels: [Panel] = []
        var rows: [[String]] = []
        var worst = 0.0
        let times = [2, 10, 100, 500]
        for t in times {
            let xt = schedule.marginalSample(x0: Tensor([x0]), t: t, noise: Tensor([rng.normal()])).scalar
            let grid = GridPosterior.reverseStep(
                schedule: schedule, t: t, xt: xt, priorMean: schedule.sqrtAlphaBar(t - 1) * x0,
                priorVariance: schedule.oneMinusAlphaBar(t - 1))
            let mean = schedule.posteriorMean(x0: Tensor([x0]), xt: Tensor([xt]), t: t).scalar
            let variance = schedule.betaTilde(t)
            let sd = variance.squareRoot()
            worst = max(worst, abs(grid.mean - mean) / sd, abs(grid.variance - variance) / variance)
            rows.append([
                String(t), NumberFormat.fixed(xt, 4), NumberFormat.significant(grid.mean, 8), NumberFormat.significant(mean, 8),
                NumberFormat.significant(grid.variance, 6), NumberFormat.significant(variance, 6),
            ])
            let shown = zip(grid.grid, grid.density).filter { abs($0.0 - mean) <= 4 * sd }
            let every = max(1, shown.count / 60)
            let dots = shown.enumerated().filter { $0.offset % every == 0 }.map(\.element)
            let curve = linearGrid(mean - 4 * sd, mean + 4 * sd, count: 200)
            // The first panel carries the key: headroom of half the peak height keeps it off the curve.
            let peak = 1 / (2 * Double.pi * variance).squareRoot()
            panels.append(
                Panel(
                    title: "t = \(t), xₜ = \(NumberFormat.fixed(xt, 3))", xLabel: "xₜ₋₁", yLabel: "density",
                    yRange: t == times[0] ? 0...(1.6 * peak) : nil, legend: t == times[0] ? .topRight : .hidden,
                    series: [
                        .function(curve, label: "Eq. (7): N(μ̃ₜ, β̃ₜ)") {
                            GridPosterior.logNormal($0, mean: mean, variance: variance).exp
                        },
                        .scatter(x: dots.map(\.0), y: dots.map(\.1), label: "Bayes' rule on a grid", size: 0.9, color: "#d62728"),
                    ]))
        }
        book.figure(
            Figure(
                name: "posterior-vs-bayes", title: "q(xₜ₋₁∣xₜ, x₀): numerical Bayes against the closed form",
                columns: 2, width: 1100, height: 760, panels: panels),
            caption: """
                The posterior computed by Bayes' rule on an 8001-point grid (dots) and Eq. (7) (line), for four t
                """)
        book.table(["t", "xₜ", "grid mean", "μ̃ₜ (Eq. 7)", "grid variance", "β̃ₜ (Eq. 7)"], rows)
        // The trapezoid rule on a Gaussian sampled at ≥ 20 points per standard deviation is exact to
        // far below 1e-6; anything larger means the closed form is wrong.
        book.check(
            worst < 1e-6,
            """
            Grid and Eq. (7) agree to \(NumberFormat.significant(worst, 2)) at all \(times.count) values of t (means \
            in units of √β̃ₜ, variances relative; the check allows 1e-6)
            """)
        book.tryIt(
            "--x0 -1",
            """
            the other end of the data range: the posterior means move with x₀, while β̃ₜ, which does not depend \
            on x₀, stays the same
            """)
    }
}

extension Double {
    /// eˣ, for readable density code.
    var exp: Double { Double.exp(self) }
}
