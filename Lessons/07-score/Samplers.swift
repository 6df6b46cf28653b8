// Lesson 07, section 3: annealed Langevin dynamics against Algorithm 2 at equal cost.
import Datasets
import Diffusion
import Learning
import LessonKit
import Plotting
import TensorCore

extension Lesson07 {
    func samplers(_ book: Notebook, gaussians: MLP, roll: MLP, schedule: NoiseSchedule) {
        book.section("3. Annealed Langevin dynamics against Algorithm 2, at equal cost")
        let n = options.quick ? 300 : 2000
        let langevin = AnnealedLangevin(schedule: schedule, levels: stride(from: 1000, through: 10, by: -10).map { $0 }, stepsPerLevel: 10, eta: eta)
        book.text("NCSN samples by annealed Langevin dynamics: from pure noise, a few Langevin steps at each of a decreasing sequence of noise levels, the step size proportional to the level's variance. With the DDPM's own marginals as levels — t = 1000, 990, …, 10, σ² = 1 − ᾱₜ — and the learned score s_θ = −ε_θ/√(1 − ᾱₜ), \(langevin.levels.count) levels × \(langevin.stepsPerLevel) steps make \(langevin.evaluations) network evaluations, exactly as many as Algorithm 2. Step size δ = η·(1 − ᾱₜ), η = \(NumberFormat.significant(eta, 3)).")
        book.equation("x ← x + (δ/2)·s_θ(x, t) + √δ·z,   δ = η·(1 − ᾱₜ),   t = 1000, 990, …, 10,   10 steps each")
        func run(_ model: MLP, seed: UInt64) -> Tensor<Double> {
            let predictor = NoisePredictor(model: model, steps: schedule.steps)
            var rng = SeededGenerator(seed: seed)
            let start = Tensor<Double>.randomNormal([n, 2], using: &rng)
            return langevin.run(from: start, generator: &rng) { x, t in schedule.scoreFromNoise(predictor.predict(x, t: t), t: t) }
        }
        func algorithm2(_ model: MLP, seed: UInt64) -> Tensor<Double> {
            let x = NetworkSampler(network: model, parameters: model.parameters, schedule: schedule, variance: .beta, threads: threads).sample(count: n, seed: seed).samples
            return Tensor(shape: [n, 2], scalars: x.map(Double.init))
        }
        let seed = options.seed &+ 3_000
        let (gaussLangevin, gaussDDPM) = (run(gaussians, seed: seed), algorithm2(gaussians, seed: seed))
        let (rollLangevin, rollDDPM) = (run(roll, seed: seed &+ 1), algorithm2(roll, seed: seed &+ 1))
        var held = SeededGenerator(seed: options.seed &+ 7_000)
        let reference = ToyData.swissRoll(n, using: &held)
        let (coverL, coverD) = (ModeCoverage(gaussLangevin), ModeCoverage(gaussDDPM))
        let (swdL, swdD) = (SlicedWasserstein.distance(rollLangevin, reference), SlicedWasserstein.distance(rollDDPM, reference))
        func shares(_ c: ModeCoverage) -> String { "\(NumberFormat.fixed(100 * c.shares.min()!, 1))–\(NumberFormat.fixed(100 * c.shares.max()!, 1)) %" }
        book.table(
            ["sampler (1,000 network evaluations)", "8 Gaussians: within 3σ", "per-mode share", "Swiss roll: SWD"],
            [
                ["annealed Langevin, learned score", NumberFormat.fixed(100 * coverL.fractionWithin, 1) + " %", shares(coverL), NumberFormat.fixed(swdL, 4)],
                ["Algorithm 2, learned ε_θ", NumberFormat.fixed(100 * coverD.fractionWithin, 1) + " %", shares(coverD), NumberFormat.fixed(swdD, 4)],
            ])
        func scatter(_ x: Tensor<Double>, _ color: String) -> Series { .scatter(x: x.column(0).scalars, y: x.column(1).scalars, size: 0.3, color: color) }
        book.figure(
            Figure(
                name: "langevin-vs-ddpm", title: "Annealed Langevin (left) and Algorithm 2 (right), 1,000 network evaluations each", columns: 2, width: 1100, height: 1000,
                panels: [
                    Panel(title: "Langevin: \(NumberFormat.fixed(100 * coverL.fractionWithin, 1)) % within 3σ", xRange: -1.6...1.6, yRange: -1.6...1.6, equalAspect: true, legend: .hidden, series: [scatter(gaussLangevin, "#ff7f0e")]),
                    Panel(title: "Algorithm 2: \(NumberFormat.fixed(100 * coverD.fractionWithin, 1)) % within 3σ", xRange: -1.6...1.6, yRange: -1.6...1.6, equalAspect: true, legend: .hidden, series: [scatter(gaussDDPM, "#1f77b4")]),
                    Panel(title: "Langevin: SWD \(NumberFormat.fixed(swdL, 3))", xRange: -1.6...1.8, yRange: -1.6...1.8, equalAspect: true, legend: .hidden, series: [scatter(rollLangevin, "#ff7f0e")]),
                    Panel(title: "Algorithm 2: SWD \(NumberFormat.fixed(swdD, 3))", xRange: -1.6...1.8, yRange: -1.6...1.8, equalAspect: true, legend: .hidden, series: [scatter(rollDDPM, "#1f77b4")]),
                ]), caption: "Samples of annealed Langevin dynamics and of Algorithm 2 from the same networks at equal cost")
        let coverageLeader = coverD.fractionWithin > coverL.fractionWithin ? "Algorithm 2" : "annealed Langevin"
        let swdLeader = swdD < swdL ? "Algorithm 2" : "annealed Langevin"
        book.text("In this run \(coverageLeader) puts more samples within 3σ of a mode (\(NumberFormat.fixed(100 * coverD.fractionWithin, 1)) % for Algorithm 2, \(NumberFormat.fixed(100 * coverL.fractionWithin, 1)) % for Langevin) and \(swdLeader) has the lower Swiss-roll SWD (\(NumberFormat.fixed(swdD, 4)) against \(NumberFormat.fixed(swdL, 4))).")
        book.text("Both samplers use the same network the same number of times. Langevin dynamics needs its step size tuned (try `--eta 0.1` and compare the share within 3σ: with 10 steps per level, a small step leaves the chain little time to equilibrate inside a mode) and spends its steps wandering within a level; Algorithm 2's steps are fixed by the forward process and move the whole way from noise to data. Its last levels also stop at t = 10, where σ = \(NumberFormat.significant(schedule.sqrtOneMinusAlphaBar(10), 2)): the remaining noise of that level stays in its samples.")
        if !options.quick {
            book.check(coverL.fractionWithin > 0.5 && coverL.counts.allSatisfy { $0 > 0 }, "annealed Langevin with the learned score reaches every mode")
        }
    }
}
