import Foundation
import Testing

@testable import Networks
@testable import TensorCore

/// The package root, found from this file's path.
let packageRoot = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
    .deletingLastPathComponent()

/// The committed high-precision reference values (scripts/references.py), as rows of fields.
let referenceRows: [[String]] = {
    let url = packageRoot.appendingPathComponent("Tests/WorkbenchTests/Resources/references.csv")
    let text = (try? String(contentsOf: url, encoding: .utf8)) ?? ""
    return text.split(separator: "\n").dropFirst().map { $0.split(separator: ",").map(String.init) }
}()

/// Expects |got − expected| ≤ relative·|expected| + absolute, and reports the error found.
func expectClose(
    _ got: Double, _ expected: Double, relative: Double = 0, absolute: Double = 0, _ what: @autoclosure () -> String = "",
    sourceLocation: SourceLocation = #_sourceLocation
) {
    let error = abs(got - expected)
    let bound = relative * abs(expected) + absolute
    #expect(
        error <= bound, "\(what()): got \(got), expected \(expected), error \(error) > bound \(bound)",
        sourceLocation: sourceLocation)
}

/// A temporary folder, removed by the caller.
func temporaryDirectory(_ name: String) -> URL {
    let url = FileManager.default.temporaryDirectory.appendingPathComponent("wb-test-\(name)-\(UUID().uuidString)")
    try? FileManager.default.createDirectory(at: url, withIntermediateDirectories: true)
    return url
}

/// The result of running one of the package's executables.
struct RunResult {
    let status: Int32
    let stdout: String
    let stderr: String
}

/// Runs a built product of this package (e.g. "workbench", "lesson-01") with `arguments`.
func runProduct(_ name: String, _ arguments: [String], environment: [String: String] = [:], in directory: URL? = nil) throws
    -> RunResult
{
    let candidates = [
        URL(fileURLWithPath: CommandLine.arguments[0]).deletingLastPathComponent(),
        packageRoot.appendingPathComponent(".build/debug"),
    ]
    guard let folder = candidates.first(where: { FileManager.default.isExecutableFile(atPath: $0.appendingPathComponent(name).path) })
    else { throw CocoaError(.fileNoSuchFile, userInfo: [NSFilePathErrorKey: name]) }
    let process = Process()
    process.executableURL = folder.appendingPathComponent(name)
    process.arguments = arguments
    process.environment = ProcessInfo.processInfo.environment.merging(environment) { $1 }
    if let directory { process.currentDirectoryURL = directory }
    let out = Pipe()
    let err = Pipe()
    process.standardOutput = out
    process.standardError = err
    try process.run()
    // Read both pipes to the end before waiting, so a full pipe cannot block the child.
    let outData = out.fileHandleForReading.readDataToEndOfFile()
    let errData = err.fileHandleForReading.readDataToEndOfFile()
    process.waitUntilExit()
    return RunResult(
        status: process.terminationStatus, stdout: String(decoding: outData, as: UTF8.self),
        stderr: String(decoding: errData, as: UTF8.self))
}

/// The MLP written out by hand on a Double tape, independent of its graph and of `Variable.linear`:
/// h₀ = input, hₗ = SiLU(hₗ₋₁·Wₗᵀ + bₗ), output = h·W_Lᵀ + b_L, with Wₗ [out, in] and bₗ read from the flat
/// vector in PyTorch's order (W₁, b₁, W₂, …); each Wₗᵀ is formed by index and multiplied with `matmul`.
struct HandWrittenMLP {
    let output: Variable<Double>
    let transposedWeights: [Variable<Double>], biases: [Variable<Double>]

    init(_ input: Variable<Double>, parameters: [Float], sizes: [Int]) {
        var (h, offset) = (input, 0)
        var (weights, biases) = ([Variable<Double>](), [Variable<Double>]())
        for l in 0..<(sizes.count - 1) {
            let (n, m) = (sizes[l], sizes[l + 1])
            let wt = (0..<(n * m)).map { k in Double(parameters[offset + (k % m) * n + k / m]) }  // Wᵀ[i, o] = W[o, i]
            let w = input.tape.variable(Tensor(shape: [n, m], scalars: wt))
            let b = input.tape.variable(Tensor(parameters[(offset + n * m)..<(offset + n * m + m)].map(Double.init)))
            offset += n * m + m
            (weights, biases) = (weights + [w], biases + [b])
            h = Variable.matmul(h, w) + b
            if l < sizes.count - 2 { h = h.silu() }
        }
        precondition(offset == parameters.count, "HandWrittenMLP: \(parameters.count) parameters for sizes \(sizes)")
        (output, transposedWeights, self.biases) = (h, weights, biases)
    }

    /// The gradient of every parameter in the flat vector's order (∂W [out, in] row-major, then ∂b, per layer).
    func flatGradient(_ gradients: Gradients<Double>) -> [Double] {
        zip(transposedWeights, biases).flatMap { w, b in
            let (n, m) = (w.value.shape[0], w.value.shape[1])
            let g = gradients[w].scalars
            return (0..<(n * m)).map { k in g[(k % n) * m + k / n] } + gradients[b].scalars
        }
    }
}

/// The MLP's input rows [x, emb(t)] in Double, the embedding formed as WORKLOAD.md fixes it (the float32
/// argument Float(t)·fᵢ with fᵢ = exp(−ln(10000)·i/16), then sin and cos in Double).
func mlpInput(_ x: [Double], dimension d: Int, steps: [Int]) -> Tensor<Double> {
    var rows: [Double] = []
    for (k, t) in steps.enumerated() {
        rows += x[(k * d)..<((k + 1) * d)]
        let arguments = (0..<16).map { i in Double(Float(t) * Float(Foundation.exp(-Foundation.log(10_000.0) * Double(i) / 16))) }
        rows += arguments.map { Foundation.sin($0) } + arguments.map { Foundation.cos($0) }
    }
    return Tensor(shape: [steps.count, d + 32], scalars: rows)
}
