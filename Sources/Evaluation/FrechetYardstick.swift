import TensorCore

/// Lesson 08's "FID in miniature", as every digits lesson uses it (built by `DigitsContext.yardstick(size:)`):
/// a digit classifier trained on the training digits, its features of the held-out digits, the data floor
/// with its noise, and a noise ceiling.
///
///     d² = ‖m_a − m_b‖² + Tr(C_a + C_b − 2(C_a·C_b)^½)      (Fréchet distance of two Gaussians in feature space)
///
/// The floor is what real digits score: the mean d² of `size` training digits (drawn with replacement)
/// against the held-out digits over independent draws, and its standard deviation over those draws is
/// the metric's noise at `size` images. Two measurements count as different only when they differ by
/// more than `differenceNoise` = 2·√2·sd, twice the standard deviation of a difference of two
/// independent measurements.
public struct FrechetYardstick {
    /// The classifier whose 32 features the distance is computed in.
    public let classifier: DigitClassifier
    /// The held-out digits' features, [held-out count, 32].
    public let heldOut: Tensor<Double>
    /// d² of `size` training digits against the held-out digits, for independent draws of them.
    public let spread: [Double]
    /// d² of `size` images of independent N(0, 1) pixels against the held-out digits.
    public let ceiling: Double
    /// The number of images a distance compares (samples per measurement).
    public let size: Int

    /// Trains the classifier for `epochs` epochs and measures the floor over `draws` draws (`draws` ≥ 2, for
    /// its standard deviation) and the ceiling, in that order from one stream (`seed` + 82; the classifier's is `seed` + 81).
    public init(training: [Float], labels: [Int], heldOut: [Float], size: Int, epochs: Int, draws: Int, seed: UInt64) {
        precondition(draws >= 2, "FrechetYardstick: the floor's noise needs at least 2 draws")
        classifier = DigitClassifier.train(images: training, labels: labels, epochs: epochs, seed: seed &+ 81)
        self.heldOut = classifier.evaluate(heldOut).features
        self.size = size
        var rng = SeededGenerator(seed: seed &+ 82)
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

    /// The floor: the mean of `spread`.
    public var floor: Double { spread.reduce(0, +) / Double(spread.count) }

    /// The metric's noise at `size` images: the sample standard deviation of `spread`.
    public var floorSD: Double {
        let m = floor
        return (spread.reduce(0) { $0 + ($1 - m) * ($1 - m) } / Double(spread.count - 1)).squareRoot()
    }

    /// 2·√2·sd: twice the standard deviation of the difference of two independent measurements.
    public var differenceNoise: Double { 2 * 2.0.squareRoot() * floorSD }

    /// Whether two measurements differ by more than the metric's noise (`differenceNoise`).
    public func differ(_ a: Double, _ b: Double) -> Bool { abs(a - b) > differenceNoise }
}
