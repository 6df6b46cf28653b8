import CZlib
import Foundation

/// A file of digits that cannot be used, with the row (1-based, as a text editor counts) at fault.
public enum DigitsError: Error, Equatable, CustomStringConvertible {
    /// The file could not be opened or decompressed.
    case unreadable(path: String)
    /// A row does not hold 65 integers.
    case fieldCount(row: Int, count: Int)
    /// A field is not an integer.
    case notAnInteger(row: Int, column: Int, text: String)
    /// A gray level outside 0…16.
    case grayLevel(row: Int, column: Int, value: Int)
    /// A label outside 0…9.
    case label(row: Int, value: Int)
    /// Too few rows for the split.
    case tooFewRows(count: Int, needed: Int)

    /// One line naming the problem.
    public var description: String {
        switch self {
        case .unreadable(let path): "cannot read the digits file \(path)"
        case .fieldCount(let row, let count): "digits file, row \(row): expected 65 integers (64 gray levels and a label), found \(count)"
        case .notAnInteger(let row, let column, let text): "digits file, row \(row), column \(column): '\(text)' is not an integer"
        case .grayLevel(let row, let column, let value): "digits file, row \(row), column \(column): gray level \(value) outside 0…16"
        case .label(let row, let value): "digits file, row \(row): label \(value) outside 0…9"
        case .tooFewRows(let count, let needed): "digits file: \(count) rows, the split needs more than \(needed)"
        }
    }
}

/// 8 × 8 handwritten digits with 17 gray levels (UCI "Optical Recognition of Handwritten Digits",
/// CC BY 4.0; the credit ships beside the file, `Resources/CREDIT.md`), as WORKLOAD-digits.md fixes
/// them: gray level v ∈ 0…16 becomes x = v/8 − 1 ∈ [−1, 1] (bins of width 2/16); the training split
/// is the first 1,500 rows, the held-out split the last 297; nothing is shuffled.
public struct DigitImages: Sendable, Equatable {
    /// Pixels per image.
    public static let pixels = 64
    /// Gray levels, 0…16.
    public static let levels = 17
    /// Rows of the training split.
    public static let trainingCount = 1_500

    /// Gray levels 0…16, `count × 64` row-major (image by image, each row-major top-left first).
    public let grayLevels: [UInt8]
    /// The class of each image, 0…9.
    public let labels: [Int]

    /// The number of images.
    public var count: Int { labels.count }

    /// x = v/8 − 1 for gray level v: the pixel value the networks see.
    public static func value(level: Int) -> Float { Float(level) / 8 - 1 }

    /// Every image as x = v/8 − 1, `count × 64` (row-major, so also `[count, 1, 8, 8]`).
    public var values: [Float] { grayLevels.map { DigitImages.value(level: Int($0)) } }

    /// Images `range` of this set.
    public func subset(_ range: Range<Int>) -> DigitImages {
        DigitImages(grayLevels: Array(grayLevels[(range.lowerBound * 64)..<(range.upperBound * 64)]), labels: Array(labels[range]))
    }

    /// The first 1,500 images.
    public var training: DigitImages { subset(0..<Swift.min(DigitImages.trainingCount, count)) }
    /// The images after the first 1,500 (297 in the shipped file).
    public var heldOut: DigitImages { subset(Swift.min(DigitImages.trainingCount, count)..<count) }

    init(grayLevels: [UInt8], labels: [Int]) {
        (self.grayLevels, self.labels) = (grayLevels, labels)
    }

    /// The shipped file, `Resources/digits.csv.gz` (1,797 images).
    public static func shipped() throws(DigitsError) -> DigitImages {
        guard let url = Bundle.module.url(forResource: "digits.csv", withExtension: "gz") else { throw .unreadable(path: "digits.csv.gz (package resource)") }
        return try load(url)
    }

    /// Reads a gzip-compressed (or plain) CSV of 65 integers a row: 64 gray levels 0…16, then a label 0…9.
    /// - Throws: `DigitsError` naming the first bad row; the split needs more than 1,500 rows.
    public static func load(_ url: URL) throws(DigitsError) -> DigitImages {
        let text = try decompressed(url)
        var (levels, labels) = ([UInt8](), [Int]())
        levels.reserveCapacity(1_797 * 64)
        for (index, line) in text.split(separator: "\n", omittingEmptySubsequences: false).enumerated() {
            let row = index + 1
            if line.isEmpty { continue }
            let fields = line.split(separator: ",", omittingEmptySubsequences: false)
            guard fields.count == 65 else { throw .fieldCount(row: row, count: fields.count) }
            for (column, field) in fields.enumerated() {
                let trimmed = field.trimmingCharacters(in: .whitespaces)
                guard let value = Int(trimmed) else { throw .notAnInteger(row: row, column: column + 1, text: String(field)) }
                if column < 64 {
                    guard (0...16).contains(value) else { throw .grayLevel(row: row, column: column + 1, value: value) }
                    levels.append(UInt8(value))
                } else {
                    guard (0...9).contains(value) else { throw .label(row: row, value: value) }
                    labels.append(value)
                }
            }
        }
        guard labels.count > trainingCount else { throw .tooFewRows(count: labels.count, needed: trainingCount) }
        return DigitImages(grayLevels: levels, labels: labels)
    }

    /// The file's text, through zlib's gzread (which also reads an uncompressed file as it is).
    static func decompressed(_ url: URL) throws(DigitsError) -> String {
        guard let file = gzopen(url.path, "rb") else { throw .unreadable(path: url.path) }
        defer { gzclose(file) }
        var bytes: [UInt8] = []
        var chunk = [UInt8](repeating: 0, count: 1 << 16)
        while true {
            let read = chunk.withUnsafeMutableBytes { gzread(file, $0.baseAddress, UInt32($0.count)) }
            if read < 0 { throw .unreadable(path: url.path) }
            if read == 0 { break }
            bytes += chunk[0..<Int(read)]
        }
        guard let text = String(bytes: bytes, encoding: .utf8) else { throw .unreadable(path: url.path) }
        return text
    }
}
