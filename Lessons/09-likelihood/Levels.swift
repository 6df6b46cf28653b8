import Datasets
// Lesson 09, sections 4–5: where the bits go (small t), and a reverse process whose x̂₀ knows the
// data's 17 levels.
import Diffusion
import Foundation
import Learning
import LessonKit
import Plotting
import TensorCore

extension Lesson09 {
    /// The smallest t with Σ_{s ≤ t} term ≥ `share` of the total.
    static func step(reaching share: Double, of report: VariationalBound.Report) -> Int {
        var sum = 0.0
        for (index, term) in report.terms.enumerated() {
            sum += term
            if sum >= share * report.total { return index + 1 }
        }
        return report.terms.count
    }

    /// Σ_{t ≤ last} of the terms (L₀ is t = 1) over the total.
    static func share(upTo last: Int, of report: VariationalBound.Report) -> Double {
        report.terms[0..<last].reduce(0, +) / report.terms.reduce(0, +)
    }

    /// The probability that xₜ/√ᾱₜ = x₀ + noise leaves the bin of an interior level: 2Φ(−h·√(ᾱₜ/(1 − ᾱₜ))).
    static func leaveProbability(_ s: NoiseSchedule, _ t: Int) -> Double {
        let h = 1 / Double(DigitImages.levels - 1)
        return 2 * exp(GaussianTail.logCDF(-h / (s.oneMinusAlphaBar(t) / s.alphaBar(t)).squareRoot()))
    }

    // MARK: - 4. Where the bits go

    func whereTheBitsGo(_ book: Notebook, run: Run, evaluation: Evaluation) {
        book.section("4. Where the bits go: the first few steps")
        let s = run.schedule
        let steps = Array(s.timeSteps)
        let plain = Array(evaluation.heldOut[0...1])
        book.figure(
            Figure(
                name: "bound-terms", title: "The held-out bound term by term", columns: 2, width: 1300, height: 520,
                panels: [
                    Panel(
                        xLabel: "t  (t = 1 is L₀)", yLabel: "bits/dim of the term at t", logX: true, logY: true, legend: .topRight,
                        series: zip(plain, [false, true]).map { r, dashed in
                            .line(x: steps.map(Double.init), y: r.terms[0..<s.steps].map { max($0, 1e-9) }, label: r.model.name, dashed: dashed)
                        }),
                    Panel(
                        xLabel: "t", yLabel: "share of L spent at steps ≤ t", yRange: 0...1, logX: true, legend: .bottomRight,
                        series: zip(plain, [false, true]).map { r, dashed in
                            .line(x: steps.map(Double.init), y: steps.map { Self.share(upTo: $0, of: r) }, label: r.model.name, dashed: dashed)
                        }),
                ]),
            caption: """
                Left: bits per dimension of each term L_{t−1} (log–log; t = 1 is the decoder L₀). Right: the running \
                share of the bound
                """)
        book.table(
            ["reverse process", "share at t ≤ 10", "share at t ≤ 100", "half the bits by t =", "90 % by t ="],
            plain.map { r in
                [
                    r.model.name, "\(NumberFormat.fixed(100 * Self.share(upTo: 10, of: r), 1)) %",
                    """
                    \(NumberFormat.fixed(100 * Self.share(upTo: 100, of: r), 1)) %
                    """,
                    "\(Self.step(reaching: 0.5, of: r))", "\(Self.step(reaching: 0.9, of: r))",
                ]
            })
        let h = 1 / Double(DigitImages.levels - 1)
        let trainingCount = run.digits.training.count
        book.text(
            """
            Why so early? These digits have \(DigitImages.levels) levels, so a level sits half a bin, \
            h = 1/(K − 1) = \(NumberFormat.significant(h, 3)), from its bin's edges, while the paper's schedule \
            starts at √β₁ = \(NumberFormat.significant(s.beta(1).squareRoot(), 2)), tuned for 256 levels. At small \
            t, xₜ alone already says which level x₀ is: xₜ/√ᾱₜ = x₀ + noise of standard deviation \
            √((1 − ᾱₜ)/ᾱₜ). The table gives the chance that this noise moves a pixel at an interior level out of its \
            bin, 2Φ(−h·√(ᾱₜ/(1 − ᾱₜ))) (the edge levels 0 and \(DigitImages.levels - 1) have bins open on one side, \
            and leave less often), beside the network's own error and what an x̂₀ error of 0.01 costs in L_{t−1}: \
            ‖μ̃ₜ(x₀) − μ̃ₜ(x̂₀)‖²/(2σₜ²) = c₀(t)²·0.01²/(2σₜ²) nats, c₀ the x₀-coefficient of Eq. 7. The network's \
            error is the root mean square of x̂₀ − x₀ on \(run.calibration) calibration digits: the last \
            \(run.calibration) of the \(Self.grouped(trainingCount)) training digits, none of them among the \
            digits whose bound is evaluated (section 5 uses the same measurement).
            """)
        book.table(
            ["t", "P(xₜ/√ᾱₜ leaves x₀'s bin), an interior level", "network RMSE of x̂₀", "cost of a 0.01 error, σ² = β (bits)", "σ² = β̃ (bits)"],
            [1, 2, 5, 10, 20, 50, 100, 300].map { t in
                let cost = { (v: ReverseVariance) -> String in
                    t == 1
                        ? "(decoder)"
                        : NumberFormat.significant(s.posteriorMeanCoefX0(t) * s.posteriorMeanCoefX0(t) * 1e-4 / (2 * s.sigma2(t, v)) / log(2), 3)
                }
                return [
                    "\(t)", NumberFormat.significant(Self.leaveProbability(s, t), 3),
                    NumberFormat.significant(evaluation.errorVariance[t - 1].squareRoot(), 3),
                    cost(.beta), cost(.betaTilde),
                ]
            })
        let identifiable = max(s.timeSteps.last { Self.leaveProbability(s, $0) < 0.01 } ?? 1, 1)
        let r = plain[0]
        let lowError = evaluation.errorVariance[0].squareRoot(), highError = evaluation.errorVariance[identifiable - 1].squareRoot()
        book.text(
            """
            Measured: up to t = \(identifiable) fewer than 1 % of the pixels at an interior level leave their bin, so \
            x₀ is identifiable from xₜ alone, yet \
            \(NumberFormat.fixed(100 * Self.share(upTo: identifiable, of: r), 1)) % of the bound (\(r.model.name)) \
            is spent at those steps. The network's x̂₀ there is off by \
            \(NumberFormat.significant(lowError, 2))–\(NumberFormat.significant(highError, 2)) (at most \
            \(NumberFormat.fixed(100 * highError / (2 * h), 0)) % of a bin's width), and with σₜ² this small every \
            such error is expensive: the bound pays to describe x₀ to a precision far finer than the data has.
            """)
    }

    // MARK: - 5. A reverse process that knows the 17 levels

    /// Returns the recap's sentence about the level-aware bound.
    func levelAware(_ book: Notebook, run: Run, evaluation: Evaluation, baselines: Baselines) -> String {
        let K = DigitImages.levels
        book.section("5. A reverse process whose x̂₀ knows the \(K) levels")
        book.text(
            """
            The data says x₀ is one of \(K) levels. Treat the network's x̂₀ (Eq. 15) as a noisy reading of that \
            level, x̂₀ = x₀ + e with e ~ N(0, s²(t)), where s²(t) is the network's own mean squared error at t on the \
            \(run.calibration) calibration digits of section 4; and give the levels their training frequencies as \
            prior. Bayes' rule gives the posterior mean x̄₀, and the reverse process uses μ̃ₜ(xₜ, x̄₀) in place of \
            μ̃ₜ(xₜ, x̂₀). No retraining: the same ε_θ, a different (and still valid) reverse process p_θ, so its \
            Eq. 5 is a bound on its own likelihood.
            """)
        book.equation(
            """
            P(x₀ = vₖ ∣ x̂₀) ∝ πₖ·exp(−(vₖ − x̂₀)²/(2s²(t))),   x̄₀ = Σₖ vₖ·P(x₀ = vₖ ∣ x̂₀),   \
            μ_θ(xₜ, t) = μ̃ₜ(xₜ, x̄₀)
            """)
        let s = run.schedule
        let steps = Array(s.timeSteps)
        let half = 1 / Double(K - 1)
        let held = evaluation.heldOut
        let train = evaluation.training
        // Plain ε-prediction in blue, level-aware in orange; σ² = β solid, σ² = β̃ dashed.
        let styles: [(index: Int, dashed: Bool, color: String)] = [
            (0, false, "#1f77b4"), (1, true, "#1f77b4"), (2, false, "#ff7f0e"), (3, true, "#ff7f0e"),
        ]
        book.figure(
            Figure(
                name: "levels",
                title:
                    """
                    The network's x̂₀ error, and what knowing the levels saves
                    """, columns: 2, width: 1300, height: 520,
                panels: [
                    Panel(
                        xLabel: "t", yLabel: "root mean square error of x̂₀", logX: true, logY: true, legend: .topLeft,
                        series: [
                            .line(
                                x: steps.map(Double.init), y: evaluation.errorVariance.map { $0.squareRoot() },
                                label: "network's x̂₀ (calibration digits)"),
                            .line(
                                x: steps.map(Double.init), y: steps.map { (s.oneMinusAlphaBar($0) / s.alphaBar($0)).squareRoot() },
                                label: "xₜ/√ᾱₜ alone", dashed: true),
                            .line(
                                x: [1, Double(s.steps)], y: [half, half], label: "half a bin (h = \(NumberFormat.significant(half, 3)))", width: 1.5,
                                color: "#999999"),
                        ]),
                    Panel(
                        xLabel: "t  (t = 1 is L₀)", yLabel: "bits/dim of the term at t", logX: true, logY: true, legend: .topRight,
                        series: styles.map { style in
                            let r = held[style.index]
                            return .line(
                                x: steps.map(Double.init), y: r.terms[0..<s.steps].map { max($0, 1e-9) }, label: r.model.name, dashed: style.dashed,
                                color: style.color)
                        }),
                ]),
            caption: """
                Left: the root mean square error of the network's x̂₀ (Eq. 15), of xₜ/√ᾱₜ taken as the estimate, and \
                half a bin. Right: the held-out bound's terms with plain (blue) and level-aware (orange) x̂₀, σ² = β \
                solid and σ² = β̃ dashed
                """)
        let gain = { (t: Int) in (s.oneMinusAlphaBar(t) / s.alphaBar(t)).squareRoot() / evaluation.errorVariance[t - 1].squareRoot() }
        let crossing = s.timeSteps.first { evaluation.errorVariance[$0 - 1].squareRoot() > half } ?? s.steps
        let use =
            gain(1) < 2
            ? "the network's x̂₀ makes almost no use of the data's levels"
            : """
            the network's x̂₀ uses some, not all, of what the levels say
            """
        book.text(
            """
            Measured: at t = 1 the network's x̂₀ is only \(NumberFormat.fixed(gain(1), 2))× more precise than \
            xₜ/√ᾱₜ itself (\(NumberFormat.fixed(gain(10), 2))× at t = 10, \(NumberFormat.fixed(gain(100), 2))× at \
            t = 100), though at t = 1 xₜ/√ᾱₜ leaves an interior level's bin with probability \
            \(NumberFormat.scientific(Self.leaveProbability(s, 1), 1)): \(use). Its error stays below half a bin up \
            to t = \(crossing - 1); up to there the nearest level is usually the right one, and the level posterior \
            pulls x̂₀ onto it.
            """)
        book.table(
            ["reverse process", "held-out L", "training L", "held-out share at t ≤ 10"],
            (0..<4).map { m in
                [
                    held[m].model.name,
                    """
                    \(NumberFormat.fixed(held[m].total, 3)) ± \(NumberFormat.fixed(held[m].standardError, 3))
                    """, NumberFormat.fixed(train[m].total, 3),
                    "\(NumberFormat.fixed(100 * Self.share(upTo: 10, of: held[m]), 1)) %",
                ]
            })
        let best = (0..<4).min { held[$0].total < held[$1].total }!
        let plainBest = evaluation.bestPlain
        let saved = MeanDifference.paired(held[plainBest].imageTotals, held[best].imageTotals)
        let savedText =
            best == plainBest
            ? "no level-aware process does better"
            : saved.resolved
                ? """
                saving \(saved.text) bits/dim (\(NumberFormat.fixed(100 * saved.mean / held[plainBest].total, 1)) %, \
                paired over the same digits), beyond two standard errors
                """
                : "lower by \(saved.text) bits/dim, within two standard errors of it"
        let counted = baselines.models.dropFirst().map { model -> String in
            let d = MeanDifference.paired(held[best].imageTotals, model.heldOut)
            return d.resolved
                ? """
                \(d.text) bits/dim \(d.mean < 0 ? "below" : "above") \(model.name)
                """ : "within two standard errors of \(model.name) (\(d.text))"
        }
        book.text(
            """
            Measured: the best plain bound is \(NumberFormat.fixed(held[plainBest].total, 3)) bits/dim \
            (\(held[plainBest].model.name)); the best overall is \(NumberFormat.fixed(held[best].total, 3)) \
            (\(held[best].model.name)), \(savedText). Against the counted baselines of section 3 it is \
            \(Self.list(counted)) (paired differences ± one standard error).
            """)
        book.tryIt(
            "--calibration \(DigitImages.trainingCount - 297)",
            """
            s²(t) measured on every training digit the bound does not evaluate: does the level-aware bound move by \
            more than its standard error?
            """)
        let beatsBoth = baselines.models.dropFirst().allSatisfy { model in
            let d = MeanDifference.paired(held[best].imageTotals, model.heldOut)
            return d.resolved && d.mean < 0
        }
        guard best != plainBest else {
            return
                """
                Knowing the \(K) levels does not lower the held-out bound here: plain ε-prediction's is still the \
                best.
                """
        }
        let verdict = beatsBoth ? "below both counted baselines" : "not below both counted baselines"
        return """
            Knowing the \(K) levels, without retraining, lowers the held-out bound from \
            \(NumberFormat.fixed(held[plainBest].total, 3)) to \(NumberFormat.fixed(held[best].total, 3)) bits/dim \
            (\(held[best].model.name)), \(verdict).
            """
    }
}
