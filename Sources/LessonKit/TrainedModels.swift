import ArgumentParser
import Foundation
import Learning

/// The networks lesson 04 trains and saves, as the later lessons load them.
public enum TrainedModels {
    /// Loads `file` (e.g. "swissroll.safetensors") from `folder`, expecting the benchmark architecture
    /// (`mlp 34-128-128-128-2`).
    /// - Throws: a `ValidationError` with one line: run lesson 04 first, or what is wrong with the file.
    public static func load(_ file: String, from folder: String) throws -> MLP {
        try load(at: URL(fileURLWithPath: folder, isDirectory: true).appendingPathComponent(file), flag: "--models DIR")
    }

    /// Loads the benchmark architecture's model (`mlp 34-128-128-128-2`) from the file at `url`.
    /// - Throws: a `ValidationError` with one line: run lesson 04 first (or pass `flag`), or what is wrong with the file.
    public static func load(at url: URL, flag: String) throws -> MLP {
        let network = MLP(sizes: MLP.toySizes, parameters: [Float](repeating: 0, count: MLP.parameterCount(MLP.toySizes)))
        do {
            return MLP(sizes: MLP.toySizes, parameters: try Checkpoint.load(from: url, expecting: network))
        } catch .unreadable(let path) {
            throw ValidationError(missing(path, lesson: "lesson-04", flag: flag))
        } catch {
            throw ValidationError(error.description)
        }
    }
}

/// Lesson 08's U-Net, as lessons 09–12 load it.
public enum TrainedDigitsModel {
    /// The offset from `--seed` of the noise of lesson 08's samples (`samples.csv`, 100 to a batch, batch b
    /// from seed + offset + b). Lesson 11 draws its sweep from the same seeds, so that its Algorithm 2 point
    /// is lesson 08's samples themselves.
    public static let sampleSeedOffset: UInt64 = 8_000
    /// The offsets from `--seed` of lesson 08's initial weights and of its trainer's draws (t, ε, batches).
    /// Lesson 09's Table 2 trains every row from the same seeds, so its L_simple row is lesson 08's run.
    public static let (initialSeedOffset, trainerSeedOffset): (UInt64, UInt64) = (8, 80)
    /// The training steps of lesson 09's Table 2 rows, at which lesson 08 keeps a copy of its EMA weights.
    public static let table2Steps = 600
    /// The file of lesson 08's EMA weights after `table2Steps` steps of its run with `--seed seed` (written only
    /// with the digits recipe): the seed is in the name, so lesson 09 with another seed trains that row itself.
    public static func table2File(seed: UInt64) -> String { "\(table2Prefix)\(seed).safetensors" }

    /// What every `table2File(seed:)` begins with.
    public static let table2Prefix = "digits-unet-step\(table2Steps)-seed"

    /// Lesson 08's EMA weights after `table2Steps` steps for `net` with `--seed seed`, and the mean batch loss
    /// of its last 50 of those steps (`training-loss.csv`), or nil when `folder` does not hold both (or they do not fit).
    public static func table2Snapshot(for net: UNet, seed: UInt64, in folder: String) -> (parameters: [Float], finalLoss: Double)? {
        let directory = URL(fileURLWithPath: folder, isDirectory: true)
        guard let parameters = try? Checkpoint.load(from: directory.appendingPathComponent(table2File(seed: seed)), expecting: net),
            let losses = try? TrainingLossCSV.read(from: directory.appendingPathComponent(TrainingLossCSV.file)), losses.count >= table2Steps
        else { return nil }
        let recent = losses[(table2Steps - 50)..<table2Steps]
        return (parameters, recent.reduce(0, +) / Double(recent.count))
    }

    /// The unconditional U-Net that `folder/digits-unet.safetensors` names in its configuration line, and its parameters.
    /// - Throws: a `ValidationError` with one line: run lesson 08 first, or what is wrong with the file.
    public static func load(from folder: String) throws -> (UNet, [Float]) {
        let url = URL(fileURLWithPath: folder, isDirectory: true).appendingPathComponent("digits-unet.safetensors")
        do {
            let (network, parameters) = try Checkpoint.loadNetwork(from: url)
            guard let net = network as? UNet, net.classes == 0 else {
                throw ValidationError("\(url.path) holds \(network.configuration), not a U-Net these lessons can run")
            }
            return (net, parameters)
        } catch Checkpoint.Failure.unreadable(let path) {
            throw ValidationError(missing(path, lesson: "lesson-08", flag: "--models DIR"))
        } catch let failure as Checkpoint.Failure {
            throw ValidationError(failure.description)
        }
    }
}

/// The line for a model file that is not there: run `lesson` first (or pass `flag`), or, when an older workbench's
/// `.ddpm` file of the same name is there, rerun `lesson` (models are safetensors files now).
func missing(_ path: String, lesson: String, flag: String) -> String {
    let older = URL(fileURLWithPath: path).deletingPathExtension().appendingPathExtension("ddpm")
    if FileManager.default.fileExists(atPath: older.path) {
        return "no trained model at \(path), only an older workbench's \(older.lastPathComponent): rerun \(lesson)"
    }
    return "no trained model at \(path): run \(lesson) first (or pass \(flag))"
}
