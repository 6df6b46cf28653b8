import ArgumentParser
// The canonical "toy2d" benchmark (../shared/bench/WORKLOAD.md), for a side-by-side comparison with
// the PyTorch peer: training throughput of Algorithm 1 and the wall time of Algorithm 2.
import Datasets
import Diffusion
import Foundation
import Learning
import LessonKit
import TensorCore

@main
struct BenchToy2D: OneLineErrorCommand {
    static let configuration = CommandConfiguration(
        commandName: "bench-toy2d",
        abstract: "Time Algorithm 1 (2,000 steps after 100 warm-up) and Algorithm 2 (2,000 samples × 1,000 steps).")

    @Option(help: "Threads (1–64).")
    var threads = 1

    @Option(help: "Timed training steps.")
    var steps = 2000

    @Option(help: "Untimed warm-up steps.")
    var warmup = 100

    @Option(help: "Samples drawn by Algorithm 2.")
    var samples = 2000

    @Option(help: "Trained weights for sampling: a safetensors file (default: lesson 04's Plots/04-training/swissroll.safetensors, which scripts/peer/toy2d.py samples from too) or raw float32 (.f32, the layout of ../shared/bench's peer).")
    var weights: String?

    @Flag(help: "Skip the training benchmark.")
    var noTrain = false

    @Flag(help: "Skip the sampling benchmark.")
    var noSample = false

    func validate() throws {
        guard (1...64).contains(threads) else { throw ValidationError("--threads must be between 1 and 64, got \(threads)") }
        guard steps >= 1, warmup >= 0, samples >= 1 else { throw ValidationError("--steps and --samples must be ≥ 1, --warmup ≥ 0") }
    }

    func run() throws {
        let schedule = try NoiseSchedule.linear()
        var rng = SeededGenerator(seed: 0)
        let data = ToyData.swissRoll(10_000, using: &rng).converted(to: Float.self).scalars
        print("workload: toy2d (MLP \(MLP.toySizes.map(String.init).joined(separator: "→")), \(MLP.parameterCount(MLP.toySizes)) parameters, batch 256, Adam, float32, T = 1000), threads: \(threads)")
        var stepsPerSecond: Double?
        if !noTrain {
            var options = TrainingOptions()
            options.threads = threads
            let trainer = try NetworkTrainer(model: MLP(using: &rng), data: data, schedule: schedule, options: options, seed: 0)
            for _ in 0..<warmup { trainer.step() }
            let start = DispatchTime.now().uptimeNanoseconds
            var loss: Float = 0
            for _ in 0..<steps { loss = trainer.step() }
            let seconds = Double(DispatchTime.now().uptimeNanoseconds - start) / 1e9
            stepsPerSecond = Double(steps) / seconds
            print("train: \(steps) steps in \(NumberFormat.fixed(seconds, 3)) s, last loss \(NumberFormat.fixed(Double(loss), 4)), \(NumberFormat.fixed(stepsPerSecond! * 55.181312e-3, 1)) GFLOP/s in matrix products")
        }
        var sampleSeconds: Double?
        if !noSample {
            let model = try loadModel(schedule: schedule, data: data)
            let sampler = NetworkSampler(network: model, parameters: model.parameters, schedule: schedule, variance: .beta, threads: threads)
            _ = sampler.sample(count: min(samples, sampler.engine.capacity), seed: 99)  // untimed warm-up
            let start = DispatchTime.now().uptimeNanoseconds
            let x = sampler.sample(count: samples, seed: 1).samples
            sampleSeconds = Double(DispatchTime.now().uptimeNanoseconds - start) / 1e9
            var heldOut = SeededGenerator(seed: 1)
            let reference = ToyData.swissRoll(samples, using: &heldOut)
            let swd = SlicedWasserstein.distance(Tensor(shape: [samples, 2], scalars: x.map(Double.init)), reference)
            print("sample: \(samples) × \(schedule.steps) steps in \(NumberFormat.fixed(sampleSeconds!, 3)) s, SWD to held-out Swiss roll \(NumberFormat.fixed(swd, 4))")
        }
        var usage = rusage()
        getrusage(RUSAGE_SELF.rawValue, &usage)
        print("peak_rss_mib: \(NumberFormat.fixed(Double(usage.ru_maxrss) / 1024, 1))")
        if let stepsPerSecond { print("train_steps_per_s: \(NumberFormat.fixed(stepsPerSecond, 1))") }
        if let sampleSeconds { print("sample_seconds: \(NumberFormat.fixed(sampleSeconds, 3))") }
    }

    /// Lesson 04's trained Swiss-roll model (committed in Plots/), or `--weights`; untrained weights would let x drift
    /// far from the data, and the workload would stop being representative.
    func loadModel(schedule: NoiseSchedule, data: [Float]) throws -> MLP {
        let committed = URL(fileURLWithPath: #filePath).deletingLastPathComponent().appendingPathComponent(
            "../../Plots/04-training/swissroll.safetensors"
        ).standardized.path
        let path = weights ?? committed
        print("sampling with weights \(path)")
        let url = URL(fileURLWithPath: path)
        guard url.pathExtension == "f32" else { return try TrainedModels.load(at: url, flag: "--weights FILE") }
        do { return try PeerWeights.load(from: url) } catch { throw ValidationError(error.description) }
    }
}
