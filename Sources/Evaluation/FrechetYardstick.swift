import TensorCore

/// Lesson 08's "FID in miniature", as every digits lesson uses it (built by `DigitsContext.yardstick(size:)`): a digit classifier trained on the
/// training digits, its features of the held-out digits, the data floor (as many training digits as
/// samples, drawn with replacement), the metric's own spread over repeated draws of that floor, and a
/// noise ceiling (as many Gaussian noise images).
///
///     d² = ‖m_a − m_b‖² + Tr(C_a + C_b − 2(C_a·C_b)^½)      (Fréchet distance of two Gaussians in feature space)
public struct FrechetYardstick {
    /// The classifier whose 32 features the distance is computed in.
    public let classifier: DigitClassifier
    /// The held-out digits' features, [held-out count, 32].
    public let heldOut: Tensor<Double>
    /// d² of `size` training digits against the held-out digits.
    public let floor: Double
    /// d² for repeated independent draws of `size` training digits.
    public let spread: [Double]
    /// d² of `size` images of independent N(0, 1) pixels against the held-out digits.
    public let ceiling: Double
    /// The number of images a distance compares (samples per measurement).
    public let size: Int

    /// Trains the classifier for `epochs` epochs and measures the floor, its spread over `draws` draws and
    /// the ceiling, in that order from one stream (`seed` + 82; the classifier's is `seed` + 81).
    public init(training: [Float], labels: [Int], heldOut: [Float], size: Int, epochs: Int, draws: Int, seed: UInt64) {
        classifier = DigitClassifier.train(images: training, labels: labels, epochs: epochs, seed: seed &+ 81)
        self.heldOut = classifier.evaluate(heldOut).features
        self.size = size
        var rng = SeededGenerator(seed: seed &+ 82)
        let count = training.count / 64
        let floorImages = (0..<size).flatMap { _ in
            let row = rng.integer(in: 0...(count - 1))
            return training[(row * 64)..<((row + 1) * 64)]
        }
        floor = FrechetDistance.squared(classifier.evaluate(floorImages).features, self.heldOut)
        spread = FrechetDistance.subsetSpread(classifier.evaluate(training).features, against: self.heldOut, size: size, draws: draws, using: &rng)
        let noise = (0..<(size * 64)).map { _ in Float(rng.normal()) }
        ceiling = FrechetDistance.squared(classifier.evaluate(noise).features, self.heldOut)
    }

    /// The classifier's accuracy on `images` with their `labels`.
    public func accuracy(_ images: [Float], labels: [Int]) -> Double {
        Double(zip(classifier.classify(images), labels).filter { $0 == $1 }.count) / Double(labels.count)
    }

    /// d² of `samples` ([n, 64], clipped to [−1, 1] first; non-finite values become 0) against the held-out digits.
    public func distance(_ samples: [Float]) -> Double {
        FrechetDistance.squared(classifier.evaluate(samples.map { $0.isFinite ? max(-1, min(1, $0)) : 0 }).features, heldOut)
    }

    /// The mean of `spread`.
    public var spreadMean: Double { spread.reduce(0, +) / Double(spread.count) }

    /// The sample standard deviation of `spread`.
    public var spreadSD: Double {
        let m = spreadMean
        return (spread.reduce(0) { $0 + ($1 - m) * ($1 - m) } / Double(spread.count - 1)).squareRoot()
    }
}
