import ArgumentParser
import Foundation
import Learning

/// The networks lesson 04 trains and saves, as the later lessons load them.
public enum TrainedModels {
    /// Loads `file` (e.g. "swissroll.ddpm") from `folder`, expecting the benchmark architecture.
    /// - Throws: a `ValidationError` with one line: run lesson 04 first, or what is wrong with the file.
    public static func load(_ file: String, from folder: String) throws -> MLP {
        let url = URL(fileURLWithPath: folder, isDirectory: true).appendingPathComponent(file)
        do {
            return try Checkpoint.load(from: url, expectedSizes: MLP.toySizes)
        } catch CheckpointError.unreadable(let path) {
            throw ValidationError("no trained model at \(path): run lesson-04 first (or pass --models DIR)")
        } catch {
            throw ValidationError(error.description)
        }
    }
}
