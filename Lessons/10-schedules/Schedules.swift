import Datasets
// Lesson 10, sections 1–2: the two schedules side by side, and how fast each destroys a digit.
import Diffusion
import Foundation
import Learning
import LessonKit
import Plotting
import TensorCore

extension Lesson10 {
    // MARK: - 1. Linear against cosine

    func compareSchedules(_ book: Notebook, run: Run) {
        book.section("1. Two schedules: linear βₜ against cosine ᾱₜ")
        book.text(
            """
            The linear schedule fixes βₜ; the cosine schedule fixes ᾱₜ instead, so that it falls like a quarter \
            cosine from 1 to 0, slowly at both ends. The offset s keeps β₁ from being vanishingly small, and βₜ is \
            capped at 0.999 because the uncapped β_T = 1 would make α_T = 0, and Eq. 11 divides by √α_T (section 3 \
            shows what the cap still costs).
            """)
        book.equation(
            """
            ᾱₜ = f(t)/f(0),   f(t) = cos²(((t/T + s)/(1 + s))·π/2),   s = 0.008,   βₜ = min(1 − ᾱₜ/ᾱₜ₋₁, 0.999)
            """)
        let (lin, cos) = (run.linear, run.cosine)
        let T = cos.steps
        func f(_ t: Int) -> Double { let c = Foundation.cos((Double(t) / Double(T) + 0.008) / 1.008 * Double.pi / 2); return c * c }
        let worst = (1..<T).map { abs(cos.alphaBar($0) - f($0) / f(0)) / (f($0) / f(0)) }.max()!
        let capped = cos.timeSteps.filter { cos.beta($0) == 0.999 }
        let cappedSteps = capped.map(String.init).joined(separator: ", ")
        book.check(
            capped == [T],
            """
            the cap β = 0.999 applies at t = \(cappedSteps) only (uncapped, 1 − f(T)/f(T − 1) = 1)
            """)
        book.check(
            worst < 1e-11,
            """
            the schedule's ᾱₜ (accumulated from its βs in log space) equals f(t)/f(0) at every t < T: largest \
            relative difference \(NumberFormat.scientific(worst, 1))
            """)
        let shown = [1, 50, 100, 250, 500, 750, 900, 1000]
        book.table(
            ["t", "βₜ linear", "βₜ cosine", "ᾱₜ linear", "ᾱₜ cosine", "ln SNR linear", "ln SNR cosine"],
            shown.map { t in
                [
                    String(t), NumberFormat.significant(lin.beta(t), 3), NumberFormat.significant(cos.beta(t), 3),
                    NumberFormat.significant(lin.alphaBar(t), 3),
                    NumberFormat.significant(cos.alphaBar(t), 3), NumberFormat.fixed(lin.logSNR(t), 2), NumberFormat.fixed(cos.logSNR(t), 2),
                ]
            })
        func crossing(_ s: NoiseSchedule) -> Int { s.timeSteps.first { s.logSNR($0) < 0 }! }
        func share(_ s: NoiseSchedule, _ test: (Double) -> Bool) -> Double { Double(s.timeSteps.filter { test(s.snr($0)) }.count) / Double(s.steps) }
        let (noisyLin, noisyCos) = (share(lin) { $0 < 0.01 }, share(cos) { $0 < 0.01 })
        let (cleanLin, cleanCos) = (share(lin) { $0 > 100 }, share(cos) { $0 > 100 })
        let crowding =
            noisyLin > noisyCos
            ? "The linear schedule crowds its steps at the noisy end."
            : "The linear schedule does not spend more steps at the noisy end than the cosine one."
        book.text(
            """
            SNR(t) = ᾱₜ/(1 − ᾱₜ) falls below 1 at t = \(crossing(lin)) (linear) and t = \(crossing(cos)) (cosine). \
            The linear schedule spends \(NumberFormat.fixed(100 * noisyLin, 1)) % of its steps at SNR < 0.01 (the \
            signal's variance under 1 % of the noise's), the cosine schedule \
            \(NumberFormat.fixed(100 * noisyCos, 1)) %; \
            at the clean end, SNR > 100 holds for \(NumberFormat.fixed(100 * cleanLin, 1)) % (linear) and \
            \(NumberFormat.fixed(100 * cleanCos, 1)) % (cosine) of the steps. \(crowding)
            """)
        // Nichol & Dhariwal's design goal: ᾱₜ falling linearly in the middle. R² of a least-squares line through ᾱₜ over t = 100…900.
        func straightness(_ s: NoiseSchedule) -> Double {
            let xs = (100...900).map(Double.init), ys = (100...900).map { s.alphaBar($0) }
            let (mx, my) = (xs.reduce(0, +) / Double(xs.count), ys.reduce(0, +) / Double(ys.count))
            let sxy = zip(xs, ys).reduce(0) { $0 + ($1.0 - mx) * ($1.1 - my) }, sxx = xs.reduce(0) { $0 + ($1 - mx) * ($1 - mx) }
            let syy = ys.reduce(0) { $0 + ($1 - my) * ($1 - my) }
            return sxy * sxy / (sxx * syy)
        }
        let (rLin, rCos) = (straightness(lin), straightness(cos))
        book.check(
            rCos > 0.99 && rCos > rLin,
            """
            the cosine schedule's ᾱₜ falls almost linearly in t over t = 100…900 (R² of a straight line \
            \(NumberFormat.fixed(rCos, 4)), against \(NumberFormat.fixed(rLin, 4)) for the linear schedule's ᾱₜ): it \
            removes signal at a steady rate instead of front-loading it
            """)
        let ts = Array(1...T).filter { $0 % 5 == 0 || $0 == 1 }
        book.figure(
            Figure(
                name: "schedules", title: "Linear and cosine schedules: ᾱₜ and ln SNR(t)", columns: 2, width: 1300, height: 480,
                panels: [
                    Panel(
                        xLabel: "t", yLabel: "ᾱₜ", yRange: 0...1, legend: .topRight,
                        series: [
                            .line(x: ts.map(Double.init), y: ts.map { lin.alphaBar($0) }, label: "linear"),
                            .line(x: ts.map(Double.init), y: ts.map { cos.alphaBar($0) }, label: "cosine"),
                        ]),
                    Panel(
                        xLabel: "t", yLabel: "ln SNR(t) = ln ᾱₜ − ln(1 − ᾱₜ)", legend: .topRight,
                        series: [
                            .line(x: ts.map(Double.init), y: ts.map { lin.logSNR($0) }, label: "linear"),
                            .line(x: ts.map(Double.init), y: ts.map { cos.logSNR($0) }, label: "cosine"),
                            .line(
                                x: [1, Double(T)], y: [Double.log(0.01), Double.log(0.01)],
                                label:
                                    """
                                    SNR = 0.01 (ln SNR = \(NumberFormat.fixed(Double.log(0.01), 2)))
                                    """,
                                width: 1.5, dashed: true, color: "#999999"),
                        ]),
                ]), caption: "ᾱₜ (left) and ln SNR (right) against t for the linear and the cosine schedule, T = \(T)")
    }

    // MARK: - 2. How fast is a digit destroyed?

    /// Returns the share of the steps at which the class is gone, for the linear and the cosine schedule.
    func destruction(_ book: Notebook, run: Run, classifier: DigitClassifier) -> (linear: Double, cosine: Double) {
        book.section("2. How fast does each schedule destroy a digit?")
        book.text(
            """
            What is left of x₀ in xₜ? Take the ideal denoiser of the training digits: if the data were exactly the \
            \(run.digits.training.count) training digits, Bayes' rule with Eq. 4 gives the posterior over them given \
            xₜ, and its mean x̂₀* = Σᵢ wᵢ·x⁽ⁱ⁾ is the minimum-squared-error estimate of x₀ for that data. Lesson 08's \
            classifier then reads x̂₀*: where it can no longer read x̂₀*, we call the class lost from xₜ. Each \
            held-out digit gets one ε, the same for every t and both schedules, so only ᾱₜ changes.
            """)
        book.equation("wᵢ ∝ exp(−‖xₜ − √ᾱₜ·x⁽ⁱ⁾‖²/(2(1 − ᾱₜ))),   x̂₀*(xₜ) = Σᵢ wᵢ·x⁽ⁱ⁾")
        let training = run.digits.training.values.map(Double.init)
        let ideal = EmpiricalDenoiser(points: training, dimension: 64)
        let held = run.digits.heldOut.subset(0..<(QuickBudgets.Lesson10.destructionImages(quick: run.quick) ?? run.digits.heldOut.count))
        let count = held.count
        var rng = SeededGenerator(seed: run.seed &+ 100)
        let noise = (0..<(count * 64)).map { _ in rng.normal() }
        let spacing = QuickBudgets.Lesson10.destructionStride(quick: run.quick)
        let grid = [1] + Array(stride(from: spacing, through: 1000, by: spacing))
        let x0 = held.values.map(Double.init)
        func accuracy(_ s: NoiseSchedule, _ t: Int) -> Double {
            let (a, b) = (s.sqrtAlphaBar(t), s.sqrtOneMinusAlphaBar(t))
            let estimates = (0..<count).flatMap { n in
                ideal.predictedX0(xt: (0..<64).map { a * x0[n * 64 + $0] + b * noise[n * 64 + $0] }, t: t, schedule: s).map(Float.init)
            }
            let predicted = classifier.classify(estimates)
            return Double(zip(predicted, held.labels).filter { $0 == $1 }.count) / Double(count)
        }
        let curves = [run.linear, run.cosine].map { s in grid.map { accuracy(s, $0) } }
        let names = ["linear", "cosine"]
        let chance = 1 / Double(Set(run.digits.training.labels).count)
        book.figure(
            Figure(
                name: "destruction",
                title:
                    """
                    The ideal denoiser's x̂₀*, classified: how long the digit survives
                    """, width: 1000, height: 480,
                panels: [
                    Panel(
                        xLabel: "t", yLabel: "accuracy of the classifier on x̂₀*(xₜ)", yRange: 0...1, legend: .topRight,
                        series:
                            zip(names, curves).map { .line(x: grid.map(Double.init), y: $1, label: $0) }
                            + [
                                .line(
                                    x: [1, 1000], y: [0.2, 0.2], label: "0.2: the class counts as lost below it", width: 1.5, dashed: true,
                                    color: "#999999"),
                                .line(
                                    x: [1, 1000], y: [chance, chance], label: "chance (\(NumberFormat.significant(chance, 2)))", width: 1,
                                    color: "#bbbbbb"),
                            ])
                ]),
            caption:
                """
                Accuracy of lesson 08's classifier on the ideal denoiser's x̂₀* of \(count) held-out digits, \
                against t
                """)
        // The nearest training digit of each held-out x₀ (Euclidean), classified: the posterior's limit as t → 0.
        let nearest = (0..<count).flatMap { n -> [Float] in
            let distances = (0..<ideal.count).map { i in
                (0..<64).reduce(0.0) { $0 + (training[i * 64 + $1] - x0[n * 64 + $1]) * (training[i * 64 + $1] - x0[n * 64 + $1]) }
            }
            let i = distances.indices.min { distances[$0] < distances[$1] }!
            return (0..<64).map { Float(training[i * 64 + $0]) }
        }
        let nearestAccuracy = Double(zip(classifier.classify(nearest), held.labels).filter { $0 == $1 }.count) / Double(count)
        func firstBelow(_ curve: [Double], _ level: Double) -> String { curve.firstIndex { $0 < level }.map { "t = \(grid[$0])" } ?? "no t ≤ 1000" }
        let gone = curves.map { c in Double(c.filter { $0 < 0.2 }.count) / Double(c.count) }
        book.table(
            ["schedule", "accuracy at t = 1", "below 0.9 from", "below 0.5 from", "share of steps with accuracy < 0.2 (class lost)"],
            (0..<2).map { i in
                [
                    names[i], NumberFormat.fixed(curves[i][0], 3), firstBelow(curves[i], 0.9), firstBelow(curves[i], 0.5),
                    "\(NumberFormat.fixed(100 * gone[i], 1)) %",
                ]
            })
        let heldAccuracy = Double(zip(classifier.classify(held.values), held.labels).filter { $0 == $1 }.count) / Double(count)
        let argument =
            gone[0] > gone[1]
            ? "The cosine schedule keeps the digit readable for more of its steps: Nichol & Dhariwal's argument for it."
            : "Here the cosine schedule does not keep the digit readable for more of its steps than the linear one."
        // Two accuracies on the same digits: binomial standard error of each, √(p(1 − p)/n); a gap under twice
        // the standard error of their difference is not called a difference.
        let se = { (p: Double) in (p * (1 - p) / Double(count)).squareRoot() }
        let gapSE = (se(curves[0][0]) * se(curves[0][0]) + se(heldAccuracy) * se(heldAccuracy)).squareRoot()
        let comparison =
            abs(curves[0][0] - heldAccuracy) <= 2 * gapSE
            ? "about the same as"
            : curves[0][0] > heldAccuracy ? "above" : "below"
        book.text(
            """
            Measured on \(count) held-out digits at \(grid.count) steps: with the linear schedule the class is lost \
            (accuracy < 0.2; chance is \(NumberFormat.significant(chance, 2))) for \
            \(NumberFormat.fixed(100 * gone[0], 1)) % of the steps, with the cosine schedule for \
            \(NumberFormat.fixed(100 * gone[1], 1)) %. Those steps still cost training time and sampling \
            time; the network can only learn to map noise to noise there. \(argument)
            """)
        book.text(
            """
            At t = 1 the accuracy is \(NumberFormat.fixed(curves[0][0], 3)), \(comparison) the classifier's accuracy \
            on the held-out digits themselves, \(NumberFormat.fixed(heldAccuracy, 3)) (standard error of the \
            difference \(NumberFormat.fixed(gapSE, 3))). At t = 1 xₜ is nearly x₀, so the posterior puts almost all \
            its weight on the training digit nearest x₀ and x̂₀* is nearly that digit: the score is a \
            nearest-neighbour classification, not the classifier's. Classifying each held-out digit's nearest training \
            digit directly scores \(NumberFormat.fixed(nearestAccuracy, 3)).
            """)
        let shownSteps = [0, 100, 200, 300, 400, 500, 600, 700, 800, 900, 1000]
        let rows = [run.linear, run.cosine].flatMap { s in
            shownSteps.map { t in
                (0..<64).map { Float(s.sqrtAlphaBar(t) * x0[$0] + s.sqrtOneMinusAlphaBar(t) * noise[$0]) }
            }
        }
        book.figure(
            Figure(
                name: "noising",
                title:
                    """
                    One held-out digit noised with the same ε under the two schedules
                    """, width: 1100, height: 300,
                panels: [
                    DigitPictures.grid(
                        rows, columns: shownSteps.count, columnLabels: shownSteps.map { "\($0)" },
                        rowLabels: ["linear", "cosine"], columnAxis: "t", rowAxis: "schedule")
                ]),
            caption: """
                The first held-out digit noised with the same ε at t = 0, 100, …, 1000 under the linear (top row) and \
                cosine (bottom row) schedules
                """)
        return (gone[0], gone[1])
    }
}
