// Lesson 12: how guided samples are scored — the asked-for class's accuracy under lesson 08's
// classifier, and the Fréchet distance within each class (variety) and over all classes.
import Datasets
import Learning
import LessonKit
import TensorCore

extension Lesson12 {
    /// One point of a guidance sweep.
    struct Point {
        let weight: Double
        let accuracy: Double
        let withinClass: Double
        let overall: Double
        let samples: [Float]
    }

    /// Scores samples asked for by class.
    struct Judge {
        let yardstick: FrechetYardstick
        /// Held-out features of each class.
        let heldOut: [Tensor<Double>]
        /// The within-class floor: per class, `perClass` training digits of that class against its held-out digits; the mean.
        let floor: Double
        let perClass: Int

        init(yardstick: FrechetYardstick, digits: DigitImages, perClass: Int, seed: UInt64) {
            self.yardstick = yardstick
            self.perClass = perClass
            let held = digits.heldOut
            let heldValues = held.values
            let classifier = yardstick.classifier
            let features = (0..<10).map { c in
                classifier.evaluate((0..<held.count).filter { held.labels[$0] == c }.flatMap { DigitPictures.image(heldValues, $0) }).features
            }
            heldOut = features
            var rng = SeededGenerator(seed: seed &+ 120)
            let training = digits.training
            let trainingValues = training.values
            let floors = (0..<10).map { c -> Double in
                let rows = (0..<training.count).filter { training.labels[$0] == c }
                let drawn = (0..<perClass).flatMap { _ in DigitPictures.image(trainingValues, rows[rng.integer(in: 0...(rows.count - 1))]) }
                return FrechetDistance.squared(classifier.evaluate(drawn).features, features[c])
            }
            floor = floors.reduce(0, +) / 10
        }

        /// The scores of `samples` [10·perClass, 64], asked for class by class in order.
        func score(_ samples: [Float], weight: Double, labels: [Int]) -> Point {
            let clipped = samples.map { $0.isFinite ? max(-1, min(1, $0)) : 0 }
            let predicted = yardstick.classifier.classify(clipped)
            let accuracy = Double(zip(predicted, labels).filter { $0 == $1 }.count) / Double(labels.count)
            let within = (0..<10).map { c -> Double in
                let mine = labels.indices.filter { labels[$0] == c }.flatMap { DigitPictures.image(clipped, $0) }
                return FrechetDistance.squared(yardstick.classifier.evaluate(mine).features, heldOut[c])
            }
            return Point(weight: weight, accuracy: accuracy, withinClass: within.reduce(0, +) / 10, overall: yardstick.distance(clipped), samples: clipped)
        }
    }
}
