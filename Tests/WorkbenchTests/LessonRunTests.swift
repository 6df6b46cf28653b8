import Foundation
import Testing

@testable import LessonKit

@Suite("Lessons run end to end (quick mode)", .serialized)
struct LessonRunTests {
    static let lessons = [
        ("lesson-01", ["schedules", "two-bumps-diffused", "swiss-roll-diffused", "step-vs-jump"]),
        ("lesson-02", ["posterior-vs-bayes", "posterior-coefficients", "two-variances"]),
        ("lesson-03", ["loss-weights", "optimal-noise"]),
        ("lesson-10", ["schedules", "destruction", "noising", "loss", "samples-by-schedule", "bound-terms", "learned-v", "frechet-vs-steps", "samples-few-steps"]),
    ]

    /// The U-Net width of the quick runs that train one (lessons 08 and 10; lessons 09, 11 and 12 read lesson 08's).
    static let smallNet = ["--ch", "8"]

    /// The lessons the quick runs of this suite cover: `lessons`, and the two chains below (04–07; 08, 09, 11, 12).
    static let quickRuns = lessons.map(\.0) + (4...7).map { "lesson-0\($0)" } + ["lesson-08", "lesson-09", "lesson-11", "lesson-12"]

    /// Every lesson folder, `Lessons/NN-name/`: the list Package.swift builds the lesson executables from.
    static let folders: [String] = ((try? FileManager.default.contentsOfDirectory(atPath: packageRoot.appendingPathComponent("Lessons").path)) ?? [])
        .filter { $0.count > 3 && $0.prefix(2).allSatisfy(\.isNumber) && $0.dropFirst(2).first == "-" }.sorted()

    @Test("Every lesson folder builds an executable that explains itself: --help names --seed, --output and --quick", arguments: folders)
    func everyLessonAnswersHelp(folder: String) throws {
        let result = try runProduct("lesson-" + folder.prefix(2), ["--help"])
        #expect(result.status == 0, "stderr: \(result.stderr)")
        for flag in ["--seed", "--output", "--quick"] { #expect(result.stdout.contains(flag), "\(folder): --help names \(flag)") }
    }

    @Test("Every lesson folder is run in quick mode by one of this suite's tests")
    func everyLessonRunsQuick() {
        #expect(Set(Self.quickRuns) == Set(Self.folders.map { "lesson-" + $0.prefix(2) }), "quick runs \(Self.quickRuns), folders \(Self.folders)")
    }

    @Test("Each lesson passes its own checks and writes its figures and transcript", arguments: lessons)
    func lessonRuns(lesson: String, figures: [String]) throws {
        let directory = temporaryDirectory(lesson)
        defer { try? FileManager.default.removeItem(at: directory) }
        // Lesson 10 trains its own U-Nets: at ch = 8 (a flag a student can pass) the quick run takes a quarter of the time.
        let result = try runProduct(lesson, ["--quick", "--output", directory.path] + (lesson == "lesson-10" ? Self.smallNet : []))
        #expect(result.status == 0, "stderr: \(result.stderr)")
        #expect(!result.stdout.contains("✗"))
        for name in figures {
            #expect(PlottingTests.isPNG(directory.appendingPathComponent(name + ".png")), "\(name).png")
            #expect(FileManager.default.fileExists(atPath: directory.appendingPathComponent(name + ".gp").path))
        }
        let transcript = try String(contentsOf: directory.appendingPathComponent("README.md"), encoding: .utf8)
        for name in figures { #expect(transcript.contains("(\(name).png)")) }
        for heading in ["## What this lesson teaches", "## Recap", "## Exercises"] { #expect(transcript.contains(heading), "\(lesson): \(heading)") }
        #expect(transcript.contains("**Next:** [Lesson "), "\(lesson): the link to the next lesson")
    }

    @Test("Lesson 10 refuses a bad flag in one line, before any work", arguments: [["--bound-images", "0"], ["--ch", "12"], ["--samples", "5"], ["--steps", "0"]])
    func lesson10RefusesBadFlags(flags: [String]) throws {
        let directory = temporaryDirectory("lesson-10-bad")
        defer { try? FileManager.default.removeItem(at: directory) }
        let bad = try runProduct("lesson-10", flags + ["--output", directory.path])
        #expect(bad.status != 0 && bad.stderr.split(separator: "\n").count == 1 && bad.stderr.contains("got \(flags[1])"), "\(flags): \(bad.stderr)")
        #expect(!FileManager.default.fileExists(atPath: directory.appendingPathComponent("README.md").path))
    }

    @Test("Lessons 04–07 run in quick mode: training writes models, the later lessons read them")
    func trainingAndSamplingLessons() throws {
        let four = temporaryDirectory("lesson-04")
        let five = temporaryDirectory("lesson-05")
        defer { for d in [four, five] { try? FileManager.default.removeItem(at: d) } }
        let training = try runProduct("lesson-04", ["--quick", "--output", four.path])
        #expect(training.status == 0, "stderr: \(training.stderr)")
        for name in ["data", "loss-swissroll", "loss-by-t", "loss-eight-gaussians", "oracle-gap"] {
            #expect(PlottingTests.isPNG(four.appendingPathComponent(name + ".png")), "\(name).png")
        }
        for model in ["swissroll.safetensors", "eight-gaussians.safetensors"] {
            #expect(FileManager.default.fileExists(atPath: four.appendingPathComponent(model).path))
        }
        let sampling = try runProduct("lesson-05", ["--quick", "--draws", "1", "--models", four.path, "--output", five.path])
        #expect(sampling.status == 0, "stderr: \(sampling.stderr)")
        for name in ["swissroll-samples", "gaussians-samples", "trajectories", "progressive"] {
            #expect(PlottingTests.isPNG(five.appendingPathComponent(name + ".png")), "\(name).png")
        }
        let gif = try Data(contentsOf: five.appendingPathComponent("sampling.gif"))
        #expect(Array(gif.prefix(6)) == Array("GIF89a".utf8))
        let csv = try String(contentsOf: five.appendingPathComponent("samples.csv"), encoding: .utf8).split(separator: "\n")
        #expect(csv.first == "x,y" && csv.count == 501)
        #expect(csv.dropFirst().allSatisfy { $0.split(separator: ",").count == 2 && $0.split(separator: ",").allSatisfy { Double($0)?.isFinite == true } })
        let six = temporaryDirectory("lesson-06")
        defer { try? FileManager.default.removeItem(at: six) }
        let interpolation = try runProduct("lesson-06", ["--quick", "--models", four.path, "--output", six.path])
        #expect(interpolation.status == 0, "stderr: \(interpolation.stderr)")
        for name in ["paths", "encoder-noise", "reconstruction"] {
            #expect(PlottingTests.isPNG(six.appendingPathComponent(name + ".png")), "\(name).png")
        }
        let score = try runProduct("lesson-07", ["--quick", "--models", four.path, "--output", six.path])
        #expect(score.status == 0, "stderr: \(score.stderr)")
        for name in ["score-fields", "langevin-vs-ddpm"] {
            #expect(PlottingTests.isPNG(six.appendingPathComponent(name + ".png")), "\(name).png")
        }
        let missing = try runProduct("lesson-05", ["--quick", "--models", "/nonexistent", "--output", five.path])
        #expect(missing.status != 0 && missing.stderr.contains("run lesson-04 first") && missing.stderr.split(separator: "\n").count == 1)
    }

    @Test("Lessons 08, 09 and 11 run in quick mode: figures, samples.csv, the model the later lessons load, bound-terms.csv, S = 50 samples")
    func digitsLesson() throws {
        let directory = temporaryDirectory("lesson-08")
        defer { try? FileManager.default.removeItem(at: directory) }
        // At ch = 8 lessons 09–12 run the same code on a network a quarter of the default's cost.
        let result = try runProduct("lesson-08", ["--quick", "--output", directory.path] + Self.smallNet)
        #expect(result.status == 0, "stderr: \(result.stderr)")
        #expect(!result.stdout.contains("✗"))
        for name in ["data", "loss", "loss-by-t", "samples", "nearest", "progressive", "shared-latents", "interpolation"] {
            #expect(PlottingTests.isPNG(directory.appendingPathComponent(name + ".png")), "\(name).png")
        }
        let gif = try Data(contentsOf: directory.appendingPathComponent("sampling.gif"))
        #expect(Array(gif.prefix(6)) == Array("GIF89a".utf8))
        let csv = try String(contentsOf: directory.appendingPathComponent("samples.csv"), encoding: .utf8).split(separator: "\n")
        #expect(csv.first == Substring((0..<64).map { "p\($0)" }.joined(separator: ",")) && csv.count == 101)
        #expect(
            csv.dropFirst().allSatisfy { row in
                let values = row.split(separator: ",").compactMap { Double($0) }
                return values.count == 64 && values.allSatisfy { (-1...1).contains($0) }
            })
        #expect(FileManager.default.fileExists(atPath: directory.appendingPathComponent("digits-unet.safetensors").path))
        let tilde = try #require(try SamplesCSV.read(file: "samples-tilde.csv", in: directory.path))
        #expect(tilde.count == 64 * QuickBudgets.Lesson08.tildeSamples)
        let losses = try TrainingLossCSV.read(from: directory.appendingPathComponent(TrainingLossCSV.file))
        #expect(losses.count == QuickBudgets.Lesson08.steps && losses.allSatisfy { $0.isFinite && $0 > 0 })
        // 30 steps are fewer than Table 2's 600: no copy of the weights at step 600, so lesson 09 trains that row.
        #expect(!FileManager.default.fileExists(atPath: directory.appendingPathComponent(TrainedDigitsModel.table2File(seed: 0)).path))
        let bad = try runProduct("lesson-08", ["--ch", "12", "--output", directory.path])
        #expect(bad.status != 0 && bad.stderr.split(separator: "\n").count == 1 && bad.stderr.contains("got 12"))
        try likelihoodLesson(models: directory)
        try fastSamplingLesson(models: directory)
        try guidanceLesson(models: directory)
    }

    /// Lesson 12 on lesson 08's quick model: figures, the two CFG sample files with their label column, one-line refusals.
    func guidanceLesson(models: URL) throws {
        let directory = temporaryDirectory("lesson-12")
        defer { try? FileManager.default.removeItem(at: directory) }
        let result = try runProduct("lesson-12", ["--quick", "--models", models.path, "--output", directory.path])
        #expect(result.status == 0, "stderr: \(result.stderr)")
        #expect(!result.stdout.contains("✗"))
        for name in ["noisy-classifier", "classifier-guided", "cfg-grids", "trade-off"] {
            #expect(PlottingTests.isPNG(directory.appendingPathComponent(name + ".png")), "\(name).png")
        }
        for file in ["samples-cfg-w0.csv", "samples-cfg-w2.csv"] {
            let csv = try String(contentsOf: directory.appendingPathComponent(file), encoding: .utf8).split(separator: "\n")
            #expect(csv.first == Substring(((0..<64).map { "p\($0)" } + ["label"]).joined(separator: ",")) && csv.count == 41, "\(file)")
            #expect(
                csv.dropFirst().enumerated().allSatisfy { i, row in
                    let values = row.split(separator: ",").compactMap { Double($0) }
                    return values.count == 65 && values.prefix(64).allSatisfy { (-1...1).contains($0) } && values[64] == Double(i / 4)
                }, "\(file)")
        }
        let bad = try runProduct("lesson-12", ["--sampling-steps", "1", "--models", models.path, "--output", directory.path])
        #expect(bad.status != 0 && bad.stderr.split(separator: "\n").count == 1 && bad.stderr.contains("got 1"))
    }

    /// Lesson 11 on lesson 08's quick model: figures, the two S = 50 sample files, one-line refusals.
    func fastSamplingLesson(models: URL) throws {
        let directory = temporaryDirectory("lesson-11")
        defer { try? FileManager.default.removeItem(at: directory) }
        let result = try runProduct("lesson-11", ["--quick", "--models", models.path, "--output", directory.path])
        #expect(result.status == 0, "stderr: \(result.stderr)")
        #expect(!result.stdout.contains("✗"))
        for name in ["frechet-vs-steps", "samples-by-steps", "round-trip", "slerp"] {
            #expect(PlottingTests.isPNG(directory.appendingPathComponent(name + ".png")), "\(name).png")
        }
        for file in ["samples-ddim-S50.csv", "samples-ddpm-S50.csv"] {
            let csv = try String(contentsOf: directory.appendingPathComponent(file), encoding: .utf8).split(separator: "\n")
            #expect(csv.first == Substring((0..<64).map { "p\($0)" }.joined(separator: ",")) && csv.count == 41, "\(file)")
            #expect(
                csv.dropFirst().allSatisfy { row in
                    let values = row.split(separator: ",").compactMap { Double($0) }
                    return values.count == 64 && values.allSatisfy { (-1...1).contains($0) }
                }, "\(file)")
        }
        let bad = try runProduct("lesson-11", ["--samples", "10", "--models", models.path, "--output", directory.path])
        #expect(bad.status != 0 && bad.stderr.split(separator: "\n").count == 1 && bad.stderr.contains("got 10"))
    }

    /// Lesson 09 on lesson 08's quick model: figures, bound-terms.csv, and one-line refusals.
    func likelihoodLesson(models: URL) throws {
        let directory = temporaryDirectory("lesson-09")
        defer { try? FileManager.default.removeItem(at: directory) }
        let result = try runProduct("lesson-09", ["--quick", "--all-rows", "--models", models.path, "--output", directory.path])
        #expect(result.status == 0, "stderr: \(result.stderr)")
        #expect(!result.stdout.contains("✗"))
        for name in ["decoder", "bound-terms", "levels", "rate-distortion", "table2-samples"] {
            #expect(PlottingTests.isPNG(directory.appendingPathComponent(name + ".png")), "\(name).png")
        }
        let csv = try String(contentsOf: directory.appendingPathComponent("bound-terms.csv"), encoding: .utf8).split(separator: "\n")
        #expect(csv.first == "t,term_bits_per_dim" && csv.count == 1_002)
        let rows = csv.dropFirst().map { $0.split(separator: ",").compactMap { Double($0) } }
        #expect(rows.enumerated().allSatisfy { $1.count == 2 && $1[0] == Double($0 + 1) && $1[1] >= 0 })
        let missing = try runProduct("lesson-09", ["--models", directory.appendingPathComponent("none").path, "--output", directory.path])
        #expect(missing.status != 0 && missing.stderr.split(separator: "\n").count == 1 && missing.stderr.contains("run lesson-08 first"))
        // A folder from before safetensors: the older file is named, and the lesson to rerun.
        let older = directory.appendingPathComponent("older")
        try FileManager.default.createDirectory(at: older, withIntermediateDirectories: true)
        try Data("DDPMWB2\n".utf8).write(to: older.appendingPathComponent("digits-unet.ddpm"))
        let stale = try runProduct("lesson-09", ["--models", older.path, "--output", directory.path])
        #expect(stale.status != 0 && stale.stderr.split(separator: "\n").count == 1 && stale.stderr.contains("digits-unet.ddpm: rerun lesson-08"), "\(stale.stderr)")
        let bad = try runProduct("lesson-09", ["--images", "0", "--models", models.path, "--output", directory.path])
        #expect(bad.status != 0 && bad.stderr.split(separator: "\n").count == 1 && bad.stderr.contains("got 0"))
    }

    @Test("The same seed writes byte-identical files; another seed changes them")
    func sameSeedSameOutput() throws {
        let a = temporaryDirectory("seed-a")
        let b = temporaryDirectory("seed-b")
        let c = temporaryDirectory("seed-c")
        defer { for d in [a, b, c] { try? FileManager.default.removeItem(at: d) } }
        _ = try runProduct("lesson-01", ["--quick", "--output", a.path])
        _ = try runProduct("lesson-01", ["--quick", "--output", b.path])
        _ = try runProduct("lesson-01", ["--quick", "--seed", "1", "--output", c.path])
        for file in ["README.md", "two-bumps-diffused.gp", "two-bumps-diffused.png"] {
            let first = try Data(contentsOf: a.appendingPathComponent(file))
            #expect(first == (try Data(contentsOf: b.appendingPathComponent(file))), "\(file) differs between runs")
            if file.hasSuffix(".gp") { #expect(first != (try Data(contentsOf: c.appendingPathComponent(file)))) }
        }
    }

    @Test("Without gnuplot a lesson still writes every script and the transcript, says what to install, exits non-zero")
    func lessonWithoutGnuplot() throws {
        let directory = temporaryDirectory("nognuplot-lesson")
        defer { try? FileManager.default.removeItem(at: directory) }
        let result = try runProduct("lesson-03", ["--quick", "--output", directory.path], environment: ["WORKBENCH_GNUPLOT": "/nonexistent/gnuplot"])
        #expect(result.status != 0)
        #expect(result.stdout.contains("The best noise predictor is a score"), "the narrative is still printed")
        let errors = result.stderr.split(separator: "\n")
        #expect(errors.count == 1 && errors[0].contains("apt-get install gnuplot-nox"), "stderr: \(result.stderr)")
        for name in ["loss-weights.gp", "optimal-noise.gp", "README.md"] {
            #expect(FileManager.default.fileExists(atPath: directory.appendingPathComponent(name).path), "\(name)")
        }
        #expect(!FileManager.default.fileExists(atPath: directory.appendingPathComponent("loss-weights.png").path))
    }
}
