import Datasets
import Diffusion
import Learning

/// What every section of a digits lesson (08 onward) shares: the U-Net, the noise schedule, the digits,
/// the threads, the seed and whether the run is a quick one; and what it builds from them (a sampler,
/// the Fréchet yardstick). A lesson's own sizes sit beside it in the lesson's `Run`.
public struct DigitsContext: Sendable {
    /// The network every section trains or samples.
    public let net: UNet
    /// The forward process (the linear schedule, T = 1000, unless a lesson says otherwise).
    public let schedule: NoiseSchedule
    /// The training and held-out digits.
    public let digits: DigitImages
    /// Threads for training and sampling (`--threads`).
    public let threads: Int
    /// The lesson's seed (`--seed`).
    public let seed: UInt64
    /// Whether this is a `--quick` run (the sizes of `QuickBudgets`).
    public let quick: Bool

    /// The context of a lesson run with `options` and `compute`.
    public init(net: UNet, schedule: NoiseSchedule, digits: DigitImages, options: LessonOptions, compute: ComputeOptions) {
        (self.net, self.schedule, self.digits) = (net, schedule, digits)
        (threads, seed, quick) = (compute.threads, options.seed, options.quick)
    }

    /// `normal` in a normal run, `quick` in a quick one.
    public func size<T>(_ normal: T, quick small: T) -> T { quick ? small : normal }

    /// Algorithm 2 with `parameters` on an engine for batches of up to `capacity` samples.
    public func sampler(parameters: [Float], capacity: Int, variance: ReverseVariance = .beta) -> NetworkSampler {
        NetworkSampler(network: net, parameters: parameters, engine: net.makeEngine(capacity: capacity, threads: threads), schedule: schedule, variance: variance)
    }

    /// The Fréchet yardstick for measurements of `size` samples (its floor, spread and ceiling at that size).
    public func yardstick(size: Int) -> FrechetYardstick {
        FrechetYardstick(
            training: digits.training.values, labels: digits.training.labels, heldOut: digits.heldOut.values, size: size,
            epochs: QuickBudgets.Yardstick.epochs(quick: quick), draws: QuickBudgets.Yardstick.spreadDraws(quick: quick), seed: seed)
    }
}

/// A lesson's `Run`: its `DigitsContext` and its own sizes. The context's fields read as the run's own.
public protocol DigitsRun {
    /// The shared context.
    var context: DigitsContext { get }
}

extension DigitsRun {
    /// The context's network.
    public var net: UNet { context.net }
    /// The context's schedule.
    public var schedule: NoiseSchedule { context.schedule }
    /// The context's digits.
    public var digits: DigitImages { context.digits }
    /// The context's threads.
    public var threads: Int { context.threads }
    /// The context's seed.
    public var seed: UInt64 { context.seed }
    /// Whether the run is a quick one.
    public var quick: Bool { context.quick }
}
