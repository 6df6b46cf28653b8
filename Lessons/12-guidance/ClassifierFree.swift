import Datasets
// Lesson 12, sections 2–3: classifier-free guidance on a class-conditional U-Net, its exports, and the
// trade-off between the asked-for class and variety for both kinds of guidance.
import Diffusion
import Foundation
import Learning
import LessonKit
import Plotting
import TensorCore

extension Lesson12 {
    // MARK: - 2. Classifier-free guidance

    func classifierFreeGuidance(_ book: Notebook, run: Run, judge: Judge) throws -> [Point] {
        book.section("2. Classifier-free guidance: one network, conditional and unconditional")
        book.text(
            """
            Ho & Salimans drop the classifier. One U-Net learns both ε_θ(xₜ, y) and ε_θ(xₜ, ∅): a learned class \
            embedding is added to the time embedding (improved-diffusion's label_emb), and during training each label \
            is replaced by the null label ∅ with probability 0.1. Sampling extrapolates from the unconditional \
            prediction past the conditional one:
            """)
        book.equation(
            """
            ε̃ = (1 + w)·ε_θ(xₜ, y) − w·ε_θ(xₜ, ∅)   =   ε_θ(xₜ, ∅) + s·(ε_θ(xₜ, y) − ε_θ(xₜ, ∅)),   s = 1 + w
            """)
        let net = UNet(ch: run.net.ch, classes: 10)
        let options = TrainingOptions.digits(threads: run.threads)
        var rng = SeededGenerator(seed: run.seed &+ 124)
        let trainer = try NetworkTrainer(
            network: net, parameters: net.initialParameters(using: &rng), data: run.digits.training.values, schedule: run.schedule,
            options: options, labels: run.digits.training.labels, labelDropout: 0.1, seed: run.seed &+ 125)
        var dropped = 0
        _ = trainer.train(steps: run.steps, label: "training the class-conditional U-Net") {
            dropped += trainer.lastLabels.filter { $0 == net.classes }.count
        }
        let share = Double(dropped) / Double(run.steps * options.batchSize)
        book.text(
            """
            \(net.configuration): \(net.layout.count) parameters (lesson 08's \(run.net.layout.count) plus the 11 × \
            128 table), trained with lesson 08's recipe for \(run.steps) steps; \(NumberFormat.fixed(100 * share, 1)) \
            % of the labels it saw were ∅.
            """)
        let engine = net.makeEngine(capacity: 100, threads: run.threads)
        engine.load(trainer.samplingParameters)
        formsAgree(book, engine: engine, run: run)
        let sampler = try GuidedSampler(
            engine: engine, dimension: 64, nullLabel: net.classes, schedule: run.schedule, tau: run.schedule.evenlySpacedSteps(run.samplingSteps))
        let weights = QuickBudgets.Lesson12.guidanceWeights(quick: run.quick)
        var sweepBar = ProgressBar("classifier-free guidance: \(weights.count) weights", total: weights.count)
        let points = weights.enumerated().map { k, w -> Point in
            defer { sweepBar.update(k + 1, status: "") }
            return judge.score(
                sampler.sample(labels: run.labels, guidance: .classifierFree(w: w), seed: run.seed &+ 126), weight: w, labels: run.labels)
        }
        table(book, name: "w", points: points, judge: judge)
        let shown = points.filter { $0.weight == 0 || $0.weight == 2 }
        book.figure(
            Figure(
                name: "cfg-grids",
                title:
                    """
                    Classifier-free guidance, one row per class asked for: w = 0 (left), w = 2 (right)
                    """, columns: 2, width: 1300, height: 680,
                panels: shown.map {
                    DigitPictures.grid(
                        grid($0.samples, run: run), columns: min(10, run.perClass), title: "w = \(NumberFormat.significant($0.weight, 2))",
                        rowLabels: (0..<10).map { "\($0)" }, columnAxis: "sample", rowAxis: "class asked for")
                }),
            caption: "Samples of the class-conditional U-Net; row c asked for digit c")
        try export(book, points: shown, run: run)
        book.tryIt(
            "--steps 1500",
            """
            lesson 08's full budget for the conditional network: how much of the class does w = 0 already get?
            """)
        return points
    }

    /// Checks on one batch of this run's network that the two written forms of ε̃ give the same numbers.
    func formsAgree(_ book: Notebook, engine: any DenoisingEngine, run: Run) {
        var rng = SeededGenerator(seed: run.seed &+ 127)
        let n = 10
        let x = (0..<(n * 64)).map { _ in Float(rng.normal()) }
        let t = [Int](repeating: 500, count: n)
        let conditional = x.withUnsafeBufferPointer { p in
            Array(UnsafeBufferPointer(start: engine.forward(p.baseAddress!, steps: t, labels: Array(0..<n)), count: n * 64))
        }
        let unconditional = x.withUnsafeBufferPointer { p in
            Array(UnsafeBufferPointer(start: engine.forward(p.baseAddress!, steps: t, labels: [Int](repeating: 10, count: n)), count: n * 64))
        }
        let w = 2.0
        var gap = 0.0
        for (c, u) in zip(conditional.map(Double.init), unconditional.map(Double.init)) {
            let other = u + (1 + w) * (c - u)
            gap = max(gap, abs(Guidance.guidedNoise(conditional: c, unconditional: u, w: w) - other))
        }
        let spread = zip(conditional, unconditional).map { abs(Double($0) - Double($1)) }.max()!
        book.check(
            gap < 1e-12 && spread > 0,
            """
            on 10 noisy inputs at t = 500 the two forms of ε̃ (w = 2, s = 3) differ by at most \
            \(NumberFormat.scientific(gap, 1)), while ε_θ(x, y) and ε_θ(x, ∅) themselves differ by up to \
            \(NumberFormat.significant(spread, 3))
            """)
    }

    /// samples-cfg-w0.csv and samples-cfg-w2.csv: lesson 08's 64 columns plus `label`, the class asked for.
    func export(_ book: Notebook, points: [Point], run: Run) throws {
        for p in points {
            let file = "samples-cfg-w\(Int(p.weight)).csv"
            try SamplesCSV.write(
                p.samples, labels: run.labels, file: file, in: book,
                description:
                    """
                    \(run.labels.count) samples with w = \(NumberFormat.significant(p.weight, 2)), \(run.perClass) per \
                    class; lesson 08's samples.csv columns (clipped to [−1, 1]) and `label`, the class asked for
                    """)
        }
    }

    // MARK: - 3. The trade-off

    func tradeOff(_ book: Notebook, classifier: [Point], free: [Point], judge: Judge) {
        book.section("3. The trade-off: the asked-for class against variety")
        book.text(
            """
            Both rules buy class fidelity with variety. Each point below is one guidance weight: how often lesson 08's \
            classifier recognises the class that was asked for, against the mean within-class Fréchet distance to the \
            held-out digits of that class (lower: closer to the real spread of styles).
            """)
        book.figure(
            Figure(
                name: "trade-off",
                title:
                    """
                    Class fidelity against within-class Fréchet distance, by guidance weight
                    """, width: 1000, height: 560,
                panels: [
                    Panel(
                        xLabel: "asked-for class recognised (share of samples)", yLabel: "within-class Fréchet d² (log scale)", xRange: 0...1,
                        logY: true, legend: .below,
                        series: [
                            .line(
                                x: classifier.map(\.accuracy), y: classifier.map(\.withinClass),
                                label: "classifier guidance, s = "
                                    + classifier.map { NumberFormat.significant($0.weight, 2) }.joined(separator: ", "), color: "#1f77b4"),
                            .scatter(x: classifier.map(\.accuracy), y: classifier.map(\.withinClass), size: 1.5, color: "#1f77b4"),
                            .line(
                                x: free.map(\.accuracy), y: free.map(\.withinClass),
                                label: "classifier-free, w = " + free.map { NumberFormat.significant($0.weight, 2) }.joined(separator: ", "),
                                color: "#2ca02c"),
                            .scatter(x: free.map(\.accuracy), y: free.map(\.withinClass), size: 1.5, color: "#2ca02c"),
                            .band(
                                x: [0, 1], low: [judge.floor - judge.floorSD, judge.floor - judge.floorSD],
                                high: [judge.floor + judge.floorSD, judge.floor + judge.floorSD], label: "within-class floor ± sd (real digits)",
                                color: "#999999"),
                            .line(x: [0, 1], y: [judge.floor, judge.floor], width: 1.5, dashed: true, color: "#777777"),
                        ])
                ]),
            caption:
                """
                Each point is one guidance weight; the dashed line and the band are the within-class floor of real \
                training digits, mean ± sd
                """)
        let best = { (points: [Point]) in points.max { $0.accuracy < $1.accuracy }! }
        let (c, f) = (best(classifier), best(free))
        book.text(
            """
            The highest class fidelity is \(NumberFormat.fixed(100 * c.accuracy, 1)) % for classifier guidance, first \
            reached at s = \(NumberFormat.significant(c.weight, 2)) (within-class d² \
            \(NumberFormat.significant(c.withinClass, 3))), and \(NumberFormat.fixed(100 * f.accuracy, 1)) % for \
            classifier-free guidance, first reached at w = \(NumberFormat.significant(f.weight, 2)) (within-class d² \
            \(NumberFormat.significant(f.withinClass, 3))). Unguided (s = 0) the unconditional network picks the class \
            itself, and matches the one asked for \(NumberFormat.fixed(100 * classifier[0].accuracy, 1)) % of the time \
            (a random class would match 10 %).
            """)
        book.tryIt(
            "--sampling-steps 250",
            """
            five times the steps per sample: do the curves move by more than the metric's noise?
            """)
    }
}
