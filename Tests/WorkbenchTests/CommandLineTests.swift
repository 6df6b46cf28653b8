import Foundation
import Testing

@Suite("Command line: workbench schedule, bad flags", .serialized)
struct CommandLineTests {
    @Test("`workbench schedule` prints the header and T rows that match mpmath to 1e-13")
    func scheduleCSVMatchesHighPrecision() throws {
        let result = try runProduct("workbench", ["schedule", "--schedule", "linear", "--steps", "1000"])
        #expect(result.status == 0)
        let lines = result.stdout.split(separator: "\n")
        #expect(lines.first == "t,beta,alpha,alphaBar,sqrtAlphaBar,sqrtOneMinusAlphaBar,betaTilde,posteriorMeanCoefX0,posteriorMeanCoefXt,snr")
        #expect(lines.count == 1001)
        let reference = referenceSchedule("linear1000")
        var worst = (error: 0.0, at: "")
        for (index, line) in lines.dropFirst().enumerated() {
            let fields = line.split(separator: ",")
            #expect(Int(fields[0]) == index + 1)
            for (c, field) in fields.dropFirst().enumerated() {
                // 17 significant digits round-trip a Double, so the printed text is the computed value.
                let got = Double(field)!
                let expected = reference[index][c]
                let error = expected == 0 ? abs(got) : abs(got - expected) / abs(expected)
                if error > worst.error { worst = (error, "t = \(index + 1), \(columnNames[c]) = \(field), mpmath \(expected)") }
            }
        }
        #expect(worst.error <= 1e-13, "largest relative error \(worst.error) at \(worst.at)")
    }

    @Test(
        "Bad schedule flags give one line on stderr and a non-zero exit",
        arguments: [["--steps", "-5"], ["--steps", "0"], ["--beta-end", "1"], ["--beta-start", "nan"], ["--schedule", "cubic"], ["--betas-file", "/nonexistent"]])
    func badScheduleFlags(flags: [String]) throws {
        let result = try runProduct("workbench", ["schedule"] + flags)
        #expect(result.status != 0)
        #expect(result.stdout.isEmpty)
        let lines = result.stderr.split(separator: "\n")
        #expect(lines.count == 1, "stderr: \(result.stderr)")
        #expect(lines.first?.hasPrefix("workbench: error: ") == true)
    }

    @Test(
        "An output folder that cannot be written gives one line naming it and the reason, before any work",
        arguments: [("/proc/forbidden", "No such file or directory"), ("/etc/hostname/inside", "is not a folder")])
    func unwritableOutputFolder(folder: String, reason: String) throws {
        let result = try runProduct("lesson-01", ["--quick", "--output", folder])
        #expect(result.status != 0)
        #expect(result.stdout.isEmpty, "the lesson started its work: \(result.stdout.prefix(200))")
        let lines = result.stderr.split(separator: "\n")
        #expect(lines.count == 1, "stderr: \(result.stderr)")
        #expect(lines.first?.contains("'\(folder)'") == true && lines.first?.contains(reason) == true, "stderr: \(result.stderr)")
    }

    @Test("lesson-04 refuses a --threads outside 1–64 before any work, naming the value")
    func lessonFourThreads() throws {
        let folder = temporaryDirectory("threads").appendingPathComponent("never-written")
        defer { try? FileManager.default.removeItem(at: folder.deletingLastPathComponent()) }
        let result = try runProduct("lesson-04", ["--quick", "--threads", "65", "--output", folder.path])
        #expect(result.status != 0)
        #expect(result.stderr.split(separator: "\n").count == 1 && result.stderr.contains("got 65"), "stderr: \(result.stderr)")
        #expect(!FileManager.default.fileExists(atPath: folder.path), "the lesson wrote \(folder.path)")
    }

    @Test("A betas file with a bad value names the line")
    func betasFileErrors() throws {
        let directory = temporaryDirectory("betas")
        defer { try? FileManager.default.removeItem(at: directory) }
        let file = directory.appendingPathComponent("betas.txt")
        try "# my schedule\n0.1\n0.2\nabc\n".write(to: file, atomically: true, encoding: .utf8)
        let bad = try runProduct("workbench", ["schedule", "--betas-file", file.path])
        #expect(bad.status != 0 && bad.stderr.contains("betas.txt:4"))
        try "0.1\n0.2\n".write(to: file, atomically: true, encoding: .utf8)
        let good = try runProduct("workbench", ["schedule", "--betas-file", file.path])
        #expect(good.status == 0 && good.stdout.split(separator: "\n").count == 3)
    }

    @Test(
        "Lessons reject bad flags in one line",
        arguments: [
            ("lesson-01", ["--samples", "-3"]), ("lesson-02", ["--x0", "2"]), ("lesson-03", ["--samples", "10"]), ("lesson-01", ["--seed", "-1"]),
        ])
    func lessonBadFlags(lesson: String, flags: [String]) throws {
        let directory = temporaryDirectory("badflags")
        defer { try? FileManager.default.removeItem(at: directory) }
        let result = try runProduct(lesson, flags + ["--output", directory.path])
        #expect(result.status != 0)
        #expect(result.stderr.split(separator: "\n").count == 1, "stderr: \(result.stderr)")
    }

    @Test("--help prints usage and exits 0")
    func help() throws {
        let result = try runProduct("lesson-01", ["--help"])
        #expect(result.status == 0 && result.stdout.contains("--seed") && result.stdout.contains("--output"))
    }
}
