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

    /// ‖a − b‖²/D for each point of `[n, 2]` values: the per-point losses whose mean `meanSquaredError` is.
    static func perPointSquaredError(_ a: [Double], _ b: [Double]) -> [Double] {
        (0..<(a.count / 2)).map { i in
            let (dx, dy) = (a[2 * i] - b[2 * i], a[2 * i + 1] - b[2 * i + 1])
            return (dx * dx + dy * dy) / 2
        }
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

    /// Section 3; returns the loss in the first and in the last range of t, and whether the rows' weighted
    /// average agrees with the training loss within its noise.
    func lossByStep(_ book: Notebook, run: TrainingRun, data: Tensor<Double>, schedule: NoiseSchedule)
        -> (first: Double, last: Double, agree: Bool)
    {
        book.section("3. Why the loss stays high: the loss by t")
        book.text(
            """
            The loss curve flattens above 0, and that is normal. Split the loss by t on a fixed evaluation set: at \
            large t, xₜ is almost pure noise, so ε ≈ xₜ and predicting it is easy (loss → 0). At small t, \
            xₜ ≈ x₀ plus a sliver of noise, and telling that sliver apart from the data's own spread is hard (a \
            predictor that cannot tell them apart has loss 1, the variance of ε). L_simple draws t uniformly, so \
            the training loss is the average of these rows, each weighted by the share of the steps 1…T it covers.
            """)
        let predictor = NoisePredictor(model: run.trainer.samplingModel, steps: schedule.steps)
        var rows: [[String]] = []
        var points: [(Double, Double)] = []
        var (weighted, weightedVariance) = (0.0, 0.0)
        for (b, range) in Self.buckets.enumerated() {
            let batch = Self.evaluationBatch(data, range: range, count: 2048, schedule: schedule, seed: 400 + UInt64(b))
            let predicted = predictor.predict(x: batch.xt.scalars.map(Float.init), t: batch.t).map(Double.init)
            let perPoint = Self.perPointSquaredError(predicted, batch.noise.scalars)
            let (loss, variance) = meanAndVariance(perPoint)
            let share = Double(range.count) / Double(schedule.steps)
            weighted += share * loss
            weightedVariance += share * share * variance / Double(perPoint.count)
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
                ]),
            caption: "L_simple of the trained Swiss-roll model by range of t: hard at small t, easy at large t")
        book.text(
            """
            The loss falls from \(NumberFormat.fixed(points.first!.1, 3)) (t = \(rows.first![0])) to \
            \(NumberFormat.fixed(points.last!.1, 4)) (t = \(rows.last![0])).
            """)
        book.check(points.first!.1 > points.last!.1, "the loss at small t exceeds the loss at large t")
        // Two independent estimates of one number: their difference has standard error √(se₁² + se₂²), and a
        // gap beyond 3 of them means they measure different things.
        let noise = (weightedVariance + run.lastStandardError * run.lastStandardError).squareRoot()
        let gap = abs(weighted - run.last)
        let agree = gap <= 3 * noise
        let verdict =
            agree
            ? "They differ by \(NumberFormat.fixed(gap, 4)), less than three standard errors of the difference (3 × \(NumberFormat.fixed(noise, 4)))"
            : "They differ by \(NumberFormat.fixed(gap, 4)), more than three standard errors of the difference (3 × \(NumberFormat.fixed(noise, 4)))"
        let meaning =
            agree
            ? "the loss by t accounts for the level the training loss settles at."
            : "the evaluation set and the training batches measure different weights (the kept model is the EMA)."
        book.text(
            """
            Weighted by the share of t each row covers, the rows average to \(NumberFormat.fixed(weighted, 4)); the \
            training loss the curve settles at (the mean of its last batches) is \(NumberFormat.fixed(run.last, 4)). \
            \(verdict): \(meaning)
            """)
        return (points.first!.1, points.last!.1, agree)
    }

    // MARK: - 5. The distance to ε*

    /// Section 5; returns the mean gap ‖ε_θ − ε*‖²/2 over t (the ranges weighted by their widths).
    func oracleGap(_ book: Notebook, model: MLP, data: Tensor<Double>, schedule: NoiseSchedule) -> Double {
        book.section("5. How good is the network? The distance to ε*")
        book.text(
            """
            For the 8-Gaussian mixture the best possible noise predictor is known exactly: q(xₜ) is itself a \
            Gaussian mixture, and ε*(xₜ, t) = E[ε∣xₜ] = −√(1 − ᾱₜ)·∇ log q(xₜ). Its own loss E‖ε − ε*‖² is the floor \
            no network can beat — the irreducible part of the loss. What training can still improve is the gap \
            ‖ε_θ − ε*‖²; since E‖ε − ε_θ‖² = E‖ε − ε*‖² + E‖ε* − ε_θ‖², the three columns below add up (up to \
            sampling noise).
            """)
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
            rows.append([
                "\(range.lowerBound)–\(range.upperBound)", NumberFormat.fixed(modelLoss, 4), NumberFormat.fixed(oracleLoss, 4),
                NumberFormat.fixed(gap, 4),
            ])
            series.t.append(Double(range.lowerBound + range.upperBound) / 2)
            series.model.append(modelLoss); series.oracle.append(oracleLoss); series.gap.append(max(gap, 1e-6))
        }
        book.table(["t", "E‖ε − ε_θ‖²/2 (network)", "E‖ε − ε*‖²/2 (best possible)", "E‖ε_θ − ε*‖²/2 (gap)"], rows)
        book.figure(
            Figure(
                name: "oracle-gap", title: "8 Gaussians: the network against the best possible predictor ε*",
                width: 1000, height: 520,
                panels: [
                    Panel(
                        xLabel: "t (bucket centre)", yLabel: "mean squared error per coordinate", logX: true, logY: true,
                        legend: .bottomLeft,
                        series: [
                            .line(x: series.t, y: series.model, label: "network: (ε − ε_θ)²"),
                            .line(x: series.t, y: series.oracle, label: "best possible: (ε − ε*)²", dashed: true),
                            .line(x: series.t, y: series.gap, label: "gap: (ε_θ − ε*)²"),
                        ])
                ]),
            caption: """
                Per range of t: the network's loss, the irreducible loss of ε*, and the gap between the two predictors
                """)
        // L_simple weighs every t alike, so each range counts by its width.
        let widths = Self.buckets.map { Double($0.count) }
        let meanGap = zip(series.gap, widths).reduce(0) { $0 + $1.0 * $1.1 } / widths.reduce(0, +)
        book.value("mean gap ‖ε_θ − ε*‖²/2 over t (each range weighted by its width)", meanGap, digits: 3)
        book.check(
            zip(series.model, series.oracle).allSatisfy { $0 >= $1 * 0.97 },
            "no range beats the best possible predictor (beyond 3 % sampling noise)")
        book.tryIt(
            "--ema 0",
            "the last step's raw weights instead of their moving average: compare the gap column with this one")
        return meanGap
    }
}
