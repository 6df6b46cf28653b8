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
}
