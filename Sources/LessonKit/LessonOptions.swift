import ArgumentParser
import Foundation

/// The flags every lesson takes: a seed, an output folder, and a quick mode for tests.
public struct LessonOptions: ParsableArguments, Sendable {
    /// The seed of every random draw in the lesson; the same seed gives the same output.
    @Option(help: "Seed for every random draw (same seed, same output).")
    public var seed: UInt64 = 0

    /// Where figures and the transcript go; `nil` means `Plots/NN-name` under the current folder.
    @Option(name: .customLong("output"), help: "Output folder (default: Plots/<lesson folder>).")
    public var output: String?

    /// Smaller sample counts, for the test suite; the transcript says so.
    @Flag(help: "Run with small sample counts (for tests; plots are noisier).")
    public var quick = false

    /// Creates the default options.
    public init() {}

    /// The output folder for the lesson in `folder` (e.g. "01-forward-process").
    public func outputDirectory(folder: String) -> URL {
        URL(fileURLWithPath: output ?? "Plots/\(folder)", isDirectory: true)
    }
}
