import Datasets
// Lesson 08, sections 7–10: progressive generation (Fig. 6), shared latents (Fig. 7), interpolation
// (Fig. 8), and the files later lessons read.
import Diffusion
import Foundation
import Learning
import LessonKit
import Plotting
import TensorCore

extension Lesson08 {
    // MARK: - 7. Progressive generation (Fig. 6)

    /// Section 7; returns the t by which x̂₀ has covered half its distance to the final sample.
    func progressive(_ book: Notebook, run: Run, snapshots: [Int: NetworkSampler.Snapshot]) -> Int {
        book.section("7. Progressive generation (Fig. 6): x̂₀ along the chain")
        book.text(
            """
            At every step the network's ε estimate gives a guess of the final image, x̂₀ = (xₜ − √(1 − ᾱₜ)·ε_θ)/√ᾱₜ \
            (Eq. 15), clipped to the data range [−1, 1] as the paper does for its Fig. 6 (at t = T the division by \
            √ᾱ_T = \(NumberFormat.significant(run.schedule.sqrtAlphaBar(run.schedule.steps), 2)) would otherwise blow \
            any error up \(NumberFormat.fixed(1 / run.schedule.sqrtAlphaBar(run.schedule.steps), 0))-fold). Each row \
            below follows one sample; the columns run from t = \(run.schedule.steps) to t = 1. Where does the digit \
            appear?
            """)
        let steps = [1000, 750, 500, 250, 100, 25, 10, 1]
        var images: [[Float]] = []
        let clipped = snapshots.mapValues { $0.predictedX0.map { max(-1, min(1, $0)) } }
        for i in 0..<6 { for t in steps { images.append(DigitPictures.image(clipped[t]!, i)) } }
        book.figure(
            Figure(
                name: "progressive", title: "The guess x̂₀ along the chain, six samples", width: 820, height: 700,
                panels: [
                    DigitPictures.grid(
                        images, columns: steps.count, columnLabels: steps.map { "\($0)" },
                        rowLabels: (1...6).map { "\($0)" }, columnAxis: "step t of Algorithm 2 (x̂₀ at t shown)",
                        rowAxis: "sample")
                ]),
            caption:
                """
                Progressive generation: the prediction x̂₀ of Eq. (15) along the chain, one sample per row
                """)
        // How far x̂₀ at t is from the final sample, averaged over all samples: when is the digit decided?
        let final = clipped[1]!
        let count = final.count / 64
        let distances = steps.map { t -> Double in
            let guess = clipped[t]!
            var total = 0.0
            for i in 0..<count {
                var d: Float = 0
                for k in 0..<64 { let diff = guess[i * 64 + k] - final[i * 64 + k]; d += diff * diff }
                total += Double(d).squareRoot()
            }
            return total / Double(count)
        }
        book.table(["t"] + steps.map(String.init), [["mean ‖x̂₀(t) − x̂₀(1)‖, clipped"] + distances.map { NumberFormat.fixed($0, 2) }])
        let half = steps.first { distances[steps.firstIndex(of: $0)!] <= distances[0] / 2 }!
        book.text("Measured: the clipped guess has covered half its distance to the final image by t = \(half).")
        let frames =
            stride(from: 1000, through: 50, by: -50).map { t in
                DigitPictures.grid((0..<16).map { DigitPictures.image(snapshots[t]!.x, $0) }, columns: 4, title: "t = \(t)")
            }
            + [DigitPictures.grid((0..<16).map { DigitPictures.image(clipped[1]!, $0) }, columns: 4, title: "x̂₀ at t = 1")]
        book.animation(
            Animation(name: "sampling", frames: frames, delay: 25, width: 420, height: 460),
            caption: "Algorithm 2 as an animation: 16 samples xₜ every 50 steps, then the final x̂₀")
        return half
    }

    // MARK: - 8. What is decided when (Fig. 7)

    func sharedLatents(_ book: Notebook, run: Run, parameters: [Float], snapshots: [Int: NetworkSampler.Snapshot], classifier: DigitClassifier) throws {
        book.section("8. What is decided when (Fig. 7): samples that share xₜ")
        book.text(
            """
            Take one sampling chain, stop it at step t, and finish it 8 times with fresh noise. At t = 1000 the \
            continuations are unrelated samples. How much of the digit is fixed at t = 750, 500, 250, 100? (The \
            paper's Fig. 7 does this on CelebA-HQ.)
            """)
        let starts = [1000, 750, 500, 250, 100]
        let engine = run.net.makeEngine(capacity: 8, threads: run.threads)
        let continuation = NetworkSampler(network: run.net, parameters: parameters, engine: engine, schedule: run.schedule)
        var images: [[Float]] = []
        var rows: [[String]] = []
        for t in starts {
            let xt = DigitPictures.image(snapshots[t]!.x, 0)
            let out = continuation.run(from: Array((0..<8).map { _ in xt }.joined()), at: t, count: 8, seed: run.seed &+ 9_000 &+ UInt64(t)).samples
            images += [xt] + (0..<8).map { DigitPictures.image(out, $0) }
            let classes = classifier.classify(out)
            let most = Dictionary(grouping: classes, by: { $0 }).values.map(\.count).max()!
            rows.append(["\(t)", "\(Set(classes).count)", "\(most) of 8"])
        }
        book.figure(
            Figure(
                name: "shared-latents",
                title:
                    """
                    Samples that share xₜ: the shared xₜ, then 8 continuations to x₀
                    """, width: 1000, height: 640,
                panels: [
                    DigitPictures.grid(
                        images, columns: 9, columnLabels: ["xₜ"] + (1...8).map { "\($0)" },
                        rowLabels: starts.map { "t = \($0)" }, columnAxis: "continuation (fresh noise after t)",
                        rowAxis: "step t where the chains part")
                ]), caption: "Samples that share x_t: the first column is x_t, the rest are its continuations to x₀")
        book.table(["t shared", "different classes among the 8 (classifier)", "largest class"], rows)
        let decided = Int(rows.last![1])! < Int(rows.first![1])!
        book.text(
            """
            Chains that part at t = \(starts.first!) end in \(rows.first![1]) different classes out of 8; chains that \
            part at t = \(starts.last!) end in \(rows.last![1]), the largest class holding \(rows.last![2])\
            \(decided ? ": the later the chains part, the more of the digit is already decided" : "").
            """)
    }

    // MARK: - 9. Interpolation (Fig. 8)

    func interpolation(_ book: Notebook, run: Run, parameters: [Float]) {
        book.section("9. Interpolating two held-out digits (Sec. 4.4, Fig. 8)")
        book.text(
            """
            Lesson 06's recipe on images: encode two held-out digits to step t with one shared noise ε, mix x̄ₜ = (1 − \
            λ)·xₜ + λ·x′ₜ for λ = 0, 0.1, …, 1, and decode each with Algorithm 2 from step t, the same z for every λ. \
            Compare the two rows: how much of the endpoints survives at t = 50 and at t = 150 (SNR(t) = ᾱₜ/(1 − ᾱₜ) \
            falls below 1 at t = \(run.schedule.timeSteps.first { run.schedule.snr($0) < 1 } ?? run.schedule.steps), \
            beyond which the endpoints are mostly forgotten), and are the intermediates digits?
            """)
        let held = run.digits.heldOut
        let a = 0
        let b = held.labels.firstIndex { $0 != held.labels[a] && $0 != 1 }!
        let lambdas = (0...10).map { Float($0) / 10 }
        let engine = run.net.makeEngine(capacity: lambdas.count, threads: run.threads)
        let decoder = NetworkSampler(network: run.net, parameters: parameters, engine: engine, schedule: run.schedule)
        var rng = SeededGenerator(seed: run.seed &+ 9_500)
        let noise = (0..<64).map { _ in Float(rng.normal()) }
        var images: [[Float]] = []
        for t in [50, 150] {
            let q = run.schedule.float(t)
            let xa = (0..<64).map { q.noised(held.values[a * 64 + $0], noise: noise[$0]) }
            let xb = (0..<64).map { q.noised(held.values[b * 64 + $0], noise: noise[$0]) }
            let mixed = lambdas.flatMap { l in (0..<64).map { (1 - l) * xa[$0] + l * xb[$0] } }
            let decoded = decoder.run(from: mixed, at: t, count: lambdas.count, seed: run.seed &+ 9_600, sharedNoise: true).samples
            images +=
                [DigitPictures.image(held.values, a)] + (0..<lambdas.count).map { DigitPictures.image(decoded, $0) } + [
                    DigitPictures.image(held.values, b)
                ]
        }
        book.figure(
            Figure(
                name: "interpolation",
                title:
                    """
                    Interpolating held-out digits \(held.labels[a]) and \(held.labels[b]), the two digits at the sides
                    """,
                width: 1100, height: 300,
                panels: [
                    DigitPictures.grid(
                        images, columns: lambdas.count + 2,
                        columnLabels: ["x₀"] + lambdas.map { NumberFormat.significant(Double($0), 2) } + ["x′₀"],
                        rowLabels: ["t = 50", "t = 150"], columnAxis: "λ", rowAxis: "decoded from")
                ]), caption: "Latent interpolation between two held-out digits, decoded from t = 50 and t = 150")
    }

    // MARK: - 10. Files for later lessons

    func writeOutputs(_ book: Notebook, run: Run, parameters: [Float], samples: [Float], tilde: [Float], losses: [Double], table2: [Float]?) throws {
        book.section("10. Files")
        try SamplesCSV.write(
            samples, file: "samples.csv", in: book,
            description:
                """
                \(samples.count / 64) samples (σ² = β), one image a row: 64 values row-major, clipped to [−1, 1]
                """)
        try SamplesCSV.write(
            tilde, file: "samples-tilde.csv", in: book,
            description:
                """
                \(tilde.count / 64) samples (σ² = β̃, the same starting noise), in samples.csv's format; lesson 11 \
                reuses both
                """)
        try Checkpoint.save(run.net, parameters: parameters, to: book.directory.appendingPathComponent("digits-unet.safetensors"))
        book.wroteFile(
            "digits-unet.safetensors",
            """
            the trained U-Net's EMA weights (\(run.net.configuration)) for lessons 09–12, as safetensors under \
            PyTorch's names (scripts/peer/unet.py loads them)
            """)
        try TrainingLossCSV.text(losses).write(to: book.directory.appendingPathComponent(TrainingLossCSV.file), atomically: true, encoding: .utf8)
        book.wroteFile(TrainingLossCSV.file, "the batch loss of each of the \(losses.count) steps (header step,loss)")
        let snapshot = book.directory.appendingPathComponent(TrainedDigitsModel.table2File(seed: run.seed))
        // A copy from an earlier run with another seed would not match this run's training-loss.csv.
        for file in (try? FileManager.default.contentsOfDirectory(atPath: book.directory.path)) ?? []
        where file.hasPrefix(TrainedDigitsModel.table2Prefix) {
            try? FileManager.default.removeItem(at: book.directory.appendingPathComponent(file))
        }
        if let table2 {
            try Checkpoint.save(run.net, parameters: table2, to: snapshot)
            book.wroteFile(
                TrainedDigitsModel.table2File(seed: run.seed),
                """
                the EMA weights after \(TrainedDigitsModel.table2Steps) steps: lesson 09's Table 2 trains its rows for \
                that long with this recipe and these seeds, so its L_simple row is this run
                """)
        }
    }
}
