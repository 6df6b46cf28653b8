// Lesson 01 — the forward process (Ho et al. 2020, Eq. 2 and 4).
//
// Goal: see how the fixed schedule β₁…β_T destroys data, and check that jumping straight to xₜ with
// Eq. (4) is the same as taking t small steps with Eq. (2).
// Run:  swift run -c release lesson-01 [--seed 0] [--samples 20000] [--output Plots/01-forward-process]
// Expect: ᾱ_T ≈ 4.04e-5 for the paper's schedule; L_T ≈ 1e-5 bits/dim; with T = 50 the prior
// term grows to tenths of a bit per dimension; every ✓ check passes; about a second in release.
import ArgumentParser
import Course
import Diffusion
import ExerciseKit
import LessonKit
import Plotting
import TensorCore

@main
struct Lesson01: OneLineErrorCommand {
    static let configuration = CommandConfiguration(
        commandName: "lesson-01", abstract: "Lesson 01: the forward process q(xₜ∣x₀) (Eq. 2, 4).")

    @OptionGroup var options: LessonOptions

    @Option(parsing: .unconditional, help: "Points in the 1-D two-bump data set (≥ 100).")
    var samples: Int = 20_000

    func validate() throws {
        guard samples >= 100 else { throw ValidationError("--samples must be at least 100, got \(samples)") }
    }

    func run() throws {
        let n = options.quick ? 2_000 : samples
        let book = try Notebook(number: "01", options: options)
        book.opening(
            """
            The forward process turns data into noise: a fixed schedule β₁…β_T of small Gaussian steps (Eq. 2), \
            the one-jump formula Eq. (4) that reaches any step t in one draw, a check that jumping equals stepping, \
            and the prior term L_T, which measures how close x_T gets to N(0, I).
            """,
            equations: """
                q(xₜ∣xₜ₋₁) = N(√αₜ·xₜ₋₁, βₜI),   αₜ = 1 − βₜ          (Eq. 2)
                q(xₜ∣x₀) = N(√ᾱₜ·x₀, (1 − ᾱₜ)I)                      (Eq. 4)
                ᾱₜ = ∏ₛ₌₁ᵗ(1 − βₛ),   SNR(t) = ᾱₜ/(1 − ᾱₜ)
                """)
        let linear = try NoiseSchedule.linear()
        let quadratic = try NoiseSchedule.quadratic()
        var rng = SeededGenerator(seed: options.seed)

        let crossing = schedules(book, linear: linear, quadratic: quadratic)
        let x0 = GaussianMixture1D.twoBumps.sample(n, using: &rng)
        diffuseTwoBumps(book, schedule: linear, x0: x0, rng: &rng)
        let merge = diffuseSwissRoll(book, schedule: linear, count: options.quick ? 500 : 2_000, crossing: crossing, rng: &rng)
        stepByStepVersusJump(book, schedule: linear, x0: x0, rng: &rng)
        let prior = try priorTerm(book, schedule: linear)
        book.recap([
            """
            ᾱₜ is the share of the data's variance left at step t; the paper's linear schedule brings it down to \
            \(NumberFormat.significant(linear.alphaBar(linear.steps), 3)) at t = T.
            """,
            """
            Eq. (4) jumps to any xₜ in one draw, and t small steps of Eq. (2) give the same mean and variance.
            """,
            """
            SNR(t) first drops below 1 at t = \(crossing), but the Swiss roll's arms merge much earlier, \
            at t = \(merge): structure is lost long before the signal is.
            """,
            """
            With T = 1000 the prior term L_T is \(NumberFormat.significant(prior.long, 2)) bits/dim; with T = 50 and \
            the same β range it is \(NumberFormat.significant(prior.short, 3)): fewer steps need larger βₜ.
            """,
        ])
        book.exercises(Course.exercises(lesson: 1))
        try book.finish()
    }

    // MARK: - 1. The schedule

    /// Section 1; returns the first t with SNR(t) < 1 for the linear schedule.
    func schedules(_ book: Notebook, linear: NoiseSchedule, quadratic: NoiseSchedule) -> Int {
        book.section("1. The noise schedule")
        book.text(
            """
            The forward process adds Gaussian noise in T = \(linear.steps) fixed steps. Step t scales the current \
            point by √(1 − βₜ) and adds noise of variance βₜ (Eq. 2). The paper's βₜ grows linearly from \
            \(NumberFormat.significant(linear.beta(1), 3)) to \
            \(NumberFormat.significant(linear.beta(linear.steps), 3)); Ho's code also offers a "quadratic" schedule, \
            linear in √βₜ. What matters downstream is the cumulative product ᾱₜ: the fraction of the data's variance \
            that survives to step t.
            """)
        book.equation(
            """
            q(xₜ∣xₜ₋₁) = N(xₜ; √(1 − βₜ)·xₜ₋₁, βₜ I)          (Eq. 2)
            αₜ = 1 − βₜ,   ᾱₜ = ∏ₛ₌₁ᵗ αₛ,   ᾱ₀ = 1,   SNR(t) = ᾱₜ / (1 − ᾱₜ)
            """)
        let t = steps(linear.steps)
        let figure = Figure(
            name: "schedules", title: "Linear and quadratic schedules, T = 1000", columns: 2, width: 1100, height: 760,
            panels: [
                Panel(
                    title: "βₜ", xLabel: "t", yLabel: "βₜ", legend: .topLeft,
                    series: [
                        .line(x: t, y: t.map { linear.beta(Int($0)) }, label: "linear"),
                        .line(x: t, y: t.map { quadratic.beta(Int($0)) }, label: "quadratic"),
                    ]),
                Panel(
                    title: "ᾱₜ (signal variance kept)", xLabel: "t", yLabel: "ᾱₜ", legend: .topRight,
                    series: [
                        .line(x: t, y: t.map { linear.alphaBar(Int($0)) }, label: "linear"),
                        .line(x: t, y: t.map { quadratic.alphaBar(Int($0)) }, label: "quadratic"),
                    ]),
                // The curves fill 0…1 edge to edge; the key sits in the headroom above 1.
                Panel(
                    title: "Signal and noise scales of q(xₜ∣x₀)", xLabel: "t", yLabel: "scale", yRange: 0...1.6,
                    legend: .topRight,
                    series: [
                        .line(x: t, y: t.map { linear.sqrtAlphaBar(Int($0)) }, label: "√ᾱₜ linear"),
                        .line(x: t, y: t.map { linear.sqrtOneMinusAlphaBar(Int($0)) }, label: "√(1−ᾱₜ) linear"),
                        .line(x: t, y: t.map { quadratic.sqrtAlphaBar(Int($0)) }, label: "√ᾱₜ quadratic", dashed: true),
                        .line(
                            x: t, y: t.map { quadratic.sqrtOneMinusAlphaBar(Int($0)) }, label: "√(1−ᾱₜ) quadratic",
                            dashed: true),
                    ]),
                Panel(
                    title: "log SNR(t) = log ᾱₜ − log(1 − ᾱₜ)", xLabel: "t", yLabel: "log SNR", legend: .topRight,
                    series: [
                        .line(x: t, y: t.map { linear.logSNR(Int($0)) }, label: "linear"),
                        .line(x: t, y: t.map { quadratic.logSNR(Int($0)) }, label: "quadratic"),
                        .line(x: [1, 1000], y: [0, 0], label: "SNR = 1", width: 1, dashed: true, color: "#888888"),
                    ]),
            ])
        book.figure(
            figure,
            caption: """
                The paper's linear schedule and Ho's quadratic one: βₜ, ᾱₜ, the two scales of Eq. (4) and the log \
                signal-to-noise ratio
                """)
        let rows = [1, 10, 50, 100, 250, 500, 1000].map { s in
            [
                String(s), NumberFormat.significant(linear.beta(s), 4), NumberFormat.significant(linear.alphaBar(s), 5),
                NumberFormat.significant(linear.logSNR(s), 4), NumberFormat.significant(quadratic.alphaBar(s), 5),
            ]
        }
        book.table(["t", "βₜ (linear)", "ᾱₜ (linear)", "log SNR (linear)", "ᾱₜ (quadratic)"], rows)
        let crossing = linear.timeSteps.first { linear.snr($0) < 1 }!
        let quadraticCrossing = quadratic.timeSteps.first { quadratic.snr($0) < 1 }!
        book.text(
            """
            With the linear schedule, SNR(t) first drops below 1 at t = \(crossing); with the quadratic one, at \
            t = \(quadraticCrossing).
            """)
        book.check(
            linear.beta(1) == 1e-4 && linear.beta(1000) == 0.02,
            "β₁ = 1e-4 and β_T = 0.02 exactly (the paper's endpoints)")
        book.check(
            linear.timeSteps.dropFirst().allSatisfy { linear.alphaBar($0) < linear.alphaBar($0 - 1) },
            "ᾱₜ decreases strictly in t")
        return crossing
    }

    /// `x` rounded to three significant digits and written with thousands separators ("1,160").
    static func grouped(_ x: Double) -> String {
        guard x >= 1000, let rounded = Double(NumberFormat.significant(x, 3)) else { return NumberFormat.significant(x, 3) }
        var digits = String(Int(rounded))
        var groups: [String] = []
        while digits.count > 3 {
            groups.insert(String(digits.suffix(3)), at: 0)
            digits = String(digits.dropLast(3))
        }
        return ([digits] + groups).joined(separator: ",")
    }
}
