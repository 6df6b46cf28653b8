import Datasets
// Lesson 11, sections 1–3: respacing, DDIM, and quality against the number of network evaluations.
import Diffusion
import Foundation
import Learning
import LessonKit
import Plotting
import TensorCore

extension Lesson11 {
    // MARK: - 1. Respacing

    func respacing(_ book: Notebook, run: Run) throws {
        book.section("1. Respacing: the same ᾱ on fewer steps")
        let s = run.schedule
        let tau = s.evenlySpacedSteps(10)
        let r = try s.respaced(on: tau)
        book.text(
            """
            Pick a subsequence τ = (τ₁ < … < τ_S = T) of the training steps. The forward process restricted to τ is \
            again a Markov chain of Gaussian steps, with β′ᵢ = 1 − ᾱ_{τᵢ}/ᾱ_{τᵢ₋₁}, and it has exactly the marginals \
            ᾱ_{τᵢ} of the original: q(x_{τᵢ}∣x₀) does not change, so the trained ε_θ(x, τᵢ) is still the right \
            network. Algorithm 2 on the respaced schedule takes S steps instead of T (the respacing of Nichol & \
            Dhariwal's improved-diffusion code), with σᵢ² = β′ᵢ or the respaced posterior variance β̃′ᵢ = (1 − \
            ᾱ_{τᵢ₋₁})/(1 − ᾱ_{τᵢ})·β′ᵢ. τ here is evenly spaced: τᵢ = ⌈i·T/S⌉.
            """)
        book.equation("β′ᵢ = 1 − ᾱ_{τᵢ}/ᾱ_{τᵢ₋₁}  (ᾱ_{τ₀} = 1),    ᾱ′ᵢ = Πⱼ≤ᵢ (1 − β′ⱼ) = ᾱ_{τᵢ}")
        book.table(
            ["i", "τᵢ", "ᾱ_{τᵢ}", "ᾱ′ᵢ (respaced)", "β′ᵢ", "β_{τᵢ} (original)"],
            (1...10).map { i in
                [
                    String(i), String(tau[i - 1]), NumberFormat.significant(s.alphaBar(tau[i - 1]), 6), NumberFormat.significant(r.alphaBar(i), 6),
                    NumberFormat.significant(r.beta(i), 4), NumberFormat.significant(s.beta(tau[i - 1]), 4),
                ]
            })
        let worst = (1...10).map { abs(r.alphaBar($0) - s.alphaBar(tau[$0 - 1])) / s.alphaBar(tau[$0 - 1]) }.max()!
        book.check(
            worst < 1e-12,
            """
            ᾱ′ᵢ = ᾱ_{τᵢ} on all 10 steps (largest relative difference \(NumberFormat.scientific(worst, 1)))
            """)
        book.text(
            """
            Each respaced step is a big one: β′ᵢ is up to \(NumberFormat.fixed((1...10).map { r.beta($0) }.max()!, 3)) \
            where the original βs stay below 0.02. The reverse step of Eq. 11 then has to bridge a large gap with one \
            Gaussian.
            """)
    }

    // MARK: - 2–3. DDIM, and the sweep

    /// One sampler of the sweep.
    struct Curve {
        let name: String
        let method: StridedSampler.Method
        var frechet: [Double] = []
    }

    /// Section 3; returns the fewest steps S of the sweep from which every sampler stays within the metric's
    /// noise of the floor, or nil.
    func sweep(_ book: Notebook, run: Run) throws -> Int? {
        book.section("2. DDIM: a non-Markovian process with the same marginals")
        book.text(
            """
            Song et al. replace the forward chain by a family q_σ whose step from xₜ back to xₛ depends on x₀ as well, \
            built so that every marginal q(xₜ∣x₀) is still N(√ᾱₜ·x₀, (1 − ᾱₜ)I) — so the same trained ε_θ applies. Its \
            reverse step predicts x̂₀, then re-noises it to level s with the predicted ε̂ and, optionally, fresh noise \
            of standard deviation σ:
            """)
        book.equation(
            """
            x̂₀ = (xₜ − √(1 − ᾱₜ)·ε̂)/√ᾱₜ,    xₛ = √ᾱₛ·x̂₀ + √(1 − ᾱₛ − σ²)·ε̂ + σ·z,    σ = η·√((1 − ᾱₛ)/(1 − \
            ᾱₜ))·√(1 − ᾱₜ/ᾱₛ)
            """)
        let s = run.schedule
        var rng = SeededGenerator(seed: run.seed &+ 110)
        let probes = (0..<5).map { _ in (rng.integer(in: 2...1000), rng.normal(), rng.normal(), rng.normal()) }
        let gap = probes.map { t, xt, e, z in
            abs(
                s.ddimStep(xt: xt, predictedNoise: e, from: t, to: t - 1, eta: 1, noise: z)
                    - (s.meanFromNoise(xt: Tensor([xt]), predictedNoise: Tensor([e]), t: t).scalars[0] + s.betaTilde(t).squareRoot() * z))
        }.max()!
        book.text(
            """
            η = 0 makes sampling deterministic (an ODE-like map from x_T to x₀); with η = 1, DDIM's step is respaced \
            DDPM with σ² = β̃′ᵢ on any τ, and on the full sequence it is exactly Algorithm 2 with σ² = β̃ₜ.
            """)
        book.check(
            gap < 1e-12,
            """
            DDIM with η = 1, s = t − 1 equals Eq. 11 + β̃ₜ noise on 5 random (t, xₜ, ε̂, z): largest difference \
            \(NumberFormat.scientific(gap, 1))
            """)

        book.section("3. Quality against the number of network evaluations")
        let stepCounts = QuickBudgets.Lesson11.sweepSteps(quick: options.quick)
        var curves = [
            Curve(name: "DDPM respaced, σ² = β", method: .ddpm(.beta)), Curve(name: "DDPM respaced, σ² = β̃", method: .ddpm(.betaTilde)),
            Curve(name: "DDIM η = 0", method: .ddim(eta: 0)), Curve(name: "DDIM η = 0.5", method: .ddim(eta: 0.5)),
            Curve(name: "DDIM η = 1", method: .ddim(eta: 1)),
        ]
        let yardstick = run.context.yardstick(size: run.count)
        book.text(
            """
            \(run.count) samples per sampler and step count S, all from lesson 08's seeds (the same x_T and z for \
            every sampler), scored by lesson 08's Fréchet distance against the held-out digits. DDIM with η = 1 is \
            respaced DDPM with σ² = β̃′ at every S (the check below compares the two rows); at S = 1000 it is not \
            drawn again.
            """)
        book.text(yardstick.description)
        let reused = [(ReverseVariance.beta, "σ² = β", "samples.csv"), (.betaTilde, "σ² = β̃", "samples-tilde.csv")].filter {
            run.algorithm2Samples[$0.0] != nil
        }
        if !reused.isEmpty, stepCounts.contains(s.steps) {
            let all = try s.respaced(on: s.evenlySpacedSteps(s.steps))
            let gap = (1...s.steps).map { max(abs(all.beta($0) - s.beta($0)), abs(all.betaTilde($0) - s.betaTilde($0))) }.max()!
            let which = reused.map { "\($0.1) (`\($0.2)`)" }.joined(separator: " and ")
            book.check(
                gap < 1e-12,
                """
                On all \(s.steps) steps the respaced chain is the original one (largest |β′ᵢ − βᵢ| or |β̃′ᵢ − β̃ᵢ| \
                \(NumberFormat.scientific(gap, 1))), so respaced DDPM at S = \(s.steps) is Algorithm 2 itself: its \
                points for \(which) are lesson 08's own \(run.count) samples, not drawn again. The sweep draws from \
                lesson 08's seeds, so those points share x_T and z with the rest (when both lessons run with the same \
                --seed)
                """)
        }
        var grids: [String: [Float]] = [:]
        var timing: [String] = []
        for index in curves.indices {
            for steps in stepCounts {
                if steps == 1000, curves[index].method == .ddim(eta: 1), let same = curves.first(where: { $0.method == .ddpm(.betaTilde) }) {
                    curves[index].frechet.append(same.frechet[stepCounts.firstIndex(of: 1000)!])
                    continue
                }
                if steps == run.schedule.steps, case .ddpm(let variance) = curves[index].method, let algorithm2 = run.algorithm2Samples[variance] {
                    curves[index].frechet.append(yardstick.distance(algorithm2))
                    continue
                }
                let start = DispatchTime.now().uptimeNanoseconds
                let drawn = try run.sampler(steps: steps, curves[index].method).sample(
                    count: run.count, seed: run.seed &+ TrainedDigitsModel.sampleSeedOffset
                ).map { max(-1, min(1, $0)) }
                let seconds = Double(DispatchTime.now().uptimeNanoseconds - start) / 1e9
                timing.append(
                    """
                    \(curves[index].name), S = \(steps): \(NumberFormat.fixed(100 * seconds / Double(run.count), 2)) s \
                    per 100 samples
                    """)
                curves[index].frechet.append(yardstick.distance(drawn))
                if steps == 50 || steps == 10 { grids["\(index)-\(steps)"] = drawn }
            }
        }
        // Wall times vary from run to run, so they go to the terminal only, never into the transcript.
        FileHandle.standardError.write(
            Data(("wall time (this run, not in the transcript):\n" + timing.map { "  " + $0 }.joined(separator: "\n") + "\n").utf8))
        book.figure(
            Figure(
                name: "frechet-vs-steps", title: "Fréchet distance against network evaluations per sample", width: 1000, height: 560,
                panels: [
                    Panel(
                        xLabel: "network evaluations per sample S", yLabel: "Fréchet d² to held-out digits", logX: true, logY: true, legend: .below,
                        // DDIM η = 1 is the σ² = β̃ chain: drawn wide and pale underneath, so that both stay visible.
                        series: yardstick.floorSeries(x: stepCounts.map(Double.init))
                            + curves.filter { $0.method == .ddim(eta: 1) }.map {
                                .line(
                                    x: stepCounts.map(Double.init), y: $0.frechet, label: $0.name + " (wide: the same chain as σ² = β̃)", width: 7,
                                    color: "#c5b0d5")
                            }
                            + zip(curves.filter { $0.method != .ddim(eta: 1) }, ["#1f77b4", "#d62728", "#2ca02c", "#ff7f0e"]).flatMap { c, colour in
                                [
                                    .line(x: stepCounts.map(Double.init), y: c.frechet, label: c.name, color: colour),
                                    .scatter(x: stepCounts.map(Double.init), y: c.frechet, size: 1, color: colour),
                                ]
                            })
                ]),
            caption:
                """
                Sample quality (lower is better) against the number of network evaluations, for respaced DDPM and \
                DDIM
                """)
        book.table(["sampler"] + stepCounts.map { "S = \($0)" }, curves.map { c in [c.name] + c.frechet.map { NumberFormat.significant($0, 3) } })
        let at = { (name: String, steps: Int) in curves.first { $0.name == name }!.frechet[stepCounts.firstIndex(of: steps)!] }
        let small = stepCounts.first!
        let ddimBest = at("DDIM η = 0", small), ddpmBest = min(at("DDPM respaced, σ² = β", small), at("DDPM respaced, σ² = β̃", small))
        let near = yardstick.floor + yardstick.differenceNoise
        let reach = { (name: String) in stepCounts.first { at(name, $0) < near }.map { "S = \($0)" } ?? "none of these S" }
        let reached = ["DDIM η = 0", "DDPM respaced, σ² = β", "DDPM respaced, σ² = β̃"].map(reach)
        let within =
            Set(reached).count == 1
            ? "all three from \(reached[0])"
            : "DDIM η = 0 from \(reached[0]), respaced DDPM with σ² = β from \(reached[1]) and with σ² = β̃ from \(reached[2])"
        book.text(
            """
            Measured: at S = \(small), \
            \(yardstick.compare(ddimBest, "DDIM η = 0", ddpmBest, "the better respaced DDPM")). Within the metric's \
            noise of the floor (d² below \(NumberFormat.significant(near, 3))): \(within). Each sample costs S \
            network evaluations: S = 50 is \
            1/\(run.schedule.steps / 50) of Algorithm 2's \(run.schedule.steps).
            """)
        let sameRows =
            stepCounts.dropLast().indices.map { abs(at("DDIM η = 1", stepCounts[$0]) - at("DDPM respaced, σ² = β̃", stepCounts[$0])) }.max() ?? 0
        book.check(
            sameRows < 1e-6 * yardstick.floor,
            """
            DDIM with η = 1 matches respaced DDPM with σ² = β̃ at every S (largest difference in d² \
            \(NumberFormat.scientific(sameRows, 1))): with η = 1, DDIM's step is the respaced chain's own posterior \
            q(x_{τᵢ₋₁}∣x_{τᵢ}, x̂₀)
            """)
        let rows = [0, 2].flatMap { i in [10, 50].compactMap { grids["\(i)-\($0)"] }.flatMap { g in (0..<10).map { DigitPictures.image(g, $0) } } }
        book.figure(
            Figure(
                name: "samples-by-steps", title: "Ten samples each (same seeds): respaced DDPM with σ² = β and DDIM η = 0",
                width: 1000, height: 420,
                panels: [
                    DigitPictures.grid(
                        rows, columns: 10,
                        rowLabels: [0, 2].flatMap { i in
                            [10, 50].compactMap { grids["\(i)-\($0)"] == nil ? nil : (i == 0 ? "DDPM σ² = β" : "DDIM η = 0") + ", S = \($0)" }
                        },
                        columnAxis: "sample (the same starting noise down each column)", rowAxis: "sampler")
                ]),
            caption:
                """
                Rows from the top: respaced DDPM σ² = β with S = 10, S = 50; DDIM η = 0 with S = 10, S = 50 (same \
                seeds)
                """)
        try export(book, run: run, drawn: [grids["2-50"], grids["0-50"]])
        book.tryIt("--seed 1", "other starting noise for every sampler: which differences in the table survive?")
        return stepCounts.first { s in
            curves.allSatisfy { c in c.frechet[stepCounts.firstIndex(of: s)!...].allSatisfy { $0 < near } }
        }
    }

    /// samples-ddim-S50.csv and samples-ddpm-S50.csv in lesson 08's format: the sweep's own draws at S = 50
    /// (`drawn`, DDIM η = 0 then respaced DDPM σ² = β), drawn here only when the sweep has no S = 50.
    func export(_ book: Notebook, run: Run, drawn: [[Float]?]) throws {
        let files = [
            ("samples-ddim-S50.csv", StridedSampler.Method.ddim(eta: 0), "DDIM η = 0"),
            ("samples-ddpm-S50.csv", .ddpm(.beta), "respaced DDPM, σ² = β"),
        ]
        for ((file, method, what), sweep) in zip(files, drawn) {
            let drawn = try sweep ?? run.sampler(steps: 50, method).sample(count: run.count, seed: run.seed &+ TrainedDigitsModel.sampleSeedOffset)
            try SamplesCSV.write(
                drawn, file: file, in: book,
                description:
                    """
                    \(run.count) samples, \(what), 50 network evaluations each; lesson 08's samples.csv format (64 \
                    values a row, clipped to [−1, 1])
                    """)
        }
    }
}
