/// A size at a lesson's defaults and in a `--quick` run.
public struct Budget<Value: Sendable>: Sendable {
    /// The size at the defaults.
    public let normal: Value
    /// The size with `--quick`.
    public let quick: Value

    /// A size of `normal` and, with `--quick`, `quick`.
    public init(normal: Value, quick: Value) { (self.normal, self.quick) = (normal, quick) }

    /// The size for a run that is quick or not.
    public func callAsFunction(quick isQuick: Bool) -> Value { isQuick ? quick : normal }
}

/// What `--quick` shrinks in the digits lessons, in one table. A size that has a flag is given here by its
/// quick value only (its normal value is the flag's); the tests run every lesson with `--quick`, so this
/// table is what bounds CI's time.
public enum QuickBudgets {
    /// Lesson 08's yardstick and every later lesson's: the classifier's epochs and the floor's draws.
    public enum Yardstick {
        /// Epochs of the digit classifier.
        public static let epochs = Budget(normal: 30, quick: 3)
        /// Independent draws of the floor for its spread.
        public static let spreadDraws = Budget(normal: 20, quick: 4)
    }

    /// Lesson 08 (flags `--steps`, `--samples`).
    public enum Lesson08 {
        /// Training steps.
        public static let steps = 30
        /// Samples with σₜ² = βₜ.
        public static let samples = 100
        /// Samples with σₜ² = β̃ₜ in a quick run (otherwise as many as with σₜ² = βₜ).
        public static let tildeSamples = 20
    }

    /// Lesson 09 (flags `--images`, `--calibration`, `--ablation-steps`, `--ablation-images`, `--ablation-samples`).
    public enum Lesson09 {
        /// Held-out digits the bound is measured on.
        public static let images = 8
        /// Digits for the bound's calibration.
        public static let calibration = 8
        /// Training steps of each ablation row.
        public static let ablationSteps = 10
        /// Held-out digits each ablation row's bound is measured on.
        public static let ablationImages = 4
        /// Samples of each ablation row.
        public static let ablationSamples = 40
    }

    /// Lesson 10 (flags `--steps`, `--samples`, `--bound-images`).
    public enum Lesson10 {
        /// Training steps of each model.
        public static let steps = 20
        /// Samples per model.
        public static let samples = 40
        /// Held-out digits for the bounds.
        public static let boundImages = 4
        /// Held-out digits for the learned v against t.
        public static let hybridImages = Budget(normal: 64, quick: 4)
        /// Held-out digits for the destruction curves (nil: all of them).
        public static let destructionImages = Budget<Int?>(normal: nil, quick: 30)
        /// The spacing of the destruction curves' t grid.
        public static let destructionStride = Budget(normal: 20, quick: 100)
        /// Respaced step counts S.
        public static let stepCounts = Budget(normal: [10, 25, 100], quick: [10, 50])
    }

    /// Lesson 11 (flag `--samples`).
    public enum Lesson11 {
        /// Samples per sampler.
        public static let samples = 40
        /// Held-out digits the encoder round-trips.
        public static let encoderImages = Budget(normal: 64, quick: 8)
        /// Step counts of the encoder's round trips.
        public static let encoderSteps = Budget(normal: [10, 50, 250, 1000], quick: [10, 50])
        /// Step counts of the sampler sweep.
        public static let sweepSteps = Budget(normal: [10, 20, 50, 100, 250, 1000], quick: [10, 50])
    }

    /// Lesson 12 (flags `--steps`, `--classifier-steps`, `--sampling-steps`).
    public enum Lesson12 {
        /// Samples per class.
        public static let perClass = Budget(normal: 30, quick: 4)
        /// Training steps of the class-conditional U-Net.
        public static let steps = 20
        /// Training steps of the noisy-digit classifier.
        public static let classifierSteps = 20
        /// Respaced sampling steps S.
        public static let samplingSteps = 10
        /// The t at which the noisy classifier's accuracy is measured.
        public static let accuracySteps = Budget(normal: [1, 50, 100, 200, 300, 400, 500, 600, 700, 800, 900, 1000], quick: [1, 500, 1000])
        /// Classifier guidance scales s.
        public static let classifierScales = Budget<[Double]>(normal: [0, 0.5, 1, 2, 4, 8], quick: [0, 4])
        /// Classifier-free guidance weights w.
        public static let guidanceWeights = Budget<[Double]>(normal: [0, 0.5, 1, 2, 4], quick: [0, 2])
    }
}
