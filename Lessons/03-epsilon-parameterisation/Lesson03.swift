// Lesson 03 — the ε-parameterisation (Ho et al. 2020, Eq. 8–12, 14, 15).
//
// Goal: see that predicting the noise ε is the same as predicting the posterior mean (Eq. 10–11),
// what the true bound's weight (Eq. 12) does to each t, and why the optimal ε-predictor is a score.
// Run:  swift run -c release lesson-03 [--seed 0] [--samples 200000] [--output Plots/03-epsilon-parameterisation]
// Expect: the identities hold to ~1e-12 or better; the Eq. 12 weight falls about 27-fold from t = 2 to
// t = 1000 with σ² = β; Monte Carlo E[ε∣xₜ] lands on −√(1 − ᾱₜ)·∂ₓ log q(xₜ). About a second in release.
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
        let book = try Notebook(number: "03", folder: "03-epsilon-parameterisation", title: "Predicting the noise: the ε-parameterisation (Eq. 8–12, 15)", options: options)
        let schedule = try NoiseSchedule.linear()
        var rng = SeededGenerator(seed: options.seed)
        meanFromNoise(book, schedule: schedule, rng: &rng)
        weights(book, schedule: schedule)
        score(book, schedule: schedule, samples: options.quick ? 20_000 : samples, rng: &rng)
        book.exercises(Course.exercises(lesson: 3))
        try book.finish()
    }

    // MARK: - 1. μ̃ from ε (Eq. 9–11)

    func meanFromNoise(_ book: Notebook, schedule: NoiseSchedule, rng: inout SeededGenerator) {
        book.section("1. Predicting ε is predicting μ̃ (Eq. 9–11)")
        book.text("Write xₜ = √ᾱₜ·x₀ + √(1 − ᾱₜ)·ε (Eq. 9) and solve for x₀. Substituting into the posterior mean μ̃ₜ(xₜ, x₀) of Eq. (7) gives a mean that needs only xₜ and ε (Eq. 10). A network that predicts ε therefore defines μ_θ by the same formula (Eq. 11). Check the algebra on 10,000 random (x₀, ε, t), t = 1 and t = T included.")
        book.equation("μ̃ₜ(xₜ, (xₜ − √(1 − ᾱₜ)·ε)/√ᾱₜ) = (xₜ − βₜ/√(1 − ᾱₜ)·ε)/√αₜ          (Eq. 10)\nμ_θ(xₜ, t) = (xₜ − βₜ/√(1 − ᾱₜ)·ε_θ(xₜ, t))/√αₜ                      (Eq. 11)\nx̂₀ = (xₜ − √(1 − ᾱₜ)·ε_θ(xₜ, t))/√ᾱₜ                               (Eq. 15)")
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
            worstMean = max(worstMean, maxAbsoluteDifference(viaPosterior, viaNoise) / max(1, viaPosterior.magnitude().max()))
            worstX0 = max(worstX0, maxAbsoluteDifference(schedule.x0FromNoise(xt: xt, predictedNoise: eps, t: t), x0))
            if t >= 2 {
                // Eq. (12): ‖μ̃ − μ_θ‖²/(2σ²) = w·‖ε − ε_θ‖² for any guess ε_θ.
                let s2 = schedule.sigma2(t, .beta)
                let lhs = (viaPosterior - schedule.meanFromNoise(xt: xt, predictedNoise: guess, t: t)).squared().sum() / (2 * s2)
                let rhs = schedule.lossWeight(t, .beta) * (eps - guess).squared().sum()
                worstWeight = max(worstWeight, abs(lhs - rhs) / max(rhs, 1e-300))
            }
        }
        book.value("largest |μ̃ₜ(xₜ, x₀) − μ_θ(xₜ, ε)|, relative", worstMean, digits: 2)
        book.value("largest |x̂₀(xₜ, ε) − x₀| (Eq. 15 undoes Eq. 9)", worstX0, digits: 2)
        book.value("largest relative gap in ‖μ̃ − μ_θ‖²/(2σ²) = w·‖ε − ε_θ‖² (Eq. 12)", worstWeight, digits: 2)
        // Each side is a handful of floating-point operations on O(1) numbers; at t = 1 dividing by
        // √(1 − ᾱ₁) = 0.01 and by √ᾱ₁ magnifies rounding by ~1e2, so 1e-12 leaves a wide margin.
        book.check(worstMean < 1e-12 && worstX0 < 1e-12, "Eq. (10)–(11) and Eq. (15) hold to rounding error for every sample")
        book.check(worstWeight < 1e-9, "Eq. (12) holds for arbitrary ε_θ (relative gap below 1e-9)")
    }

    // MARK: - 2. The weight of Eq. (12) against L_simple

    func weights(_ book: Notebook, schedule: NoiseSchedule) {
        book.section("2. Which t matter: the Eq. (12) weight against L_simple")
        let first = schedule.lossWeight(1, .beta)
        let hundredth = schedule.timeSteps.first { schedule.lossWeight($0, .beta) <= first / 100 }.map(String.init) ?? "never"
        let largest = schedule.timeSteps.max { schedule.lossWeight($0, .beta) < schedule.lossWeight($1, .beta) }!
        book.text("With μ_θ from Eq. (11), the bound's term L_{t−1} is a weighted noise-prediction error (Eq. 12). L_simple (Eq. 14) throws the weight away and uses 1 for every t. With σₜ² = βₜ the weight is largest at t = \(largest) (\(NumberFormat.significant(schedule.lossWeight(largest, .beta), 3))), where the noise is tiny and easy to predict, falls to a hundredth of its t = 1 value at t = \(hundredth) and is \(NumberFormat.significant(schedule.lossWeight(schedule.steps, .beta), 3)) at t = T: the true bound spends its effort on small t, L_simple moves it to the larger t where the network must do real work — the reason the paper gives for its better samples.")
        book.equation("L_{t−1} − C = E[ βₜ² / (2σₜ²·αₜ·(1 − ᾱₜ)) · ‖ε − ε_θ(√ᾱₜ·x₀ + √(1 − ᾱₜ)·ε, t)‖² ]          (Eq. 12)\nL_simple = E[ ‖ε − ε_θ(√ᾱₜ·x₀ + √(1 − ᾱₜ)·ε, t)‖² ]                                  (Eq. 14)")
        let t = steps(schedule.steps)
        book.figure(
            Figure(
                name: "loss-weights", title: "The weight of each t in the bound (Eq. 12) and in L_simple", width: 1000, height: 560,
                panels: [
                    Panel(
                        xLabel: "t", yLabel: "weight of ‖ε − ε_θ‖²", yRange: 0.002...3, logX: true, logY: true, legend: .topRight,
                        series: [
                            .function(t, label: "Eq. (12), σₜ² = βₜ") { schedule.lossWeight(Int($0), .beta) },
                            .function(Array(t.dropFirst()), label: "Eq. (12), σₜ² = β̃ₜ", dashed: true) { schedule.lossWeight(Int($0), .betaTilde) },
                            .line(x: [1, 1000], y: [1, 1], label: "L_simple (Eq. 14)", color: "#2ca02c"),
                        ])
                ]), caption: "The Eq. (12) weight against t for both fixed variances, and L_simple's uniform weight (log–log)")
        book.table(
            ["t", "weight, σ² = β", "weight, σ² = β̃", "L_simple"],
            [1, 2, 10, 100, 500, 1000].map { s in
                [String(s), NumberFormat.significant(schedule.lossWeight(s, .beta), 4), NumberFormat.significant(schedule.lossWeight(s, .betaTilde), 4), "1"]
            })
        let ratio = schedule.lossWeight(2, .beta) / schedule.lossWeight(1000, .beta)
        book.value("weight(t = 2) / weight(t = 1000), σ² = β", ratio, digits: 4)
        book.check(ratio > 10, "the true bound weights small t more than ten times as much as t = T")
        book.check(schedule.lossWeight(1, .betaTilde).isInfinite, "with σₜ² = β̃ₜ the t = 1 weight is infinite (β̃₁ = 0): L₀ is the decoder's job")
    }
}
