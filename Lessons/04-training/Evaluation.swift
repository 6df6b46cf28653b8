// Lesson 04, sections 3 and 5: the loss by t, and the distance to the best possible predictor ε*.
import Diffusion
import Learning
import LessonKit
import Plotting
import TensorCore

extension Lesson04 {
    /// Ranges of t that split 1…1000 finely at small t, where the loss changes fastest.
    static let buckets: [ClosedRange<Int>] = [1...5, 6...20, 21...50, 51...100, 101...200, 201...350, 351...500, 501...700, 701...1000]

    /// A fixed evaluation batch for bucket `range`: x₀ from the data, t uniform in the range, ε.
    static func evaluationBatch(_ data: Tensor<Double>, range: ClosedRange<Int>, count: Int, schedule: NoiseSchedule, seed: UInt64)
        -> (xt: Tensor<Double>, t: [Int], noise: Tensor<Double>)
    {
        var rng = SeededGenerator(seed: seed)
        let rows = (0..<count).map { _ in rng.integer(in: 0...(data.shape[0] - 1)) }
        let t = (0..<count).map { _ in rng.integer(in: range) }
        let noise = Tensor<Double>.randomNormal([count, 2], using: &rng)
        let x0 = data.gatherRows(rows)
        var xt = [Double](repeating: 0, count: 2 * count)
        for i in 0..<count {
            for j in 0..<2 {
                xt[2 * i + j] = schedule.sqrtAlphaBar(t[i]) * x0.scalars[2 * i + j] + schedule.sqrtOneMinusAlphaBar(t[i]) * noise.scalars[2 * i + j]
            }
        }
        return (Tensor(shape: [count, 2], scalars: xt), t, noise)
    }

    /// Mean over points of ‖a − b‖²/D for `[n, 2]` values.
    static func meanSquaredError(_ a: [Double], _ b: [Double]) -> Double {
        zip(a, b).reduce(0) { $0 + ($1.0 - $1.1) * ($1.0 - $1.1) } / Double(a.count)
    }

    /// ε*(xₜ, t) of the 8 Gaussians for every point of a batch (each at its own t), flattened.
    static func oracleNoise(_ xt: Tensor<Double>, t: [Int], schedule: NoiseSchedule) -> [Double] {
        (0..<t.count).flatMap { i in
            GaussianMixture2D.eightGaussians.optimalNoise(
                xt: Tensor(shape: [1, 2], scalars: [xt.scalars[2 * i], xt.scalars[2 * i + 1]]), t: t[i], schedule: schedule
            ).scalars
        }
    }

    // MARK: - 3. The loss by t

    func lossByStep(_ book: Notebook, trainer: NetworkTrainer<MLP>, data: Tensor<Double>, schedule: NoiseSchedule) {
        book.section("3. Why the loss stays high: the loss by t")
        book.text("The loss curve flattens above 0, and that is normal. Split the loss by t on a fixed evaluation set: at large t, xₜ is almost pure noise, so ε ≈ xₜ and predicting it is easy (loss → 0). At small t, xₜ ≈ x₀ plus a sliver of noise, and telling that sliver apart from the data's own spread is hard (a predictor that cannot tell them apart has loss 1, the variance of ε). L_simple averages over t uniformly, so the total settles where these balance.")
        let predictor = NoisePredictor(model: trainer.samplingModel, steps: schedule.steps)
        var rows: [[String]] = []
        var points: [(Double, Double)] = []
        for (b, range) in Self.buckets.enumerated() {
            let batch = Self.evaluationBatch(data, range: range, count: 2048, schedule: schedule, seed: 400 + UInt64(b))
            let predicted = predictor.predict(x: batch.xt.scalars.map(Float.init), t: batch.t).map(Double.init)
            let loss = Self.meanSquaredError(predicted, batch.noise.scalars)
            rows.append(["\(range.lowerBound)–\(range.upperBound)", NumberFormat.fixed(loss, 4)])
            points.append((Double(range.lowerBound + range.upperBound) / 2, loss))
        }
        book.table(["t", "L_simple on 2,048 held-out (x₀, ε)"], rows)
        book.figure(
            Figure(
                name: "loss-by-t", title: "Swiss roll: the trained network's loss by t", width: 900, height: 480,
                panels: [
                    Panel(
                        xLabel: "t (bucket centre)", yLabel: "mean (ε − ε_θ)²", logX: true, legend: .topRight,
                        series: [
                            .line(x: points.map(\.0), y: points.map(\.1), label: "L_simple by t"),
                            .scatter(x: points.map(\.0), y: points.map(\.1), size: 1.2),
                        ])
                ]), caption: "L_simple of the trained Swiss-roll model by range of t: hard at small t, easy at large t")
        book.text("Measured: \(NumberFormat.fixed(points.first!.1, 3)) for t in \(rows.first![0]), \(NumberFormat.fixed(points.last!.1, 4)) for t in \(rows.last![0]).")
        book.check(points.first!.1 > points.last!.1, "the loss at small t exceeds the loss at large t")
    }

    // MARK: - 5. The distance to ε*

    func oracleGap(_ book: Notebook, model: MLP, data: Tensor<Double>, schedule: NoiseSchedule) {
        book.section("5. How good is the network? The distance to ε*")
        book.text("For the 8-Gaussian mixture the best possible noise predictor is known exactly: q(xₜ) is itself a Gaussian mixture, and ε*(xₜ, t) = E[ε∣xₜ] = −√(1 − ᾱₜ)·∇ log q(xₜ). Its own loss E‖ε − ε*‖² is the floor no network can beat — the irreducible part of the loss. What training can still improve is the gap ‖ε_θ − ε*‖²; since E‖ε − ε_θ‖² = E‖ε − ε*‖² + E‖ε* − ε_θ‖², the three columns below add up (up to sampling noise).")
        book.equation("E‖ε − ε_θ‖² = E‖ε − ε*‖² (irreducible) + E‖ε* − ε_θ‖² (what training can still remove)")
        let predictor = NoisePredictor(model: model, steps: schedule.steps)
        var rows: [[String]] = []
        var series: (t: [Double], model: [Double], oracle: [Double], gap: [Double]) = ([], [], [], [])
        for (b, range) in Self.buckets.enumerated() {
            let batch = Self.evaluationBatch(data, range: range, count: 2048, schedule: schedule, seed: 500 + UInt64(b))
            let predicted = predictor.predict(x: batch.xt.scalars.map(Float.init), t: batch.t).map(Double.init)
            let optimal = Self.oracleNoise(batch.xt, t: batch.t, schedule: schedule)
            let (modelLoss, oracleLoss, gap) = (
                Self.meanSquaredError(predicted, batch.noise.scalars),
                Self.meanSquaredError(optimal, batch.noise.scalars), Self.meanSquaredError(predicted, optimal)
            )
            rows.append(["\(range.lowerBound)–\(range.upperBound)", NumberFormat.fixed(modelLoss, 4), NumberFormat.fixed(oracleLoss, 4), NumberFormat.fixed(gap, 4)])
            series.t.append(Double(range.lowerBound + range.upperBound) / 2)
            series.model.append(modelLoss); series.oracle.append(oracleLoss); series.gap.append(max(gap, 1e-6))
        }
        book.table(["t", "E‖ε − ε_θ‖²/2 (network)", "E‖ε − ε*‖²/2 (best possible)", "E‖ε_θ − ε*‖²/2 (gap)"], rows)
        book.figure(
            Figure(
                name: "oracle-gap", title: "8 Gaussians: the network against the best possible predictor ε*", width: 1000, height: 520,
                panels: [
                    Panel(
                        xLabel: "t (bucket centre)", yLabel: "mean squared error per coordinate", logX: true, logY: true, legend: .bottomLeft,
                        series: [
                            .line(x: series.t, y: series.model, label: "network: (ε − ε_θ)²"),
                            .line(x: series.t, y: series.oracle, label: "best possible: (ε − ε*)²", dashed: true),
                            .line(x: series.t, y: series.gap, label: "gap: (ε_θ − ε*)²"),
                        ])
                ]), caption: "Per range of t: the network's loss, the irreducible loss of ε*, and the gap between the two predictors")
        let meanGap = series.gap.reduce(0, +) / Double(series.gap.count)
        book.value("mean gap ‖ε_θ − ε*‖²/2 over the t ranges", meanGap, digits: 3)
        book.check(zip(series.model, series.oracle).allSatisfy { $0 >= $1 * 0.97 }, "no range beats the best possible predictor (beyond 3 % sampling noise)")
    }
}
