import ArgumentParser
import ExerciseKit
import Foundation
import Plotting

/// A lesson's transcript: what it prints to the terminal, and the same as `README.md` beside its
/// figures, so the output folder reads on GitHub like a rendered notebook.
///
/// Everything written is a function of the lesson's code and seed (no dates, timings or paths), so
/// regenerating without a code change leaves `git diff` empty. Failed checks, figures that did not
/// render and a missing gnuplot are remembered; `finish()` reports them and exits non-zero, after
/// every script and the transcript have been written.
public final class Notebook {
    /// "01", "02", …
    public let number: String
    /// The lesson folder name, e.g. "01-forward-process".
    public let folder: String
    /// The options the lesson was run with.
    public let options: LessonOptions
    /// The output folder.
    public let directory: URL
    private let writer: FigureWriter
    private var markdown: [String] = []
    private var failedChecks: [String] = []
    private var renderFailures: [String] = []
    private var gnuplotMissing = false
    private var figureCount = 0

    /// Starts lesson `number` ("01"), its folder and title from the `Syllabus`; prints and records the
    /// heading and how it was run.
    /// - Throws: `OutputFolderError` (one line naming the folder and the reason) if the output folder
    ///   cannot be created or written, before anything is printed.
    public init(number: String, options: LessonOptions, gnuplot: String? = nil) throws {
        guard let entry = Syllabus.lesson(number) else { preconditionFailure("Notebook: lesson \(number) is not in the Syllabus") }
        let (folder, title) = (entry.folder, entry.title)
        self.number = number
        self.folder = folder
        self.options = options
        self.directory = options.outputDirectory(folder: folder)
        try OutputFolder.prepare(directory)
        self.writer = FigureWriter(directory: directory, source: "lesson-\(number)", gnuplot: gnuplot)
        let heading = "Lesson \(number) — \(title)"
        print(heading)
        print(String(repeating: "═", count: heading.count))
        var command = "swift run -c release lesson-\(number) --seed \(options.seed)"
        if options.quick { command += " --quick" }
        print("(\(command))\n")
        markdown += [
            "# \(heading)", "",
            "> This page is the transcript of `\(command)`, written by the lesson itself;",
            "> regenerate it and its figures with `make lessons`. Every number below comes from the code.",
            "",
        ]
        if options.quick { markdown += ["> **Quick mode**: small sample counts, noisier figures.", ""] }
    }

    /// What the lesson teaches (three to five lines) and its key equations, before its first section.
    public func opening(_ paragraph: String, equations: String) {
        section("What this lesson teaches")
        text(paragraph)
        equation(equations)
    }

    /// "Try:" at the end of a section: a change of `flags` and what to look for when the lesson runs with it.
    public func tryIt(_ flags: String, _ lookFor: String) {
        let command = "swift run -c release lesson-\(number) \(flags)"
        print(wrap("  Try: \(command) — \(lookFor)"))
        print()
        markdown += ["**Try:** `\(command)` — \(lookFor)", ""]
    }

    /// The closing recap, one line per point, before the exercises; `finish()` then links the next lesson.
    public func recap(_ points: [String]) {
        section("Recap")
        for point in points {
            print(wrap("• " + point))
            markdown.append("- " + point)
        }
        print()
        markdown.append("")
    }

    /// The link to the next lesson of the `Syllabus`, the transcript's last line.
    private func nextLesson() {
        if let next = Syllabus.next(after: number) {
            print("Next: lesson \(next.number) — \(next.title) (swift run -c release lesson-\(next.number))\n")
            markdown += ["**Next:** [Lesson \(next.number) — \(next.title)](../\(next.folder)/README.md)", ""]
        } else {
            print("This is the last lesson so far.\n")
            markdown += ["This is the last lesson so far: back to the [course](../../README.md).", ""]
        }
    }

    /// A numbered section heading, e.g. "2. Jumping to xₜ (Eq. 4)".
    public func section(_ title: String) {
        print("\n\(title)\n\(String(repeating: "─", count: title.count))")
        markdown += ["## \(title)", ""]
    }

    /// A paragraph of narrative.
    public func text(_ paragraph: String) {
        print(wrap(paragraph))
        print()
        markdown += [paragraph, ""]
    }

    /// A displayed equation (Unicode), indented in the terminal and set as a code block.
    public func equation(_ formula: String) {
        print("    " + formula.replacingOccurrences(of: "\n", with: "\n    "))
        print()
        markdown += ["```text", formula, "```", ""]
    }

    /// A labelled value, e.g. `value("ᾱ_T", 4.04e-5)`, with `digits` significant digits.
    public func value(_ label: String, _ x: Double, digits: Int = 6, unit: String = "") {
        let shown = NumberFormat.significant(x, digits) + (unit.isEmpty ? "" : " " + unit)
        print("  \(label) = \(shown)")
        markdown += ["- \(label) = **\(shown)**", ""]
    }

    /// A table with a header row.
    public func table(_ headers: [String], _ rows: [[String]]) {
        let widths = headers.indices.map { c in
            max(headers[c].count, rows.map { $0[c].count }.max() ?? 0)
        }
        func line(_ cells: [String]) -> String {
            zip(cells, widths).map { $0 + String(repeating: " ", count: $1 - $0.count) }.joined(separator: "  ")
        }
        print("  " + line(headers))
        print("  " + widths.map { String(repeating: "─", count: $0) }.joined(separator: "  "))
        for row in rows { print("  " + line(row)) }
        print()
        markdown.append("| " + headers.joined(separator: " | ") + " |")
        markdown.append("|" + headers.map { _ in "---" }.joined(separator: "|") + "|")
        for row in rows { markdown.append("| " + row.joined(separator: " | ") + " |") }
        markdown.append("")
    }

    /// An invariant the lesson checks about its own numbers; a failure makes the lesson exit non-zero.
    public func check(_ passed: Bool, _ statement: String) {
        let mark = passed ? "✓" : "✗"
        print("  \(mark) \(statement)")
        markdown += ["- \(mark) \(statement)", ""]
        if !passed { failedChecks.append(statement) }
    }

    /// A warning the reader should notice.
    public func warning(_ message: String) {
        print("  ⚠ \(message)")
        markdown += ["> ⚠ **Warning.** \(message)", ""]
    }

    /// Writes `figure` (script always, PNG when gnuplot is there) and embeds it with `caption`.
    public func figure(_ figure: Figure, caption: String) {
        embed(name: figure.name, image: "png", kind: "figure", caption: caption) { try writer.write(figure) }
    }

    /// Writes `animation` (script always, GIF when gnuplot is there) and embeds it with `caption`.
    public func animation(_ animation: Animation, caption: String) {
        embed(name: animation.name, image: "gif", kind: "animation", caption: caption) { try writer.write(animation) }
    }

    /// Runs `write`, records how rendering went, and adds the image and its caption to the transcript.
    private func embed(name: String, image: String, kind: String, caption: String, _ write: () throws -> RenderOutcome) {
        figureCount += 1
        do {
            switch try write() {
            case .rendered: break
            case .gnuplotMissing: gnuplotMissing = true
            case .failed(let message): renderFailures.append("\(name): \(message)")
            }
        } catch {
            renderFailures.append("\(name): \(error)")
        }
        print("  [\(kind)] \(directory.lastPathComponent)/\(name).\(image) — \(caption)\n")
        let note = "*Figure \(figureCount).* \(caption) (`\(name).gp` re-renders it.)"
        markdown += ["![\(caption)](\(name).\(image))", "", note, ""]
    }

    /// A file the lesson wrote besides figures (data, a model), listed in the transcript.
    public func wroteFile(_ name: String, _ description: String) {
        print("  [file] \(directory.lastPathComponent)/\(name) — \(description)")
        markdown += ["- [`\(name)`](\(name)): \(description)", ""]
    }

    /// Appends the lesson's exercises and how to check them.
    public func exercises(_ items: [Exercise]) {
        section("Exercises")
        for item in items {
            let heading = "Exercise \(item.id): \(item.title)"
            print(heading)
            print(wrap(item.prompt))
            print("  Write it in \(item.location).\n")
            markdown += ["### \(heading)", "", item.prompt, "", "Write it in \(item.location).", ""]
        }
        let command = "swift run workbench exercises --lesson \(Int(number) ?? 0)"
        print("Check your answers with: \(command)\n")
        markdown += ["Check your answers with `\(command)`.", ""]
    }

    /// Writes `README.md` and reports what went wrong, one line each on stderr.
    /// - Throws: `ExitCode.failure` if a check failed, a figure did not render, gnuplot is missing or
    ///   the transcript could not be written — after everything else has been written.
    public func finish() throws {
        nextLesson()
        var status: Int32 = 0
        do {
            try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
            try markdown.joined(separator: "\n").write(
                to: directory.appendingPathComponent("README.md"), atomically: true, encoding: .utf8)
        } catch {
            printError("could not write the transcript: \(error)")
            status = 1
        }
        print("Wrote \(figureCount) figure scripts and README.md to \(directory.path)")
        if gnuplotMissing {
            printError(
                """
                gnuplot not found: install it (sudo apt-get install gnuplot-nox) to render the PNGs; every .gp script \
                was written
                """)
            status = 1
        }
        for failure in renderFailures { printError("figure did not render: \(failure)"); status = 1 }
        for failure in failedChecks { printError("check failed: \(failure)"); status = 1 }
        if status != 0 { throw ExitCode(status) }
    }

    private func printError(_ message: String) {
        FileHandle.standardError.write(Data("lesson-\(number): error: \(message)\n".utf8))
    }

    private func wrap(_ paragraph: String, width: Int = 96) -> String {
        var lines: [String] = []
        var current = ""
        for word in paragraph.split(separator: " ", omittingEmptySubsequences: true) {
            if !current.isEmpty && current.count + word.count + 1 > width {
                lines.append(current)
                current = ""
            }
            current += (current.isEmpty ? "" : " ") + word
        }
        if !current.isEmpty { lines.append(current) }
        return lines.joined(separator: "\n")
    }
}
