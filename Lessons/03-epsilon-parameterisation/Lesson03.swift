// Lesson 03 — the ε-parameterisation (Ho et al. 2020, Eq. 8–12, 14, 15).
//
// Goal: see that predicting the noise ε is the same as predicting the posterior mean (Eq. 10–11),
// what the true bound's weight (Eq. 12) does to each t, and why the optimal ε-predictor is a score.
// Run:  swift run -c release lesson-03 [--seed 0] [--samples 200000] [--output Plots/03-epsilon-parameterisation]
// Expect: the identities hold to ~1e-12 or better; with σ² = β the Eq. 12 weight falls to a minimum a third
// of the way to T and rises again, t = 2 weighing about 27 times as much as t = T; Monte Carlo E[ε∣xₜ] lands
// on −√(1 − ᾱₜ)·∂ₓ log q(xₜ). About a second in release.
import ArgumentParser
import Course
import Diffusion
import ExerciseKit
import LessonKit
import Plotting
import TensorCore

@main
struct Lesson03: OneLineErrorCommand {
    static let configuration = CommandConfiguration(
        commandName: "lesson-03", abstract: "Lesson 03: the ε-parameterisation (Eq. 8–12, 15) and the score.")

    @OptionGroup var options: LessonOptions

    @Option(parsing: .unconditional, help: "Monte Carlo samples per t for the score section (≥ 1000).")
    var samples: Int = 200_000

    func validate() throws {
        guard samples >= 1000 else { throw ValidationError("--samples must be at least 1000, got \(samples)") }
    }

    func run() throws {
        let book = try Notebook(number: "03", options: options)
        book.opening(
            """
            Substituting x₀ from Eq. (9) into the posterior mean makes the reverse mean a function of the noise, so \
            a network can predict ε instead of μ̃. This lesson checks the identities behind that, compares the \
            bound's weight of each t (Eq. 12) with L_simple's uniform weight, and shows that the best possible \
            ε-predictor is a scaled score of the noisy data.
            """,
            equations: """
                μ_θ = (xₜ − βₜ/√(1 − ᾱₜ)·ε_θ)/√αₜ                     (Eq. 11)
                x̂₀ = (xₜ − √(1 − ᾱₜ)·ε_θ)/√ᾱₜ                         (Eq. 15)
                w = βₜ²/(2σₜ²αₜ(1 − ᾱₜ))                               (Eq. 12)
                ε* = −√(1 − ᾱₜ)·∇log q(xₜ)
                """)
        let schedule = try NoiseSchedule.linear()
        var rng = SeededGenerator(seed: options.seed)
        meanFromNoise(book, schedule: schedule, rng: &rng)
        let weight = weights(book, schedule: schedule)
        score(book, schedule: schedule, samples: options.quick ? 20_000 : samples, rng: &rng)
        book.recap([
            """
            Eq. (11) makes a noise predictor ε_θ define the reverse mean μ_θ: predicting ε and predicting μ̃ are \
            the same task.
            """,
            """
            The bound weighs each t by w (Eq. 12): with σₜ² = βₜ, t = 2 counts \
            \(NumberFormat.significant(weight.ratio, 3)) times as much as t = T, with a minimum at \
            t = \(weight.argmin). L_simple weighs every t equally.
            """,
            """
            The best noise predictor is ε*(xₜ) = E[ε∣xₜ] = −√(1 − ᾱₜ)·∇log q(xₜ): training ε_θ is learning the \
            score of the noisy data.
            """,
        ])
        book.exercises(Course.exercises(lesson: 3))
        try book.finish()
    }

    // MARK: - 1. μ̃ from ε (Eq. 9–11)

    func meanFromNoise(_ book: Notebook, schedule: NoiseSchedule, rng: inout SeededGenerator) {
        book.section("1. Predicting ε is predicting μ̃ (Eq. 9–11)")
        book.text(
            """
            Write xₜ = √ᾱₜ·x₀ + √(1 − ᾱₜ)·ε (Eq. 9) and solve for x₀. Substituting into the posterior mean \
            μ̃ₜ(xₜ, x₀) of Eq. (7) gives a mean that needs only xₜ and ε (Eq. 10). A network that predicts ε \
            therefore defines μ_θ by the same formula (Eq. 11), and the gap between the two means becomes a \
            weighted gap between the two noises: ‖μ̃ₜ − μ_θ‖²/(2σₜ²) = w·‖ε − ε_θ‖², with the weight \
            w = βₜ²/(2σₜ²αₜ(1 − ᾱₜ)) of Eq. (12). Check the algebra on 10,000 random (x₀, ε, t), t = 1 and t = T \
            included.
            """)
        book.equation(
            """
            μ̃ₜ(xₜ, (xₜ − √(1 − ᾱₜ)·ε)/√ᾱₜ) = (xₜ − βₜ/√(1 − ᾱₜ)·ε)/√αₜ          (Eq. 10)
            μ_θ(xₜ, t) = (xₜ − βₜ/√(1 − ᾱₜ)·ε_θ(xₜ, t))/√αₜ                      (Eq. 11)
            x̂₀ = (xₜ − √(1 − ᾱₜ)·ε_θ(xₜ, t))/√ᾱₜ                               (Eq. 15)
            """)
        var worstMean = 0.0
        var worstX0 = 0.0
        var worstWeight = 0.0
        for trial in 0..<10_000 {
            let t = trial == 0 ? 1 : trial == 1 ? schedule.steps : rng.integer(in: 1...schedule.steps)
            let x0 = Tensor([rng.uniform(-1, 1), rng.uniform(-1, 1)])
            let eps = Tensor([rng.normal(), rng.normal()])
            let guess = Tensor([rng.normal(), rng.normal()])
            let xt = schedule.marginalSample(x0: x0, t: t, noise: eps)
            let viaPosterior = schedule.posteriorMean(x0: x0, xt: xt, t: t)
            let viaNoise = schedule.meanFromNoise(xt: xt, predictedNoise: eps, t: t)
            worstMean = max(
                worstMean, maxAbsoluteDifference(viaPosterior, viaNoise) / max(1, viaPosterior.magnitude().max()))
            worstX0 = max(worstX0, maxAbsoluteDifference(schedule.x0FromNoise(xt: xt, predictedNoise: eps, t: t), x0))
            if t >= 2 {
                // Eq. (12): ‖μ̃ − μ_θ‖²/(2σ²) = w·‖ε − ε_θ‖² for any guess ε_θ.
                let s2 = schedule.sigma2(t, .beta)
                let lhs =
                    (viaPosterior - schedule.meanFromNoise(xt: xt, predictedNoise: guess, t: t)).squared().sum() / (2 * s2)
                let rhs = schedule.lossWeight(t, .beta) * (eps - guess).squared().sum()
                worstWeight = max(worstWeight, abs(lhs - rhs) / max(rhs, 1e-300))
            }
        }
        book.value("largest |μ̃ₜ(xₜ, x₀) − μ_θ(xₜ, ε)|, relative", worstMean, digits: 2)
        book.value("largest |x̂₀(xₜ, ε) − x₀| (Eq. 15 undoes Eq. 9)", worstX0, digits: 2)
        book.value("largest relative gap in ‖μ̃ − μ_θ‖²/(2σ²) = w·‖ε − ε_θ‖² (Eq. 12)", worstWeight, digits: 2)
        // Each side is a handful of floating-point operations on O(1) numbers; at t = 1 dividing by
        // √(1 − ᾱ₁) = 0.01 and by √ᾱ₁ magnifies rounding by ~1e2, so 1e-12 leaves a wide margin.
        book.check(
            worstMean < 1e-12 && worstX0 < 1e-12, "Eq. (10)–(11) and Eq. (15) hold to rounding error for every sample")
        book.check(worstWeight < 1e-9, "Eq. (12) holds for arbitrary ε_θ (relative gap below 1e-9)")
    }

    // MARK: - 2. The weight of Eq. (12) against L_simple

    /// Section 2; returns the step of the smallest weight and the ratio w(2)/w(T), both with σₜ² = βₜ.
    func weights(_ book: Notebook, schedule: NoiseSchedule) -> (argmin: Int, ratio: Double) {
        book.section("2. Which t matter: the Eq. (12) weight against L_simple")
        let w = { (t: Int) in schedule.lossWeight(t, .beta) }
        let largest = schedule.timeSteps.max { w($0) < w($1) }!
        let smallest = schedule.timeSteps.min { w($0) < w($1) }!
        let last = w(schedule.steps)
        let ratio = w(2) / last
        let number = { (x: Double) in NumberFormat.significant(x, 3) }
        book.text(
            """
            With μ_θ from Eq. (11), the bound's term L_{t−1} is, up to a constant C that does not depend on θ, a \
            weighted noise-prediction error (Eq. 12). L_simple (Eq. 14) throws the weight away and uses 1 for \
            every t. With σₜ² = βₜ the weight is largest at t = \(largest) (\(number(w(largest)))), falls to a \
            minimum of \(number(w(smallest))) at t = \(smallest), then rises again to \(number(last)) at t = T. \
            So the true bound spends its effort on the smallest t, where little noise has to be removed and x₀ is \
            nearly known — the paper's argument: L_simple moves the effort to larger t, where the network must do \
            real work, and the paper credits that for its better samples. (The ε-loss itself is highest at small t, \
            as lesson 04 shows, and mostly irreducible: there the little noise in xₜ is hard to tell from the data's \
            own spread.)
            """)
        book.equation(
            """
            L_{t−1} − C = E[ βₜ² / (2σₜ²·αₜ·(1 − ᾱₜ)) · ‖ε − ε_θ(√ᾱₜ·x₀ + √(1 − ᾱₜ)·ε, t)‖² ]          (Eq. 12)
            L_simple = E[ ‖ε − ε_θ(√ᾱₜ·x₀ + √(1 − ᾱₜ)·ε, t)‖² ]                                  (Eq. 14)
            """)
        let t = steps(schedule.steps)
        book.figure(
            Figure(
                name: "loss-weights", title: "The weight of each t in the bound (Eq. 12) and in L_simple", width: 1000,
                height: 560,
                panels: [
                    Panel(
                        xLabel: "t", yLabel: "weight of ‖ε − ε_θ‖²", yRange: 0.002...10, logX: true, logY: true,
                        legend: .topRight,
                        series: [
                            .function(t, label: "Eq. (12), σₜ² = βₜ") { schedule.lossWeight(Int($0), .beta) },
                            .function(Array(t.dropFirst()), label: "Eq. (12), σₜ² = β̃ₜ", dashed: true) {
                                schedule.lossWeight(Int($0), .betaTilde)
                            },
                            .line(x: [1, 1000], y: [1, 1], label: "L_simple (Eq. 14)", color: "#2ca02c"),
                        ])
                ]),
            caption: "The Eq. (12) weight against t for both fixed variances, and L_simple's uniform weight (log–log)")
        book.table(
            ["t", "weight, σ² = β", "weight, σ² = β̃", "L_simple"],
            Set([1, 2, 10, 100, smallest, 500, 1000]).sorted().map { s in
                [
                    String(s), NumberFormat.significant(schedule.lossWeight(s, .beta), 4),
                    NumberFormat.significant(schedule.lossWeight(s, .betaTilde), 4), "1",
                ]
            })
        book.text("With σₜ² = βₜ, t = 2 weighs \(NumberFormat.significant(ratio, 4)) times as much as t = T.")
        book.check(
            smallest > 1 && smallest < schedule.steps && last > w(smallest),
            "the σₜ² = βₜ weight has its minimum inside 1 < t < T and is larger again at t = T")
        book.check(ratio > 10, "the true bound weights small t more than ten times as much as t = T")
        book.check(
            schedule.lossWeight(1, .betaTilde).isInfinite,
            "with σₜ² = β̃ₜ the t = 1 weight is infinite (β̃₁ = 0): L₀ is the decoder's job")
        return (smallest, ratio)
    }
}
