import Diffusion
import Networks
import TensorCore

/// The settings of Algorithm 1 that a lesson or the benchmark may change.
public struct TrainingOptions: Sendable {
    /// Samples per step (the benchmark: 256).
    public var batchSize = 256
    /// Adam's base learning rate.
    public var learningRate = 1e-3
    /// How the learning rate changes over the run.
    public var schedule = LearningRateSchedule.constant
    /// The decay of an exponential moving average of the weights, or `nil` for none.
    public var emaDecay: Double?
    /// The gradient-norm clipping threshold, or `nil` for none.
    public var clipNorm: Double?
    /// Antithetic time steps: the second half of the batch uses T + 1 − t of the first half.
    public var antithetic = false
    /// Threads for the network's engine; results do not depend on it.
    public var threads = 1

    /// The benchmark workload's settings: batch 256, Adam 1e-3, nothing else.
    public init() {}

    /// Lesson 08's recipe for the digits U-Net: batch 128, Adam 2e-3, an EMA of the weights with decay 0.995.
    public static func digits(threads: Int) -> TrainingOptions {
        var options = TrainingOptions()
        options.batchSize = 128
        options.learningRate = 2e-3
        options.emaDecay = 0.995
        options.threads = threads
        return options
    }
}

/// A trainer's settings that cannot work, each naming the value.
public enum TrainerError: Error, Equatable, CustomStringConvertible {
    /// The network's outputs per sample are not what the objective needs.
    case outputs(Int, expected: Int)
    /// A batch size the trainer cannot use (< 1, or odd with antithetic t).
    case batchSize(Int)
    /// A thread count the trainer would not use.
    case threads(Int)
    /// Data that is not a whole number of samples.
    case data(count: Int, dimension: Int)
    /// A bound objective (Table 2's L) without the decoder of Eq. 13 that scores x₀.
    case decoder

    /// One line naming the problem.
    public var description: String {
        switch self {
        case .outputs(let outputs, let expected): "the network outputs \(outputs) values per sample, the objective needs \(expected)"
        case .batchSize(let size): "the batch size must be ≥ 1, and even with antithetic t, got \(size)"
        case .threads(let threads): "threads must be ≥ 1, got \(threads)"
        case .data(let count, let dimension): "the data (\(count) values) is not a whole number of \(dimension)-D points"
        case .decoder: "a bound objective needs the data's decoder (Eq. 13) to score x₀"
        }
    }
}

extension TrainingOptions {
    /// The antithetic partner of paper step t: T + 1 − t, so 1 ↔ T and the pair's mean is (T + 1)/2.
    public static func antitheticPartner(of t: Int, steps: Int) -> Int { steps + 1 - t }
}
