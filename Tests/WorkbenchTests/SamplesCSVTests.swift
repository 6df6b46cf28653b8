import Foundation
import Testing

@testable import LessonKit
@testable import TensorCore

/// Lesson 08's samples file read back, as lesson 11 reads it.
struct SamplesCSVTests {
    @Test("samples.csv read back: each value within its six significant digits of the clipped sample, labels read past")
    func roundTrip() throws {
        var rng = SeededGenerator(seed: 5)
        // Values beyond [−1, 1] too, which the file clips.
        let samples = (0..<(3 * 64)).map { _ in Float(1.3 * rng.normal()) }
        for labels in [nil, [2, 0, 9]] {
            let read = try SamplesCSV.samples(in: SamplesCSV.text(samples, labels: labels), file: "samples.csv")
            #expect(read.count == samples.count)
            for (value, sample) in zip(read, samples) {
                let clipped = max(-1, min(1, sample))
                // Six significant digits: a relative rounding of at most 5·10⁻⁶, plus Float's own 2⁻²⁴.
                #expect(abs(value - clipped) <= 5e-6 * abs(clipped) + 0x1p-24, "\(value) against \(clipped)")
            }
        }
    }

    @Test("A malformed samples file is refused in one line naming the file and the line; a missing one is nil")
    func malformed() throws {
        let good = SamplesCSV.text([Float](repeating: 0.5, count: 128))
        var lines = good.split(separator: "\n").map(String.init)
        lines[2] = lines[2].replacingOccurrences(of: "0.5,", with: "x,")
        let error = #expect(throws: SamplesCSV.Malformed.self) { try SamplesCSV.samples(in: lines.joined(separator: "\n"), file: "f.csv") }
        #expect(error?.description == "f.csv, line 3: not 64 numbers")
        #expect(throws: SamplesCSV.Malformed.self) { try SamplesCSV.samples(in: "a,b\n1,2\n", file: "f.csv") }
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("samplescsv-\(UUID().uuidString)").path
        #expect(try SamplesCSV.read(file: "samples.csv", in: folder) == nil)
    }

    @Test("training-loss.csv read back: each loss within its six significant digits; a skipped step is refused naming the line")
    func trainingLosses() throws {
        let losses = (1...40).map { 1 / Double($0) + 0.01 * Double($0 % 3) }
        let text = TrainingLossCSV.text(losses)
        let read = try TrainingLossCSV.losses(in: text, file: "l.csv")
        #expect(read.count == losses.count)
        // Six significant digits: a relative rounding of at most 5·10⁻⁶.
        #expect(zip(read, losses).allSatisfy { abs($0 - $1) <= 5e-6 * abs($1) })
        let skipped = text.replacingOccurrences(of: "\n3,", with: "\n4,")
        let error = #expect(throws: SamplesCSV.Malformed.self) { try TrainingLossCSV.losses(in: skipped, file: "l.csv") }
        #expect(error?.description == "l.csv, line 4: not step 3 and a loss")
    }
}
