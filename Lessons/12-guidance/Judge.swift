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
        /// The within-class floor: the mean over classes of d² between `perClass` training digits of a class and
        /// its held-out digits, for as many independent draws as the yardstick's floor.
        let floorDraws: [Double]
        let perClass: Int

        /// The within-class floor: the mean over its draws.
        var floor: Double { floorDraws.reduce(0, +) / Double(floorDraws.count) }
        /// The within-class metric's noise: the standard deviation of the floor over its draws.
        var floorSD: Double {
            (floorDraws.reduce(0) { $0 + ($1 - floor) * ($1 - floor) } / Double(floorDraws.count - 1)).squareRoot()
        }
        /// "58.2 ± 6.1", printed as the yardstick's floor is.
        var floorText: String { NumberFormat.fixed(floor, 1) + " ± " + NumberFormat.fixed(floorSD, 1) }

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
            let rowsOfClass = (0..<10).map { c in (0..<training.count).filter { training.labels[$0] == c } }
            floorDraws = yardstick.spread.indices.map { _ in
                let floors = (0..<10).map { c -> Double in
                    let rows = rowsOfClass[c]
                    let drawn = (0..<perClass).flatMap { _ in DigitPictures.image(trainingValues, rows[rng.integer(in: 0...(rows.count - 1))]) }
                    return FrechetDistance.squared(classifier.evaluate(drawn).features, features[c])
                }
                return floors.reduce(0, +) / 10
            }
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
            return Point(
                weight: weight, accuracy: accuracy, withinClass: within.reduce(0, +) / 10, overall: yardstick.distance(clipped), samples: clipped)
        }
    }
}
