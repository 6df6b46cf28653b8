import Datasets
// Lesson 08, sections 4–6: samples for both variances, are they new, how good are they.
import Diffusion
import Foundation
import Learning
import LessonKit
import Plotting
import TensorCore

extension Lesson08 {
    /// The steps at which the main sampling run records xₜ and x̂₀.
    static let recorded: Set<Int> = Set(stride(from: 1000, through: 50, by: -50)).union([1000, 750, 500, 250, 100, 25, 10, 1])

    // MARK: - 4. Samples

    func sampleGrids(_ book: Notebook, run: Run, parameters: [Float]) -> (samples: [Float], tilde: [Float], snapshots: [Int: NetworkSampler.Snapshot]) {
        book.section("4. Samples: Algorithm 2 with σ² = β and σ² = β̃")
        let tildeCount = run.quick ? QuickBudgets.Lesson08.tildeSamples : run.count
        book.text(
            """
            \(run.count) samples with σₜ² = βₜ (they feed the measures below and samples.csv) and \(tildeCount) with \
            σₜ² = β̃ₜ, the posterior variance of Eq. 7 (lesson 02), from the same starting noise (samples-tilde.csv); \
            both from the EMA weights, each sample T = 1000 network evaluations. The first 100 of each are drawn below.
            """)
        book.equation("x_T ~ N(0, I);  x_{t−1} = (xₜ − βₜ/√(1 − ᾱₜ)·ε_θ(xₜ, t))/√αₜ + σₜz      (Algorithm 2)")
        let main = sampler(run, parameters: parameters, capacity: 100).sample(
            count: run.count, seed: run.seed &+ TrainedDigitsModel.sampleSeedOffset, snapshots: Self.recorded)
        let tilde = sampler(run, parameters: parameters, capacity: 100, variance: .betaTilde).sample(
            count: tildeCount, seed: run.seed &+ TrainedDigitsModel.sampleSeedOffset
        ).samples
        book.figure(
            Figure(
                name: "samples", title: "100 samples each: σ² = β (left) and σ² = β̃ (right)", columns: 2, width: 1300, height: 680,
                panels: [
                    DigitPictures.grid((0..<100).map { DigitPictures.image(main.samples, $0) }, columns: 10, title: "σₜ² = βₜ"),
                    DigitPictures.grid((0..<min(100, tildeCount)).map { DigitPictures.image(tilde, $0) }, columns: 10, title: "σₜ² = β̃ₜ"),
                ]), caption: "Samples of the trained U-Net with the two fixed reverse variances (same starting noise)")
        let outside = main.samples.filter { abs($0) > 1 }.count
        book.text(
            """
            Measured: \(NumberFormat.fixed(100 * Double(outside) / Double(main.samples.count), 2)) % of the σ² = β \
            sample pixels fall outside [−1, 1] (samples.csv clips them to the data range).
            """)
        return (main.samples, tilde, main.snapshots)
    }

    // MARK: - 5. New digits, or copies?

    /// For each image of `images` [n, 64], the Euclidean distance to its nearest training image and that image's index.
    static func nearestTraining(_ images: [Float], training: [Float]) -> [(distance: Double, index: Int)] {
        let (n, m) = (images.count / 64, training.count / 64)
        return (0..<n).map { i in
            var best = (Double.infinity, 0)
            for j in 0..<m {
                var d: Float = 0
                for k in 0..<64 { let diff = images[i * 64 + k] - training[j * 64 + k]; d += diff * diff }
                if Double(d) < best.0 { best = (Double(d), j) }
            }
            return (best.0.squareRoot(), best.1)
        }
    }

    /// Section 5; returns the memorisation ratio.
    func novelty(_ book: Notebook, run: Run, samples unclipped: [Float]) -> Double {
        book.section("5. New digits, or copies of training digits?")
        // Scored as samples.csv stores them and as the Fréchet distance sees them: clipped to the data range.
        let samples = unclipped.map { max(-1, min(1, $0)) }
        book.text(
            """
            A model that memorised its \(run.digits.training.count) training digits would reproduce them. For each \
            sample (clipped to [−1, 1]), find the nearest training digit (Euclidean distance over the 64 pixels), and \
            do the same for each held-out digit, which the model never saw. The memorisation ratio is their ratio of \
            means: about 1 means samples sit as far from the training set as new real digits do; well below 1 means \
            copies.
            """)
        let training = run.digits.training.values
        let sampleNearest = Self.nearestTraining(samples, training: training)
        let heldNearest = Self.nearestTraining(run.digits.heldOut.values, training: training)
        let sampleMean = sampleNearest.map(\.distance).reduce(0, +) / Double(sampleNearest.count)
        let heldMean = heldNearest.map(\.distance).reduce(0, +) / Double(heldNearest.count)
        let ratio = sampleMean / heldMean
        book.table(
            ["images", "mean distance to the nearest training digit"],
            [
                ["\(sampleNearest.count) samples", NumberFormat.fixed(sampleMean, 3)],
                ["\(heldNearest.count) held-out digits", NumberFormat.fixed(heldMean, 3)],
            ])
        book.value("memorisation ratio (samples / held-out)", ratio, digits: 3)
        let pairs = (0..<10).map { DigitPictures.image(samples, $0) } + (0..<10).map { DigitPictures.image(training, sampleNearest[$0].index) }
        book.figure(
            Figure(
                name: "nearest", title: "Ten samples above their nearest training digits", width: 1000, height: 330,
                panels: [
                    DigitPictures.grid(
                        pairs, columns: 10, columnLabels: (0..<10).map { NumberFormat.fixed(sampleNearest[$0].distance, 2) },
                        rowLabels: ["sample", "nearest"], columnAxis: "distance to the nearest training digit")
                ]), caption: "Samples and their nearest training digits")
        let copies = sampleNearest.filter { $0.distance < 0.5 }.count
        book.text(
            """
            Measured: \(copies) of \(sampleNearest.count) samples lie within 0.5 of a training digit (16 pixels one \
            gray level off would be 0.5), the ratio is \(NumberFormat.fixed(ratio, 2)).
            """)
        if !options.quick { book.check(ratio > 0.7, "the samples are not copies: memorisation ratio above 0.7") }
        return ratio
    }

    // MARK: - 6. How good?

    /// Section 6; returns the Fréchet distance of the σ² = β samples.
    func quality(_ book: Notebook, run: Run, samples: [Float], tilde: [Float], yardstick: FrechetYardstick) -> Double {
        book.section("6. How good? A classifier, and a Fréchet distance in its features")
        let digits = run.digits
        let accuracy = yardstick.accuracy(digits.heldOut.values, labels: digits.heldOut.labels)
        book.text(
            """
            A classifier built from the same layers (an MLP 64 → 128 → 32 → 10 with SiLU, softmax cross-entropy, Adam) \
            trained on the training split. Its held-out accuracy:
            """)
        book.value("classifier accuracy on the \(digits.heldOut.count) held-out digits", accuracy, digits: 3)
        if !options.quick {
            book.check(
                accuracy >= 0.9,
                """
                the classifier is good enough to judge digits: held-out accuracy ≥ 0.9
                """)
        }
        let classes = yardstick.classifier.classify(samples)
        var counts = [Int](repeating: 0, count: 10)
        for c in classes { counts[c] += 1 }
        book.table(["class"] + (0..<10).map(String.init), [["samples"] + counts.map(String.init)])
        book.text(
            """
            FID (the Fréchet Inception Distance) compares two sets of images by the Fréchet distance between Gaussians \
            fitted to their features in a trained network: d² = ‖μ₁ − μ₂‖² + Tr(Σ₁ + Σ₂ − 2(Σ₁^{½}Σ₂Σ₁^{½})^{½}). The \
            real FID uses Inception's 2,048 features of 50,000 images; here the classifier's 32 features of \
            \(yardstick.size) digits. A number alone means little, so it comes with a floor (real training digits \
            against the held-out ones: the same distribution, only sampling noise) and a ceiling (images of Gaussian \
            noise).
            """)
        let (fid, ceiling) = (yardstick.distance(samples), yardstick.ceiling)
        // The σ² = β̃ samples are scored when there are as many as the yardstick's size (d² depends on the count).
        let tildeFID = tilde.count == samples.count ? yardstick.distance(tilde) : nil
        book.table(
            ["images scored against the held-out digits", "Fréchet distance d² (classifier features)"],
            [
                ["training digits (the floor: mean ± sd over \(yardstick.spread.count) draws)", yardstick.floorText],
                ["samples (σ² = β)", NumberFormat.significant(fid, 3)],
            ] + (tildeFID.map { [["samples (σ² = β̃, same starting noise)", NumberFormat.significant($0, 3)]] } ?? []) + [
                ["Gaussian noise images (the ceiling)", NumberFormat.significant(ceiling, 3)]
            ])
        book.text(yardstick.description)
        if let tildeFID {
            let verdict = yardstick.compare(fid, "σ² = β", tildeFID, "σ² = β̃")
            let similar = yardstick.differ(fid, tildeFID) ? "." : "; Ho et al. also found the two similar (Sec. 3.2)."
            book.text("The two variances: \(verdict)\(similar)")
        }
        let gap =
            yardstick.differ(fid, yardstick.floor) ? "a gap to real digits beyond the metric's noise" : "within the metric's noise of real digits"
        book.text(
            """
            Measured: the samples score \(NumberFormat.fixed(fid / yardstick.floor, 2)) times the floor and \
            \(NumberFormat.fixed(100 * fid / ceiling, 1)) % of the ceiling, \(gap). \
            Each class has between \(counts.min()!) and \(counts.max()!) of the \(classes.count) samples.
            """)
        if !options.quick {
            book.check(
                fid < 2 * yardstick.floor,
                """
                the samples' Fréchet distance is below twice the floor \
                (\(NumberFormat.significant(2 * yardstick.floor, 3)))
                """)
        }
        book.tryIt("--seed 1", "the same recipe from other seeds: how far does d² move, compared with the floor's sd?")
        return fid
    }
}
