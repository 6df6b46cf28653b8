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
        /// The paper's CIFAR10 FID for this row (Table 2); nil where training was unstable ("–").
        let paperFID: Double?
        var bound: VariationalBound.Report? = nil
        var frechet = 0.0
        var finalLoss = 0.0
        var samples: [Float] = []
    }

    /// The rows: three by default (L_simple, and the bound with ε and with μ̃), all five with `--all-rows`.
    static func variants(all: Bool) -> [Variant] {
        [
            Variant(objective: .simple, paperFID: 3.17),
            Variant(objective: Objective(prediction: .noise, weighting: .bound), paperFID: 13.51),
            Variant(objective: Objective(prediction: .mean, weighting: .bound), paperFID: 13.22),
        ]
            + (all
                ? [
                    Variant(objective: Objective(prediction: .mean, weighting: .unweighted), paperFID: nil),
                    Variant(objective: Objective(prediction: .mean, weighting: .bound, variance: .learned), paperFID: 23.69),
                ] : [])
    }

    func ablation(_ book: Notebook, run: Run) throws {
        book.section("7. Table 2 in miniature: what to predict, what to minimise (Sec. 4.2)")
        var variants = Self.variants(all: allRows)
        // Row 1 is lesson 08's own run, stopped at the same step, when its folder has that copy.
        let reused = run.ablationSteps == TrainedDigitsModel.table2Steps ? TrainedDigitsModel.table2Snapshot(for: run.net, seed: run.seed, in: models) : nil
        book.text("Ho et al. compare ways to parameterise the reverse process and train it (Table 2): predict μ̃ or ε, minimise the true bound L or an unweighted squared error, fix Σ or learn it. Here \(variants.count) of its rows train the same U-Net (\(run.net.configuration)) from the same seeds for \(run.ablationSteps) steps each (batch 128, Adam 2e-3, EMA 0.995: lesson 08's recipe and seeds at one equal, reduced budget), then each is scored on the first \(run.ablationImages) held-out digits by its own bound and by lesson 08's Fréchet distance (\(run.ablationSamples) samples of its own reverse process, against the held-out digits, in the classifier's features). With fixed Σ the variance is σ² = β, as the paper's CIFAR10 runs.\(allRows ? " A learned Σ is an offset from βₜ (log σ² = log βₜ + v) so an untrained network starts at σ² = βₜ." : " Two more rows, μ̃ with an unweighted squared error and μ̃ with a learned Σ, train with `--all-rows` (about two minutes more).")")
        if reused != nil {
            book.text("The L_simple row is lesson 08's own training run: the same network, recipe and seeds, so its first \(run.ablationSteps) steps are exactly this row's. Lesson 08 kept its EMA weights at that step (`\(TrainedDigitsModel.table2File(seed: run.seed))`) and its batch losses (`\(TrainingLossCSV.file)`); the row is read from them, not trained again.")
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
                evaluator.evaluate(images, models: [ReverseModel(name: objective.description, objective: objective)], seed: run.seed &+ 98, subsample: run.subsample) {
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
        table(book, variants: variants, yardstick: yardstick, schedule: run.schedule)
        book.figure(
            Figure(
                name: "table2-samples", title: "Ten samples of each row of the miniature Table 2 (top to bottom: the rows in order)", width: 1000,
                height: 120 + 88 * variants.count,
                panels: [
                    DigitPictures.grid(variants.flatMap { v in (0..<10).map { DigitPictures.image(v.samples, $0) } }, columns: 10)
                ]), caption: "Ten samples from each objective's reverse process, one row per objective in the table's order (clipped to [−1, 1])")
    }

    func table(_ book: Notebook, variants: [Variant], yardstick: FrechetYardstick, schedule: NoiseSchedule) {
        let (floor, mean, noise) = (yardstick.floor, yardstick.spreadMean, 2 * yardstick.spreadSD)
        book.table(
            ["prediction and objective", "paper's CIFAR10 FID", "final training loss", "held-out bound (bits/dim)", "Fréchet d² (floor \(NumberFormat.significant(floor, 3)))"],
            variants.map { v in
                [
                    v.objective.description, v.paperFID.map { NumberFormat.fixed($0, 2) } ?? "– (unstable)", NumberFormat.significant(v.finalLoss, 3),
                    v.bound.map { $0.total.isFinite ? "\(NumberFormat.fixed($0.total, 3)) ± \(NumberFormat.fixed($0.standardError, 3))" : "∞" } ?? "",
                    NumberFormat.significant(v.frechet, 3),
                ]
            })
        let bestSamples = variants.indices.min { variants[$0].frechet < variants[$1].frechet }!
        let bestBound = variants.indices.min { variants[$0].bound!.total < variants[$1].bound!.total }!
        let worstSamples = variants.indices.max { variants[$0].frechet < variants[$1].frechet }!
        let simple = variants[0], epsilonBound = variants[1], meanBound = variants[2]
        let meanMSE = variants.count > 3 ? variants[3] : nil, learned = variants.count > 4 ? variants[4] : nil
        book.text(yardstick.description)
        func agree(_ yes: Bool) -> String { yes ? "agrees" : "does not agree" }
        // "Works" as lesson 08 judges samples: a Fréchet distance within 2× the floor's mean over its draws
        // (one draw of the floor is itself noisy, see above).
        func works(_ v: Variant) -> Bool { v.frechet < 2 * mean }
        book.text("Below, a row \"works\" when its samples' Fréchet distance is within 2× the floor's mean over those draws (\(NumberFormat.significant(2 * mean, 3))), lesson 08's criterion: \(variants.filter(works).count) of \(variants.count) rows do.")
        book.text("Measured: the best samples (smallest Fréchet distance) come from \(variants[bestSamples].objective.description), the best bound from \(variants[bestBound].objective.description), the worst samples from \(variants[worstSamples].objective.description).")
        book.table(
            ["the paper's finding (Table 2, Sec. 4.2)", "this miniature"],
            [
                [
                    "ε-prediction with L_simple gives the best samples",
                    "\(agree(simple.frechet <= variants[bestSamples].frechet + noise)): its d² is \(NumberFormat.significant(simple.frechet, 3)), the best is \(NumberFormat.significant(variants[bestSamples].frechet, 3)) (a gap under 2 sd of the floor, \(NumberFormat.significant(noise, 2)), is within the metric's noise)",
                ]
            ]
                + (meanMSE.map { mse in
                    [
                        [
                            "μ̃-prediction works only with the true bound, not with unweighted MSE",
                            "\(agree(works(meanBound) && !works(mse))): d² \(NumberFormat.significant(meanBound.frechet, 3)) with the bound, \(NumberFormat.significant(mse.frechet, 3)) with MSE (\(works(meanBound) ? "works" : "fails") and \(works(mse) ? "works" : "fails"))",
                        ]
                    ]
                } ?? [])
                + [
                    [
                        "with the bound and fixed Σ, ε- and μ̃-prediction are comparable",
                        "\(agree(works(epsilonBound) && works(meanBound) && abs(epsilonBound.frechet - meanBound.frechet) < noise)): d² \(NumberFormat.significant(epsilonBound.frechet, 3)) (ε, \(works(epsilonBound) ? "works" : "fails")) and \(NumberFormat.significant(meanBound.frechet, 3)) (μ̃, \(works(meanBound) ? "works" : "fails"))",
                    ],
                    [
                        "training on the true bound gives better codelengths than L_simple",
                        "\(agree(epsilonBound.bound!.total < simple.bound!.total)): \(NumberFormat.fixed(epsilonBound.bound!.total, 3)) against \(NumberFormat.fixed(simple.bound!.total, 3)) bits/dim",
                    ],
                ]
                + (learned.map { l in
                    [
                        [
                            "a learned diagonal Σ makes samples worse than fixed Σ (μ̃, bound)",
                            "\(agree(l.frechet > meanBound.frechet + noise)): d² \(NumberFormat.significant(l.frechet, 3)) learned, \(NumberFormat.significant(meanBound.frechet, 3)) fixed",
                        ]
                    ]
                } ?? []))
        if let meanMSE {
            let meanError = meanMSE.finalLoss.squareRoot()
            book.text("Why μ̃-prediction struggles here: its network must output μ̃ₜ ≈ xₜ/√αₜ, nearly the identity, to within a fraction of σₜ. The unweighted row's final mean squared error, \(NumberFormat.significant(meanMSE.finalLoss, 3)), is an error of \(NumberFormat.significant(meanError, 3)) in μ: \(NumberFormat.fixed(meanError / schedule.beta(2).squareRoot(), 1)) σ at t = 2 and \(NumberFormat.fixed(meanError / schedule.beta(schedule.steps).squareRoot(), 2)) σ at t = T, and the bound charges (error/σ)²/2 nats per coordinate at every one of the 1,000 steps. ε-prediction gets the identity for free from Eq. 11 and only learns the small correction.")
        } else {
            book.text("Why μ̃-prediction struggles here: its network must output μ̃ₜ ≈ xₜ/√αₜ, nearly the identity, to within a fraction of σₜ (βₜ^½ = \(NumberFormat.significant(schedule.beta(2).squareRoot(), 2)) at t = 2), and the bound charges (error/σ)²/2 nats per coordinate at every one of the 1,000 steps: with the same budget its held-out bound is \(NumberFormat.fixed(meanBound.bound!.total, 1)) bits/dim against \(NumberFormat.fixed(epsilonBound.bound!.total, 3)) for ε-prediction, which gets the identity for free from Eq. 11 and only learns the small correction.")
        }
        book.text("The miniature's \(variants.count) networks train for a small fraction of lesson 08's budget and scores each on a few hundred digits, so a row's numbers carry noise (the bound's standard error is printed beside it). Run `lesson-09 --ablation-steps 3000 --all-rows` for a closer look.")
    }
}
