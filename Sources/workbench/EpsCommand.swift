import ArgumentParser
import Foundation
import Learning

/// `workbench eps`: ε_θ(xₜ, t) of a saved model — a lesson's, or one trained in PyTorch (`scripts/peer/unet.py
/// train`) — on inputs read from a safetensors file: `x` [N, …] (N samples of the network's dimension) and `t` [N]
/// (paper steps 1…T as floats), and `y` [N] for a class-conditional net. Writes `eps` [N, outputs] as safetensors:
/// the workbench's half of the PyTorch round trip (`scripts/peer-roundtrip.sh`).
struct EpsCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "eps",
        abstract: "Evaluate a saved model's ε_θ on inputs from a safetensors file (x, t and, if conditional, y).")

    @Option(help: "The model: a safetensors file a lesson or scripts/peer/unet.py wrote.")
    var model: String

    @Option(help: "A safetensors file with x [N, …] and t [N] (paper steps, 1…1000), and y [N] for a conditional net.")
    var inputs: String

    @Option(help: "Where to write eps [N, outputs] (safetensors).")
    var output: String

    @Option(help: "Threads (1–64).")
    var threads = 1

    func validate() throws {
        guard (1...64).contains(threads) else { throw ValidationError("--threads must be between 1 and 64, got \(threads)") }
    }

    func run() throws {
        let (network, parameters): (any DenoisingNetwork, [Float])
        do { (network, parameters) = try Checkpoint.loadNetwork(from: URL(fileURLWithPath: model)) } catch { throw ValidationError(error.description) }
        let file: Safetensors
        do { file = try Safetensors(decoding: [UInt8](try Data(contentsOf: URL(fileURLWithPath: inputs)))) } catch {
            throw ValidationError("\(inputs) is not a readable safetensors file (\(error))")
        }
        guard let x = file["x"], let t = file["t"] else { throw ValidationError("\(inputs) needs tensors x and t, has \(file.tensors.map(\.name))") }
        let n = t.values.count
        guard n >= 1, x.values.count == n * network.dimension else {
            throw ValidationError("\(inputs): x has \(x.values.count) values for \(n) steps of a network of dimension \(network.dimension)")
        }
        let steps = t.values.map { Int($0) }
        guard zip(steps, t.values).allSatisfy({ Float($0) == $1 && (1...1000).contains($0) }) else {
            throw ValidationError("\(inputs): t must hold whole paper steps 1…1000")
        }
        var labels: [Int]?
        if network.classes > 0 {
            guard let y = file["y"], y.values.count == n, y.values.allSatisfy({ $0 == $0.rounded() && (0...Float(network.classes)).contains($0) }) else {
                throw ValidationError("\(inputs): a class-conditional net needs y [\(n)] with labels 0…\(network.classes) (\(network.classes) is ∅)")
            }
            labels = y.values.map { Int($0) }
        }
        let engine = network.makeEngine(capacity: n, threads: threads)
        engine.load(parameters)
        let eps = x.values.withUnsafeBufferPointer { Array(UnsafeBufferPointer(start: engine.forward($0.baseAddress!, steps: steps, labels: labels), count: n * network.outputDimension)) }
        let shape = network.outputDimension == network.dimension ? x.shape : [n, network.outputDimension]
        try Safetensors(tensors: [.init(name: "eps", shape: shape, values: eps)]).encoded().write(to: URL(fileURLWithPath: output), options: .atomic)
        print("eps: \(n) samples of \(network.configuration) → \(output)")
    }
}
