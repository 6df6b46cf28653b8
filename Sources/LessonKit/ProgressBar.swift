import Foundation

/// A one-line progress bar on standard error, redrawn in place — only when standard error is a
/// terminal, so transcripts, logs and tests never contain it.
public struct ProgressBar {
    /// The label in front of the bar.
    public let label: String
    /// The number of units of work.
    public let total: Int
    let enabled: Bool
    let start = DispatchTime.now().uptimeNanoseconds
    var lastDrawn: UInt64 = 0

    /// A bar for `total` units; drawn only if stderr is a terminal.
    public init(_ label: String, total: Int) {
        self.label = label
        self.total = total
        enabled = isatty(STDERR_FILENO) == 1
    }

    /// Redraws (at most 10 times a second): done/total, a bar, `status`, and the rate in units/s.
    public mutating func update(_ done: Int, status: String) {
        guard enabled else { return }
        let now = DispatchTime.now().uptimeNanoseconds
        guard done == total || now - lastDrawn > 100_000_000 else { return }
        lastDrawn = now
        let fraction = Double(done) / Double(max(total, 1))
        let filled = Int(fraction * 30)
        let rate = Double(done) / max(Double(now - start) / 1e9, 1e-9)
        let bar = String(repeating: "█", count: filled) + String(repeating: "·", count: 30 - filled)
        let line = "\r\(label) \(bar) \(done)/\(total)  \(status)  \(Int(rate)) steps/s"
        FileHandle.standardError.write(Data(line.utf8))
        if done == total { FileHandle.standardError.write(Data("\n".utf8)) }
    }
}
