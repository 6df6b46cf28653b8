// Lesson 07, section 3: annealed Langevin dynamics against Algorithm 2 at equal cost.
import Datasets
import Diffusion
import Learning
import LessonKit
import Plotting
import TensorCore

extension Lesson07 {
    /// Section 3; returns the recap's sentence about the race.
    func samplers(_ book: Notebook, gaussians: MLP, roll: MLP, schedule: NoiseSchedule) -> String {
        book.section("3. Annealed Langevin dynamics against Algorithm 2, at equal cost")
        let n = options.quick ? 300 : 2000
        let langevin = AnnealedLangevin(
            schedule: schedule, levels: stride(from: 1000, through: 10, by: -10).map { $0 }, stepsPerLevel: 10, eta: eta)
        book.text(
            """
            Noise-Conditional Score Networks (Song & Ermon 2019) sample by annealed Langevin dynamics: from pure \
            noise, a few Langevin steps at each of a decreasing sequence of noise levels, the step size \
            proportional to the level's variance. With the DDPM's own marginals as levels — t = 1000, 990, …, 10, \
            σ² = 1 − ᾱₜ — and the learned score s_θ = −ε_θ/√(1 − ᾱₜ), \(langevin.levels.count) levels × \
            \(langevin.stepsPerLevel) steps make \(langevin.evaluations) network evaluations, exactly as many as \
            Algorithm 2. Step size δ = η·(1 − ᾱₜ), η = \(NumberFormat.significant(eta, 3)).
            """)
        book.equation("x ← x + (δ/2)·s_θ(x, t) + √δ·z,   δ = η·(1 − ᾱₜ),   t = 1000, 990, …, 10,   10 steps each")
        func run(_ model: MLP, seed: UInt64) -> Tensor<Double> {
            let predictor = NoisePredictor(model: model, steps: schedule.steps)
            var rng = SeededGenerator(seed: seed)
            let start = Tensor<Double>.randomNormal([n, 2], using: &rng)
            return langevin.run(from: start, generator: &rng) { x, t in schedule.scoreFromNoise(predictor.predict(x, t: t), t: t) }
        }
        func algorithm2(_ model: MLP, seed: UInt64) -> Tensor<Double> {
            let x = NetworkSampler(
                network: model, parameters: model.parameters, schedule: schedule, variance: .beta, threads: threads
            ).sample(count: n, seed: seed).samples
            return Tensor(shape: [n, 2], scalars: x.map(Double.init))
        }
        let seed = options.seed &+ 3_000
        let (gaussLangevin, gaussDDPM) = (run(gaussians, seed: seed), algorithm2(gaussians, seed: seed))
        let (rollLangevin, rollDDPM) = (run(roll, seed: seed &+ 1), algorithm2(roll, seed: seed &+ 1))
        var held = SeededGenerator(seed: options.seed &+ 7_000)
        let reference = ToyData.swissRoll(n, using: &held)
        // The SWD's own noise: independent data draws of the same size, scored against the same held-out set.
        let dataDistances = (0..<5).map { _ in SlicedWasserstein.distance(reference, ToyData.swissRoll(n, using: &held)) }
        let (_, dataVariance) = meanAndVariance(dataDistances)
        let dataSD = (dataVariance * 5 / 4).squareRoot()
        let (coverL, coverD) = (ModeCoverage(gaussLangevin), ModeCoverage(gaussDDPM))
        let (swdL, swdD) = (SlicedWasserstein.distance(rollLangevin, reference), SlicedWasserstein.distance(rollDDPM, reference))
        func shares(_ c: ModeCoverage) -> String {
            "\(NumberFormat.fixed(100 * c.shares.min()!, 1))–\(NumberFormat.fixed(100 * c.shares.max()!, 1)) %"
        }
        book.table(
            ["sampler (1,000 network evaluations)", "8 Gaussians: within 3σ", "per-mode share", "Swiss roll: SWD"],
            [
                [
                    "annealed Langevin, learned score", NumberFormat.fixed(100 * coverL.fractionWithin, 1) + " %", shares(coverL),
                    NumberFormat.fixed(swdL, 4),
                ],
                [
                    "Algorithm 2, learned ε_θ", NumberFormat.fixed(100 * coverD.fractionWithin, 1) + " %", shares(coverD),
                    NumberFormat.fixed(swdD, 4),
                ],
            ])
        func scatter(_ x: Tensor<Double>, _ color: String) -> Series {
            .scatter(x: x.column(0).scalars, y: x.column(1).scalars, size: 0.3, color: color)
        }
        func panel(_ title: String, _ x: Tensor<Double>, _ color: String, range: ClosedRange<Double>) -> Panel {
            Panel(
                title: title, xLabel: "first coordinate", yLabel: "second coordinate", xRange: range, yRange: range,
                equalAspect: true, legend: .hidden, series: [scatter(x, color)])
        }
        book.figure(
            Figure(
                name: "langevin-vs-ddpm",
                title: "Annealed Langevin (left) and Algorithm 2 (right), 1,000 network evaluations each",
                columns: 2, width: 1100, height: 1000,
                panels: [
                    panel(
                        "Langevin: \(NumberFormat.fixed(100 * coverL.fractionWithin, 1)) % within 3σ",
                        gaussLangevin, "#ff7f0e",
                        range: -1.6...1.6),
                    panel(
                        "Algorithm 2: \(NumberFormat.fixed(100 * coverD.fractionWithin, 1)) % within 3σ",
                        gaussDDPM, "#1f77b4",
                        range: -1.6...1.6),
                    panel("Langevin: SWD \(NumberFormat.fixed(swdL, 3))", rollLangevin, "#ff7f0e", range: -1.6...1.8),
                    panel("Algorithm 2: SWD \(NumberFormat.fixed(swdD, 3))", rollDDPM, "#1f77b4", range: -1.6...1.8),
                ]),
            caption: "Samples of annealed Langevin dynamics and of Algorithm 2 from the same networks at equal cost")
        // Coverage: two binomial shares of n samples each; a gap beyond 3 standard errors is not noise.
        let se = { (p: Double) in (p * (1 - p) / Double(n)).squareRoot() }
        let coverageGap = coverD.fractionWithin - coverL.fractionWithin
        let coverageError = (se(coverD.fractionWithin) * se(coverD.fractionWithin) + se(coverL.fractionWithin) * se(coverL.fractionWithin))
            .squareRoot()
        // SWD: two single draws, each moving by about the data draws' sd: their difference by about √2 of it.
        let swdGap = swdL - swdD
        let swdError = 2.0.squareRoot() * dataSD
        let coverageReal = abs(coverageGap) > 3 * coverageError
        let swdReal = abs(swdGap) > 2 * swdError
        let percent = { (x: Double) in NumberFormat.fixed(100 * x, 1) }
        let coverage = """
            \(percent(coverD.fractionWithin)) % against \(percent(coverL.fractionWithin)) % within 3σ of a mode (a gap \
            of \(NumberFormat.fixed(abs(coverageGap) / coverageError, 1)) standard errors)
            """
        let distance = """
            Swiss-roll SWD \(NumberFormat.fixed(swdD, 4)) against \(NumberFormat.fixed(swdL, 4)), \
            \(NumberFormat.fixed(abs(swdGap), 4)) apart: \(NumberFormat.fixed(abs(swdGap) / swdError, 1)) times the \
            spread expected between two single draws (√2 × \(NumberFormat.fixed(dataSD, 4)), from independent data \
            draws)
            """
        let verdict: String
        if coverageReal && swdReal && coverageGap > 0 && swdGap > 0 {
            verdict = "Algorithm 2 wins on both counts: \(coverage), and \(distance)."
        } else if coverageReal && swdReal && coverageGap < 0 && swdGap < 0 {
            verdict = "Annealed Langevin wins on both counts: Algorithm 2 has \(coverage), and \(distance)."
        } else {
            let none = "no difference beyond the noise"
            let c = coverageReal ? (coverageGap > 0 ? "Algorithm 2 leads" : "Langevin leads") : none
            let d = swdReal ? (swdGap > 0 ? "Algorithm 2 leads" : "Langevin leads") : none
            verdict = "On mode coverage, \(c): Algorithm 2 has \(coverage). On the Swiss roll, \(d): \(distance)."
        }
        book.text(verdict)
        book.text(
            """
            Both samplers use the same network the same number of times. Langevin dynamics needs its step size \
            tuned and spends its steps wandering within a level; Algorithm 2's steps are fixed by the forward \
            process and move the whole way from noise to data. Langevin's last level also stops at t = 10, where \
            σ = \(NumberFormat.significant(schedule.sqrtOneMinusAlphaBar(10), 2)): the remaining noise of that level \
            stays in its samples.
            """)
        if !options.quick {
            book.check(
                coverL.fractionWithin > 0.5 && coverL.counts.allSatisfy { $0 > 0 },
                "annealed Langevin with the learned score reaches every mode")
        }
        book.tryIt(
            "--eta 0.1",
            """
            a tenth of the Langevin step size: with 10 steps per level the chain has little time to settle inside a \
            mode; compare the share within 3σ
            """)
        return verdict
    }
}
