import Foundation

/// Lesson 08's samples file, as every digits lesson writes it: a header `p0,…,p63` (plus `label` when
/// each sample has one), then one image a row, 64 values row-major clipped to [−1, 1], six significant digits.
public enum SamplesCSV {
    /// The file's text for `samples` ([n, 64]) and optional `labels` (one per sample).
    public static func text(_ samples: [Float], labels: [Int]? = nil) -> String {
        let count = samples.count / 64
        precondition(samples.count == count * 64 && (labels == nil || labels!.count == count), "SamplesCSV: \(samples.count) values, \(labels?.count ?? 0) labels")
        let header = (0..<64).map { "p\($0)" } + (labels == nil ? [] : ["label"])
        let rows = (0..<count).map { i in
            (0..<64).map { NumberFormat.significant(Double(max(-1, min(1, samples[i * 64 + $0]))), 6) } + (labels.map { [String($0[i])] } ?? [])
        }
        return ([header] + rows).map { $0.joined(separator: ",") }.joined(separator: "\n") + "\n"
    }

    /// Writes `text(samples, labels:)` to `file` in the notebook's folder and lists it with `description`.
    public static func write(_ samples: [Float], labels: [Int]? = nil, file: String, in book: Notebook, description: String) throws {
        try text(samples, labels: labels).write(to: book.directory.appendingPathComponent(file), atomically: true, encoding: .utf8)
        book.wroteFile(file, description)
    }

    /// What is wrong with a samples file, in one line naming it.
    public struct Malformed: Error, CustomStringConvertible {
        /// The file and the problem.
        public let description: String

        /// The error `description`.
        public init(description: String) { self.description = description }
    }

    /// The samples of `text` (`text(_:labels:)`'s format; a label column is read past).
    /// - Throws: `Malformed` naming the first line that is not 64 numbers (and a label, if the header has one).
    public static func samples(in text: String, file: String) throws -> [Float] {
        let lines = text.split(separator: "\n", omittingEmptySubsequences: true)
        guard let header = lines.first else { throw Malformed(description: "\(file) is empty") }
        let columns = header.split(separator: ",").count
        guard columns == 64 || columns == 65 else { throw Malformed(description: "\(file): the header has \(columns) columns, expected p0,…,p63") }
        var values: [Float] = []
        values.reserveCapacity(64 * (lines.count - 1))
        for (index, line) in lines.dropFirst().enumerated() {
            let fields = line.split(separator: ",", omittingEmptySubsequences: false)
            let numbers = fields.prefix(64).compactMap { Float($0) }
            guard fields.count == columns, numbers.count == 64 else { throw Malformed(description: "\(file), line \(index + 2): not 64 numbers") }
            values += numbers
        }
        return values
    }

    /// The samples in `folder/file`, or nil when there is no such file.
    /// - Throws: `Malformed` when the file is there but not in this format.
    public static func read(file: String, in folder: String) throws -> [Float]? {
        let url = URL(fileURLWithPath: folder, isDirectory: true).appendingPathComponent(file)
        guard let text = try? String(contentsOf: url, encoding: .utf8) else { return nil }
        return try samples(in: text, file: url.path)
    }
}
