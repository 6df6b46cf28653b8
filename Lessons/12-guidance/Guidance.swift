import Datasets
// Lesson 12, sections 1–3: classifier guidance, classifier-free guidance, and the trade-off.
import Diffusion
import Foundation
import Learning
import LessonKit
import Plotting
import TensorCore

extension Lesson12 {
    // MARK: - 1. Classifier guidance

    func classifierGuidance(_ book: Notebook, run: Run, judge: Judge) throws -> [Point] {
        book.section("1. Classifier guidance: a classifier of noisy digits steers the mean")
        book.text(
            """
            Bayes' rule on the noisy marginals gives ∇ log q(xₜ∣y) = ∇ log q(xₜ) + ∇ log q(y∣xₜ): a network's score \
            plus the gradient of a classifier that reads xₜ. Dhariwal & Nichol add the classifier's gradient, scaled \
            by s and by the step's variance σᵢ² = β′ᵢ, to the reverse step's mean. With s = 1 the step samples \
            q(xₜ₋₁∣xₜ, y) to first order in σᵢ² (exercise 12.3); s > 1 sharpens the class.
            """)
        book.equation("x_{t−1} ~ N(μ_θ(xₜ, t) + s·σᵢ²·∇ₓ log p_φ(y∣xₜ, t),  σᵢ²),   σᵢ² = β′ᵢ")
        let classifier = NoisyDigitClassifier.train(
            images: run.digits.training.values, labels: run.digits.training.labels, schedule: run.schedule,
            steps: run.classifierSteps, seed: run.seed &+ 121)
        book.text(
            """
            p_φ is an MLP on [xₜ, emb(t)], where emb(t) is the 32-value sinusoidal embedding of t that the U-Net feeds \
            its time MLP: 64 + 32 inputs → 128 → 128 → 10 with SiLU, trained for \(run.classifierSteps) batches of 128 \
            with t ~ U{1…T} and xₜ from Eq. 4. Its accuracy on the held-out digits noised to each t (one ε per digit):
            """)
        let held = run.digits.heldOut
        var rng = SeededGenerator(seed: run.seed &+ 122)
        let noise = (0..<held.values.count).map { _ in Float(rng.normal()) }
        let tGrid = QuickBudgets.Lesson12.accuracySteps(quick: run.quick)
        let accuracy = tGrid.map { t -> Double in
            let q = run.schedule.float(t)
            let xt = zip(held.values, noise).map { q.noised($0, noise: $1) }
            return Double(zip(classifier.classify(xt, t: t), held.labels).filter { $0 == $1 }.count) / Double(held.count)
        }
        book.figure(
            Figure(
                name: "noisy-classifier", title: "The noisy classifier's held-out accuracy against t", width: 1000, height: 440,
                panels: [
                    Panel(
                        xLabel: "t", yLabel: "accuracy of p_φ(y∣xₜ, t)", yRange: 0...1, legend: .topRight,
                        series: [
                            .line(x: tGrid.map(Double.init), y: accuracy, label: "p_φ on held-out xₜ"),
                            .line(x: [1, 1000], y: [0.1, 0.1], label: "chance", width: 1.5, dashed: true, color: "#999999"),
                        ])
                ]),
            caption:
                """
                Accuracy of the noisy-digit classifier on \(held.count) held-out digits noised to step t (linear \
                schedule)
                """)
        book.text(
            """
            The accuracy falls from \(NumberFormat.fixed(accuracy[0], 3)) at t = 1 to \
            \(NumberFormat.fixed(accuracy[tGrid.firstIndex(of: 500)!], 3)) at t = 500 and \
            \(NumberFormat.fixed(accuracy.last!, 3)) at t = 1000, where chance is 0.1: at large t the gradient it \
            gives carries little about the class.
            """)
        let engine = run.net.makeEngine(capacity: 100, threads: run.threads)
        engine.load(run.parameters)
        let sampler = try GuidedSampler(
            engine: engine, dimension: 64, nullLabel: 0, schedule: run.schedule, tau: run.schedule.evenlySpacedSteps(run.samplingSteps))
        let gradient = { (x: [Float], t: Int, y: [Int]) in classifier.logProbabilityGradient(x, t: t, labels: y).gradient }
        let scales = QuickBudgets.Lesson12.classifierScales(quick: run.quick)
        var bar = ProgressBar("classifier guidance: \(scales.count) scales", total: scales.count)
        let points = scales.enumerated().map { k, s -> Point in
            defer { bar.update(k + 1, status: "") }
            return judge.score(
                sampler.sample(labels: run.labels, guidance: .classifier(scale: s, gradient: gradient), seed: run.seed &+ 123), weight: s,
                labels: run.labels)
        }
        table(book, name: "s", points: points, judge: judge)
        try unguided(book, run: run, judge: judge, atZero: points[0])
        book.figure(
            Figure(
                name: "classifier-guided",
                title:
                    """
                    Classifier guidance: one row per class asked for, s = \(NumberFormat.significant(scales.last!, 2))
                    """, width: 760, height: 760,
                panels: [
                    DigitPictures.grid(
                        grid(points.last!.samples, run: run), columns: min(10, run.perClass), rowLabels: (0..<10).map { "\($0)" },
                        columnAxis: "sample", rowAxis: "class asked for")
                ]),
            caption:
                """
                Samples of lesson 08's unconditional U-Net guided by p_φ with s = \
                \(NumberFormat.significant(scales.last!, 2)); row c asked for digit c
                """)
        book.tryIt(
            "--classifier-steps 3000",
            """
            a classifier trained twice as long: does the same s buy more of the asked-for class?
            """)
        return points
    }

    /// The first min(10, perClass) samples of each class, row by row.
    func grid(_ samples: [Float], run: Run) -> [[Float]] {
        (0..<10).flatMap { c in (0..<min(10, run.perClass)).map { DigitPictures.image(samples, c * run.perClass + $0) } }
    }

    func table(_ book: Notebook, name: String, points: [Point], judge: Judge) {
        book.table(
            [
                name, "asked-for class recognised", "within-class Fréchet d² (floor \(judge.floorText))",
                """
                Fréchet d², all classes (floor \(judge.yardstick.floorText))
                """,
            ],
            points.map { p in
                [
                    NumberFormat.significant(p.weight, 2), "\(NumberFormat.fixed(100 * p.accuracy, 1)) %", NumberFormat.significant(p.withinClass, 3),
                    NumberFormat.significant(p.overall, 3),
                ]
            })
        let (first, last) = (points.first!, points.last!)
        let closest = points.min { $0.withinClass < $1.withinClass }!
        let noise = 2 * 2.0.squareRoot() * judge.floorSD
        let rises = last.withinClass - closest.withinClass > noise
        let variety =
            rises
            ? """
            is lowest at \(name) = \(NumberFormat.significant(closest.weight, 2)) \
            (\(NumberFormat.significant(closest.withinClass, 3))) and rises to \
            \(NumberFormat.significant(last.withinClass, 3)) at \(name) = \(NumberFormat.significant(last.weight, 2)), \
            more than the within-class metric's noise (\(NumberFormat.significant(noise, 3))): past that weight a \
            class's samples look less like its held-out digits, whether from fewer styles or less realistic ones
            """
            : """
            is lowest at \(name) = \(NumberFormat.significant(closest.weight, 2)) \
            (\(NumberFormat.significant(closest.withinClass, 3))) and ends at \
            \(NumberFormat.significant(last.withinClass, 3)), within the within-class metric's noise \
            (\(NumberFormat.significant(noise, 3))) of it: no loss of variety measured in this range
            """
        book.text(
            """
            From \(name) = \(NumberFormat.significant(first.weight, 2)) to \(NumberFormat.significant(last.weight, 2)) \
            the asked-for class is recognised by lesson 08's classifier in \
            \(NumberFormat.fixed(100 * first.accuracy, 1)) % → \(NumberFormat.fixed(100 * last.accuracy, 1)) % of the \
            samples. The within-class Fréchet distance (per class, the samples asked for that class against its \
            held-out digits, averaged over classes; it also counts samples of the wrong class, so it is large where \
            the class is often missed) \(variety). Its floor is \(perClassNote(judge)).
            """)
    }

    func perClassNote(_ judge: Judge) -> String {
        """
        the mean over classes of d² between \(judge.perClass) training digits of a class and that class's held-out \
        digits, \(judge.floorText) (mean ± sd over \(judge.floorDraws.count) draws); it is large because \
        \(judge.perClass) images fit a covariance of rank at most \(judge.perClass - 1) to 32 features
        """
    }
}
