import Datasets
// Lesson 09, section 6 and the files: sampling as progressive lossy compression (Sec. 4.3, Fig. 5,
// Table 4).
import Diffusion
import Foundation
import Learning
import LessonKit
import Plotting
import TensorCore

extension Lesson09 {
    // MARK: - 6. Progressive coding

    /// Returns the recap's sentence about the rate–distortion reading.
    func compression(_ book: Notebook, run: Run, evaluation: Evaluation) -> String {
        book.section("6. Sampling as progressive lossy compression (Sec. 4.3, Fig. 5)")
        let r = evaluation.heldOut[0]
        let s = run.schedule
        let grays = DigitImages.levels - 1
        book.text(
            """
            Sec. 4.3 reads the bound as a code. A sender who shares the model transmits x_T, x_{T−1}, …, x₀ one step \
            at a time; step t costs L_{t−1} bits in expectation (with a suitable coder), and after receiving xₜ the \
            receiver can already estimate x̂₀ (Eq. 15). Rate(t) is what has been received once xₜ is known, \
            distortion(t) the root mean square error of x̂₀ against x₀ (x̂₀ clipped to the data's range [−1, 1], as \
            Ho's code measures it), in gray levels (0…\(grays)) and, to compare with the paper's CIFAR10 figures, \
            rescaled to 0…255. Held-out digits, \(r.model.name).
            """)
        book.equation(
            """
            Rate(t) = L_T + Σ_{s=t}^{T−1} L_s,     Distortion(t) = √(mean (clip(x̂₀) − x₀)²)  \
            (x̂₀ of Eq. 15 at xₜ ~ q(xₜ∣x₀))
            """)
        let steps = Array(s.timeSteps)
        let rate = steps.map { r.rate(at: $0) }
        let levels = Double(grays) / 2
        let distortion = steps.map { r.clippedSquaredError[$0 - 1].squareRoot() * levels }
        let belowOne = s.timeSteps.last { distortion[$0 - 1] < 1 } ?? 0
        let after = belowOne > 0 ? (r.total - rate[belowOne - 1]) / r.total : 0
        let reversed = steps.map { Double(s.steps - $0) }
        let oneLevel = "one gray level"
        // The point where the distortion falls below one gray level, marked on each panel.
        let marks: (steps: [Double], rate: [Double], distortion: [Double]) =
            belowOne > 0 ? ([Double(s.steps - belowOne)], [rate[belowOne - 1]], [distortion[belowOne - 1]]) : ([], [], [])
        let markLabel = "t = \(belowOne): below one gray level"
        book.figure(
            Figure(
                name: "rate-distortion", title: "Fig. 5 in miniature: held-out digits", columns: 3, width: 1500, height: 480,
                panels: [
                    Panel(
                        xLabel: "reverse process steps (T − t)", yLabel: "distortion (RMSE, gray levels 0…\(grays))", legend: .topRight,
                        series: [
                            .line(x: reversed, y: distortion),
                            .line(x: [0, Double(s.steps)], y: [1, 1], label: oneLevel, width: 1.5, dashed: true, color: "#777777"),
                        ] + (belowOne > 0 ? [.scatter(x: marks.steps, y: marks.distortion, label: markLabel, size: 1.5, color: "#d62728")] : [])),
                    Panel(
                        xLabel: "reverse process steps (T − t)", yLabel: "rate (bits/dim)", legend: .topLeft,
                        series: [
                            .line(x: reversed, y: rate)
                        ] + (belowOne > 0 ? [.scatter(x: marks.steps, y: marks.rate, label: markLabel, size: 1.5, color: "#d62728")] : [])),
                    Panel(
                        xLabel: "rate (bits/dim)", yLabel: "distortion (RMSE, gray levels 0…\(grays))", legend: .topRight,
                        series: [
                            .line(x: rate, y: distortion),
                            .line(x: [0, r.total], y: [1, 1], label: oneLevel, width: 1.5, dashed: true, color: "#777777"),
                        ] + (belowOne > 0 ? [.scatter(x: marks.rate, y: marks.distortion, label: markLabel, size: 1.5, color: "#d62728")] : [])),
                ]),
            caption: """
                Distortion against steps of the reverse process, rate against steps, and distortion against rate (as \
                the paper's Fig. 5); the dashed line is one gray level, the red point the step where the distortion \
                falls below it
                """)
        book.table(
            ["t", "rate (bits/dim)", "distortion (gray levels 0…\(grays))", "distortion (rescaled to 0…255)"],
            [1000, 900, 800, 700, 600, 500, 400, 300, 200, 100, 50, 10, 1].map { t in
                [
                    String(t), NumberFormat.fixed(rate[t - 1], 3), NumberFormat.fixed(distortion[t - 1], 3),
                    NumberFormat.fixed(distortion[t - 1] * 255 / Double(grays), 2),
                ]
            })
        let reading =
            after > 0.5
            ? """
            As the paper found on CIFAR10, most of the lossless codelength describes distortions finer than the \
            data's own quantisation (here one of 17 gray levels).
            """
            : "Unlike the paper's CIFAR10, fewer than half of the bits here describe distortions under one level."
        book.text(
            """
            Measured: the distortion falls below one gray level at t = \(belowOne); from there on the receiver's \
            estimate is already within a level, yet \(NumberFormat.fixed(100 * after, 1)) % of the bound's \
            \(NumberFormat.fixed(r.total, 3)) bits/dim is still to come. \(reading)
            """)
        book.check(zip(rate, rate.dropFirst()).allSatisfy { $0 >= $1 }, "rate falls as t grows (every term is ≥ 0)")
        book.check(distortion[0] < distortion[s.steps - 1], "the distortion at t = 1 is below the distortion at t = T")
        return """
            Read as a code (Sec. 4.3), the distortion falls below one gray level at t = \(belowOne), with \
            \(NumberFormat.fixed(100 * after, 1)) % of the bits still to be sent.
            """
    }

    // MARK: - Files

    func writeTerms(_ book: Notebook, run: Run, evaluation: Evaluation) throws {
        book.section("8. Files")
        let r = evaluation.heldOut[0]
        let lines =
            ["t,term_bits_per_dim"]
            + r.terms.enumerated().map {
                """
                \($0.offset + 1),\(NumberFormat.significant($0.element, 10))
                """
            }
        try (lines.joined(separator: "\n") + "\n").write(
            to: book.directory.appendingPathComponent("bound-terms.csv"), atomically: true, encoding: .utf8)
        book.wroteFile(
            "bound-terms.csv",
            """
            the held-out bound's terms (\(r.model.name)), mean over \(run.images) images: t = 1 is L₀, \
            t = 2…\(run.schedule.steps) are L_{t−1}, t = \(run.schedule.steps + 1) is L_T
            """)
        let all = evaluation.heldOut
        let header = "t," + all.map { "\"\($0.model.name)\"" }.joined(separator: ",")
        let rows = (0..<all[0].terms.count).map { i in "\(i + 1)," + all.map { NumberFormat.significant($0.terms[i], 10) }.joined(separator: ",") }
        try (([header] + rows).joined(separator: "\n") + "\n").write(
            to: book.directory.appendingPathComponent("bound-terms-all.csv"), atomically: true, encoding: .utf8)
        book.wroteFile("bound-terms-all.csv", "the same for all four reverse processes, one column each")
        for (name, report) in [("held-out", all[0]), ("training", evaluation.training[0])] {
            book.value("L on \(name) digits, \(report.model.name) (bits/dim)", report.total, digits: 5)
        }
    }
}
