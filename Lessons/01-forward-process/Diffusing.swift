// Lesson 01, sections 2–5: watching data diffuse, step by step against the jump, and the prior term.
import Datasets
import Diffusion
import LessonKit
import Plotting
import TensorCore

extension Lesson01 {
    /// The times at which the lesson looks at the diffused data.
    static let snapshots = [0, 10, 50, 100, 250, 500, 1000]

    // MARK: - 2. A 1-D data set diffused (Eq. 4)

    func diffuseTwoBumps(_ book: Notebook, schedule: NoiseSchedule, x0: [Double], rng: inout SeededGenerator) {
        book.section("2. Diffusing a 1-D data set (Eq. 4)")
        let last = GaussianMixture1D.twoBumps.diffused(by: schedule, to: schedule.steps)
        book.text(
            """
            Take \(x0.count) points from two bumps, 0.4·N(−0.5, 0.15²) + 0.6·N(0.6, 0.1²). Eq. (4) jumps from x₀ \
            to any xₜ in one draw. Because every component of the mixture is Gaussian, the exact density of xₜ is \
            again a mixture, with means √ᾱₜ·mₖ and variances ᾱₜ·sₖ² + 1 − ᾱₜ: the curves drawn over the \
            histograms. At t = T the exact q(x_T) has mean \(NumberFormat.fixed(last.mean, 4)) and variance \
            \(NumberFormat.fixed(last.variance, 4)), close to N(0, 1): almost nothing of the data is left.
            """)
        book.equation("q(xₜ∣x₀) = N(xₜ; √ᾱₜ·x₀, (1 − ᾱₜ) I),   xₜ = √ᾱₜ·x₀ + √(1 − ᾱₜ)·ε          (Eq. 4, 9)")
        let data = Tensor(x0)
        let grid = linearGrid(-3.5, 3.5, count: 281)
        var panels: [Panel] = []
        var rows: [[String]] = []
        for t in Self.snapshots {
            let xt = schedule.marginalSample(x0: data, t: t, noise: .randomNormal([x0.count], using: &rng)).scalars
            let exact = GaussianMixture1D.twoBumps.diffused(by: schedule, to: t)
            panels.append(
                Panel(
                    // At t = 0 the taller bump peaks near 2.4: headroom above it keeps the key off the data.
                    title: "t = \(t)", xLabel: "xₜ", yLabel: "density", xRange: -3.5...3.5,
                    yRange: t == 0 ? 0...3.4 : nil,
                    legend: t == 0 ? .topRight : .hidden,
                    series: [
                        .histogram(xt, bins: options.quick ? 70 : 140, range: -3.5...3.5, label: "samples"),
                        .function(grid, label: "exact q(xₜ)", color: "#d62728") { exact.density($0) },
                    ]))
            let (mean, variance) = meanAndVariance(xt)
            rows.append([
                String(t), NumberFormat.fixed(mean, 4), NumberFormat.fixed(exact.mean, 4),
                NumberFormat.fixed(variance, 4), NumberFormat.fixed(exact.variance, 4),
            ])
            // 5σ bound on the sample mean: σ_mean = √(Var/n); a false alarm has probability ≈ 6e-7.
            if t == 1000 {
                book.check(
                    abs(mean - exact.mean) <= 5 * (exact.variance / Double(xt.count)).squareRoot(),
                    """
                    t = 1000: the sample mean \(NumberFormat.fixed(mean, 4)) is within 5σ/√n of the exact \
                    \(NumberFormat.fixed(exact.mean, 4))
                    """)
            }
        }
        book.figure(
            Figure(
                name: "two-bumps-diffused", title: "q(xₜ) for a two-bump data set", columns: 4, width: 1400, height: 640,
                panels: panels),
            caption: "Histograms of xₜ drawn with Eq. (4), with the exact marginal density overlaid")
        book.table(["t", "sample mean", "exact mean", "sample variance", "exact variance"], rows)
        book.tryIt(
            "--samples 2000", "a tenth of the points: noisier histograms, sample moments further from the exact ones")
    }

    // MARK: - 3. The Swiss roll diffused

    /// Section 3; returns the first t at which neighbouring arms of the Swiss roll merge.
    func diffuseSwissRoll(_ book: Notebook, schedule: NoiseSchedule, count: Int, crossing: Int, rng: inout SeededGenerator)
        -> Int
    {
        book.section("3. Diffusing a 2-D data set")
        let snr = { (t: Int) in NumberFormat.significant(schedule.snr(t), 3) }
        // ToyData.swissRoll: radius s/10 at angle s, so arms one turn apart are 2π/10 apart, each blurred
        // by N(0, 0.05²) per coordinate. Under Eq. (4) the spacing shrinks by √ᾱₜ and the blur becomes
        // √(ᾱₜ·0.05² + 1 − ᾱₜ). Two equal Gaussians d apart have a dip between them only while d > 2σ.
        let (spacing, thickness) = (2 * Double.pi / 10, 0.05)
        let blur = { (t: Int) in (schedule.alphaBar(t) * thickness * thickness + schedule.oneMinusAlphaBar(t)).squareRoot() }
        let merge = schedule.timeSteps.first { schedule.sqrtAlphaBar($0) * spacing <= 2 * blur($0) }!
        book.text(
            """
            The same jump applied to \(count) points of a Swiss roll. Each coordinate shrinks by √ᾱₜ while noise of \
            standard deviation √(1 − ᾱₜ) is added. The signal-to-noise ratio SNR(t) = ᾱₜ/(1 − ᾱₜ) is \(snr(10)) at \
            t = 10, \(snr(50)) at t = 50, \(snr(250)) at t = 250 and \(snr(1000)) at t = T. The spiral's structure \
            goes long before the signal does. Neighbouring arms are 2π/10 = \(NumberFormat.fixed(spacing, 3)) apart, \
            a distance that shrinks by √ᾱₜ, and each is blurred by a standard deviation \
            √(ᾱₜ·\(thickness)² + 1 − ᾱₜ). Two equal bumps d apart show a dip between them only while d exceeds \
            twice their standard deviation, so the arms merge at t = \(merge), where the noise's standard deviation \
            is \(NumberFormat.fixed(schedule.sqrtOneMinusAlphaBar(merge), 2)) and SNR is still \(snr(merge)): \
            long before SNR = 1 at t = \(crossing).
            """)
        book.check(
            2 * merge < crossing,
            "the arms merge (t = \(merge)) in less than half the steps SNR(t) takes to drop below 1 (t = \(crossing))")
        let roll = ToyData.swissRoll(count, using: &rng)
        let panels = [0, 10, 50, 100, 250, 1000].map { t -> Panel in
            let xt = schedule.marginalSample(x0: roll, t: t, noise: .randomNormal(roll.shape, using: &rng))
            return Panel(
                title: "t = \(t)", xLabel: "first coordinate", yLabel: "second coordinate", xRange: -3.2...3.2,
                yRange: -3.2...3.2, equalAspect: true, legend: .hidden,
                series: [
                    .scatter(x: xt.column(0).scalars, y: xt.column(1).scalars, size: 0.25)
                ])
        }
        book.figure(
            Figure(
                name: "swiss-roll-diffused", title: "The Swiss roll under q(xₜ∣x₀)", columns: 3, width: 1200, height: 820,
                panels: panels),
            caption: "The Swiss roll diffused to t = 0, 10, 50, 100, 250, 1000")
        return merge
    }

    // MARK: - 4. Step by step (Eq. 2) against the jump (Eq. 4)

    func stepByStepVersusJump(_ book: Notebook, schedule: NoiseSchedule, x0: [Double], rng: inout SeededGenerator) {
        book.section("4. Step by step (Eq. 2) against one jump (Eq. 4)")
        book.text(
            """
            Eq. (4) claims that t steps of Eq. (2) land on the same distribution as one jump. Check the first two \
            moments: run both on the same x₀, iterating Eq. (2) for every point from t = 1 to 1000, and separately \
            jumping with Eq. (4). For data with mean m₀ and variance v₀, both must have mean √ᾱₜ·m₀ and variance \
            ᾱₜ·v₀ + 1 − ᾱₜ.
            """)
        let mixture = GaussianMixture1D.twoBumps
        let n = Double(x0.count)
        var x = Tensor(x0)
        var stepped: [Int: (Double, Double)] = [:]
        for t in 1...schedule.steps {
            x = schedule.forwardStep(xPrevious: x, t: t, noise: .randomNormal([x0.count], using: &rng))
            if Self.snapshots.contains(t) { stepped[t] = meanAndVariance(x.scalars) }
        }
        var rows: [[String]] = []
        var allWithin = true
        var curves: (t: [Double], stepMean: [Double], jumpMean: [Double], stepVar: [Double], jumpVar: [Double]) = (
            [], [], [], [], []
        )
        for t in Self.snapshots.dropFirst() {
            let jumped = meanAndVariance(
                schedule.marginalSample(x0: Tensor(x0), t: t, noise: .randomNormal([x0.count], using: &rng)).scalars)
            let mean = schedule.sqrtAlphaBar(t) * mixture.mean
            let variance = schedule.alphaBar(t) * mixture.variance + schedule.oneMinusAlphaBar(t)
            let (stepMean, stepVariance) = stepped[t]!
            // 5σ bounds: the sample mean has sd √(v/n); the sample variance of a near-Gaussian has sd ≈ v·√(2/n)
            // (the bumps' excess kurtosis is small; 6σ is used to cover it). False alarms < 1e-6 each.
            let meanBound = 5 * (variance / n).squareRoot()
            let varianceBound = 6 * variance * (2 / n).squareRoot()
            for (m, v) in [(stepMean, stepVariance), jumped] {
                allWithin = allWithin && abs(m - mean) <= meanBound && abs(v - variance) <= varianceBound
            }
            rows.append([
                String(t), NumberFormat.fixed(stepMean, 4), NumberFormat.fixed(jumped.mean, 4), NumberFormat.fixed(mean, 4),
                NumberFormat.fixed(stepVariance, 4), NumberFormat.fixed(jumped.variance, 4), NumberFormat.fixed(variance, 4),
            ])
            curves.t.append(Double(t))
            curves.stepMean.append(stepMean); curves.jumpMean.append(jumped.mean)
            curves.stepVar.append(stepVariance); curves.jumpVar.append(jumped.variance)
        }
        book.table(["t", "mean, Eq. 2 ×t", "mean, Eq. 4", "√ᾱₜ·m₀", "var, Eq. 2 ×t", "var, Eq. 4", "ᾱₜv₀ + 1 − ᾱₜ"], rows)
        book.check(
            allWithin,
            """
            both simulations have the formula's mean and variance at every t (means within 5σ/√n, variances within \
            6·v·√(2/n))
            """)
        let exact = (1...schedule.steps).map {
            schedule.iteratedMoments(mean0: mixture.mean, variance0: mixture.variance, through: $0)
        }
        let worst = (1...schedule.steps).map { t in
            abs(exact[t - 1].variance - (schedule.alphaBar(t) * mixture.variance + schedule.oneMinusAlphaBar(t)))
        }.max()!
        book.check(
            worst < 1e-13,
            """
            Iterating vₜ = αₜ·vₜ₋₁ + βₜ reproduces ᾱₜ·v₀ + 1 − ᾱₜ at every t = 1…\(schedule.steps) to within \
            \(NumberFormat.significant(worst, 3)), rounding error
            """)
        let t = steps(schedule.steps)
        book.figure(
            Figure(
                name: "step-vs-jump", title: "Iterating Eq. (2) against jumping with Eq. (4)", columns: 2, width: 1200,
                height: 480,
                panels: [
                    Panel(
                        title: "mean of xₜ", xLabel: "t", yLabel: "mean", legend: .topRight,
                        series: [
                            .function(t, label: "√ᾱₜ·m₀") { schedule.sqrtAlphaBar(Int($0)) * mixture.mean },
                            .scatter(x: curves.t, y: curves.stepMean, label: "Eq. 2, t steps", size: 1.2),
                            .scatter(x: curves.t, y: curves.jumpMean, label: "Eq. 4, one jump", size: 0.8),
                        ]),
                    Panel(
                        title: "variance of xₜ", xLabel: "t", yLabel: "variance", legend: .bottomRight,
                        series: [
                            .function(t, label: "ᾱₜ·v₀ + 1 − ᾱₜ") {
                                schedule.alphaBar(Int($0)) * mixture.variance + schedule.oneMinusAlphaBar(Int($0))
                            },
                            .scatter(x: curves.t, y: curves.stepVar, label: "Eq. 2, t steps", size: 1.2),
                            .scatter(x: curves.t, y: curves.jumpVar, label: "Eq. 4, one jump", size: 0.8),
                        ]),
                ]),
            caption: "Sample moments of xₜ from t steps of Eq. (2) and from one jump with Eq. (4), against the formula")
        book.tryIt("--seed 1", "other draws of the same data and noise: see how far the sample moments move")
    }

    // MARK: - 5. The prior term L_T

    /// Section 5; returns L_T in bits/dim for T = 1000 and for T = 50.
    func priorTerm(_ book: Notebook, schedule: NoiseSchedule) throws -> (long: Double, short: Double) {
        book.section("5. Does x_T forget the data? The prior term L_T")
        book.text(
            """
            Sampling starts from p(x_T) = N(0, I), so the forward process must end there. The gap is \
            L_T = KL(q(x_T∣x₀) ‖ N(0, I)), the first term of Eq. (5). For 8-bit data scaled to [−1, 1] \
            (x₀ = −1 + 2k/255, k = 0…255) the paper reports about 1e-5 bits per dimension.
            """)
        book.equation("L_T = ½·Σᵢ (ᾱ_T·x₀ᵢ² − ᾱ_T − log(1 − ᾱ_T))   nats,   ÷ (D·ln 2) for bits/dim")
        let pixels = Tensor((0...255).map { -1 + 2 * Double($0) / 255 })
        let bits = schedule.priorBitsPerDimension(x0: pixels)
        book.value("ᾱ_T (T = 1000)", schedule.alphaBar(schedule.steps), digits: 5)
        book.value("L_T for 8-bit data, T = 1000", bits, digits: 3, unit: "bits/dim")
        book.check(bits > 0.5e-5 && bits < 2e-5, "L_T ≈ 1e-5 bits/dim, as the paper says")
        let short = try NoiseSchedule.linear(steps: 50)
        let shortBits = short.priorBitsPerDimension(x0: pixels)
        book.value("ᾱ_T (T = 50, same β₁ and β_T)", short.alphaBar(short.steps), digits: 4)
        book.value("L_T for 8-bit data, T = 50", shortBits, digits: 4, unit: "bits/dim")
        book.warning(
            """
            With T = 50 and the same β range, ᾱ_T = \(NumberFormat.significant(short.alphaBar(short.steps), 3)): x_T \
            still remembers x₀, and starting sampling from N(0, I) costs \(NumberFormat.significant(shortBits, 3)) \
            bits per dimension — about \(Self.grouped(shortBits * 3072)) bits for a 32×32×3 image. Fewer steps need \
            larger βₜ.
            """)
        return (bits, shortBits)
    }
}
