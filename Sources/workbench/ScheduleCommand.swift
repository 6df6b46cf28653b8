import ArgumentParser
import Diffusion
import Foundation
import LessonKit

extension ScheduleKind: ExpressibleByArgument {}

/// `workbench schedule`: a noise schedule as CSV, one row per paper step t = 1…T, every number in
/// 17 significant digits (enough to round-trip a Double).
struct ScheduleCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "schedule",
        abstract: "Print a noise schedule as CSV (t = 1…T), for handouts and cross-checks.")

    /// The CSV header, in column order.
    static let header =
        "t,beta,alpha,alphaBar,sqrtAlphaBar,sqrtOneMinusAlphaBar,betaTilde,posteriorMeanCoefX0,posteriorMeanCoefXt,snr"

    @Option(help: "Schedule kind: \(ScheduleKind.allCases.map(\.rawValue).joined(separator: ", ")).")
    var schedule: ScheduleKind = .linear

    @Option(parsing: .unconditional, help: "Number of diffusion steps T (≥ 1).")
    var steps: Int = 1000

    @Option(parsing: .unconditional, help: "β₁ (linear and quadratic), in (0, 1).")
    var betaStart: Double = 1e-4

    @Option(parsing: .unconditional, help: "β_T (linear and quadratic), in (0, 1).")
    var betaEnd: Double = 0.02

    @Option(help: "Read β₁…β_T from a file (one number per line) instead of --schedule.")
    var betasFile: String?

    mutating func run() throws {
        let noiseSchedule: NoiseSchedule
        do {
            if let path = betasFile {
                noiseSchedule = try NoiseSchedule(betas: try Self.readBetas(path))
            } else {
                noiseSchedule = try schedule.make(steps: steps, betaStart: betaStart, betaEnd: betaEnd)
            }
        } catch let error as ScheduleError {
            throw ValidationError(error.description)
        }
        print(Self.csv(noiseSchedule), terminator: "")
    }

    /// The CSV text of `schedule`, header first.
    static func csv(_ s: NoiseSchedule) -> String {
        var lines = [header]
        for t in s.timeSteps {
            let row = [
                s.beta(t), s.alpha(t), s.alphaBar(t), s.sqrtAlphaBar(t), s.sqrtOneMinusAlphaBar(t), s.betaTilde(t),
                s.posteriorMeanCoefX0(t), s.posteriorMeanCoefXt(t), s.snr(t),
            ]
            lines.append(([String(t)] + row.map(NumberFormat.full)).joined(separator: ","))
        }
        return lines.joined(separator: "\n") + "\n"
    }

    /// β values from a text file, one per line (blank lines and `#` comments skipped).
    static func readBetas(_ path: String) throws -> [Double] {
        guard let text = try? String(contentsOfFile: path, encoding: .utf8) else {
            throw ValidationError("cannot read betas file \(path)")
        }
        var betas: [Double] = []
        for (number, line) in text.split(separator: "\n", omittingEmptySubsequences: false).enumerated() {
            let trimmed = line.trimmingCharacters(in: .whitespaces)
            if trimmed.isEmpty || trimmed.hasPrefix("#") { continue }
            guard let value = Double(trimmed) else {
                throw ValidationError("\(path):\(number + 1): '\(trimmed)' is not a number")
            }
            betas.append(value)
        }
        return betas
    }
}
