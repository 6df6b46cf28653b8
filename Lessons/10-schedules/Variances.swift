import Datasets
// Lesson 10, sections 3 (scores) and 4: the schedules compared by the bound and the Fréchet distance,
// then the learned variance of L_hybrid — in bits/dim and with few sampling steps.
import Diffusion
import Foundation
import Learning
import LessonKit
import Plotting
import TensorCore

extension Lesson10 {
    /// One sampler of the sweep: a network, its schedule, and the update rule.
    struct Curve {
        let name: String
        let engine: any DenoisingEngine
        let outputDimension: Int
        let schedule: NoiseSchedule
        let method: StridedSampler.Method
        var frechet: [Double] = []
        var samples: [Int: [Float]] = [:]
    }

    /// The step counts of the sweep.
    func stepCounts(_ run: Run) -> [Int] { QuickBudgets.Lesson10.stepCounts(quick: run.quick) }

    /// The three networks' loaded engines.
    typealias Engines = (linear: any DenoisingEngine, cosine: any DenoisingEngine, hybrid: any DenoisingEngine)

    /// An engine per network, loaded once and shared by the bounds and the sampling sweep.
    func engines(_ run: Run, models: Models) -> Engines {
        let make = { (net: UNet, parameters: [Float]) -> any DenoisingEngine in
            let engine = net.makeEngine(capacity: 100, threads: run.threads)
            engine.load(parameters)
            return engine
        }
        return (make(run.net, models.linear), make(run.net, models.cosine), make(models.hybridNet, models.hybrid))
    }

    /// `run.count` samples of a respaced sampler with S = `steps`, from the sweep's seed.
    func draw(_ c: Curve, steps: Int, run: Run, clip: Bool = true) throws -> [Float] {
        try StridedSampler(
            engine: c.engine, dimension: 64, outputDimension: c.outputDimension, schedule: c.schedule,
            tau: c.schedule.evenlySpacedSteps(steps), method: c.method, clipDenoised: clip
        ).sample(count: run.count, seed: run.seed &+ 111)
    }

    /// The four samplers (x̂₀ clipped), each run at every S of the sweep on `run.count` samples from the same seed.
    func sweep(_ run: Run, engines e: Engines, yardstick: FrechetYardstick) throws -> [Curve] {
        var curves = [
            Curve(name: "linear, σ² = β", engine: e.linear, outputDimension: 64, schedule: run.linear, method: .ddpm(.beta)),
            Curve(name: "cosine, σ² = β", engine: e.cosine, outputDimension: 64, schedule: run.cosine, method: .ddpm(.beta)),
            Curve(name: "cosine, σ² = β̃", engine: e.cosine, outputDimension: 64, schedule: run.cosine, method: .ddpm(.betaTilde)),
            Curve(
                name: "cosine, L_hybrid, learned Σ_θ", engine: e.hybrid, outputDimension: 128, schedule: run.cosine,
                method: .ddpmLearned(.interpolated)),
        ]
        let counts = stepCounts(run)
        var bar = ProgressBar(
            """
            sampling: \(curves.count) samplers × \(counts.count) step counts
            """, total: curves.count * counts.count)
        for index in curves.indices {
            for (k, steps) in counts.enumerated() {
                let drawn = try draw(curves[index], steps: steps, run: run)
                curves[index].frechet.append(yardstick.distance(drawn))
                curves[index].samples[steps] = drawn
                bar.update(index * counts.count + k + 1, status: "")
            }
        }
        return curves
    }

    /// The held-out bounds: for the linear and the cosine ε-network [Eq. 11 σ² = β, clipped σ² = β, clipped σ² = β̃],
    /// then the hybrid network [clipped learned Σ_θ, clipped σ² = β, clipped σ² = β̃].
    func bounds(_ run: Run, engines e: Engines) -> [VariationalBound.Report] {
        let images = run.digits.heldOut.subset(0..<run.boundImages).values
        let decoder = DiscreteDecoder(levels: DigitImages.levels)
        let clipped = [
            ReverseModel(name: "σ² = β, x̂₀ clipped", mean: .clippedNoise, variance: .beta),
            ReverseModel(name: "σ² = β̃, x̂₀ clipped", mean: .clippedNoise, variance: .betaTilde),
        ]
        let plain = [ReverseModel(name: "σ² = β, Eq. 11", mean: .noise, variance: .beta)] + clipped
        var bar = ProgressBar(
            """
            bounds: 3 networks × \(run.boundImages) images × 1,000 terms
            """, total: 3 * run.linear.steps)
        var done = 0
        func evaluate(_ engine: any DenoisingEngine, outputs: Int, _ schedule: NoiseSchedule, _ models: [ReverseModel]) -> [VariationalBound.Report] {
            defer { done += schedule.steps }
            return VariationalBound(engine: engine, dimension: 64, outputDimension: outputs, schedule: schedule, decoder: decoder)
                .evaluate(images, models: models, seed: run.seed &+ 98) { bar.update(done + $0, status: "") }
        }
        return evaluate(e.linear, outputs: 64, run.linear, plain) + evaluate(e.cosine, outputs: 64, run.cosine, plain)
            + evaluate(
                e.hybrid, outputs: 128, run.cosine,
                [ReverseModel(name: "learned Σ_θ, x̂₀ clipped", mean: .clippedNoise, variance: .interpolated)] + clipped)
    }

    /// 1000 → "1,000".
    static func grouped(_ n: Int) -> String {
        let digits = Array(String(n))
        return String(digits.enumerated().flatMap { i, c in (i > 0 && (digits.count - i) % 3 == 0) ? [",", c] : [c] })
    }

    static func bits(_ r: VariationalBound.Report) -> String {
        """
        \(NumberFormat.fixed(r.total, 3)) ± \(NumberFormat.fixed(r.standardError, 3))
        """
    }

    func schedulesAtOneBudget(_ book: Notebook, run: Run, models: Models, yardstick: FrechetYardstick) throws -> ([VariationalBound.Report], [Curve]) {
        let e = engines(run, models: models)
        let reports = bounds(run, engines: e)
        let T = run.cosine.steps
        book.text(
            """
            Scored on the first \(run.boundImages) held-out digits by lesson 09's bound (all \(Self.grouped(T)) terms \
            of each, in bits/dim, ± one standard error over images). "Eq. 11" takes μ_θ from ε_θ as written; "x̂₀ \
            clipped" first clips x̂₀ of Eq. 15 to the data's range [−1, 1] and takes μ_θ = μ̃ₜ(xₜ, clip(x̂₀)), as Ho's \
            and Nichol & Dhariwal's code do when they sample and evaluate:
            """)
        book.table(
            ["schedule", "bound, Eq. 11, σ² = β", "x̂₀ clipped, σ² = β", "x̂₀ clipped, σ² = β̃", "term at t = T, Eq. 11", "term at t = T, clipped"],
            [(0, "linear"), (3, "cosine")].map { i, name in
                [
                    name, Self.bits(reports[i]), Self.bits(reports[i + 1]), Self.bits(reports[i + 2]),
                    NumberFormat.significant(reports[i].terms[T - 1], 3),
                    NumberFormat.significant(reports[i + 1].terms[T - 1], 3),
                ]
            })
        let amplification = 1 / run.cosine.alpha(T).squareRoot()
        let jump = reports[3].terms[T - 1] / max(reports[0].terms[T - 1], 1e-300)
        let clipping =
            reports[4].terms[T - 1] < reports[3].terms[T - 1]
            ? """
            : at t = T a clipped x̂₀ barely enters μ̃ₜ (its coefficient is \
            \(NumberFormat.significant(run.cosine.posteriorMeanCoefX0(T), 2))), so the network's error can no longer \
            be amplified
            """
            : ", no better: clipping does not help this network at t = T"
        book.text(
            """
            Measured: the last term L_{T−1} of the cosine network costs \
            \(NumberFormat.significant(reports[3].terms[T - 1], 3)) bits/dim with Eq. 11 as written, \
            \(NumberFormat.significant(jump, 3))× the linear network's. The cause is the cap β_T = 0.999: Eq. 11 \
            divides by √α_T, so the network's error in ε at t = T reaches μ_θ multiplied by \
            β_T/(√(1 − ᾱ_T)·√α_T) ≈ \(NumberFormat.significant(amplification, 3)), while the true posterior's variance \
            is β̃_T = \(NumberFormat.significant(run.cosine.betaTilde(T), 3)). With x̂₀ clipped the term is \
            \(NumberFormat.significant(reports[4].terms[T - 1], 3)) bits/dim\(clipping). The bound-terms figure of \
            section 4 shows the last terms.
            """)
        let linBest = reports[1].total < reports[2].total ? 1 : 2
        let cosBest = reports[4].total < reports[5].total ? 4 : 5
        let (lin, cos) = (reports[linBest], reports[cosBest])
        let gap = MeanDifference.paired(cos.imageTotals, lin.imageTotals)
        let verdict: String
        if !gap.resolved {
            verdict = "a difference of \(gap.text) bits/dim, within two standard errors (paired over the same digits)"
        } else if gap.mean < 0 {
            verdict =
                """
                the cosine schedule ahead by \(gap.text) bits/dim (paired over the same digits), as in Nichol & \
                Dhariwal
                """
        } else {
            verdict = """
                the linear schedule ahead by \(gap.text) bits/dim (paired over the same digits), beyond two standard \
                errors. That is the opposite of Nichol & Dhariwal's finding that the cosine schedule improves the \
                likelihood; these networks train for only \(run.steps) steps, so compare the schedules within this \
                lesson only, not with the paper
                """
        }
        book.text(
            """
            With x̂₀ clipped, the better of the two variances gives \(NumberFormat.fixed(lin.total, 3)) bits/dim with \
            the linear schedule and \(NumberFormat.fixed(cos.total, 3)) with the cosine schedule: \(verdict). The \
            same digits, the same noise draws, the same budget: only the schedule changed.
            """)
        book.tryIt(
            "--steps 1500",
            """
            a longer training budget: does the cosine schedule's bound overtake the linear one's, as Nichol & \
            Dhariwal find?
            """)
        book.tryIt(
            "--bound-images 297",
            """
            every held-out digit in the bounds: smaller standard errors, the same comparison.
            """)
        let curves = try sweep(run, engines: e, yardstick: yardstick)
        let top = stepCounts(run).last!
        let unclipped = yardstick.distance(try draw(curves[1], steps: top, run: run, clip: false))
        book.text(
            """
            And by their samples: \(run.count) samples each with Algorithm 2 respaced to S = \(top) steps, x̂₀ \
            clipped, scored by lesson 08's Fréchet distance against the held-out digits. Respacing runs Algorithm 2 \
            on S of the T steps, τ₁ < … < τ_S evenly spaced, with β′ᵢ = 1 − ᾱ_{τᵢ}/ᾱ_{τᵢ₋₁} and \
            β̃′ᵢ = (1 − ᾱ_{τᵢ₋₁})/(1 − ᾱ_{τᵢ})·β′ᵢ (lesson 11 derives it).
            """)
        book.text(yardstick.description)
        book.table(
            ["schedule", "Fréchet d², σ² = β", "Fréchet d², σ² = β̃"],
            [
                ["linear", NumberFormat.significant(curves[0].frechet.last!, 3), "–"],
                ["cosine", NumberFormat.significant(curves[1].frechet.last!, 3), NumberFormat.significant(curves[2].frechet.last!, 3)],
            ])
        let (fLin, fCos) = (curves[0].frechet.last!, curves[1].frechet.last!)
        let harm =
            yardstick.differ(unclipped, fCos) && unclipped > fCos
            ? "the unclipped first step amplifies ε_θ's error at t = T in every sample."
            : "at this budget the amplified error at t = T does not measurably harm the samples."
        book.text(
            """
            Measured (σ² = β): \(yardstick.compare(fLin, "the linear schedule", fCos, "the cosine schedule")); the \
            floor is \(yardstick.floorText). And the cosine network at S = \(top), with x̂₀ clipped or not: \
            \(yardstick.compare(unclipped, "unclipped x̂₀", fCos, "clipped x̂₀")). So \(harm)
            """)
        book.figure(
            Figure(
                name: "samples-by-schedule", title: "Ten samples each at S = \(top), x̂₀ clipped (same seeds)", width: 1000, height: 400,
                panels: [
                    DigitPictures.grid(
                        [0, 1, 3].flatMap { i in (0..<10).map { DigitPictures.image(curves[i].samples[top]!, $0) } }, columns: 10,
                        rowLabels: ["linear, σ² = β", "cosine, σ² = β", "cosine, learned Σ_θ"], columnAxis: "sample",
                        rowAxis: "schedule and variance")
                ]),
            caption: """
                Samples from the three networks at S = \(top) (same seeds): linear ε, cosine ε (both σ² = β), cosine \
                L_hybrid with its learned variance
                """)
        return (reports, curves)
    }
}
