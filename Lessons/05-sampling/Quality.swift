// Lesson 05, sections 2–3: measuring the samples.
import Datasets
import Diffusion
import Learning
import LessonKit
import Plotting
import TensorCore

extension Lesson05 {
    /// `[n, 2]` floats as a Double tensor.
    static func tensor(_ x: [Float]) -> Tensor<Double> { Tensor(shape: [x.count / 2, 2], scalars: x.map(Double.init)) }

    // MARK: - 2. The Swiss roll

    /// Independent draws of the data scored against the held-out set: the spread the SWD has between two
    /// samples of one distribution.
    static let dataDraws = 5

    /// Section 2; returns the headline draw and the recap's sentence about it.
    func swissRoll(_ book: Notebook, model: MLP, schedule: NoiseSchedule, count: Int) -> (headline: [Float], summary: String) {
        book.section("2. Swiss roll: samples and their distance to the data")
        book.text(
            """
            How close are \(count) samples to the data? The sliced Wasserstein-1 distance (SWD) projects both point \
            sets on 256 fixed directions and averages the exact 1-D transport cost; it is 0 only for identical \
            distributions. Between two finite samples it is never 0, so its scale comes from the data itself: \
            \(Self.dataDraws) independent draws of \(count) Swiss-roll points, each scored against the same \
            held-out set, show how far two independent data draws are apart — the metric's noise. Each sampling \
            draw is itself random, so the samples' SWD is given for \(draws) draws.
            """)
        var held = SeededGenerator(seed: options.seed &+ 7_000)
        let reference = ToyData.swissRoll(count, using: &held)
        let dataDistances = (0..<Self.dataDraws).map { _ in
            SlicedWasserstein.distance(reference, ToyData.swissRoll(count, using: &held))
        }
        var distances: [Double] = []
        var headline: [Float] = []
        for draw in 0..<draws {
            let x = NetworkSampler(
                network: model, parameters: model.parameters, schedule: schedule, variance: .beta, threads: threads
            ).sample(count: count, seed: drawSeed(draw)).samples
            if draw == 0 { headline = x }
            distances.append(SlicedWasserstein.distance(Self.tensor(x), reference))
        }
        let tilde = NetworkSampler(
            network: model, parameters: model.parameters, schedule: schedule, variance: .betaTilde, threads: threads
        ).sample(count: count, seed: drawSeed(0)).samples
        let tildeDistance = SlicedWasserstein.distance(Self.tensor(tilde), reference)
        let (dataMean, dataVariance) = meanAndVariance(dataDistances)
        let dataSD = (dataVariance * Double(Self.dataDraws) / Double(Self.dataDraws - 1)).squareRoot()
        let (mean, variance) = meanAndVariance(distances)
        let sampleSD = draws > 1 ? (variance * Double(draws) / Double(draws - 1)).squareRoot() : dataSD
        let fixed = { (x: Double) in NumberFormat.fixed(x, 4) }
        book.table(
            ["", "SWD to \(count) held-out points"],
            [
                [
                    "two independent data draws (the metric's noise), mean ± sd of \(Self.dataDraws)",
                    "\(fixed(dataMean)) ± \(fixed(dataSD))",
                ],
                [
                    "two independent data draws, min … max",
                    "\(fixed(dataDistances.min()!)) … \(fixed(dataDistances.max()!))",
                ],
                ["σₜ² = βₜ, headline draw", fixed(distances[0])],
                ["σₜ² = βₜ, mean of \(draws) draws", fixed(mean)],
                ["σₜ² = βₜ, min … max", "\(fixed(distances.min()!)) … \(fixed(distances.max()!))"],
                ["σₜ² = β̃ₜ, headline seed", fixed(tildeDistance)],
            ])
        // The samples' mean against the data draws' mean: the difference of two means has standard error
        // √(s²/n + s_d²/n_d) (with one sampling draw, the data's sd stands in for the samples').
        let standardError = (sampleSD * sampleSD / Double(draws) + dataSD * dataSD / Double(Self.dataDraws)).squareRoot()
        let within = abs(mean - dataMean) <= 2 * standardError
        let samplesSentence =
            within
            ? """
            The samples' mean SWD, \(fixed(mean)), is within two standard errors (2 × \(fixed(standardError))) of the \
            data draws' mean: by this metric, and within its noise, the samples cannot be told from fresh data.
            """
            : """
            The samples' mean SWD, \(fixed(mean)), is \(mean > dataMean ? "above" : "below") the data draws' mean by \
            more than two standard errors (2 × \(fixed(standardError))): the samples are measurably \
            \(mean > dataMean ? "farther from" : "closer to") the held-out data than fresh data is.
            """
        // Two single draws: each moves by about the data draws' sd, so their difference by about √2 of it.
        let varianceGap = abs(tildeDistance - distances[0])
        let indistinguishable = varianceGap <= 2 * 2.0.squareRoot() * dataSD
        let varianceSentence =
            indistinguishable
            ? """
            With the same seed, σₜ² = β̃ₜ scores \(fixed(tildeDistance)) against \(fixed(distances[0])) for σₜ² = βₜ: \
            a gap of \(fixed(varianceGap)), inside the noise of two single draws (twice √2 times the data draws' \
            sd, \(fixed(2 * 2.0.squareRoot() * dataSD))), so the two variances are indistinguishable here.
            """
            : """
            With the same seed, σₜ² = β̃ₜ scores \(fixed(tildeDistance)) against \(fixed(distances[0])) for σₜ² = βₜ: \
            a gap of \(fixed(varianceGap)), beyond the noise of two single draws \
            (\(fixed(2 * 2.0.squareRoot() * dataSD))).
            """
        book.text(samplesSentence + " " + varianceSentence)
        let summary =
            within
            ? """
            The Swiss-roll samples' SWD (\(fixed(mean))) is within the noise of the metric, measured between \
            independent data draws (\(fixed(dataMean)) ± \(fixed(dataSD))).
            """
            : """
            The Swiss-roll samples' SWD (\(fixed(mean))) differs from that of independent data draws \
            (\(fixed(dataMean)) ± \(fixed(dataSD))) beyond the metric's noise.
            """
        let data = (reference.column(0).scalars, reference.column(1).scalars)
        func panel(_ title: String, _ x: [Float], color: String? = nil) -> Panel {
            Panel(
                title: title, xLabel: "first coordinate", yLabel: "second coordinate", xRange: -1.6...1.8, yRange: -1.6...1.8, equalAspect: true,
                legend: .bottomRight,
                series: [
                    .scatter(x: data.0, y: data.1, label: "held-out data", size: 0.3, color: "#bbbbbb"),
                    .scatter(
                        x: x.enumerated().filter { $0.offset % 2 == 0 }.map { Double($0.element) },
                        y: x.enumerated().filter { $0.offset % 2 == 1 }.map { Double($0.element) }, label: "samples",
                        size: 0.3, color: color),
                ])
        }
        book.figure(
            Figure(
                name: "swissroll-samples", title: "Swiss roll: \(count) samples of Algorithm 2 over held-out data",
                columns: 2, width: 1200, height: 600,
                panels: [
                    panel("σₜ² = βₜ (SWD \(NumberFormat.fixed(distances[0], 3)))", headline, color: "#1f77b4"),
                    panel("σₜ² = β̃ₜ (SWD \(NumberFormat.fixed(tildeDistance, 3)))", tilde, color: "#d62728"),
                ]),
            caption: "Samples from the Swiss-roll model with both fixed variances, over held-out data")
        if options.quick {
            book.text("(Quick mode: the model saw a tenth of the training, so the quality targets are not checked.)")
        } else {
            book.check(
                mean <= 0.040,
                "mean SWD over \(draws) draws \(NumberFormat.fixed(mean, 4)) ≤ 0.040 (the quality target)")
        }
        book.tryIt(
            "--draws 10",
            "twice the sampling draws: a tighter mean for the samples' SWD and its comparison with the data")
        return (headline, summary)
    }

    // MARK: - 3. The 8 Gaussians

    /// Section 3; returns the shares within 3σ of a mode for the trained network and for the oracle.
    func eightGaussians(_ book: Notebook, model: MLP, schedule: NoiseSchedule, count: Int) -> (learned: Double, oracle: Double) {
        book.section("3. 8 Gaussians: mode coverage, against the oracle")
        // In 2-D, ‖x − mode‖²/σ² is χ² with 2 degrees of freedom: P(‖x − mode‖ ≤ 3σ) = 1 − e^{−9/2}.
        book.text(
            """
            For the 8 Gaussians there is a sharper test: what fraction of samples lands within 3σ (0.15) of a \
            mode, and is every mode equally used? For the true mixture the fraction is 1 − e^{−4.5} = \
            \(NumberFormat.fixed(100 * (1 - Double.exp(-4.5)), 1)) % and each mode gets \
            \(NumberFormat.fixed(100.0 / 8, 1)) %. The oracle ε* run through the same Algorithm 2 shows what a \
            perfect network would achieve with T = \(schedule.steps) steps.
            """)
        let x = NetworkSampler(network: model, parameters: model.parameters, schedule: schedule, variance: .beta, threads: threads).sample(
            count: count, seed: drawSeed(0)
        ).samples
        let learned = ModeCoverage(Self.tensor(x))
        let mixture = GaussianMixture2D.eightGaussians
        var rng = SeededGenerator(seed: drawSeed(0))
        let oracleCount = min(count, 1000)
        let oracle = schedule.sample(count: oracleCount, dimension: 2, variance: .beta, generator: &rng) { xt, t in
            mixture.optimalNoise(xt: xt, t: t, schedule: schedule)
        }
        let perfect = ModeCoverage(oracle)
        book.table(
            ["", "within 3σ"] + (0..<8).map { "mode \($0)" },
            [
                ["ε_θ (trained), \(count) samples", NumberFormat.fixed(100 * learned.fractionWithin, 1) + " %"]
                    + learned.shares.map { NumberFormat.fixed(100 * $0, 1) + " %" },
                ["ε* (oracle), \(oracleCount) samples", NumberFormat.fixed(100 * perfect.fractionWithin, 1) + " %"]
                    + perfect.shares.map { NumberFormat.fixed(100 * $0, 1) + " %" },
            ])
        book.figure(
            Figure(
                name: "gaussians-samples", title: "8 Gaussians: the trained network against the oracle ε*", columns: 2,
                width: 1100, height: 560,
                panels: [
                    Panel(
                        title: "ε_θ: \(NumberFormat.fixed(100 * learned.fractionWithin, 1)) % within 3σ", xLabel: "first coordinate",
                        yLabel: "second coordinate", xRange: -1.6...1.6,
                        yRange: -1.6...1.6, equalAspect: true, legend: .hidden,
                        series: [
                            .scatter(
                                x: x.enumerated().filter { $0.offset % 2 == 0 }.map { Double($0.element) },
                                y: x.enumerated().filter { $0.offset % 2 == 1 }.map { Double($0.element) }, size: 0.3)
                        ]),
                    Panel(
                        title: "ε*: \(NumberFormat.fixed(100 * perfect.fractionWithin, 1)) % within 3σ", xLabel: "first coordinate",
                        yLabel: "second coordinate", xRange: -1.6...1.6,
                        yRange: -1.6...1.6, equalAspect: true, legend: .hidden,
                        series: [
                            .scatter(x: oracle.column(0).scalars, y: oracle.column(1).scalars, size: 0.3, color: "#2ca02c")
                        ]),
                ]),
            caption: "Samples from the trained 8-Gaussian model and from the exact ε* (no training)")
        if !options.quick {
            book.check(
                learned.fractionWithin >= 0.85, "at least 85 % of samples within 3σ of a mode (the quality target)")
            book.check(
                learned.shares.allSatisfy { $0 >= 0.08 && $0 <= 0.17 },
                "every mode holds 8–17 % of them (the quality target)")
        }
        // Binomial standard errors of the two shares, and of their difference.
        let se = { (p: Double, n: Int) in (p * (1 - p) / Double(n)).squareRoot() }
        let (seLearned, seOracle) = (se(learned.fractionWithin, count), se(perfect.fractionWithin, oracleCount))
        let gap = perfect.fractionWithin - learned.fractionWithin
        let gapSE = (seLearned * seLearned + seOracle * seOracle).squareRoot()
        let points = { (x: Double) in NumberFormat.fixed(100 * x, 1) }
        let verdict =
            abs(gap) > 3 * gapSE
            ? "a real shortfall of the network, what training still leaves to gain"
            : "inside the noise, no difference these sample sizes can show"
        book.text(
            """
            Within 3σ: \(points(learned.fractionWithin)) ± \(points(seLearned)) % for the trained network and \
            \(points(perfect.fractionWithin)) ± \(points(seOracle)) % for the oracle (binomial standard errors). The \
            gap, \(points(gap)) points, is \(NumberFormat.fixed(gap / gapSE, 1)) standard errors: \
            \(verdict).
            """)
        return (learned.fractionWithin, perfect.fractionWithin)
    }
}
