// Lesson 02, sections 2–3: the posterior's coefficients over t, and the two choices of σₜ² (Sec. 3.2).
import Diffusion
import LessonKit
import Plotting
import TensorCore

extension Lesson02 {
    // MARK: - 2. β̃ₜ and the mean coefficients over t

    /// Section 2; returns the first t with β̃ₜ/βₜ ≥ 0.9 and the first with an x₀ weight below 0.1.
    func coefficients(_ book: Notebook, schedule: NoiseSchedule) -> (ninety: String, smallX0: String) {
        book.section("2. What the posterior does over t")
        let ratio = { (t: Int) in schedule.betaTilde(t) / schedule.beta(t) }
        let ninety = schedule.timeSteps.first { ratio($0) >= 0.9 }.map(String.init) ?? "never"
        let ninetyNine = schedule.timeSteps.first { ratio($0) >= 0.99 }.map(String.init) ?? "never"
        let smallX0 = schedule.timeSteps.first { schedule.posteriorMeanCoefX0($0) < 0.1 }.map(String.init) ?? "never"
        book.text(
            """
            β̃ₜ/βₜ = (1 − ᾱₜ₋₁)/(1 − ᾱₜ) is \(NumberFormat.significant(ratio(1), 3)) at t = 1; it reaches 0.9 at \
            t = \(ninety) and 0.99 at t = \(ninetyNine): once some noise has accumulated, knowing x₀ barely narrows \
            down the previous step. The mean μ̃ₜ mixes x₀ and xₜ; its x₀ weight is \
            \(NumberFormat.significant(schedule.posteriorMeanCoefX0(1), 3)) at t = 1 (x₀ is the previous step) and \
            drops below 0.1 at t = \(smallX0), while the xₜ weight rises towards √αₜ.
            """)
        let t = steps(schedule.steps)
        book.figure(
            Figure(
                name: "posterior-coefficients", title: "The posterior's variance and mean coefficients", columns: 2,
                width: 1200, height: 480,
                panels: [
                    Panel(
                        title: "β̃ₜ / βₜ", xLabel: "t", yLabel: "β̃ₜ / βₜ", logX: true, legend: .bottomRight,
                        series: [
                            .function(t, label: "β̃ₜ/βₜ = (1 − ᾱₜ₋₁)/(1 − ᾱₜ)") {
                                schedule.betaTilde(Int($0)) / schedule.beta(Int($0))
                            }
                        ]),
                    Panel(
                        title: "μ̃ₜ = c₀·x₀ + cₜ·xₜ", xLabel: "t", yLabel: "coefficient", logX: true, legend: .rightCenter,
                        series: [
                            .function(t, label: "c₀ = √ᾱₜ₋₁·βₜ/(1 − ᾱₜ)") { schedule.posteriorMeanCoefX0(Int($0)) },
                            .function(t, label: "cₜ = √αₜ·(1 − ᾱₜ₋₁)/(1 − ᾱₜ)") { schedule.posteriorMeanCoefXt(Int($0)) },
                        ]),
                ]),
            caption: "β̃ₜ/βₜ and the two coefficients of μ̃ₜ against t (log axis)")
        book.table(
            ["t", "βₜ", "β̃ₜ", "β̃ₜ/βₜ", "c₀ (x₀)", "cₜ (xₜ)"],
            [1, 2, 10, 100, 1000].map { s in
                [
                    String(s), NumberFormat.significant(schedule.beta(s), 5), NumberFormat.significant(schedule.betaTilde(s), 5),
                    NumberFormat.significant(schedule.betaTilde(s) / schedule.beta(s), 5),
                    NumberFormat.significant(schedule.posteriorMeanCoefX0(s), 5),
                    NumberFormat.significant(schedule.posteriorMeanCoefXt(s), 5),
                ]
            })
        book.text(
            """
            At t = 1 the posterior is a point mass at x₀: β̃₁ = 0 and log β̃₁ = −∞. Code that stores log-variances \
            cannot hold −∞, so Ho's code "clips" it, using log β̃₂ at t = 1. The workbench's \
            `logBetaTildeClipped(_:)` follows that convention and says so.
            """)
        book.value("β̃₁", schedule.betaTilde(1))
        book.value("log β̃₁, clipped to log β̃₂", schedule.logBetaTildeClipped(1), digits: 8)
        book.check(
            schedule.betaTilde(1) == 0 && schedule.posteriorMeanCoefX0(1) == 1 && schedule.posteriorMeanCoefXt(1) == 0,
            "t = 1: β̃₁ = 0, c₀ = 1 and cₜ = 0 exactly, so μ̃₁ = x₀")
        book.check(
            schedule.timeSteps.allSatisfy { schedule.betaTilde($0) <= schedule.beta($0) },
            "β̃ₜ ≤ βₜ at every t = 1…\(schedule.steps)")
        return (ninety, smallX0)
    }

    // MARK: - 3. Sec. 3.2: σₜ² = βₜ or β̃ₜ

    func twoVariances(_ book: Notebook, schedule: NoiseSchedule, rng: inout SeededGenerator) {
        book.section("3. The two fixed variances of Sec. 3.2")
        book.text(
            """
            The reverse process needs a variance σₜ². The paper tries σₜ² = βₜ and σₜ² = β̃ₜ and finds similar \
            samples. If the data is x₀ ~ N(0, 1), the true reverse step q(xₜ₋₁∣xₜ) has variance exactly βₜ; if x₀ is \
            known (a single point), it is the posterior of Eq. (7), with variance β̃ₜ. Sec. 3.2 calls the two the \
            upper and lower bounds on the reverse process's entropy for data with unit variance per coordinate. \
            Check both by Bayes' rule on a grid: \
            with N(0, 1) data the marginal of xₜ₋₁ is N(0, 1) at every t, with a point mass it is \
            N(√ᾱₜ₋₁·x₀, 1 − ᾱₜ₋₁).
            """)
        book.equation(
            """
            x₀ ~ N(0, 1):    q(xₜ₋₁∣xₜ) = N(√αₜ·xₜ, βₜ)
            x₀ = point:      q(xₜ₋₁∣xₜ) = q(xₜ₋₁∣xₜ, x₀) = N(μ̃ₜ, β̃ₜ)
            """)
        var rows: [[String]] = []
        var worst = 0.0
        var points: (t: [Double], gaussian: [Double], point: [Double]) = ([], [], [])
        for t in [2, 5, 10, 50, 100, 500, 1000] {
            let xt = rng.normal()
            let gaussian = GridPosterior.reverseStep(schedule: schedule, t: t, xt: xt, priorMean: 0, priorVariance: 1)
            let pointMass = GridPosterior.reverseStep(
                schedule: schedule, t: t, xt: xt, priorMean: schedule.sqrtAlphaBar(t - 1) * x0,
                priorVariance: schedule.oneMinusAlphaBar(t - 1))
            worst = max(
                worst, abs(gaussian.variance / schedule.beta(t) - 1), abs(pointMass.variance / schedule.betaTilde(t) - 1),
                abs(gaussian.mean - schedule.alpha(t).squareRoot() * xt) / schedule.beta(t).squareRoot())
            rows.append([
                String(t), NumberFormat.significant(schedule.beta(t), 6), NumberFormat.significant(gaussian.variance, 6),
                NumberFormat.significant(schedule.betaTilde(t), 6), NumberFormat.significant(pointMass.variance, 6),
            ])
            points.t.append(Double(t)); points.gaussian.append(gaussian.variance); points.point.append(pointMass.variance)
        }
        book.table(["t", "βₜ", "grid variance, x₀ ~ N(0, 1)", "β̃ₜ", "grid variance, x₀ a point"], rows)
        book.check(
            worst < 1e-6,
            """
            N(0, 1) data gives variance βₜ and mean √αₜ·xₜ; a point mass gives β̃ₜ (largest relative disagreement \
            \(NumberFormat.significant(worst, 2)); the check allows 1e-6)
            """)
        let t = steps(schedule.steps).dropFirst().map { $0 }
        book.figure(
            Figure(
                name: "two-variances",
                title: "Sec. 3.2: the two extremes of the reverse-step variance, for unit-variance data",
                width: 900, height: 560,
                panels: [
                    Panel(
                        xLabel: "t", yLabel: "variance of q(xₜ₋₁∣xₜ)", logX: true, logY: true, legend: .bottomRight,
                        series: [
                            .function(t, label: "σₜ² = βₜ (exact for N(0, 1) data)") { schedule.beta(Int($0)) },
                            .function(t, label: "σₜ² = β̃ₜ (exact for a known x₀)", dashed: true) {
                                schedule.betaTilde(Int($0))
                            },
                            .scatter(x: points.t, y: points.gaussian, label: "grid, x₀ ~ N(0, 1)", size: 1.6),
                            .scatter(x: points.t, y: points.point, label: "grid, x₀ a point", size: 0.9),
                        ])
                ]),
            caption: """
                βₜ and β̃ₜ (lines) against the true reverse-step variance for N(0, 1) data and for a point mass (dots)
                """)
    }
}
