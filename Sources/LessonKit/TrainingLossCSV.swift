import Foundation

/// Lesson 08's batch loss of every training step, `training-loss.csv`: a header `step,loss`, then one row a
/// step (1, 2, …), the loss with six significant digits.
public enum TrainingLossCSV {
    /// The file's name.
    public static let file = "training-loss.csv"

    /// The file's text for `losses` (step 1 first).
    public static func text(_ losses: [Double]) -> String {
        (["step,loss"] + losses.enumerated().map { "\($0.offset + 1),\(NumberFormat.significant($0.element, 6))" }).joined(separator: "\n") + "\n"
    }

    /// The losses in `text`, step 1 first. - Throws: `SamplesCSV.Malformed` naming the first row that is not
    /// the next step and a number.
    public static func losses(in text: String, file: String) throws -> [Double] {
        let lines = text.split(separator: "\n", omittingEmptySubsequences: true)
        guard lines.first == "step,loss" else { throw SamplesCSV.Malformed(description: "\(file): the header is not step,loss") }
        return try lines.dropFirst().enumerated().map { index, line in
            let fields = line.split(separator: ",")
            guard fields.count == 2, Int(fields[0]) == index + 1, let loss = Double(fields[1]) else {
                throw SamplesCSV.Malformed(description: "\(file), line \(index + 2): not step \(index + 1) and a loss")
            }
            return loss
        }
    }

    /// The losses in the file at `url`. - Throws: when it cannot be read, or `SamplesCSV.Malformed`.
    public static func read(from url: URL) throws -> [Double] {
        try losses(in: String(contentsOf: url, encoding: .utf8), file: url.path)
    }
}
