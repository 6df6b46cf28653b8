// Lesson 06, sections 2–4: paths at several t, against naive interpolation; the encoder's noise;
// reconstruction.
import Datasets
import Diffusion
import Learning
import LessonKit
import Plotting
import TensorCore

extension Lesson06 {
    /// 10,000 points of the 8 Gaussians, the data the interpolants are measured against.
    static let data: Tensor<Double> = {
        var rng = SeededGenerator(seed: 6_000)
        return ToyData.eightGaussians(10_000, using: &rng)
    }()

    /// Mean exact log-density under the 8 Gaussians, and mean distance to the nearest of 10,000 data
    /// points, of the interior points of the paths (0 < λ < 1).
    static func closeness(_ points: [Tensor<Double>]) -> (logDensity: Double, distance: Double) {
        let mixture = GaussianMixture2D.eightGaussians
        var (sum, distance, n) = (0.0, 0.0, 0.0)
        for set in points.dropFirst().dropLast() {
            for i in 0..<set.shape[0] {
                let (x, y) = (set.scalars[2 * i], set.scalars[2 * i + 1])
                sum += mixture.logDensity(x, y)
                var nearest = Double.infinity
                for j in 0..<data.shape[0] {
                    let (dx, dy) = (x - data.scalars[2 * j], y - data.scalars[2 * j + 1])
                    nearest = min(nearest, dx * dx + dy * dy)
                }
                distance += nearest.squareRoot()
                n += 1
            }
        }
        return (sum / n, distance / n)
    }

    /// The mean Euclidean norm of the rows of `[n, 2]` points.
    static func meanNorm(_ points: Tensor<Double>) -> Double {
        var total = 0.0
        for i in 0..<points.shape[0] {
            let (x, y) = (points.scalars[2 * i], points.scalars[2 * i + 1])
            total += (x * x + y * y).squareRoot()
        }
        return total / Double(points.shape[0])
    }

    // MARK: - 2. Paths at several t

    func paths(_ book: Notebook, model: MLP, schedule: NoiseSchedule, repeats: Int) throws {
        book.section("2. From fine to coarse: paths at t = 50 … 1000, against naive interpolation")
        book.text("The endpoints sit on two modes of the 8 Gaussians, a quarter turn apart. For each t, \(repeats) decoding-noise draws give \(repeats) paths of 11 points (λ = 0, 0.1, …, 1). Small t keeps the endpoints and moves between them in few, local steps; larger t gives coarser, more varied paths that jump between modes; at t = T the endpoints are forgotten and the decodes are fresh samples. Naive interpolation in data space, (1 − λ)·x₀ + λ·x′₀, is a straight line through empty space.")
        let predict = Self.predictor(model, steps: schedule.steps)
        let (a, b) = ((1.0, 0.0), (0.0, 1.0))
        var rng = SeededGenerator(seed: options.seed &+ 600)
        let noise = Tensor<Double>.randomNormal([repeats, 2], using: &rng)
        let otherNoise = Tensor<Double>.randomNormal([repeats, 2], using: &rng)
        var panels: [Panel] = []
        var rows: [[String]] = []
        let naive = Self.lambdas.map { l in Self.repeated((1 - l) * a.0 + l * b.0, (1 - l) * a.1 + l * b.1, 1) }
        let naiveCloseness = Self.closeness(naive)
        for t in Self.steps {
            let interpolation = LatentInterpolation(schedule: schedule, t: t)
            let decoded = interpolation.path(
                from: Self.repeated(a.0, a.1, repeats), to: Self.repeated(b.0, b.1, repeats), noise: noise, otherNoise: otherNoise,
                lambdas: Self.lambdas, decodingSeed: options.seed &+ 700 &+ UInt64(t), predictor: predict)
            let measure = Self.closeness(decoded)
            rows.append(["latent, t = \(t)", NumberFormat.fixed(measure.logDensity, 2), NumberFormat.fixed(measure.distance, 3)])
            let lines: [Series] = (0..<repeats).map { r in
                .line(x: decoded.map { $0.scalars[2 * r] }, y: decoded.map { $0.scalars[2 * r + 1] }, width: 1)
            }
            panels.append(
                Panel(
                    title: "t = \(t)", xRange: -1.5...1.5, yRange: -1.5...1.5, equalAspect: true, legend: .hidden,
                    series: [
                        .scatter(x: GaussianMixture2D.eightGaussians.components.map(\.mean.x), y: GaussianMixture2D.eightGaussians.components.map(\.mean.y), size: 2, color: "#cccccc")
                    ] + lines + [
                        .line(x: [a.0, b.0], y: [a.1, b.1], width: 1.5, dashed: true, color: "#000000"),
                        .scatter(x: [a.0, b.0], y: [a.1, b.1], size: 1.5, color: "#000000"),
                    ]))
        }
        rows.append(["naive, in data space", NumberFormat.fixed(naiveCloseness.logDensity, 2), NumberFormat.fixed(naiveCloseness.distance, 3)])
        var fresh = SeededGenerator(seed: options.seed &+ 650)
        let reference = Self.closeness([Tensor.zeros([1, 2]), ToyData.eightGaussians(options.quick ? 200 : 1_000, using: &fresh), Tensor.zeros([1, 2])])
        rows.append(["fresh draws of the data (the reference)", NumberFormat.fixed(reference.logDensity, 2), NumberFormat.fixed(reference.distance, 3)])
        book.figure(
            Figure(name: "paths", title: "Interpolating between two modes: decoded paths (colours) and the naive line (dashed)", columns: 5, width: 1600, height: 420, panels: panels),
            caption: "Latent interpolation paths from x₀ = (1, 0) to x′₀ = (0, 1) decoded from t = 50 … 1000, one line per decoding-noise draw")
        book.table(["method", "mean log q(x) of interior points", "mean distance to the nearest data point"], rows)
        let fine = Self.closeness(
            LatentInterpolation(schedule: schedule, t: 100).path(
                from: Self.repeated(a.0, a.1, repeats), to: Self.repeated(b.0, b.1, repeats), noise: noise, otherNoise: otherNoise,
                lambdas: Self.lambdas, decodingSeed: options.seed &+ 800, predictor: predict))
        book.text("At t = 100 the interior points of the latent paths have mean log q = \(NumberFormat.fixed(fine.logDensity, 2)), the data itself \(NumberFormat.fixed(reference.logDensity, 2)) and the naive line \(NumberFormat.fixed(naiveCloseness.logDensity, 2)).")
        if options.quick {
            book.text("(Quick mode: lesson 04's quick models are undertrained, so nothing is checked here.)")
        } else {
            book.check(fine.logDensity > naiveCloseness.logDensity + 5, "latent paths (t = 100) stay where the data is: log q far above the naive line's")
            book.check(
                abs(fine.logDensity - reference.logDensity) < abs(naiveCloseness.logDensity - reference.logDensity) / 4,
                "latent paths' log q (t = 100) is nearer the data's own than a quarter of the naive line's distance from it")
        }
    }

    // MARK: - 3. Shared or independent encoder noise

    /// The noise variance of the mixed latent at λ = ½, per coordinate, in units of a real xₜ's (1 − ᾱₜ):
    /// Var[(x̄ₜ − √ᾱₜ·x̄₀)/√(1 − ᾱₜ)] over `count` encoder draws, with its standard error v·√(2/(n − 1)).
    static func mixedNoiseVariance(_ interpolation: LatentInterpolation, shared: Bool, count: Int, seed: UInt64) -> (variance: Double, standardError: Double) {
        var rng = SeededGenerator(seed: seed)
        let (a, b) = (repeated(1, 0, count), repeated(-1, 0, count))
        let noise = Tensor<Double>.randomNormal([count, 2], using: &rng)
        let other = shared ? noise : Tensor<Double>.randomNormal([count, 2], using: &rng)
        let s = interpolation.schedule
        let mixed = interpolation.mix(interpolation.encode(a, noise: noise), interpolation.encode(b, noise: other), lambda: 0.5)
        let signal = s.sqrtAlphaBar(interpolation.t) * (0.5 * a + 0.5 * b)
        let scaled = (1 / s.sqrtOneMinusAlphaBar(interpolation.t)) * (mixed - signal)
        let n = Double(scaled.count)
        let mean = scaled.mean()
        let variance = scaled.scalars.reduce(0) { $0 + ($1 - mean) * ($1 - mean) } / (n - 1)
        return (variance, variance * (2 / (n - 1)).squareRoot())
    }

    func encoderNoise(_ book: Notebook, model: MLP, schedule: NoiseSchedule, repeats: Int) throws {
        book.section("3. One encoding noise or two?")
        let draws = options.quick ? 2_000 : 50_000
        book.text("The paper encodes each endpoint with its own noise, ε and ε′. Then the mixed latent carries (1 − λ)·ε + λ·ε′, whose variance (1 − λ)² + λ² drops to ½ at λ = ½: the middle of the path is less noisy than any real xₜ — an input the decoder never saw in training. With one shared ε, every mixed latent carries the noise a real xₜ would, and only the signal part moves. Below, t = 250 between opposite modes, both ways, \(repeats) decoding draws each; the last column measures the noise variance of the mixed latent x̄ₜ at λ = ½ over \(draws) encoder draws, in units of a real xₜ's 1 − ᾱₜ, with its standard error.")
        let predict = Self.predictor(model, steps: schedule.steps)
        var rng = SeededGenerator(seed: options.seed &+ 900)
        let noise = Tensor<Double>.randomNormal([repeats, 2], using: &rng)
        let otherNoise = Tensor<Double>.randomNormal([repeats, 2], using: &rng)
        let interpolation = LatentInterpolation(schedule: schedule, t: 250)
        let (a, b) = (Self.repeated(1, 0, repeats), Self.repeated(-1, 0, repeats))
        var panels: [Panel] = []
        var rows: [[String]] = []
        var measured: [(logDensity: Double, spread: Double, variance: Double, standardError: Double)] = []
        for (name, second) in [("shared ε", noise), ("independent ε, ε′", otherNoise)] {
            let decoded = interpolation.path(
                from: a, to: b, noise: noise, otherNoise: second, lambdas: Self.lambdas,
                decodingSeed: options.seed &+ 950, predictor: predict)
            let spread = Self.meanNorm(decoded[5])
            let logDensity = Self.closeness(decoded).logDensity
            let latent = Self.mixedNoiseVariance(interpolation, shared: measured.isEmpty, count: draws, seed: options.seed &+ 960)
            measured.append((logDensity, spread, latent.variance, latent.standardError))
            rows.append([
                name, NumberFormat.fixed(logDensity, 2), NumberFormat.fixed(spread, 3),
                "\(NumberFormat.fixed(latent.variance, 3)) ± \(NumberFormat.fixed(latent.standardError, 3))",
            ])
            panels.append(
                Panel(
                    title: name, xRange: -1.5...1.5, yRange: -1.5...1.5, equalAspect: true, legend: .hidden,
                    series: [
                        .scatter(x: GaussianMixture2D.eightGaussians.components.map(\.mean.x), y: GaussianMixture2D.eightGaussians.components.map(\.mean.y), size: 2, color: "#cccccc")
                    ] + (0..<repeats).map { r in .line(x: decoded.map { $0.scalars[2 * r] }, y: decoded.map { $0.scalars[2 * r + 1] }, width: 1) }))
        }
        book.table(["encoding", "mean log q(x) of interior points", "mean |x̄₀| at λ = ½", "noise variance of x̄ₜ at λ = ½ (1 for a real xₜ)"], rows)
        let (shared, independent) = (measured[0], measured[1])
        // A Gaussian sample variance is within 5 standard errors of the truth except with probability ~6e-7.
        book.check(abs(shared.variance - 1) <= 5 * shared.standardError, "shared ε: the mixed latent's noise variance is 1 (a real xₜ's) within 5 standard errors")
        book.check(abs(independent.variance - 0.5) <= 5 * independent.standardError, "independent ε, ε′: it is (1 − λ)² + λ² = ½ within 5 standard errors")
        let logGap = abs(shared.logDensity - independent.logDensity)
        let spreadGap = abs(shared.spread - independent.spread)
        book.text("In the latent, the independent encodings leave \(NumberFormat.fixed(independent.variance / shared.variance, 2)) of the noise a real xₜ has. The decoded points differ by \(NumberFormat.fixed(logGap, 2)) in mean log q (\(NumberFormat.fixed(shared.logDensity, 2)) against \(NumberFormat.fixed(independent.logDensity, 2))) and by \(NumberFormat.fixed(spreadGap, 3)) in mean |x̄₀| at λ = ½, where the modes sit at radius 1. \(logGap < 0.5 && spreadGap < 0.1 ? "Here the decoder snaps onto a mode from either kind of latent, so the difference stays in the latent" : "Here the less noisy latent visibly changes what is decoded"); on data with more detail than 8 isolated points, a latent with too little noise shows as blurrier, more average interpolants.")
        book.figure(
            Figure(name: "encoder-noise", title: "t = 250, opposite modes: one shared encoding noise against two independent ones", columns: 2, width: 1000, height: 520, panels: panels),
            caption: "Decoded paths between opposite modes with a shared encoding noise (left) and independent ones (right)")
    }

    // MARK: - 4. Reconstruction

    func reconstruction(_ book: Notebook, model: MLP, schedule: NoiseSchedule, repeats: Int) {
        book.section("4. λ = 0: how much of x₀ survives the round trip?")
        book.text("At λ = 0 the path starts with a plain reconstruction: encode x₀ to step t and decode. On the Swiss roll, how far does x̄₀ land from x₀ as t grows? At t = T the encoding has forgotten x₀, so the decode is an arbitrary point of the roll.")
        let predict = Self.predictor(model, steps: schedule.steps)
        var rng = SeededGenerator(seed: options.seed &+ 1_000)
        let x0 = ToyData.swissRoll(repeats * 4, using: &rng)
        let noise = Tensor<Double>.randomNormal(x0.shape, using: &rng)
        let steps = [1, 5, 10, 25, 50, 100, 250, 500, 1000]
        var errors: [Double] = []
        for t in steps {
            let interpolation = LatentInterpolation(schedule: schedule, t: t)
            let decoded = interpolation.decode(interpolation.encode(x0, noise: noise), decodingSeed: options.seed &+ 1_100, predictor: predict)
            errors.append(Self.meanNorm(decoded - x0))
        }
        book.table(["t"] + steps.map(String.init), [["mean ‖x̄₀ − x₀‖"] + errors.map { NumberFormat.fixed($0, 3) }])
        book.figure(
            Figure(
                name: "reconstruction", title: "Swiss roll: reconstruction error against the encoding step t", width: 900, height: 460,
                panels: [
                    Panel(
                        xLabel: "t", yLabel: "mean ‖x̄₀ − x₀‖", logX: true, legend: .hidden,
                        series: [
                            .line(x: steps.map(Double.init), y: errors), .scatter(x: steps.map(Double.init), y: errors, size: 1.2),
                        ])
                ]), caption: "Mean distance between x₀ and its reconstruction through step t")
        book.text("Measured: \(NumberFormat.fixed(errors.first!, 3)) at t = 1, \(NumberFormat.fixed(errors[steps.firstIndex(of: 100)!], 3)) at t = 100 and \(NumberFormat.fixed(errors.last!, 3)) at t = T.")
        book.check(errors.first! < errors.last!, "reconstruction error grows from t = 1 to t = T")
    }
}
