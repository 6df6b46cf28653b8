import ArgumentParser
import Foundation
import Learning

/// The networks lesson 04 trains and saves, as the later lessons load them.
public enum TrainedModels {
    /// Loads `file` (e.g. "swissroll.ddpm") from `folder`, expecting the benchmark architecture
    /// (`mlp 34-128-128-128-2`).
    /// - Throws: a `ValidationError` with one line: run lesson 04 first, or what is wrong with the file.
    public static func load(_ file: String, from folder: String) throws -> MLP {
        let url = URL(fileURLWithPath: folder, isDirectory: true).appendingPathComponent(file)
        let network = MLP(sizes: MLP.toySizes, parameters: [Float](repeating: 0, count: MLP.parameterCount(MLP.toySizes)))
        do {
            return MLP(sizes: MLP.toySizes, parameters: try NamedCheckpoint.load(from: url, expecting: network))
        } catch .unreadable(let path) {
            throw ValidationError("no trained model at \(path): run lesson-04 first (or pass --models DIR)")
        } catch {
            throw ValidationError(error.description)
        }
    }
}

/// Lesson 08's U-Net, as lessons 09–12 load it.
public enum TrainedDigitsModel {
    /// The unconditional U-Net that `folder/digits-unet.ddpm` names in its configuration line, and its parameters.
    /// - Throws: a `ValidationError` with one line: run lesson 08 first, or what is wrong with the file.
    public static func load(from folder: String) throws -> (UNet, [Float]) {
        let url = URL(fileURLWithPath: folder, isDirectory: true).appendingPathComponent("digits-unet.ddpm")
        do {
            let line = try NamedCheckpoint.configuration(at: url)
            guard let net = UNet(configuration: line), net.classes == 0 else { throw ValidationError("\(url.path) holds \(line), not a U-Net these lessons can run") }
            return (net, try NamedCheckpoint.load(from: url, expecting: net))
        } catch NamedCheckpoint.Failure.unreadable(let path) {
            throw ValidationError("no trained model at \(path): run lesson-08 first (or pass --models DIR)")
        } catch let failure as NamedCheckpoint.Failure {
            throw ValidationError(failure.description)
        }
    }
}
