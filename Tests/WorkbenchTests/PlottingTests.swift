import Foundation
import Testing

@testable import Plotting

@Suite("Plotting through gnuplot-iostream")
struct PlottingTests {
    static let figure = Figure(
        name: "test-figure", title: "A test: ᾱₜ and √(1 − ᾱₜ)", columns: 2,
        panels: [
            Panel(
                title: "lines, log y", xLabel: "t", yLabel: "ᾱₜ", logY: true,
                series: [
                    .line(x: [1, 2, 3], y: [1, 0.5, 0.25], label: "ᾱₜ"),
                    .line(x: [1, 3], y: [0.3, 0.3], label: "dashed", dashed: true),
                ]),
            Panel(
                title: "histogram and points", equalAspect: true,
                series: [
                    .histogram([0.1, 0.2, 0.2, 0.7], bins: 4, range: 0...1, label: "histogram"),
                    .scatter(x: [0.1, 0.5], y: [1, 2], label: "points \"quoted\" and 'single'"),
                ]),
            Panel(title: "heat map", colorbarLabel: "z", series: [.heatmap(xs: [0, 1, 2], ys: [0, 1]) { $0 + $1 }]),
        ])

    /// Whether `url` holds a PNG: the 8-byte signature and a non-trivial size.
    static func isPNG(_ url: URL) -> Bool {
        guard let data = try? Data(contentsOf: url), data.count > 1000 else { return false }
        return Array(data.prefix(8)) == [0x89, 0x50, 0x4E, 0x47, 0x0D, 0x0A, 0x1A, 0x0A]
    }

    @Test("A figure writes a .gp script with inline data that gnuplot renders to a PNG")
    func scriptRendersToPNG() throws {
        let directory = temporaryDirectory("plot")
        defer { try? FileManager.default.removeItem(at: directory) }
        let writer = FigureWriter(directory: directory, source: "tests")
        #expect(writer.gnuplotAvailable, "gnuplot must be installed for the test suite (make test installs it)")
        #expect(try writer.write(Self.figure) == .rendered)
        let script = try String(contentsOf: directory.appendingPathComponent("test-figure.gp"), encoding: .utf8)
        #expect(script.contains("$p1s1 << EOD"))
        #expect(script.contains("set logscale y"))
        #expect(Self.isPNG(directory.appendingPathComponent("test-figure.png")))
    }

    @Test("The .gp script is standalone: plain `gnuplot FIGURE.gp` re-renders the same PNG beside it")
    func scriptIsStandalone() throws {
        let directory = temporaryDirectory("standalone")
        defer { try? FileManager.default.removeItem(at: directory) }
        try FigureWriter(directory: directory, source: "tests").write(Self.figure)
        let png = directory.appendingPathComponent("test-figure.png")
        let first = try Data(contentsOf: png)
        try FileManager.default.removeItem(at: png)
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        process.arguments = ["gnuplot", directory.appendingPathComponent("test-figure.gp").path]
        process.currentDirectoryURL = FileManager.default.temporaryDirectory  // not the script's folder
        try process.run()
        process.waitUntilExit()
        #expect(process.terminationStatus == 0)
        #expect(try Data(contentsOf: png) == first, "same script, same PNG")
    }

    @Test("Without gnuplot the script and its data are still written, and the outcome says so")
    func missingGnuplotKeepsScript() throws {
        let directory = temporaryDirectory("nognuplot")
        defer { try? FileManager.default.removeItem(at: directory) }
        let writer = FigureWriter(directory: directory, source: "tests", gnuplot: "/nonexistent/gnuplot")
        #expect(!writer.gnuplotAvailable)
        #expect(try writer.write(Self.figure) == .gnuplotMissing)
        let script = try String(contentsOf: directory.appendingPathComponent("test-figure.gp"), encoding: .utf8)
        #expect(script.contains("EOD"))
        #expect(!FileManager.default.fileExists(atPath: directory.appendingPathComponent("test-figure.png").path))
    }

    @Test("A gnuplot that dies at once (broken pipe) is reported, not fatal")
    func brokenPipeIsReported() throws {
        let directory = temporaryDirectory("brokenpipe")
        defer { try? FileManager.default.removeItem(at: directory) }
        // `false` exits without reading its input: writing the script to it breaks the pipe.
        let writer = FigureWriter(directory: directory, source: "tests", gnuplot: "false")
        let outcome = try writer.write(Self.figure)
        #expect(outcome != .rendered)
        #expect(FileManager.default.fileExists(atPath: directory.appendingPathComponent("test-figure.gp").path))
    }

    @Test("A gnuplot error is reported with gnuplot's message")
    func gnuplotErrorIsReported() throws {
        let directory = temporaryDirectory("gperror")
        defer { try? FileManager.default.removeItem(at: directory) }
        let script = directory.appendingPathComponent("bad.gp")
        // The output path is absolute: gnuplot runs in the test's working folder, and tests write only into temporary folders.
        let png = directory.appendingPathComponent("bad.png")
        try "set terminal pngcairo\nset output '\(png.path)'\nplot nosuchfunction(x)\n".write(to: script, atomically: true, encoding: .utf8)
        let outcome = FigureWriter(directory: directory, source: "tests").render(scriptURL: script, pngURL: png)
        guard case .failed(let message) = outcome else { Issue.record("expected a failure, got \(outcome)"); return }
        #expect(message.lowercased().contains("error") || message.contains("undefined"))
    }

    @Test("Strings are quoted for gnuplot; numbers use 10 significant digits")
    func quoting() {
        #expect(GnuplotScript.quote("a \"b\" \\ c") == "\"a \\\"b\\\" \\\\ c\"")
        #expect(GnuplotScript.number(0.1 + 0.2) == "0.3")
        #expect(GnuplotScript.number(1e-12) == "1e-12")
    }

    @Test("Histogram bars integrate to the fraction of values inside the range")
    func histogramIsADensity() {
        let series = Series.histogram([0.05, 0.15, 0.15, 0.95, 2.0], bins: 10, range: 0...1)
        let area = series.columns[1].reduce(0, +) * 0.1
        expectClose(area, 0.8, relative: 1e-12, "area")
    }
}
