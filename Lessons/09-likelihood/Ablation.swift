import Datasets
// Lesson 09, section 7: Table 2 in miniature (Sec. 4.2) — five ways to parameterise and train the
// reverse process, at one equal, reduced budget, scored by the bound and by lesson 08's Fréchet distance.
import Diffusion
import Foundation
import Learning
import LessonKit
import Plotting
import TensorCore

extension Lesson09 {
    /// One row of the miniature Table 2.
    struct Variant {
        let objective: Objective
        /// The row in prose: "ε-prediction with L_simple".
        let name: String
        /// The paper's CIFAR10 FID for this row (Table 2); nil where training was unstable ("–").
        let paperFID: Double?
        var bound: VariationalBound.Report? = nil
        var frechet = 0.0
        var finalLoss = 0.0
        var samples: [Float] = []

        /// The held-out bound, or +∞ when it is not finite.
        var total: Double { bound.map { $0.total.isFinite ? $0.total : .infinity } ?? .infinity }
    }

    /// The rows: three by default (L_simple, and the bound with ε and with μ̃), all five with `--all-rows`.
    static func variants(all: Bool) -> [Variant] {
        [
            Variant(objective: .simple, name: "ε-prediction with L_simple", paperFID: 3.17),
            Variant(objective: Objective(prediction: .noise, weighting: .bound), name: "ε-prediction with the bound", paperFID: 13.51),
            Variant(objective: Objective(prediction: .mean, weighting: .bound), name: "μ̃-prediction with the bound", paperFID: 13.22),
        ]
            + (all
                ? [
                    Variant(
                        objective: Objective(prediction: .mean, weighting: .unweighted), name: "μ̃-prediction with an unweighted squared error",
                        paperFID: nil),
                    Variant(
                        objective: Objective(prediction: .mean, weighting: .bound, variance: .learned),
                        name: "μ̃-prediction with the bound and a learned Σ",
                        paperFID: 23.69),
                ] : [])
    }

    /// "one", "two", … for small counts.
    static func spelled(_ n: Int) -> String {
        let words = ["no", "one", "two", "three", "four", "five", "six", "seven", "eight", "nine", "ten"]
        return n < words.count ? words[n] : String(n)
    }

    /// Lesson 08's training steps (its `training-loss.csv`) and sample count (its `samples.csv`), when its folder has them.
    func lesson08Budget() -> (steps: Int?, samples: Int?) {
        let folder = URL(fileURLWithPath: models, isDirectory: true)
        let steps = (try? TrainingLossCSV.read(from: folder.appendingPathComponent(TrainingLossCSV.file)))?.count
        let samples = ((try? SamplesCSV.read(file: "samples.csv", in: models)) ?? nil).map { $0.count / 64 }
        return (steps, samples)
    }

    /// Returns the recap's sentence about the miniature Table 2.
    func ablation(_ book: Notebook, run: Run) throws -> String {
        book.section("7. Table 2 in miniature: what to predict, what to minimise (Sec. 4.2)")
        var variants = Self.variants(all: allRows)
        // Row 1 is lesson 08's own run, stopped at the same step, when its folder has that copy.
        let reused =
            run.ablationSteps == TrainedDigitsModel.table2Steps ? TrainedDigitsModel.table2Snapshot(for: run.net, seed: run.seed, in: models) : nil
        let recipe = TrainingOptions.digits(threads: run.threads)
        let lesson08 = lesson08Budget()
        let percent = lesson08.steps.map { NumberFormat.significant(100 * Double(run.ablationSteps) / Double($0), 2) }
        let share =
            lesson08.steps.map { steps in
                """
                , \(percent ?? "") % of lesson 08's \(Self.grouped(steps)) steps
                """
            } ?? ""
        let more =
            allRows
            ? "A learned Σ is an offset from βₜ (log σ² = log βₜ + v): an untrained network starts at σ² = βₜ."
            : "Two more rows, μ̃ with an unweighted squared error and μ̃ with a learned Σ, train with `--all-rows`."
        book.text(
            """
            Ho et al. compare ways to parameterise the reverse process and train it (Table 2): predict μ̃ or ε, \
            minimise the true bound L or an unweighted squared error, fix the reverse covariance Σ_θ (σₜ²·I when \
            fixed) or learn it. Here \(Self.spelled(variants.count)) of its rows train the same U-Net \
            (\(run.net.configuration)) from the same seeds for \(run.ablationSteps) steps each\(share) (batch \
            \(recipe.batchSize), Adam at learning rate \(NumberFormat.significant(recipe.learningRate, 2)), EMA \
            \(NumberFormat.significant(recipe.emaDecay ?? 0, 3)): lesson 08's recipe and seeds at one equal, reduced \
            budget). Each is then scored on the first \(run.ablationImages) held-out digits by its own bound, and by \
            lesson 08's Fréchet distance on \(run.ablationSamples) samples of its own reverse process. With fixed Σ \
            the variance is σ² = β, as in the paper's CIFAR10 runs. \(more)
            """)
        if reused != nil {
            book.text(
                """
                The L_simple row is lesson 08's own training run: the same network, recipe and seeds, so its first \
                \(run.ablationSteps) steps are exactly this row's. Lesson 08 kept its EMA weights at that step \
                (`\(TrainedDigitsModel.table2File(seed: run.seed))`) and its batch losses (`\(TrainingLossCSV.file)`); \
                the row is read from them, not trained again.
                """)
        }
        let digits = run.digits
        let yardstick = run.context.yardstick(size: run.ablationSamples)
        let images = digits.heldOut.subset(0..<run.ablationImages).values
        for index in variants.indices {
            let objective = variants[index].objective
            let net = UNet(ch: run.net.ch, outputChannels: objective.outputChannels)
            let parameters: [Float]
            if index == 0, let reused {
                (parameters, variants[index].finalLoss) = reused
            } else {
                var initial = SeededGenerator(seed: run.seed &+ TrainedDigitsModel.initialSeedOffset)
                let trainer = try NetworkTrainer(
                    network: net, parameters: net.initialParameters(using: &initial), data: digits.training.values,
                    schedule: run.schedule, options: TrainingOptions.digits(threads: run.threads), objective: objective,
                    decoder: DiscreteDecoder(levels: DigitImages.levels), seed: run.seed &+ TrainedDigitsModel.trainerSeedOffset)
                let recent = trainer.train(steps: run.ablationSteps, label: "training: \(objective)").suffix(50)
                variants[index].finalLoss = recent.reduce(0, +) / Double(recent.count)
                parameters = trainer.samplingParameters
            }
            let engine = net.makeEngine(capacity: 128, threads: run.threads)
            engine.load(parameters)
            let evaluator = VariationalBound(
                engine: engine, dimension: net.dimension, outputDimension: net.outputDimension, schedule: run.schedule,
                decoder: DiscreteDecoder(levels: DigitImages.levels))
            var boundBar = ProgressBar("bound: \(objective)", total: run.schedule.steps)
            variants[index].bound =
                evaluator.evaluate(
                    images, models: [ReverseModel(name: objective.description, objective: objective)], seed: run.seed &+ 98, subsample: run.subsample
                ) {
                    boundBar.update($0, status: "")
                }[0]
            let fixed: ReverseVariance = if case .fixed(let v) = objective.variance { v } else { .beta }
            let sampler = NetworkSampler(
                network: net, parameters: parameters, engine: engine, schedule: run.schedule, variance: fixed,
                prediction: objective.prediction, learnedVariance: objective.variance.isLearned ? objective.variance : nil)
            let samples = sampler.sample(count: run.ablationSamples, seed: run.seed &+ 99).samples.map { $0.isFinite ? max(-1, min(1, $0)) : 0 }
            variants[index].samples = samples
            variants[index].frechet = yardstick.distance(samples)
        }
        let recap = table(book, variants: variants, yardstick: yardstick, schedule: run.schedule, lesson08Samples: lesson08.samples)
        book.figure(
            Figure(
                name: "table2-samples", title: "Ten samples of each row of the miniature Table 2", width: 1100,
                height: 140 + 92 * variants.count,
                panels: [
                    DigitPictures.grid(
                        variants.flatMap { v in (0..<10).map { DigitPictures.image(v.samples, $0) } }, columns: 10,
                        rowLabels: variants.map(\.objective.description), columnAxis: "sample (the same seeds in every row)",
                        rowAxis: "prediction and objective")
                ]),
            caption: """
                Ten samples from each objective's reverse process, one row per objective in the table's order \
                (clipped to [−1, 1])
                """)
        let rows = Self.spelled(variants.count)
        let closing = percent.map { "\($0) % of lesson 08's budget" } ?? "a reduced budget"
        book.text(
            """
            Each of the miniature's \(rows) networks trains for \(run.ablationSteps) steps (\(closing)) and is \
            scored on \(run.ablationImages) held-out digits (its bound) and \(run.ablationSamples) samples (its d²), \
            so a row's numbers carry noise: the bound's standard error is printed beside it, and d² values closer \
            than \(NumberFormat.significant(yardstick.differenceNoise, 3)) are within the metric's noise.
            """)
        book.tryIt(
            "--ablation-steps 3000 --all-rows",
            """
            all five of Table 2's rows at a larger budget: does μ̃ with an unweighted squared error fail, and does a \
            learned Σ give worse samples, as in the paper?
            """)
        return recap
    }

    /// The recap's sentence: does this run confirm that L_simple gives the best samples?
    func tableRecap(_ variants: [Variant], yardstick: FrechetYardstick, best: Int) -> String {
        func d2(_ v: Variant) -> String { "d² = \(NumberFormat.significant(v.frechet, 3))" }
        let simple = variants[0]
        if best == 0 {
            let next = variants.indices.dropFirst().min { variants[$0].frechet < variants[$1].frechet }!
            guard yardstick.differ(simple.frechet, variants[next].frechet) else {
                return """
                    In Table 2 in miniature, L_simple's samples score the smallest d² (\(d2(simple))) but within the \
                    metric's noise of \(variants[next].name) (\(d2(variants[next]))): this budget cannot confirm the \
                    paper's finding that L_simple gives the best samples.
                    """
            }
            return """
                In Table 2 in miniature, ε-prediction with L_simple gives the best samples, as in the paper: \
                \(d2(simple)), lower than every other row's by more than the metric's noise.
                """
        }
        guard yardstick.differ(simple.frechet, variants[best].frechet) else {
            return """
                In Table 2 in miniature, L_simple's samples (\(d2(simple))) are within the metric's noise of the best \
                row's, \(variants[best].name) (\(d2(variants[best]))): this budget cannot confirm the paper's finding.
                """
        }
        return """
            In Table 2 in miniature, \(variants[best].name) gives the best samples (\(d2(variants[best]))), not \
            L_simple (\(d2(simple))) as in the paper.
            """
    }

    /// Prints the table, the comparisons and the paper's findings; returns the recap's sentence.
    func table(_ book: Notebook, variants: [Variant], yardstick: FrechetYardstick, schedule: NoiseSchedule, lesson08Samples: Int?) -> String {
        book.table(
            [
                "prediction and objective", "paper's CIFAR10 FID", "final training loss (its own objective)", "held-out bound (bits/dim)",
                "Fréchet d²",
            ],
            variants.map { v in
                [
                    v.objective.description, v.paperFID.map { NumberFormat.fixed($0, 2) } ?? "– (unstable)", NumberFormat.significant(v.finalLoss, 3),
                    v.bound.map {
                        $0.total.isFinite
                            ? """
                            \(NumberFormat.fixed($0.total, 3)) ± \(NumberFormat.fixed($0.standardError, 3))
                            """ : "∞"
                    } ?? "",
                    NumberFormat.significant(v.frechet, 3),
                ]
            })
        book.text(
            """
            The final training loss is the mean of each row's last 50 batch losses. Each row minimises its own \
            objective (L_simple, the bound, or a squared error in μ̃), so the column says how far each row's own \
            training got, not which row is better; the bound and d² are the common yardsticks.
            """)
        let simple = variants[0], epsilonBound = variants[1], meanBound = variants[2]
        let meanMSE = variants.count > 3 ? variants[3] : nil, learned = variants.count > 4 ? variants[4] : nil
        book.text(yardstick.description)
        let countNote =
            lesson08Samples.map { n in
                n == yardstick.size
                    ? "Lesson 08 scored the same number of samples, \(n), so its d² and floor are on this scale too."
                    : """
                    These d² use \(yardstick.size) samples per row, lesson 08 used \(n) (its `samples.csv`), and \
                    the floor depends on the count: compare these rows with each other and with this floor, not \
                    with lesson 08's d² or any other measured at a different count.
                    """
            } ?? """
                The floor depends on the sample count: compare these rows with each other and with this floor, not \
                with other lessons' d².
                """
        book.text(countNote)
        // "Works" as lesson 08 judges samples: a Fréchet distance below twice the floor.
        func works(_ v: Variant) -> Bool { v.frechet < 2 * yardstick.floor }
        let working = variants.filter(works)
        let worksText: String
        switch working.count {
        case 0: worksText = "no row does"
        case variants.count: worksText = "all \(Self.spelled(variants.count)) rows do"
        case 1: worksText = "only \(working[0].name) does"
        default:
            let names = Self.list(working.map(\.name))
            worksText = "\(Self.spelled(working.count)) of the \(Self.spelled(variants.count)) do: \(names)"
        }
        book.text(
            """
            Below, a row "works" when its samples score below twice the floor \
            (d² < \(NumberFormat.significant(2 * yardstick.floor, 3))), lesson 08's criterion: \(worksText).
            """)
        let noise = NumberFormat.significant(yardstick.differenceNoise, 3)
        func d2(_ v: Variant) -> String { "d² = \(NumberFormat.significant(v.frechet, 3))" }
        let bestSamples = variants.indices.min { variants[$0].frechet < variants[$1].frechet }!
        let worstSamples = variants.indices.max { variants[$0].frechet < variants[$1].frechet }!
        let bestBound = variants.indices.min { variants[$0].total < variants[$1].total }!
        let tied = variants.indices.filter { $0 != bestSamples && !yardstick.differ(variants[$0].frechet, variants[bestSamples].frechet) }
        let samplesClause =
            tied.isEmpty
            ? "lower than every other row's by more than the metric's noise (\(noise))"
            : """
            but within the metric's noise (\(noise)) of \
            \(Self.list(tied.map { "\(variants[$0].name) (\(d2(variants[$0])))" }))
            """
        // Bounds on the same digits and noise draws: compare them paired, image by image.
        func boundDifference(_ a: Variant, _ b: Variant) -> MeanDifference? {
            guard let ra = a.bound, let rb = b.bound, a.total.isFinite, b.total.isFinite else { return nil }
            return MeanDifference.paired(ra.imageTotals, rb.imageTotals)
        }
        let boundTies = variants.indices.filter { $0 != bestBound && !(boundDifference(variants[$0], variants[bestBound])?.resolved ?? true) }
        let best = variants[bestBound]
        let bestBoundText =
            best.bound.map {
                """
                \(NumberFormat.fixed($0.total, 3)) ± \(NumberFormat.fixed($0.standardError, 3))
                """
            } ?? "∞"
        let boundClause =
            boundTies.isEmpty
            ? "lower than every other row's bound by more than two standard errors"
            : "within two standard errors of the bound of \(Self.list(boundTies.map { variants[$0].name }))"
        book.text(
            """
            Measured: the smallest Fréchet distance comes from \(variants[bestSamples].name), \
            \(d2(variants[bestSamples])), \(samplesClause). The best bound \
            \(bestBound == bestSamples ? "also " : "")comes from \(best.name), \(bestBoundText) bits/dim, \
            \(boundClause). The largest Fréchet distance comes from \(variants[worstSamples].name), \
            \(d2(variants[worstSamples])).
            """)
        // The verdict on one of the paper's findings: agrees, does not agree, or within the noise.
        func verdict(_ holds: Bool, resolved: Bool) -> String { !resolved ? "not resolved" : holds ? "agrees" : "does not agree" }
        func status(_ v: Variant) -> String { works(v) ? "works" : "does not work" }
        let first: String
        if bestSamples == 0 {
            let others = variants.indices.dropFirst()
            let next = others.min { variants[$0].frechet < variants[$1].frechet }!
            let clear = yardstick.differ(simple.frechet, variants[next].frechet)
            let comparison = yardstick.compare(simple.frechet, "L_simple", variants[next].frechet, "the next best row (\(variants[next].name))")
            first = clear ? "agrees: \(comparison)" : "not resolved: its d² is the smallest, but \(comparison)"
        } else {
            let comparison = yardstick.compare(
                simple.frechet, "L_simple", variants[bestSamples].frechet, "the best row (\(variants[bestSamples].name))")
            let resolved = yardstick.differ(simple.frechet, variants[bestSamples].frechet)
            first = "\(verdict(false, resolved: resolved)): \(comparison)"
        }
        var findings: [[String]] = [["ε-prediction with L_simple gives the best samples", first]]
        if let mse = meanMSE {
            let holds = works(meanBound) && !works(mse)
            findings.append([
                "μ̃-prediction works only with the true bound, not with unweighted MSE",
                "\(holds ? "agrees" : "does not agree"): the bound \(status(meanBound)) and the squared error \(status(mse)); "
                    + yardstick.compare(meanBound.frechet, "the bound", mse.frechet, "the squared error"),
            ])
        }
        let comparable = !yardstick.differ(epsilonBound.frechet, meanBound.frechet)
        findings.append([
            "with the bound and fixed Σ, ε- and μ̃-prediction are comparable",
            "\(comparable ? "agrees" : "does not agree"): "
                + yardstick.compare(epsilonBound.frechet, "ε", meanBound.frechet, "μ̃")
                + "; ε-prediction \(status(epsilonBound)) and μ̃-prediction \(status(meanBound))",
        ])
        if let d = boundDifference(epsilonBound, simple) {
            findings.append([
                "training on the true bound gives better codelengths than L_simple",
                """
                \(verdict(d.mean < 0, resolved: d.resolved)): \(NumberFormat.fixed(epsilonBound.total, 3)) against \
                \(NumberFormat.fixed(simple.total, 3)) bits/dim, the bound row \(d.mean < 0 ? "lower" : "higher") by \
                \(d.text) (paired over the same digits)
                """,
            ])
        }
        if let l = learned {
            findings.append([
                "a learned diagonal Σ makes samples worse than fixed Σ (μ̃, bound)",
                "\(verdict(l.frechet > meanBound.frechet, resolved: yardstick.differ(l.frechet, meanBound.frechet))): "
                    + yardstick.compare(l.frechet, "learned Σ", meanBound.frechet, "fixed Σ"),
            ])
        }
        book.table(["the paper's finding (Table 2, Sec. 4.2)", "this miniature"], findings)
        let steps = Self.grouped(schedule.steps)
        let meanWorse = boundDifference(meanBound, epsilonBound).map { $0.resolved && $0.mean > 0 } ?? (meanBound.total > epsilonBound.total)
        if let meanMSE {
            let meanError = meanMSE.finalLoss.squareRoot()
            book.text(
                """
                Why μ̃-prediction is hard: its network must output μ̃ₜ ≈ xₜ/√αₜ, nearly the identity, to within a \
                fraction of σₜ. The unweighted row's final mean squared error, \
                \(NumberFormat.significant(meanMSE.finalLoss, 3)), is an error of \
                \(NumberFormat.significant(meanError, 3)) in μ: \
                \(NumberFormat.fixed(meanError / schedule.beta(2).squareRoot(), 1)) σ at t = 2 and \
                \(NumberFormat.fixed(meanError / schedule.beta(schedule.steps).squareRoot(), 2)) σ at t = T, and the \
                bound charges (error/σ)²/2 nats per coordinate at every one of the \(steps) steps. ε-prediction gets \
                the identity for free from Eq. 11 and only learns the small correction.
                """)
        } else {
            let (mean, epsilon) = (NumberFormat.fixed(meanBound.total, 3), NumberFormat.fixed(epsilonBound.total, 3))
            let outcome =
                meanWorse
                ? "with the same budget its held-out bound is \(mean) bits/dim against \(epsilon) for ε-prediction"
                : """
                yet with the same budget its held-out bound, \(mean) bits/dim, is not measurably worse than \
                ε-prediction's \(epsilon)
                """
            book.text(
                """
                Why μ̃-prediction is hard: its network must output μ̃ₜ ≈ xₜ/√αₜ, nearly the identity, to within a \
                fraction of σₜ (βₜ^½ = \(NumberFormat.significant(schedule.beta(2).squareRoot(), 2)) at t = 2), and \
                the bound charges (error/σ)²/2 nats per coordinate at every one of the \(steps) steps: \(outcome). \
                ε-prediction gets the identity for free from Eq. 11 and only learns the small correction.
                """)
        }
        return tableRecap(variants, yardstick: yardstick, best: bestSamples)
    }
}
