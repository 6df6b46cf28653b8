import Datasets
// Lesson 10, section 4: learned variances (Nichol & Dhariwal 2021) — Σ_θ interpolated between β̃ₜ and
// βₜ in log space, trained by L_hybrid; what it buys in bits/dim and with few sampling steps.
import Diffusion
import Foundation
import Learning
import LessonKit
import Plotting
import TensorCore

extension Lesson10 {
    /// The learned v at one t: its 10th percentile, median and 90th percentile over pixels and images.
    typealias Weights = (t: Int, low: Double, median: Double, high: Double)

    /// Returns the recap's sentences: the learned variance's bound, and its samples at few steps.
    func learnedVariances(
        _ book: Notebook, run: Run, models: Models, bounds reports: [VariationalBound.Report], curves: [Curve], yardstick: FrechetYardstick
    ) -> [String] {
        book.section(
            """
            4. Learned variances: Σ_θ interpolated in log space (v is not constrained to [0, 1]), trained with \
            L_hybrid
            """)
        book.text(
            """
            Ho et al. fix σₜ² to βₜ or β̃ₜ, the two extremes of Sec. 3.2, and found learning it unstable (the \
            paper's Table 2; lesson 09 trains that row with --all-rows). Nichol & Dhariwal let the network output one \
            more number per pixel, v, and interpolate between the extremes in log space; nothing keeps v in [0, 1], \
            so Σ_θ may fall below β̃ₜ or rise above βₜ. L_simple says nothing about Σ, so they add the bound with a \
            small weight λ and stop its gradient into the mean, which L_simple keeps training:
            """)
        book.equation(
            """
            Σ_θ(xₜ, t) = exp(v·log βₜ + (1 − v)·log β̃ₜ),    L_hybrid = L_simple + λ·L_vlb,   \
            λ = \(NumberFormat.significant(Objective.hybridWeight, 3)),   μ_θ inside L_vlb held fixed
            """)
        book.text(
            """
            With t ~ U{1…T}, the sampled term L_{t−1} times T estimates L_vlb = Σₜ L_{t−1}; the workbench adds \
            λ·T·L_{t−1} in bits per pixel to each pixel's (ε − ε_θ)², as Nichol & Dhariwal's improved-diffusion code \
            does. At t = 1, log β̃₁ = −∞ is replaced by log β̃₂.
            """)
        let (cosBeta, cosTilde, learned, hybridBeta, hybridTilde) = (reports[4], reports[5], reports[6], reports[7], reports[8])
        book.text("Every bound below clips x̂₀ (section 3).")
        book.table(
            ["network (cosine schedule)", "reverse variance", "held-out bound (bits/dim)", "L₀", "Σ of L_{t−1}, t = 2…10"],
            [
                ("ε, L_simple", "σ² = β", cosBeta), ("ε, L_simple", "σ² = β̃", cosTilde),
                ("L_hybrid", "learned Σ_θ", learned), ("L_hybrid", "σ² = β (ignoring v)", hybridBeta),
                ("L_hybrid", "σ² = β̃ (ignoring v)", hybridTilde),
            ].map { net, variance, r in
                [net, variance, Self.bits(r), NumberFormat.significant(r.terms[0], 2), NumberFormat.fixed(r.terms[1..<10].reduce(0, +), 3)]
            })
        let fixed = [
            (cosBeta, "the L_simple network"), (cosTilde, "the L_simple network"), (hybridBeta, "the L_hybrid network"),
            (hybridTilde, "the L_hybrid network"),
        ]
        let (bestFixed, network) = fixed.min { $0.0.total < $1.0.total }!
        let gain = MeanDifference.paired(bestFixed.imageTotals, learned.imageTotals)
        let effect =
            !gain.resolved
            ? "changes the bound by \(gain.text) bits/dim, within two standard errors (paired over the same digits)"
            : gain.mean > 0
                ? "saves \(gain.text) bits/dim (paired over the same digits), beyond two standard errors"
                : "costs \(gain.text) bits/dim (paired over the same digits), beyond two standard errors"
        book.text(
            """
            Measured: the learned variance gives \(NumberFormat.fixed(learned.total, 3)) bits/dim; the best fixed \
            variance of either network gives \(NumberFormat.fixed(bestFixed.total, 3)) (\(network), \
            \(bestFixed.model.name)), so learning Σ \(effect) at this budget.
            """)
        boundTermsFigure(book, run: run, reports: reports)
        interpolationWeights(book, run: run, models: models)
        let few = fewSteps(book, run: run, curves: curves, yardstick: yardstick)
        let bound = """
            Against the best fixed variance (\(NumberFormat.fixed(bestFixed.total, 3)) bits/dim), learning Σ with \
            L_hybrid \(effect).
            """
        return [bound + " " + few]
    }

    /// The bound's terms by t: every term on log axes, and the last ones, where the cap β_T = 0.999 costs Eq. 11 its bits.
    func boundTermsFigure(_ book: Notebook, run: Run, reports: [VariationalBound.Report]) {
        let T = run.cosine.steps
        let ts = Array(2...T)
        let last = Array(max(1, T - 10)...T)
        // Eq. 11 (x̂₀ not clipped) thick and gray; fixed β̃ solid; learned Σ_θ dashed; the linear network's Eq. 11 in the zoom.
        let series: [(report: VariationalBound.Report, label: String, width: Double, dashed: Bool, color: String)] = [
            (reports[3], "cosine ε, σ² = β, Eq. 11 (x̂₀ not clipped)", 4, false, "#bbbbbb"),
            (reports[5], "cosine ε, σ² = β̃, x̂₀ clipped", 2, false, "#d62728"),
            (reports[6], "L_hybrid, learned Σ_θ, x̂₀ clipped", 2, true, "#2ca02c"),
        ]
        let minimum = 1e-8
        let smallest = series.flatMap { s in ts.map { s.report.terms[$0 - 1] } }.filter { $0 > 0 }.min() ?? minimum
        let low = pow(10, floor(log10(max(smallest, minimum))))
        let high = pow(10, ceil(log10(series.flatMap { s in ts.map { s.report.terms[$0 - 1] } }.max()! * 2)))
        func line(_ s: (report: VariationalBound.Report, label: String, width: Double, dashed: Bool, color: String), _ steps: [Int], label: Bool)
            -> Series
        {
            .line(
                x: steps.map(Double.init), y: steps.map { max(s.report.terms[$0 - 1], low) }, label: label ? s.label : nil, width: s.width,
                dashed: s.dashed,
                color: s.color)
        }
        let zoomed = series + [(reports[0], "linear ε, σ² = β, Eq. 11", 2, false, "#1f77b4")]
        book.figure(
            Figure(
                name: "bound-terms",
                title:
                    """
                    The bound's terms L_{t−1} by t (cosine schedule): fixed σ² against the learned Σ_θ
                    """, columns: 2, width: 1400,
                height: 520,
                panels: [
                    Panel(
                        title: "every term, t = 2…\(T)", xLabel: "t", yLabel: "L_{t−1} (bits/dim)", xRange: 2...Double(T), yRange: low...high,
                        logX: true, logY: true,
                        legend: .bottomLeft,
                        series: series.map { line($0, ts, label: true) }),
                    Panel(
                        title: "the last \(last.count) terms: Eq. 11 at t = T", xLabel: "t (linear axis)", yLabel: "L_{t−1} (bits/dim)",
                        xRange: Double(last.first!) - 0.5...Double(T) + 0.5, yRange: low...high, logY: true, legend: .topLeft,
                        series: zoomed.flatMap { s in
                            [
                                line(s, last, label: true),
                                .scatter(x: last.map(Double.init), y: last.map { max(s.report.terms[$0 - 1], low) }, size: 1.2, color: s.color),
                            ]
                        }),
                ]),
            caption: """
                Each term of the held-out bound for t ≥ 2 (L₀, at t = 1, is in the table). Left: every term, log axes. \
                Right: the last \(last.count) terms on a linear t axis, where the cap β_T = 0.999 makes Eq. 11's last \
                term cost \(NumberFormat.significant(reports[3].terms[T - 1], 3)) bits/dim (gray, top right) while \
                clipping x̂₀ removes it; terms below \(NumberFormat.scientific(low, 0)) are drawn at the axis
                """)
    }

    /// The learned v against t on held-out xₜ: where the network sits between β̃ₜ (v = 0) and βₜ (v = 1).
    func interpolationWeights(_ book: Notebook, run: Run, models: Models) {
        let engine = models.hybridNet.makeEngine(capacity: 64, threads: run.threads)
        engine.load(models.hybrid)
        let images = run.digits.heldOut.subset(0..<QuickBudgets.Lesson10.hybridImages(quick: run.quick))
        let n = images.count
        let x0 = images.values
        let grid = [1, 2, 3, 5, 10, 20, 50, 100, 200, 300, 400, 500, 600, 700, 800, 900, 1000]
        var rng = SeededGenerator(seed: run.seed &+ 105)
        var rows: [Weights] = []
        for t in grid {
            let q = run.cosine.float(t)
            let xt = x0.map { q.noised($0, noise: Float(rng.normal())) }
            let output = xt.withUnsafeBufferPointer { engine.forward($0.baseAddress!, steps: [Int](repeating: t, count: n)) }
            let v = (0..<n).flatMap { i in (0..<64).map { Double(output[i * 128 + 64 + $0]) } }.sorted()
            rows.append((t, v[v.count / 10], v[v.count / 2], v[v.count * 9 / 10]))
        }
        let ends = [Double(grid.first!), Double(grid.last!)]
        let range = min(-0.1, (rows.map(\.low).min() ?? 0) - 0.1)...max(1.1, (rows.map(\.high).max() ?? 1) + 0.1)
        book.figure(
            Figure(
                name: "learned-v", title: "The learned interpolation v against t: 0 is β̃ₜ, 1 is βₜ", width: 1150, height: 460,
                panels: [
                    Panel(
                        xLabel: "t", yLabel: "v (median and 10–90 % of pixels)", yRange: range, logX: true, legend: .outside,
                        series: [
                            .line(x: ends, y: [1, 1], label: "v = 1: Σ_θ = βₜ", width: 1.5, dashed: true, color: "#777777"),
                            .line(x: ends, y: [0, 0], label: "v = 0: Σ_θ = β̃ₜ", width: 1.5, dashed: true, color: "#bbbbbb"),
                            .line(x: rows.map { Double($0.t) }, y: rows.map(\.median), label: "median", color: "#1f77b4"),
                            .line(
                                x: rows.map { Double($0.t) }, y: rows.map(\.low), label: "10th percentile", width: 1, dashed: true, color: "#d62728"),
                            .line(
                                x: rows.map { Double($0.t) }, y: rows.map(\.high), label: "90th percentile", width: 1, dashed: true, color: "#2ca02c"),
                        ])
                ]),
            caption:
                """
                The L_hybrid network's second output v on \(n) held-out digits at each t (cosine schedule)
                """)
        let ratio = { (t: Int) in run.cosine.beta(t) / run.cosine.betaTilde(t) }
        book.table(
            ["t", "βₜ/β̃ₜ", "median v", "10–90 % of v"],
            rows.filter { [1, 2, 10, 100, 500, 1000].contains($0.t) }.map { r in
                [
                    String(r.t), r.t == 1 ? "∞" : NumberFormat.significant(ratio(r.t), 3), NumberFormat.fixed(r.median, 3),
                    """
                    \(NumberFormat.fixed(r.low, 3)) – \(NumberFormat.fixed(r.high, 3))
                    """,
                ]
            })
        let below = rows.filter { $0.low < 0 }.map(\.t), above = rows.filter { $0.high > 1 }.map(\.t)
        // "t = 300…1000 (8 of the 17 steps of the grid)", or a list when they are not one run of the grid.
        func steps(_ ts: [Int]) -> String {
            guard let first = grid.firstIndex(of: ts.first!), Array(grid[first..<(first + ts.count)]) == ts, ts.count > 2 else {
                return ts.map { "t = \($0)" }.joined(separator: ", ")
            }
            return "t = \(ts.first!)…\(ts.last!) (\(ts.count) of the \(grid.count) steps of the grid)"
        }
        let low =
            below.isEmpty
            ? "the 10th percentile of v never falls below 0"
            : """
            the 10th percentile of v is below 0 (Σ_θ below β̃ₜ) at \(steps(below))
            """
        let high = above.isEmpty ? "the 90th never exceeds 1" : "the 90th is above 1 (Σ_θ above βₜ) at \(steps(above))"
        let outside = "On the grid of t, \(low), and \(high)."
        book.text(
            """
            Where βₜ/β̃ₜ is close to 1 (large t), v barely matters to the bound, so L_vlb gives it little gradient \
            there; where the two differ by a large factor (small t) the choice matters and L_vlb sets it. Measured \
            median v at t = 2: \(NumberFormat.fixed(rows[1].median, 3)); at t = \(rows.last!.t): \
            \(NumberFormat.fixed(rows.last!.median, 3)). \(outside)
            """)
    }

    /// Fréchet distance against S for the four samplers. - Returns: the recap's sentence on the few-step comparison.
    func fewSteps(_ book: Notebook, run: Run, curves: [Curve], yardstick: FrechetYardstick) -> String {
        let counts = stepCounts(run)
        book.text(
            """
            Does the learned variance help when sampling with few steps? Nichol & Dhariwal found it does most there. \
            Each sampler runs Algorithm 2 respaced to S steps (section 3) with x̂₀ clipped; the learned Σ_θ is \
            interpolated between the respaced β′ᵢ and β̃′ᵢ, as Nichol & Dhariwal's improved-diffusion code does. \
            \(run.count) samples each, the same seeds.
            """)
        book.table(["sampler"] + counts.map { "S = \($0)" }, curves.map { c in [c.name] + c.frechet.map { NumberFormat.significant($0, 3) } })
        let x = counts.map(Double.init)
        book.figure(
            Figure(
                name: "frechet-vs-steps",
                title:
                    """
                    Fréchet distance against sampling steps S: fixed and learned variances
                    """, width: 1150, height: 560,
                panels: [
                    Panel(
                        xLabel: "sampling steps S", yLabel: "Fréchet d² to held-out digits", logX: true, logY: true, legend: .outside,
                        series: yardstick.floorSeries(x: x)
                            + curves.enumerated().flatMap { i, c -> [Series] in
                                let color = ["#1f77b4", "#d62728", "#2ca02c", "#ff7f0e"][i % 4]
                                return [
                                    .line(x: x, y: c.frechet, label: c.name, color: color), .scatter(x: x, y: c.frechet, size: 1.5, color: color),
                                ]
                            })
                ]),
            caption: """
                Sample quality (lower is better) against the number of respaced sampling steps, for each network and \
                reverse variance; the gray band is the floor ± sd of \(yardstick.size) real digits
                """)
        let small = counts.first!
        let hybrid = curves[3].frechet
        let fixedBest = curves[1...2].min { $0.frechet[0] < $1.frechet[0] }!
        let fixedName = "the better fixed variance (\(fixedBest.name))"
        let reproduces = yardstick.differ(hybrid[0], fixedBest.frechet[0]) && hybrid[0] < fixedBest.frechet[0]
        let finding =
            reproduces
            ? "Nichol & Dhariwal's few-step gain reproduces here."
            : "Nichol & Dhariwal's few-step gain does not reproduce here: the learned Σ_θ is not measurably better."
        book.text(
            """
            Measured at S = \(small): \
            \(yardstick.compare(hybrid[0], "the learned Σ_θ", fixedBest.frechet[0], fixedName)). \
            At S = \(counts.last!): \
            \(yardstick.compare(hybrid.last!, "the learned Σ_θ", fixedBest.frechet.last!, fixedBest.name)). \
            \(finding)
            """)
        book.tryIt(
            "--samples 1000",
            """
            more samples shrink the metric's noise: does the few-step difference between learned and fixed variances \
            resolve?
            """)
        book.figure(
            Figure(
                name: "samples-few-steps",
                title:
                    """
                    Ten samples each at S = \(small) from the cosine networks (same seeds)
                    """, width: 1000, height: 400,
                panels: [
                    DigitPictures.grid(
                        [1, 2, 3].flatMap { i in (0..<10).map { DigitPictures.image(curves[i].samples[small]!, $0) } }, columns: 10,
                        rowLabels: ["ε, σ² = β", "ε, σ² = β̃", "learned Σ_θ"], columnAxis: "sample", rowAxis: "network and variance")
                ]),
            caption: """
                Samples at S = \(small) steps from the cosine ε-network with σ² = β and σ² = β̃, and from the L_hybrid \
                network with its learned variance (same seeds)
                """)
        return reproduces
            ? """
            With \(small) sampling steps the learned variance gives better samples than the fixed ones, as Nichol \
            & Dhariwal found.
            """
            : """
            With \(small) sampling steps the learned variance does not give measurably better samples than the better \
            fixed one (\(fixedBest.name)): Nichol & Dhariwal's few-step gain does not reproduce at this budget.
            """
    }
}
