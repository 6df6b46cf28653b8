import Datasets
// Lesson 10, section 3: the same U-Net trained with each schedule at one budget, and L_hybrid's network.
import Diffusion
import Foundation
import Learning
import LessonKit
import Plotting
import TensorCore

extension Lesson10 {
    /// The three trained networks (EMA weights) and their loss curves.
    struct Models {
        /// ε-prediction with L_simple on the linear schedule.
        let linear: [Float]
        /// ε-prediction with L_simple on the cosine schedule.
        let cosine: [Float]
        /// ε and v with L_hybrid on the cosine schedule (two output channels).
        let hybrid: [Float]
        /// The hybrid network's architecture.
        let hybridNet: UNet
    }

    /// One network trained for `run.steps` steps with lesson 08's recipe. - Returns: EMA weights and batch losses.
    func train(_ net: UNet, schedule: NoiseSchedule, objective: Objective, name: String, run: Run) throws -> ([Float], [Double]) {
        let options = TrainingOptions.digits(threads: run.threads)
        var rng = SeededGenerator(seed: run.seed &+ 8)
        let trainer = try NetworkTrainer(
            network: net, parameters: net.initialParameters(using: &rng), data: run.digits.training.values,
            schedule: schedule, options: options, objective: objective,
            decoder: DiscreteDecoder(levels: DigitImages.levels), seed: run.seed &+ 80)
        let losses = trainer.train(steps: run.steps, label: "training: \(name)")
        return (trainer.samplingParameters, losses)
    }

    func trainModels(_ book: Notebook, run: Run) throws -> Models {
        book.section("3. Training with each schedule at one budget")
        let recipe = TrainingOptions.digits(threads: run.threads)
        book.text(
            """
            Three U-Nets (\(run.net.configuration)), each trained for \(run.steps) steps of batch \(recipe.batchSize) \
            with lesson 08's recipe (Adam at learning rate \(NumberFormat.significant(recipe.learningRate, 2)), EMA \
            \(NumberFormat.significant(recipe.emaDecay ?? 0, 3)), the same initial weights and the same draws of rows, \
            t and ε): ε-prediction with L_simple on the linear schedule, the same on the cosine schedule, and — for \
            section 4 — a network with a second output per pixel, v, which sets its own reverse variance, trained on \
            the cosine schedule with L_hybrid = L_simple + λ·L_vlb, which adds the bound L_vlb (Eq. 5) at a small \
            weight λ to L_simple (section 4 defines both). Only the schedule, or the objective, differs.
            """)
        let (linear, linearLoss) = try train(run.net, schedule: run.linear, objective: .simple, name: "linear, L_simple", run: run)
        let (cosine, cosineLoss) = try train(run.net, schedule: run.cosine, objective: .simple, name: "cosine, L_simple", run: run)
        let hybridNet = UNet(ch: run.net.ch, outputChannels: 2)
        let (hybrid, hybridLoss) = try train(hybridNet, schedule: run.cosine, objective: .hybrid, name: "cosine, L_hybrid", run: run)
        let window = max(run.steps / 40, 1)
        func smoothed(_ losses: [Double]) -> (x: [Double], y: [Double]) {
            let starts = Array(stride(from: 0, to: losses.count, by: window))
            return (
                starts.map { Double($0 + min(window, losses.count - $0) / 2 + 1) },
                starts.map { start in
                    let chunk = losses[start..<min(start + window, losses.count)]; return chunk.reduce(0, +) / Double(chunk.count)
                }
            )
        }
        let curves = [("linear, L_simple", linearLoss), ("cosine, L_simple", cosineLoss), ("cosine, L_hybrid (L_simple + λ·L_vlb)", hybridLoss)]
        book.figure(
            Figure(
                name: "loss", title: "Batch losses while training, mean over \(window) steps", width: 1000, height: 460,
                panels: [
                    Panel(
                        xLabel: "step", yLabel: "batch loss", logY: true, legend: .topRight,
                        series: curves.map { name, losses in
                            let s = smoothed(losses)
                            return .line(x: s.x, y: s.y, label: name)
                        })
                ]), caption: "Training losses (means over \(window) steps); L_hybrid's includes its λ·L_vlb term")
        let last = { (losses: [Double]) in losses.suffix(window).reduce(0, +) / Double(min(window, losses.count)) }
        book.text(
            """
            Final losses (mean of the last \(window) steps): linear \(NumberFormat.significant(last(linearLoss), 3)), \
            cosine \(NumberFormat.significant(last(cosineLoss), 3)), L_hybrid \
            \(NumberFormat.significant(last(hybridLoss), 3)). \
            L_simple is not comparable across schedules: t ~ U{1…T} visits different noise levels under each \
            (section 1).
            """)
        book.tryIt(
            "--ch 32",
            """
            a U-Net twice as wide at the same number of steps: do the schedules' bounds and d² keep their order?
            """)
        return Models(linear: linear, cosine: cosine, hybrid: hybrid, hybridNet: hybridNet)
    }
}
