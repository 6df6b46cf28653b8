// Lesson 03, section 3: the optimal noise predictor is a scaled score.
import Diffusion
import LessonKit
import Plotting
import TensorCore

extension Lesson03 {
    // MARK: - 3. ε* and the score

    func score(_ book: Notebook, schedule: NoiseSchedule, samples: Int, rng: inout SeededGenerator) {
        book.section("3. The best noise predictor is a score")
        book.text(
            """
            What is the best possible ε_θ? For fixed xₜ, the value ε_θ(xₜ) that minimises E[‖ε − ε_θ(xₜ)‖² ∣ xₜ] \
            is the conditional mean E[ε∣xₜ]. Tweedie's formula turns it into the score of the noisy data: \
            ε*(xₜ, t) = −√(1 − ᾱₜ)·∂ₓ log q(xₜ). So a trained ε_θ estimates the gradient of log q(xₜ), and the \
            sampling step of Eq. (11) climbs it — the link to score matching and Langevin dynamics. For the \
            two-bump mixture q(xₜ) is known exactly, so ε* is too. Check it by brute force: draw \(samples) pairs \
            (x₀, ε) per t, form xₜ, and average ε within narrow bins of xₜ.
            """)
        book.equation("ε*(xₜ, t) = E[ε∣xₜ] = −√(1 − ᾱₜ)·∂ₓ log q(xₜ),   q(xₜ) = Σₖ πₖ·N(√ᾱₜ·mₖ, ᾱₜ·sₖ² + 1 − ᾱₜ)")
        let mixture = GaussianMixture1D.twoBumps
        let grid = linearGrid(-3, 3, count: 301)
        var panels: [Panel] = []
        var worstZ = 0.0
        var rows: [[String]] = []
        for t in [10, 50, 100, 250, 1000] {
            let x0 = mixture.sample(samples, using: &rng)
            let eps = (0..<samples).map { _ in rng.normal() }
            let xt = schedule.marginalSample(x0: Tensor(x0), t: t, noise: Tensor(eps)).scalars
            let bins = binnedMeans(x: xt, y: eps, lower: -3, upper: 3, bins: 60, minimumCount: 200)
            for bin in bins {
                let z = abs(bin.meanY - mixture.optimalNoise(xt: bin.meanX, t: t, schedule: schedule)) / bin.standardError
                worstZ = max(worstZ, z)
            }
            let largestGap = bins.map { abs($0.meanY - mixture.optimalNoise(xt: $0.meanX, t: t, schedule: schedule)) }.max()
            rows.append([String(t), String(bins.count), NumberFormat.fixed(largestGap ?? 0, 4)])
            let diffused = mixture.diffused(by: schedule, to: t)
            panels.append(
                Panel(
                    // The key goes on the t = T panel, whose bottom right the line ε* ≈ xₜ leaves empty.
                    title: "t = \(t)", xLabel: "xₜ", yLabel: "ε (dashed: density)", yRange: -3...3,
                    legend: t == schedule.steps ? .bottomRight : .hidden,
                    series: [
                        .function(grid, label: "ε* (exact)", width: 2.5) {
                            mixture.optimalNoise(xt: $0, t: t, schedule: schedule)
                        },
                        .scatter(x: bins.map(\.meanX), y: bins.map(\.meanY), label: "Monte Carlo E[ε∣xₜ]", size: 0.8),
                        .function(grid, label: "density q(xₜ)", width: 1, dashed: true, color: "#888888") {
                            diffused.density($0)
                        },
                    ]))
        }
        book.figure(
            Figure(
                name: "optimal-noise", title: "The optimal noise predictor ε*(xₜ, t) for the two-bump data", columns: 3,
                width: 1300, height: 760, panels: panels),
            caption: """
                ε*(xₜ, t) from the exact score (line), binned Monte Carlo averages of ε given xₜ (dots), and the \
                density q(xₜ) (dashed)
                """)
        book.table(["t", "bins with ≥ 200 samples", "largest |E[ε∣xₜ] − ε*|"], rows)
        book.value("largest |binned mean − ε*| in standard errors, over all bins and t", worstZ, digits: 3)
        // ~250 bins in all; for each, |z| > 5 has probability 6e-7 if the formula is right.
        // The bin's own mean xₜ is used as abscissa, so a linear trend within a bin adds no bias.
        book.check(worstZ < 5, "every binned average lies within 5 standard errors of ε*")
        shape(book, schedule: schedule)
        book.tryIt(
            "--samples 20000",
            "a tenth of the Monte Carlo pairs: fewer bins pass the 200-sample cut, and the dots scatter more about ε*")
    }

    /// The shape of ε* at small t (a line across each bump, a steep swing between them) and at t = T.
    func shape(_ book: Notebook, schedule: NoiseSchedule) {
        let mixture = GaussianMixture1D.twoBumps
        let t = 10
        let (a, b) = (schedule.alphaBar(t), schedule.oneMinusAlphaBar(t))
        let epsStar = { (x: Double) in mixture.optimalNoise(xt: x, t: t, schedule: schedule) }
        let slope = { (x: Double) in (epsStar(x + 1e-5) - epsStar(x - 1e-5)) / 2e-5 }
        // Where one bump explains xₜ alone, q ≈ N(√ᾱₜ·mₖ, ᾱₜsₖ² + 1 − ᾱₜ) and
        // ε* = √(1 − ᾱₜ)(xₜ − √ᾱₜ·mₖ)/(ᾱₜsₖ² + 1 − ᾱₜ): a line of slope √(1 − ᾱₜ)/(ᾱₜsₖ² + 1 − ᾱₜ). Compare with the numerical slope at each bump's centre.
        let bumps = mixture.components.map { c in
            (
                formula: b.squareRoot() / (a * c.standardDeviation * c.standardDeviation + b),
                measured: slope(a.squareRoot() * c.mean), sd: c.standardDeviation
            )
        }
        let centres = mixture.components.map { a.squareRoot() * $0.mean }
        let between = linearGrid(centres.min()!, centres.max()!, count: 2001)
        let steepest = between.map(slope).min()!
        let (wide, narrow) = (bumps.max { $0.sd < $1.sd }!, bumps.min { $0.sd < $1.sd }!)
        let slopeText = { (x: Double) in NumberFormat.significant(x, 3) }
        book.text(
            """
            Note the shape. At t = \(t), ε* rises linearly across each bump: where one bump alone explains xₜ, \
            ε* = √(1 − ᾱₜ)·(xₜ − √ᾱₜ·mₖ)/(ᾱₜ·sₖ² + 1 − ᾱₜ), a line of slope \(slopeText(wide.formula)) across the \
            wide bump (sₖ = \(wide.sd)) and \(slopeText(narrow.formula)) across the narrow one \
            (sₖ = \(narrow.sd)). Between the bumps it swings steeply down, with slopes as low as \
            \(slopeText(steepest)): there the explanation of xₜ switches from one bump to the other, and with it \
            the noise that must have been added.
            """)
        book.check(
            bumps.allSatisfy { abs($0.measured - $0.formula) <= 0.01 * $0.formula } && steepest < 0,
            """
            at t = \(t), ε*'s slope at each bump's centre matches √(1 − ᾱₜ)/(ᾱₜ·sₖ² + 1 − ᾱₜ) to 1 %, and it is \
            negative between the bumps
            """)
        let lastGap = stride(from: -3.0, through: 3.0, by: 0.01).map {
            abs(mixture.optimalNoise(xt: $0, t: schedule.steps, schedule: schedule) - $0)
        }.max()!
        book.text(
            """
            By t = T, q(xₜ) ≈ N(0, 1) and ε* ≈ xₜ — the whole of xₜ is noise: at t = T, ε* differs from xₜ by at \
            most \(NumberFormat.significant(lastGap, 2)) on [−3, 3].
            """)
    }

    /// Means of y within equal bins of x, with their standard errors; bins with too few points are dropped.
    func binnedMeans(x: [Double], y: [Double], lower: Double, upper: Double, bins: Int, minimumCount: Int)
        -> [(meanX: Double, meanY: Double, standardError: Double)]
    {
        let width = (upper - lower) / Double(bins)
        var sums = [(n: Double, x: Double, y: Double, yy: Double)](repeating: (0, 0, 0, 0), count: bins)
        for (xi, yi) in zip(x, y) where xi >= lower && xi < upper {
            let b = min(Int((xi - lower) / width), bins - 1)
            sums[b].n += 1; sums[b].x += xi; sums[b].y += yi; sums[b].yy += yi * yi
        }
        return sums.filter { $0.n >= Double(minimumCount) }.map { s in
            let meanY = s.y / s.n
            let variance = max(s.yy / s.n - meanY * meanY, 0) * s.n / (s.n - 1)
            return (s.x / s.n, meanY, (variance / s.n).squareRoot())
        }
    }
}
