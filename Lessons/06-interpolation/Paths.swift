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

    /// Mean exact log-density under the 8 Gaussians (with its standard error), and mean distance to the nearest
    /// of 10,000 data points, of the interior points of the paths (0 < λ < 1).
    static func closeness(_ points: [Tensor<Double>]) -> (logDensity: Double, logDensityError: Double, distance: Double) {
        let mixture = GaussianMixture2D.eightGaussians
        var (logs, distance) = ([Double](), 0.0)
        for set in points.dropFirst().dropLast() {
            for i in 0..<set.shape[0] {
                let (x, y) = (set.scalars[2 * i], set.scalars[2 * i + 1])
                logs.append(mixture.logDensity(x, y))
                var nearest = Double.infinity
                for j in 0..<data.shape[0] {
                    let (dx, dy) = (x - data.scalars[2 * j], y - data.scalars[2 * j + 1])
                    nearest = min(nearest, dx * dx + dy * dy)
                }
                distance += nearest.squareRoot()
            }
        }
        let (mean, variance) = meanAndVariance(logs)
        return (mean, (variance / Double(logs.count)).squareRoot(), distance / Double(logs.count))
    }

    /// The mean Euclidean norm of the rows of `[n, 2]` points.
    static func meanNorm(_ points: Tensor<Double>) -> Double { meanNormWithError(points).mean }

    /// The mean Euclidean norm of the rows of `[n, 2]` points, and its standard error.
    static func meanNormWithError(_ points: Tensor<Double>) -> (mean: Double, error: Double) {
        let norms = (0..<points.shape[0]).map { i in
            let (x, y) = (points.scalars[2 * i], points.scalars[2 * i + 1])
            return (x * x + y * y).squareRoot()
        }
        let (mean, variance) = meanAndVariance(norms)
        return (mean, (variance / Double(norms.count)).squareRoot())
    }

    /// The index of the 8-Gaussian mode nearest to (x, y).
    static func nearestMode(_ x: Double, _ y: Double) -> Int {
        let modes = GaussianMixture2D.eightGaussians.components.map(\.mean)
        return modes.indices.min { a, b in
            let (da, db) = ((modes[a].x - x, modes[a].y - y), (modes[b].x - x, modes[b].y - y))
            return da.0 * da.0 + da.1 * da.1 < db.0 * db.0 + db.1 * db.1
        }!
    }

    /// Per path (one per row of the decoded tensors): the distance of its ends from the two endpoints (with the
    /// standard error of its mean), the number of distinct modes it visits and its length; each averaged over the
    /// paths.
    static func pathShape(_ decoded: [Tensor<Double>], from a: (Double, Double), to b: (Double, Double))
        -> (endpointError: Double, endpointErrorSE: Double, modes: Double, length: Double)
    {
        let paths = decoded[0].shape[0]
        var (ends, modes, length) = ([Double](), 0.0, 0.0)
        for r in 0..<paths {
            let points = decoded.map { ($0.scalars[2 * r], $0.scalars[2 * r + 1]) }
            let (first, last) = (points.first!, points.last!)
            ends.append(((first.0 - a.0) * (first.0 - a.0) + (first.1 - a.1) * (first.1 - a.1)).squareRoot())
            ends.append(((last.0 - b.0) * (last.0 - b.0) + (last.1 - b.1) * (last.1 - b.1)).squareRoot())
            modes += Double(Set(points.map { nearestMode($0.0, $0.1) }).count)
            length += zip(points, points.dropFirst()).reduce(0) { total, pair in
                let (dx, dy) = (pair.1.0 - pair.0.0, pair.1.1 - pair.0.1)
                return total + (dx * dx + dy * dy).squareRoot()
            }
        }
        let (mean, variance) = meanAndVariance(ends)
        return (mean, (variance / Double(ends.count)).squareRoot(), modes / Double(paths), length / Double(paths))
    }

    /// Colours for the paths of one panel, the plotting palette's.
    static let colours = ["#1f77b4", "#d62728", "#2ca02c", "#ff7f0e", "#9467bd", "#8c564b", "#e377c2", "#17becf"]

    /// One panel of decoded paths: the modes (grey), each path as a line with its decoded points as dots, and
    /// the endpoints (black).
    static func pathPanel(_ title: String, _ decoded: [Tensor<Double>], ends: [(Double, Double)], naive: Bool) -> Panel {
        let mixture = GaussianMixture2D.eightGaussians
        let repeats = decoded[0].shape[0]
        var series: [Series] = [
            .scatter(x: mixture.components.map(\.mean.x), y: mixture.components.map(\.mean.y), size: 2, color: "#dddddd")
        ]
        for r in 0..<repeats {
            let (x, y) = (decoded.map { $0.scalars[2 * r] }, decoded.map { $0.scalars[2 * r + 1] })
            let colour = colours[r % colours.count]
            series += [.line(x: x, y: y, width: 1, color: colour), .scatter(x: x, y: y, size: 0.5, color: colour)]
        }
        if naive { series.append(.line(x: ends.map(\.0), y: ends.map(\.1), width: 1.5, dashed: true, color: "#000000")) }
        series.append(.scatter(x: ends.map(\.0), y: ends.map(\.1), size: 1.5, color: "#000000"))
        return Panel(
            title: title, xLabel: "first coordinate", yLabel: "second coordinate", xRange: -1.5...1.5, yRange: -1.5...1.5,
            equalAspect: true, legend: .hidden, series: series)
    }

    // MARK: - 2. Paths at several t

    /// Section 2; returns the recap's sentences about the paths' shape and about their log-density.
    func paths(_ book: Notebook, model: MLP, schedule: NoiseSchedule, repeats: Int) throws -> (shape: String, density: String) {
        book.section("2. From fine to coarse: paths at t = 50 … 1000, against naive interpolation")
        book.text(
            """
            The endpoints sit on two modes of the 8 Gaussians, a quarter turn apart. For each t, \(repeats) \
            decoding-noise draws give \(repeats) paths of \(Self.lambdas.count) points (λ = 0, 0.1, …, 1). How \
            does t set the coarseness? For each t the table measures whether a path keeps its endpoints (the mean \
            distance of its ends from x₀ and x′₀), how many modes it visits, how long it is, and how close its \
            interior points stay to the data. Naive interpolation in data space, (1 − λ)·x₀ + λ·x′₀, is the \
            straight line between the endpoints, for comparison.
            """)
        let predict = Self.predictor(model, steps: schedule.steps)
        let (a, b) = ((1.0, 0.0), (0.0, 1.0))
        var rng = SeededGenerator(seed: options.seed &+ 600)
        let noise = Tensor<Double>.randomNormal([repeats, 2], using: &rng)
        let otherNoise = Tensor<Double>.randomNormal([repeats, 2], using: &rng)
        var panels: [Panel] = []
        var rows: [[String]] = []
        var shapes: [Int: (endpointError: Double, endpointErrorSE: Double, modes: Double, length: Double)] = [:]
        var measures: [Int: (logDensity: Double, logDensityError: Double, distance: Double)] = [:]
        let naive = Self.lambdas.map { l in Self.repeated((1 - l) * a.0 + l * b.0, (1 - l) * a.1 + l * b.1, 1) }
        let naiveCloseness = Self.closeness(naive)
        for t in Self.steps {
            let interpolation = LatentInterpolation(schedule: schedule, t: t)
            let decoded = interpolation.path(
                from: Self.repeated(a.0, a.1, repeats), to: Self.repeated(b.0, b.1, repeats), noise: noise,
                otherNoise: otherNoise, lambdas: Self.lambdas, decodingSeed: options.seed &+ 700 &+ UInt64(t),
                predictor: predict)
            let measure = Self.closeness(decoded)
            let shape = Self.pathShape(decoded, from: a, to: b)
            (measures[t], shapes[t]) = (measure, shape)
            rows.append([
                "latent, t = \(t)", NumberFormat.fixed(shape.endpointError, 3), NumberFormat.fixed(shape.modes, 1),
                NumberFormat.fixed(shape.length, 2), NumberFormat.fixed(measure.logDensity, 2),
                NumberFormat.fixed(measure.distance, 3),
            ])
            panels.append(Self.pathPanel("t = \(t)", decoded, ends: [a, b], naive: true))
        }
        let naiveLength = ((a.0 - b.0) * (a.0 - b.0) + (a.1 - b.1) * (a.1 - b.1)).squareRoot()
        rows.append([
            "naive, in data space", "0", "—", NumberFormat.fixed(naiveLength, 2), NumberFormat.fixed(naiveCloseness.logDensity, 2),
            NumberFormat.fixed(naiveCloseness.distance, 3),
        ])
        var fresh = SeededGenerator(seed: options.seed &+ 650)
        let reference = Self.closeness([
            Tensor.zeros([1, 2]), ToyData.eightGaussians(options.quick ? 200 : 1_000, using: &fresh), Tensor.zeros([1, 2]),
        ])
        rows.append([
            "fresh draws of the data (the reference)", "—", "—", "—", NumberFormat.fixed(reference.logDensity, 2),
            NumberFormat.fixed(reference.distance, 3),
        ])
        book.figure(
            Figure(
                name: "paths",
                title: """
                    Interpolating between two modes: decoded paths (colours, dots the decoded points) and the naive \
                    line (dashed)
                    """,
                columns: 5, width: 1600, height: 460, panels: panels),
            caption: """
                Latent interpolation paths from x₀ = (1, 0) to x′₀ = (0, 1) decoded from t = 50 … 1000, one line per \
                decoding-noise draw
                """)
        book.table(
            [
                "method", "ends: mean distance from x₀, x′₀", "modes visited per path", "path length",
                "mean log q(x) of interior points", "mean distance to the nearest data point",
            ], rows)
        let (first, last) = (Self.steps.first!, Self.steps.last!)
        let (s0, s1) = (shapes[first]!, shapes[last]!)
        // How far a fresh data point lies from the endpoints: what the ends of a path that forgot them would show.
        var freshEnds = 0.0
        for j in 0..<Self.data.shape[0] {
            let (x, y) = (Self.data.scalars[2 * j], Self.data.scalars[2 * j + 1])
            freshEnds +=
                (((x - a.0) * (x - a.0) + (y - a.1) * (y - a.1)).squareRoot()
                    + ((x - b.0) * (x - b.0) + (y - b.1) * (y - b.1)).squareRoot()) / 2
        }
        freshEnds /= Double(Self.data.shape[0])
        let forgotten = abs(s1.endpointError - freshEnds) <= 2 * s1.endpointErrorSE
        // Within 0.1, two of the 8 Gaussians' standard deviations, a decoded end still sits on its endpoint's mode.
        let kept = s0.endpointError < 0.1
        let still = s1.length < 0.05 * naiveLength
        let ending =
            forgotten && still
            ? """
            the decode no longer depends on λ, its ends have forgotten the endpoints, and each path is one fresh sample
            """
            : "the decode has not fully forgotten the endpoints yet"
        book.text(
            """
            At t = \(first) \(kept ? "a path keeps its endpoints (its" : "a path's") ends lie \
            \(NumberFormat.fixed(s0.endpointError, 3)) from x₀ and x′₀ on average\(kept ? ")" : ""), it visits \
            \(NumberFormat.fixed(s0.modes, 1)) modes and is \(NumberFormat.fixed(s0.length, 2)) long, against \
            \(NumberFormat.fixed(naiveLength, 2)) for the straight line. At t = T a path is \
            \(NumberFormat.fixed(s1.length, 3)) long and its ends lie \(NumberFormat.fixed(s1.endpointError, 2)) ± \
            \(NumberFormat.fixed(s1.endpointErrorSE, 2)) from the endpoints, where a fresh data point lies \
            \(NumberFormat.fixed(freshEnds, 2)) from them on average: \(ending).
            """)
        let fine = measures[100]!
        let closer = abs(fine.logDensity - reference.logDensity)
        let closerZ =
            closer
            / (fine.logDensityError * fine.logDensityError
            + reference.logDensityError * reference.logDensityError).squareRoot()
        let naiveGap = abs(naiveCloseness.logDensity - reference.logDensity)
        book.text(
            """
            At t = 100 the interior points of the latent paths have mean log q = \
            \(NumberFormat.fixed(fine.logDensity, 2)) (± \(NumberFormat.fixed(fine.logDensityError, 2)), a standard \
            error), \(NumberFormat.fixed(closer, 2)) from the data's own \
            \(NumberFormat.fixed(reference.logDensity, 2)) (\(NumberFormat.fixed(closerZ, 1)) standard errors of the \
            difference); the naive line, at \(NumberFormat.fixed(naiveCloseness.logDensity, 2)), is \
            \(NumberFormat.fixed(naiveGap, 2)) from it: the latent path runs through the modes, the straight line \
            through the empty space between them.
            """)
        if options.quick {
            book.text("(Quick mode: lesson 04's quick models are undertrained, so nothing is checked here.)")
        } else {
            book.check(
                fine.logDensity > naiveCloseness.logDensity + 5,
                "latent paths (t = 100) stay where the data is: log q far above the naive line's")
            book.check(
                closer < naiveGap / 4,
                """
                latent paths' log q (t = 100) is nearer the data's own than a quarter of the naive line's distance \
                from it
                """)
            book.check(
                s0.endpointError < 0.1 && s1.length < s0.length,
                """
                at t = \(first) the decoded ends lie within 0.1 of the endpoints, and at t = T the paths are shorter \
                than at t = \(first)
                """)
        }
        book.tryIt("--repeats 48", "four times the decoding draws: steadier averages in the table, denser figures")
        let freshClause = ", about as far as a fresh data point lies"
        let shape =
            """
            At t = \(first) the decoded paths \(kept ? "keep their endpoints, their" : "have their") ends \
            \(NumberFormat.fixed(s0.endpointError, 3)) away; at t = T they are \(NumberFormat.fixed(s1.length, 3)) \
            long and their ends lie \(NumberFormat.fixed(s1.endpointError, 2)) from the \
            endpoints\(forgotten && still ? freshClause : ""): t sets how much of the endpoints survives.
            """
        let density =
            """
            Latent paths stay where the data is: at t = 100 their mean log q is \
            \(NumberFormat.fixed(fine.logDensity, 2)), \(closerZ < 2 ? "within the noise of" : "below") the data's \
            \(NumberFormat.fixed(reference.logDensity, 2)); the straight line in data space scores \
            \(NumberFormat.fixed(naiveCloseness.logDensity, 2)).
            """
        return (shape, density)
    }

    // MARK: - 3. Shared or independent encoder noise

    /// The noise variance of the mixed latent at λ = ½, per coordinate, in units of a real xₜ's (1 − ᾱₜ):
    /// Var[(x̄ₜ − √ᾱₜ·x̄₀)/√(1 − ᾱₜ)] over `count` encoder draws, with its standard error v·√(2/(n − 1)).
    static func mixedNoiseVariance(_ interpolation: LatentInterpolation, shared: Bool, count: Int, seed: UInt64) -> (
        variance: Double, standardError: Double
    ) {
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

    /// Section 3; returns the noise variance of the mixed latent at λ = ½ with independent encodings, in units of a
    /// real xₜ's.
    func encoderNoise(_ book: Notebook, model: MLP, schedule: NoiseSchedule, repeats: Int) throws -> Double {
        book.section("3. One encoding noise or two?")
        let draws = options.quick ? 2_000 : 50_000
        book.text(
            """
            The paper encodes each endpoint with its own noise, ε and ε′. Then the mixed latent carries \
            (1 − λ)·ε + λ·ε′, whose variance (1 − λ)² + λ² drops to ½ at λ = ½: the middle of the path is less noisy \
            than any real xₜ — an input the decoder never saw in training. With one shared ε, every mixed latent \
            carries the noise a real xₜ would, and only the signal part moves. Below, t = 250 between opposite \
            modes, both ways, \(repeats) decoding draws each; the last column measures the noise variance of the \
            mixed latent x̄ₜ at λ = ½ over \(draws) encoder draws, in units of a real xₜ's 1 − ᾱₜ, with its \
            standard error.
            """)
        let predict = Self.predictor(model, steps: schedule.steps)
        var rng = SeededGenerator(seed: options.seed &+ 900)
        let noise = Tensor<Double>.randomNormal([repeats, 2], using: &rng)
        let otherNoise = Tensor<Double>.randomNormal([repeats, 2], using: &rng)
        let interpolation = LatentInterpolation(schedule: schedule, t: 250)
        let ends = [(1.0, 0.0), (-1.0, 0.0)]
        let (a, b) = (Self.repeated(ends[0].0, ends[0].1, repeats), Self.repeated(ends[1].0, ends[1].1, repeats))
        var panels: [Panel] = []
        var rows: [[String]] = []
        var measured:
            [(
                logDensity: Double, logDensityError: Double, onMode: Double, variance: Double, standardError: Double
            )] = []
        for (name, second) in [("shared ε", noise), ("independent ε, ε′", otherNoise)] {
            let decoded = interpolation.path(
                from: a, to: b, noise: noise, otherNoise: second, lambdas: Self.lambdas,
                decodingSeed: options.seed &+ 950, predictor: predict)
            let onMode = ModeCoverage(decoded[Self.lambdas.count / 2]).fractionWithin
            let closeness = Self.closeness(decoded)
            let latent = Self.mixedNoiseVariance(interpolation, shared: measured.isEmpty, count: draws, seed: options.seed &+ 960)
            measured.append((closeness.logDensity, closeness.logDensityError, onMode, latent.variance, latent.standardError))
            rows.append([
                name, NumberFormat.fixed(closeness.logDensity, 2) + " ± " + NumberFormat.fixed(closeness.logDensityError, 2),
                NumberFormat.fixed(100 * onMode, 0) + " %",
                "\(NumberFormat.fixed(latent.variance, 3)) ± \(NumberFormat.fixed(latent.standardError, 3))",
            ])
            panels.append(Self.pathPanel(name, decoded, ends: ends, naive: false))
        }
        book.table(
            [
                "encoding", "mean log q(x) of interior points (± standard error)",
                "decodes at λ = ½ within 3σ of a mode",
                "noise variance of x̄ₜ at λ = ½ (1 for a real xₜ)",
            ], rows)
        let (shared, independent) = (measured[0], measured[1])
        // A Gaussian sample variance is within 5 standard errors of the truth except with probability ~6e-7.
        book.check(
            abs(shared.variance - 1) <= 5 * shared.standardError,
            "shared ε: the mixed latent's noise variance is 1 (a real xₜ's) within 5 standard errors")
        book.check(
            abs(independent.variance - 0.5) <= 5 * independent.standardError,
            "independent ε, ε′: it is (1 − λ)² + λ² = ½ within 5 standard errors")
        // The two means come from different decoded points: their difference has standard error √(se₁² + se₂²).
        let logGap = shared.logDensity - independent.logDensity
        let logGapError =
            (shared.logDensityError * shared.logDensityError
            + independent.logDensityError * independent.logDensityError).squareRoot()
        let decoded =
            abs(logGap) > 2 * logGapError
            ? """
            That is \(NumberFormat.fixed(abs(logGap) / logGapError, 1)) standard errors: the \
            \(logGap > 0 ? "independent" : "shared") encodings decode measurably farther from the data.
            """
            : """
            That is \(NumberFormat.fixed(abs(logGap) / logGapError, 1)) standard errors, inside the noise of \
            \(repeats) paths: no difference these decodes can show.
            """
        book.text(
            """
            In the latent, the independent encodings leave \
            \(NumberFormat.fixed(independent.variance / shared.variance, 2)) of the noise a real xₜ has. In the \
            decodes, mean log q differs by \(NumberFormat.fixed(abs(logGap), 2)) \
            (\(NumberFormat.fixed(shared.logDensity, 2)) shared, \(NumberFormat.fixed(independent.logDensity, 2)) \
            independent). \(decoded) At λ = ½, of the \(repeats) decodes from each kind of latent, \
            \(NumberFormat.fixed(100 * shared.onMode, 0)) % (shared noise) and \
            \(NumberFormat.fixed(100 * independent.onMode, 0)) % (independent noise) land within 3σ of a mode.
            """)
        book.figure(
            Figure(
                name: "encoder-noise",
                title: "t = 250, opposite modes: one shared encoding noise against two independent ones",
                columns: 2, width: 1000, height: 540, panels: panels),
            caption: """
                Decoded paths between opposite modes (black: the endpoints) with a shared encoding noise (left) and \
                independent ones (right)
                """)
        return independent.variance / shared.variance
    }

    // MARK: - 4. Reconstruction

    /// Section 4; returns the reconstruction error at t = 1 and at t = T.
    func reconstruction(_ book: Notebook, model: MLP, schedule: NoiseSchedule, repeats: Int) -> (first: Double, last: Double) {
        book.section("4. λ = 0: how much of x₀ survives the round trip?")
        book.text(
            """
            At λ = 0 the path starts with a plain reconstruction: encode x₀ to step t and decode. On the Swiss \
            roll, how far does x̄₀ land from x₀ as t grows? For scale: a decode that had forgotten x₀ entirely would \
            be a fresh point of the roll, as far from x₀ as two independent points of the roll are from each other.
            """)
        let predict = Self.predictor(model, steps: schedule.steps)
        var rng = SeededGenerator(seed: options.seed &+ 1_000)
        let x0 = ToyData.swissRoll(repeats * 4, using: &rng)
        let noise = Tensor<Double>.randomNormal(x0.shape, using: &rng)
        let steps = [1, 5, 10, 25, 50, 100, 250, 500, 1000]
        var errors: [(mean: Double, error: Double)] = []
        for t in steps {
            let interpolation = LatentInterpolation(schedule: schedule, t: t)
            let decoded = interpolation.decode(
                interpolation.encode(x0, noise: noise), decodingSeed: options.seed &+ 1_100, predictor: predict)
            errors.append(Self.meanNormWithError(decoded - x0))
        }
        // Two independent draws of the roll: the distance a decode that forgot x₀ would have.
        var pairs = SeededGenerator(seed: options.seed &+ 1_200)
        let forgotten = Self.meanNormWithError(ToyData.swissRoll(2_000, using: &pairs) - ToyData.swissRoll(2_000, using: &pairs))
        book.table(
            ["t"] + steps.map(String.init), [["mean ‖x̄₀ − x₀‖"] + errors.map { NumberFormat.fixed($0.mean, 3) }])
        book.figure(
            Figure(
                name: "reconstruction", title: "Swiss roll: reconstruction error against the encoding step t",
                width: 900,
                height: 460,
                panels: [
                    Panel(
                        xLabel: "t", yLabel: "mean ‖x̄₀ − x₀‖", yRange: 0...1.8, logX: true, legend: .topLeft,
                        series: [
                            .line(x: steps.map(Double.init), y: errors.map(\.mean), label: "reconstruction error"),
                            .scatter(x: steps.map(Double.init), y: errors.map(\.mean), size: 1.2),
                            .line(
                                x: [1, 1000], y: [forgotten.mean, forgotten.mean],
                                label: "two independent points of the roll",
                                width: 1, dashed: true, color: "#888888"),
                        ])
                ]),
            caption: "Mean distance between x₀ and its reconstruction through step t")
        let last = errors.last!
        let error = (last.error * last.error + forgotten.error * forgotten.error).squareRoot()
        let verdict =
            abs(last.mean - forgotten.mean) <= 2 * error
            ? """
            within two standard errors (2 × \(NumberFormat.fixed(error, 3))) of that: by t = T the decode has \
            forgotten x₀
            """
            : "more than two standard errors (2 × \(NumberFormat.fixed(error, 3))) from that"
        book.text(
            """
            The error grows from \(NumberFormat.fixed(errors.first!.mean, 3)) at t = 1 (the decoder hands back nearly \
            x₀) to \(NumberFormat.fixed(errors[steps.firstIndex(of: 100)!].mean, 3)) at t = 100 and \
            \(NumberFormat.fixed(last.mean, 3)) ± \(NumberFormat.fixed(last.error, 3)) at t = T. Two independent \
            points of the roll lie \(NumberFormat.fixed(forgotten.mean, 3)) apart on average; the t = T error is \
            \(verdict).
            """)
        book.check(errors.first!.mean < last.mean, "reconstruction error grows from t = 1 to t = T")
        return (errors.first!.mean, last.mean)
    }
}
