import ArgumentParser
import Datasets
import Foundation
import Learning

/// The option every lesson that trains or samples a network shares: the threads it runs on, by default
/// every core this machine offers (at most 64). Results are bit-identical for any count.
public struct ComputeOptions: ParsableArguments, Sendable {
    /// The cores this process may use, capped at 64: the default thread count.
    public static let availableCores = min(64, max(1, ProcessInfo.processInfo.activeProcessorCount))

    /// Threads for training and sampling.
    @Option(
        parsing: .unconditional,
        help: ArgumentHelp("Threads, by default all of this machine's cores (results do not depend on it).", valueName: "n"))
    public var threads = ComputeOptions.availableCores

    /// Creates the default options.
    public init() {}

    /// Refuses a thread count outside 1…64, in one line naming it.
    public func validate() throws {
        guard (1...64).contains(threads) else { throw ValidationError("--threads must be between 1 and 64, got \(threads)") }
    }
}

/// The option of a lesson that reads lesson 08's trained U-Net instead of training its own.
public struct TrainedModelOptions: ParsableArguments, Sendable {
    /// The folder holding `digits-unet.safetensors`.
    @Option(help: "Folder with lesson 08's digits-unet.safetensors.")
    public var models = "Plots/08-digits"

    /// Creates the default options.
    public init() {}

    /// Lesson 08's U-Net and its (EMA) parameters. - Throws: one line if it is missing or not a U-Net these lessons run.
    public func load() throws -> (UNet, [Float]) { try TrainedDigitsModel.load(from: models) }
}

extension DigitImages {
    /// The shipped digits, or a `ValidationError` with the loader's one line.
    public static func forLesson() throws -> DigitImages {
        do { return try DigitImages.shipped() } catch { throw ValidationError(error.description) }
    }
}

extension NetworkTrainer {
    /// `steps` steps of Algorithm 1 with a progress bar on stderr labelled `label` (showing each step's
    /// loss); `afterStep` runs after each step (to read the trainer's draws). - Returns: the steps' losses.
    public func train(steps: Int, label: String, afterStep: (() -> Void)? = nil) -> [Double] {
        var bar = ProgressBar(label, total: steps)
        var losses: [Double] = []
        losses.reserveCapacity(steps)
        for step in 1...steps {
            losses.append(Double(self.step()))
            afterStep?()
            bar.update(step, status: "loss \(NumberFormat.fixed(losses.last!, 3))")
        }
        return losses
    }
}
