import Foundation
import Testing

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
