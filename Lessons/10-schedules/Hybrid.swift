import Datasets
// Lesson 10, section 4: learned variances (Nichol & Dhariwal 2021) — Σ_θ interpolated between β̃ₜ and
// βₜ, trained by L_hybrid; what it buys in bits/dim and with few sampling steps.
import Diffusion
import Foundation
import Learning
import LessonKit
import Plotting
import TensorCore

extension Lesson10 {
    func learnedVariances(_ book: Notebook, run: Run, models: Models, bounds reports: [VariationalBound.Report], curves: [Curve], yardstick: FrechetYardstick) {
        book.section("4. Learned variances: Σ_θ between β̃ₜ and βₜ, trained with L_hybrid")
        book.text("Ho et al. fix σₜ² to βₜ or β̃ₜ, the two extremes of Sec. 3.2, and found learning it unstable (lesson 09, Table 2). Nichol & Dhariwal let the network output one more number per pixel, v, and interpolate between the extremes in log space. L_simple says nothing about Σ, so they add the bound with a small weight λ and stop its gradient into the mean, which L_simple keeps training:")
        book.equation("Σ_θ(xₜ, t) = exp(v·log βₜ + (1 − v)·log β̃ₜ),    L_hybrid = L_simple + λ·L_vlb,   λ = 0.001,   μ_θ inside L_vlb held fixed")
        book.text("With t ~ U{1…T}, the sampled term L_{t−1} times T estimates L_vlb = Σₜ L_{t−1}; the workbench adds λ·T·L_{t−1} in bits per pixel to each pixel's (ε − ε_θ)², as the improved-diffusion code does. At t = 1, log β̃₁ = −∞ is replaced by log β̃₂.")
        let (cosBeta, cosTilde, learned, hybridBeta, hybridTilde) = (reports[4], reports[5], reports[6], reports[7], reports[8])
        book.text("Every bound below clips x̂₀ (section 3).")
        book.table(
            ["network (cosine schedule)", "reverse variance", "held-out bound (bits/dim)", "L₀", "Σ of L_{t−1}, t = 2…10"],
            [
                ("ε, L_simple", "σ² = β", cosBeta), ("ε, L_simple", "σ² = β̃", cosTilde),
                ("L_hybrid", "learned Σ_θ", learned), ("L_hybrid", "σ² = β (ignoring v)", hybridBeta), ("L_hybrid", "σ² = β̃ (ignoring v)", hybridTilde),
            ].map { net, variance, r in [net, variance, Self.bits(r), NumberFormat.significant(r.terms[0], 2), NumberFormat.fixed(r.terms[1..<10].reduce(0, +), 3)] })
        let bestFixed = [cosBeta, cosTilde, hybridBeta, hybridTilde].min { $0.total < $1.total }!
        let gain = bestFixed.total - learned.total
        book.text("Measured: the learned variance gives \(NumberFormat.fixed(learned.total, 3)) bits/dim; the best fixed variance of either network gives \(NumberFormat.fixed(bestFixed.total, 3)) (\(bestFixed.model.name)), so learning Σ \(gain > 2 * learned.standardError ? "saves \(NumberFormat.fixed(gain, 3)) bits/dim" : gain > 0 ? "saves \(NumberFormat.fixed(gain, 3)) bits/dim, within two standard errors" : "costs \(NumberFormat.fixed(-gain, 3)) bits/dim") at this budget.")
        let ts = Array(1...run.cosine.steps)
        book.figure(
            Figure(
                name: "bound-terms", title: "The bound's terms L_{t−1} by t (cosine schedule): fixed σ² against the learned Σ_θ", width: 1000, height: 480,
                panels: [
                    Panel(
                        xLabel: "t", yLabel: "L_{t−1} (bits/dim)", logX: true, logY: true, legend: .topRight,
                        series: [
                            .line(x: ts.map(Double.init), y: ts.map { reports[3].terms[$0 - 1] }, label: "ε, L_simple, σ² = β, Eq. 11 (x̂₀ not clipped)", width: 1.5, color: "#bbbbbb"),
                            .line(x: ts.map(Double.init), y: ts.map { cosTilde.terms[$0 - 1] }, label: "ε, L_simple, σ² = β̃"),
                            .line(x: ts.map(Double.init), y: ts.map { learned.terms[$0 - 1] }, label: "L_hybrid, learned Σ_θ"),
                        ])
                ]), caption: "Each term of the held-out bound (t = 1 is L₀): the cosine ε-network with σ² = β as Eq. 11 writes it (gray) and with x̂₀ clipped and σ² = β̃, and the L_hybrid network with its learned variance")
        interpolationWeights(book, run: run, models: models)
        fewSteps(book, run: run, curves: curves, yardstick: yardstick)
    }

    /// The learned v against t on held-out xₜ: where the network sits between β̃ₜ (v = 0) and βₜ (v = 1).
    func interpolationWeights(_ book: Notebook, run: Run, models: Models) {
        let engine = models.hybridNet.makeEngine(capacity: 64, threads: run.threads)
        engine.load(models.hybrid)
        let images = run.digits.heldOut.subset(0..<QuickBudgets.Lesson10.hybridImages(quick: run.quick))
        let n = images.count
        let x0 = images.values
        let grid = [1, 2, 3, 5, 10, 20, 50, 100, 200, 300, 400, 500, 600, 700, 800, 900, 1000]
        var rng = SeededGenerator(seed: run.seed &+ 105)
        var rows: [(t: Int, low: Double, median: Double, high: Double)] = []
        for t in grid {
            let q = run.cosine.float(t)
            let xt = x0.map { q.noised($0, noise: Float(rng.normal())) }
            let output = xt.withUnsafeBufferPointer { engine.forward($0.baseAddress!, steps: [Int](repeating: t, count: n)) }
            let v = (0..<n).flatMap { i in (0..<64).map { Double(output[i * 128 + 64 + $0]) } }.sorted()
            rows.append((t, v[v.count / 10], v[v.count / 2], v[v.count * 9 / 10]))
        }
        book.figure(
            Figure(
                name: "learned-v", title: "The learned interpolation v against t: 0 is β̃ₜ, 1 is βₜ", width: 1000, height: 460,
                panels: [
                    Panel(
                        xLabel: "t", yLabel: "v (median and 10–90 % of pixels)", logX: true, legend: .topLeft,
                        series: [
                            .line(x: rows.map { Double($0.t) }, y: rows.map(\.median), label: "median"),
                            .line(x: rows.map { Double($0.t) }, y: rows.map(\.low), label: "10th percentile", width: 1, dashed: true),
                            .line(x: rows.map { Double($0.t) }, y: rows.map(\.high), label: "90th percentile", width: 1, dashed: true),
                        ])
                ]), caption: "The L_hybrid network's second output v on \(n) held-out digits at each t (cosine schedule)")
        let ratio = { (t: Int) in run.cosine.beta(t) / run.cosine.betaTilde(t) }
        book.table(
            ["t", "βₜ/β̃ₜ", "median v", "10–90 % of v"],
            rows.filter { [1, 2, 10, 100, 500, 1000].contains($0.t) }.map { r in
                [String(r.t), r.t == 1 ? "∞" : NumberFormat.significant(ratio(r.t), 3), NumberFormat.fixed(r.median, 3), "\(NumberFormat.fixed(r.low, 3)) – \(NumberFormat.fixed(r.high, 3))"]
            })
        book.text("Where βₜ/β̃ₜ is close to 1 (large t), v barely matters to the bound, so L_vlb gives it little gradient there; where the two differ by a large factor (small t) the choice matters and L_vlb sets it. Measured median v at t = 2: \(NumberFormat.fixed(rows[1].median, 3)); at t = 1000: \(NumberFormat.fixed(rows.last!.median, 3)).")
    }

    /// Fréchet distance against S for the five samplers.
    func fewSteps(_ book: Notebook, run: Run, curves: [Curve], yardstick: FrechetYardstick) {
        let counts = stepCounts(run)
        book.text("Does the learned variance help when sampling with few steps? Each sampler runs Algorithm 2 respaced to S steps (lesson 11) with x̂₀ clipped; the learned Σ_θ is interpolated between the respaced β′ᵢ and β̃′ᵢ, as improved-diffusion does. \(run.count) samples each, the same seeds.")
        book.table(["sampler"] + counts.map { "S = \($0)" }, curves.map { c in [c.name] + c.frechet.map { NumberFormat.significant($0, 3) } })
        book.figure(
            Figure(
                name: "frechet-vs-steps", title: "Fréchet distance against sampling steps S: fixed and learned variances", width: 1000, height: 560,
                panels: [
                    Panel(
                        xLabel: "sampling steps S", yLabel: "Fréchet d² to held-out digits", logX: true, logY: true, legend: .topRight,
                        series: curves.map { .line(x: counts.map(Double.init), y: $0.frechet, label: $0.name) }
                            + [.line(x: [Double(counts.first!), Double(counts.last!)], y: [yardstick.floor, yardstick.floor], label: "data floor", width: 1.5, dashed: true, color: "#999999")])
                ]), caption: "Sample quality (lower is better) against the number of respaced sampling steps, for each network and reverse variance")
        let small = counts.first!
        let hybrid = curves[3].frechet[0]
        let fixedBest = curves[1...2].min { $0.frechet[0] < $1.frechet[0] }!
        let difference = fixedBest.frechet[0] - hybrid
        book.text("Measured at S = \(small): the learned Σ_θ gives d² = \(NumberFormat.significant(hybrid, 3)); the better fixed variance of the cosine ε-network (\(fixedBest.name)) gives \(NumberFormat.significant(fixedBest.frechet[0], 3)): \(abs(difference) < 2 * yardstick.spreadSD ? "a difference within two sd of the metric's own noise (sd \(NumberFormat.significant(yardstick.spreadSD, 2)))" : difference > 0 ? "the learned variance is ahead by \(NumberFormat.significant(difference, 3))" : "the fixed variance is ahead by \(NumberFormat.significant(-difference, 3))"). At S = \(counts.last!) they give \(NumberFormat.significant(curves[3].frechet.last!, 3)) and \(NumberFormat.significant(fixedBest.frechet.last!, 3)).")
        book.figure(
            Figure(
                name: "samples-few-steps", title: "Ten samples each at S = \(small): cosine ε with σ² = β (top), σ² = β̃ (middle), learned Σ_θ (bottom)", width: 1000, height: 360,
                panels: [
                    DigitPictures.grid([1, 2, 3].flatMap { i in (0..<10).map { DigitPictures.image(curves[i].samples[small]!, $0).map { max(-1, min(1, $0)) } } }, columns: 10)
                ]), caption: "Samples at S = \(small) steps from the cosine ε-network with σ² = β and σ² = β̃, and from the L_hybrid network with its learned variance (same seeds)")
    }
}
