import Foundation
import Testing

@testable import Datasets
@testable import Evaluation

@Suite("The digits data set and its loader")
struct DigitsTests {
    @Test("The shipped file: 1,797 images of 64 gray levels in 0…16, every class present, split 1,500 / 297")
    func shippedFile() throws {
        let digits = try DigitImages.shipped()
        #expect(digits.count == 1_797 && digits.grayLevels.count == 1_797 * 64)
        #expect(digits.grayLevels.max() == 16 && digits.grayLevels.min() == 0)
        #expect(Set(digits.labels) == Set(0...9))
        #expect(digits.training.count == 1_500 && digits.heldOut.count == 297)
        #expect(digits.heldOut.labels.first == digits.labels[1_500])
        // x = v/8 − 1: 17 levels from −1 to 1 in steps of 1/8.
        #expect(Set(digits.values).count == 17 && digits.values.min() == -1 && digits.values.max() == 1)
        // The first row of the file, as `zcat digits.csv.gz | head -1` shows it: a 0.
        #expect(digits.grayLevels[0..<8] == [0, 0, 5, 13, 9, 1, 0, 0] && digits.labels[0] == 0)
        #expect(FileManager.default.fileExists(atPath: Bundle.module.url(forResource: "CREDIT", withExtension: "md")!.path))
    }

    static func write(_ text: String) throws -> URL {
        let url = temporaryDirectory("digits").appendingPathComponent("digits.csv")
        try text.write(to: url, atomically: true, encoding: .utf8)
        return url
    }

    static let goodRow = (Array(repeating: "3", count: 64) + ["7"]).joined(separator: ",")

    @Test(
        "A malformed file is refused in one line naming the row",
        arguments: [
            ("short", 3, "row 3: expected 65 integers"),
            ("letter", 2, "row 2, column 5: 'x' is not an integer"),
            ("level", 4, "row 4, column 5: gray level 17 outside 0…16"),
            ("label", 1, "row 1: label 10 outside 0…9"),
        ])
    func malformedFile(kind: String, row: Int, message: String) throws {
        var rows = Array(repeating: Self.goodRow, count: 1_600)
        var fields = rows[row - 1].split(separator: ",").map(String.init)
        switch kind {
        case "short": fields.removeLast()
        case "letter": fields[4] = "x"
        case "level": fields[4] = "17"
        default: fields[64] = "10"
        }
        rows[row - 1] = fields.joined(separator: ",")
        let url = try Self.write(rows.joined(separator: "\n") + "\n")
        defer { try? FileManager.default.removeItem(at: url.deletingLastPathComponent()) }
        do {
            _ = try DigitImages.load(url)
            Issue.record("a bad \(kind) was accepted")
        } catch {
            #expect(error.description.contains(message), "\(error.description)")
            #expect(!error.description.contains("\n"))
        }
    }

    @Test("A missing file, and too few rows for the split, are refused")
    func missingOrShort() throws {
        #expect(throws: DigitsError.unreadable(path: "/nonexistent/digits.csv.gz")) { try DigitImages.load(URL(fileURLWithPath: "/nonexistent/digits.csv.gz")) }
        let url = try Self.write(Array(repeating: Self.goodRow, count: 10).joined(separator: "\n"))
        defer { try? FileManager.default.removeItem(at: url.deletingLastPathComponent()) }
        #expect(throws: DigitsError.tooFewRows(count: 10, needed: 1_500)) { try DigitImages.load(url) }
    }

    @Test("The baselines' codelengths: N copies of one image cost log₂((N + K/2)/(N + ½)) a pixel; unseen levels and contexts their smoothed share")
    func baselineCodelengths() {
        let n = 40
        let a = (0..<64).map { UInt8($0 % 17) }
        // b differs from a at every pixel, and so does its left neighbour (b = a + 8 mod 17).
        let b = a.map { ($0 + 8) % 17 }
        let copies = DigitImages(grayLevels: Array([[UInt8]](repeating: a, count: n).joined()), labels: [Int](repeating: 0, count: n))
        let seen = DigitImages(grayLevels: a, labels: [0])
        let unseen = DigitImages(grayLevels: b, labels: [0])
        let categorical = PixelCategorical(fittedOn: copies)
        let chain = PixelMarkovChain(fittedOn: copies)
        let k = 17.0
        let fitted = log2((Double(n) + k / 2) / (Double(n) + 0.5))
        #expect(abs(categorical.bitsPerDimension(seen)[0] - fitted) < 1e-12)
        #expect(abs(chain.bitsPerDimension(seen)[0] - fitted) < 1e-12)
        #expect(abs(categorical.bitsPerDimension(unseen)[0] - log2((Double(n) + k / 2) / 0.5)) < 1e-12)
        // The chain: pixel 0 has the seen context (the background, level 0) but an unseen level; every
        // later pixel has a context never seen at its position, so its row is all ½s: log₂ K bits.
        let expectedChain = (log2((Double(n) + k / 2) / 0.5) + 63 * log2(k)) / 64
        #expect(abs(chain.bitsPerDimension(unseen)[0] - expectedChain) < 1e-12)
    }
}
