import Learning
import TensorCore

/// Lesson 08's "FID in miniature" as the later lessons use it: a digit classifier trained on the
/// training digits, its features of the held-out digits, the data floor (as many training digits as
/// samples, drawn with replacement) and the metric's own spread over repeated draws of that floor.
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
    /// The number of images a distance compares (samples per measurement).
    public let size: Int

    /// Trains the classifier (30 epochs, 3 when `quick`) and measures the floor and its spread
    /// (20 draws, 4 when `quick`). The seeds are lesson 11's, so the same seed gives the same floor.
    public init(training: [Float], labels: [Int], heldOut: [Float], size: Int, quick: Bool, seed: UInt64) {
        classifier = DigitClassifier.train(images: training, labels: labels, epochs: quick ? 3 : 30, seed: seed &+ 81)
        self.heldOut = classifier.evaluate(heldOut).features
        self.size = size
        var rng = SeededGenerator(seed: seed &+ 82)
        let count = training.count / 64
        let floorImages = (0..<size).flatMap { _ in DigitPictures.image(training, rng.integer(in: 0...(count - 1))) }
        floor = FrechetDistance.squared(classifier.evaluate(floorImages).features, self.heldOut)
        spread = FrechetDistance.subsetSpread(classifier.evaluate(training).features, against: self.heldOut, size: size, draws: quick ? 4 : 20, using: &rng)
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

    /// One sentence on the floor and the metric's noise, with the numbers of this run.
    public var description: String {
        "The floor (\(size) training digits against the held-out digits) is d² = \(NumberFormat.significant(floor, 3)); over \(spread.count) independent draws of \(size) training digits it ranges \(NumberFormat.significant(spread.min()!, 3))–\(NumberFormat.significant(spread.max()!, 3)) (mean \(NumberFormat.significant(spreadMean, 3)), sd \(NumberFormat.significant(spreadSD, 2))), so differences of a few sd are the metric's own noise."
    }
}
