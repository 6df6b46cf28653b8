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

    func swissRoll(_ book: Notebook, model: MLP, schedule: NoiseSchedule, count: Int) -> [Float] {
        book.section("2. Swiss roll: samples and their distance to the data")
        book.text("How close are \(count) samples to the data? The sliced Wasserstein-1 distance (SWD) projects both point sets on 256 fixed directions and averages the exact 1-D transport cost; it is 0 only for identical distributions. Its scale comes from the data itself: two independent draws of \(count) Swiss-roll points differ by the floor below. Each sampling draw is itself random, so the SWD is given for \(draws) draws.")
        var held = SeededGenerator(seed: options.seed &+ 7_000)
        let reference = ToyData.swissRoll(count, using: &held)
        let second = ToyData.swissRoll(count, using: &held)
        let floor = SlicedWasserstein.distance(reference, second)
        var distances: [Double] = []
        var headline: [Float] = []
        for draw in 0..<draws {
            let x = NetworkSampler(network: model, parameters: model.parameters, schedule: schedule, variance: .beta, threads: threads).sample(count: count, seed: drawSeed(draw)).samples
            if draw == 0 { headline = x }
            distances.append(SlicedWasserstein.distance(Self.tensor(x), reference))
        }
        let tilde = NetworkSampler(network: model, parameters: model.parameters, schedule: schedule, variance: .betaTilde, threads: threads).sample(count: count, seed: drawSeed(0)).samples
        let tildeDistance = SlicedWasserstein.distance(Self.tensor(tilde), reference)
        let mean = distances.reduce(0, +) / Double(distances.count)
        book.table(
            ["", "SWD to \(count) held-out points"],
            [
                ["data against data (the floor)", NumberFormat.fixed(floor, 4)],
                ["σₜ² = βₜ, headline draw", NumberFormat.fixed(distances[0], 4)],
                ["σₜ² = βₜ, mean of \(draws) draws", NumberFormat.fixed(mean, 4)],
                ["σₜ² = βₜ, min … max", "\(NumberFormat.fixed(distances.min()!, 4)) … \(NumberFormat.fixed(distances.max()!, 4))"],
                ["σₜ² = β̃ₜ, headline seed", NumberFormat.fixed(tildeDistance, 4)],
            ])
        let data = (reference.column(0).scalars, reference.column(1).scalars)
        book.figure(
            Figure(
                name: "swissroll-samples", title: "Swiss roll: \(count) samples of Algorithm 2 over held-out data", columns: 2, width: 1200, height: 600,
                panels: [
                    Panel(
                        title: "σₜ² = βₜ (SWD \(NumberFormat.fixed(distances[0], 3)))", xRange: -1.6...1.8, yRange: -1.6...1.8, equalAspect: true, legend: .bottomRight,
                        series: [
                            .scatter(x: data.0, y: data.1, label: "held-out data", size: 0.3, color: "#bbbbbb"),
                            .scatter(
                                x: headline.enumerated().filter { $0.offset % 2 == 0 }.map { Double($0.element) },
                                y: headline.enumerated().filter { $0.offset % 2 == 1 }.map { Double($0.element) }, label: "samples", size: 0.3),
                        ]),
                    Panel(
                        title: "σₜ² = β̃ₜ (SWD \(NumberFormat.fixed(tildeDistance, 3)))", xRange: -1.6...1.8, yRange: -1.6...1.8, equalAspect: true, legend: .bottomRight,
                        series: [
                            .scatter(x: data.0, y: data.1, label: "held-out data", size: 0.3, color: "#bbbbbb"),
                            .scatter(
                                x: tilde.enumerated().filter { $0.offset % 2 == 0 }.map { Double($0.element) },
                                y: tilde.enumerated().filter { $0.offset % 2 == 1 }.map { Double($0.element) }, label: "samples", size: 0.3, color: "#d62728"),
                        ]),
                ]), caption: "Samples from the Swiss-roll model with both fixed variances, over held-out data")
        if options.quick {
            book.text("(Quick mode: the model saw a tenth of the training, so the quality targets are not checked.)")
        } else {
            book.check(mean <= 0.040, "mean SWD over \(draws) draws \(NumberFormat.fixed(mean, 4)) ≤ 0.040 (the quality target)")
        }
        return headline
    }

    // MARK: - 3. The 8 Gaussians

    func eightGaussians(_ book: Notebook, model: MLP, schedule: NoiseSchedule, count: Int) {
        book.section("3. 8 Gaussians: mode coverage, against the oracle")
        book.text("For the 8 Gaussians there is a sharper test: what fraction of samples lands within 3σ (0.15) of a mode, and is every mode equally used? For the true mixture the fraction is 1 − e^{−4.5} = 98.9 % and each mode gets 12.5 %. The oracle ε* run through the same Algorithm 2 shows what a perfect network would achieve with T = 1000 steps.")
        let x = NetworkSampler(network: model, parameters: model.parameters, schedule: schedule, variance: .beta, threads: threads).sample(count: count, seed: drawSeed(0)).samples
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
                ["ε_θ (trained), \(count) samples", NumberFormat.fixed(100 * learned.fractionWithin, 1) + " %"] + learned.shares.map { NumberFormat.fixed(100 * $0, 1) + " %" },
                ["ε* (oracle), \(oracleCount) samples", NumberFormat.fixed(100 * perfect.fractionWithin, 1) + " %"] + perfect.shares.map { NumberFormat.fixed(100 * $0, 1) + " %" },
            ])
        book.figure(
            Figure(
                name: "gaussians-samples", title: "8 Gaussians: the trained network against the oracle ε*", columns: 2, width: 1100, height: 560,
                panels: [
                    Panel(
                        title: "ε_θ: \(NumberFormat.fixed(100 * learned.fractionWithin, 1)) % within 3σ", xRange: -1.6...1.6, yRange: -1.6...1.6, equalAspect: true, legend: .hidden,
                        series: [
                            .scatter(
                                x: x.enumerated().filter { $0.offset % 2 == 0 }.map { Double($0.element) },
                                y: x.enumerated().filter { $0.offset % 2 == 1 }.map { Double($0.element) }, size: 0.3)
                        ]),
                    Panel(
                        title: "ε*: \(NumberFormat.fixed(100 * perfect.fractionWithin, 1)) % within 3σ", xRange: -1.6...1.6, yRange: -1.6...1.6, equalAspect: true, legend: .hidden,
                        series: [
                            .scatter(x: oracle.column(0).scalars, y: oracle.column(1).scalars, size: 0.3, color: "#2ca02c")
                        ]),
                ]), caption: "Samples from the trained 8-Gaussian model and from the exact ε* (no training)")
        if !options.quick {
            book.check(learned.fractionWithin >= 0.85, "at least 85 % of samples within 3σ of a mode (the quality target)")
            book.check(learned.shares.allSatisfy { $0 >= 0.08 && $0 <= 0.17 }, "every mode holds 8–17 % of them (the quality target)")
        }
    }
}
