import CGnuplot
import Foundation

/// What became of a figure after its script was written.
public enum RenderOutcome: Sendable, Equatable {
    /// gnuplot rendered the PNG.
    case rendered
    /// gnuplot is not installed; the `.gp` script and its data were still written.
    case gnuplotMissing
    /// gnuplot ran but reported an error or wrote no PNG; the message is gnuplot's first error line.
    case failed(String)
}

/// A failure to write a figure's script at all (the only case where nothing is saved).
public struct FigureWriteError: Error, CustomStringConvertible {
    /// What could not be written.
    public let description: String
}

/// Writes `Figure`s as gnuplot scripts into one folder and renders them with gnuplot.
public struct FigureWriter: Sendable {
    /// The folder that receives `NAME.gp` and `NAME.png`.
    public let directory: URL
    /// The gnuplot program, a name on PATH or a path (default: `$WORKBENCH_GNUPLOT` or "gnuplot").
    public let gnuplot: String
    /// Who wrote the scripts, for their header comment.
    public let source: String

    /// A writer into `directory` (created if missing).
    public init(directory: URL, source: String, gnuplot: String? = nil) {
        self.directory = directory
        self.source = source
        self.gnuplot = gnuplot ?? ProcessInfo.processInfo.environment["WORKBENCH_GNUPLOT"] ?? "gnuplot"
    }

    /// Whether the gnuplot program can be run.
    public var gnuplotAvailable: Bool { wb_program_available(gnuplot) == 1 }

    /// Writes `figure.name`.gp and, when gnuplot is there, renders `figure.name`.png from it.
    /// - Throws: `FigureWriteError` if the folder or the script cannot be written.
    /// - Returns: whether the PNG was rendered; the script is written in every case.
    @discardableResult
    public func write(_ figure: Figure) throws -> RenderOutcome {
        try write(GnuplotScript(figure: figure, source: source), name: figure.name, image: "png")
    }

    /// Writes `animation.name`.gp and, when gnuplot is there, renders `animation.name`.gif from it.
    /// - Throws: `FigureWriteError` if the folder or the script cannot be written.
    @discardableResult
    public func write(_ animation: Animation) throws -> RenderOutcome {
        try write(GnuplotScript(animation: animation, source: source), name: animation.name, image: "gif")
    }

    /// Writes `name`.gp, then renders `name`.`image` from it if gnuplot is installed.
    private func write(_ script: GnuplotScript, name: String, image: String) throws -> RenderOutcome {
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        let scriptURL = directory.appendingPathComponent(name + ".gp")
        try writeScript(script, to: scriptURL)
        guard gnuplotAvailable else { return .gnuplotMissing }
        return render(scriptURL: scriptURL, pngURL: directory.appendingPathComponent(name + "." + image))
    }

    /// Renders an existing script; succeeds when gnuplot reports no error and the PNG is non-empty.
    /// `pngURL` is the image the script writes (a PNG or, for animations, a GIF).
    public func render(scriptURL: URL, pngURL: URL) -> RenderOutcome {
        try? FileManager.default.removeItem(at: pngURL)
        var message = [CChar](repeating: 0, count: 4096)
        let status = wb_gnuplot_render(gnuplot, scriptURL.path, &message, message.count)
        let stderr = String(decoding: message.prefix { $0 != 0 }.map { UInt8(bitPattern: $0) }, as: UTF8.self)
        let errorLine = stderr.split(separator: "\n").first(where: Self.isErrorLine)
        let size = (try? FileManager.default.attributesOfItem(atPath: pngURL.path)[.size] as? Int) ?? 0
        if status != 0 { return .failed("could not run \(gnuplot)") }
        if let errorLine { return .failed(String(errorLine)) }
        if size == 0 { return .failed("gnuplot wrote no \(pngURL.lastPathComponent)") }
        return .rendered
    }

    /// gnuplot reports errors as `"FILE" line N: message` (warnings say `warning:`), or with the word "error".
    static func isErrorLine(_ line: Substring) -> Bool {
        if line.localizedCaseInsensitiveContains("warning") { return false }
        if line.localizedCaseInsensitiveContains("error") { return true }
        return line.range(of: #"line [0-9]+:"#, options: .regularExpression) != nil
    }

    private func writeScript(_ script: GnuplotScript, to url: URL) throws {
        guard let handle = wb_script_open(url.path) else {
            throw FigureWriteError(description: "cannot write \(url.path)")
        }
        for piece in script.pieces {
            switch piece {
            case .command(let line):
                wb_script_command(handle, line)
            case .data(let name, let values, let rows, let columns, let blockRows):
                values.withUnsafeBufferPointer { buffer in
                    wb_script_datablock(handle, name, buffer.baseAddress, rows, columns, blockRows, 10)
                }
            }
        }
        if wb_script_close(handle) != 0 { throw FigureWriteError(description: "error while writing \(url.path)") }
    }
}
