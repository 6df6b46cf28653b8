// The "digits-unet" benchmark (../shared/bench/WORKLOAD-digits.md), for a side-by-side comparison with
// the PyTorch peer (scripts/peer/unet.py): training throughput of Algorithm 1 and the wall time of Algorithm 2.
import ArgumentParser
import Datasets
import Diffusion
import Foundation
import Learning
import LessonKit
import TensorCore

@main
struct BenchDigits: OneLineErrorCommand {
    static let configuration = CommandConfiguration(
        commandName: "bench-digits",
        abstract: "Time Algorithm 1 on the digits U-Net (200 steps after 20 warm-up, batch 128) and Algorithm 2 (100 images × 1,000 steps).")

    @Option(help: "Threads (≥ 1).")
    var threads = 1

    @Option(help: "U-Net width at 8 × 8 (a multiple of 8; the workload uses 32 and 16).")
    var ch = 32

    @Option(help: "Timed training steps.")
    var steps = 200

    @Option(help: "Untimed warm-up steps.")
    var warmup = 20

    @Option(help: "Images drawn by Algorithm 2, all in one batch.")
    var samples = 100

    @Flag(help: "Skip the training benchmark.")
    var noTrain = false

    @Flag(help: "Skip the sampling benchmark.")
    var noSample = false

    func validate() throws {
        guard (1...64).contains(threads) else { throw ValidationError("--threads must be between 1 and 64, got \(threads)") }
        guard ch >= 8 && ch % 8 == 0 else { throw ValidationError("--ch must be a positive multiple of 8, got \(ch)") }
        guard steps >= 1, warmup >= 0, samples >= 1 else { throw ValidationError("--steps and --samples must be ≥ 1, --warmup ≥ 0") }
    }

    func run() throws {
        let schedule = try NoiseSchedule.linear()
        let net = UNet(ch: ch)
        let digits = try DigitImages.forLesson()
        // Multiply-adds per image forward (convolutions, linear layers, attention products), as unet_ref.py flops counts them.
        let macs = net.graph.multiplyAdds
        print("workload: digits-unet (U-Net ch = \(ch), \(net.layout.count) parameters, \(NumberFormat.fixed(Double(macs) / 1e6, 2)) M multiply-adds per image forward, batch 128, Adam, float32, T = 1000), threads: \(threads)")
        var rng = SeededGenerator(seed: 0)
        var stepsPerSecond: Double?
        if !noTrain {
            var options = TrainingOptions()
            options.batchSize = 128
            options.threads = threads
            let trainer = try NetworkTrainer(
                network: net, parameters: net.initialParameters(using: &rng), data: digits.training.values,
                schedule: schedule, options: options, seed: 0)
            for _ in 0..<warmup { trainer.step() }
            let start = DispatchTime.now().uptimeNanoseconds
            var loss: Float = 0
            for _ in 0..<steps { loss = trainer.step() }
            let seconds = Double(DispatchTime.now().uptimeNanoseconds - start) / 1e9
            stepsPerSecond = Double(steps) / seconds
            let gflops = stepsPerSecond! * 3 * 2 * Double(macs) * 128 / 1e9
            print("train: \(steps) steps in \(NumberFormat.fixed(seconds, 3)) s, last loss \(NumberFormat.fixed(Double(loss), 4)), ≈ \(NumberFormat.fixed(gflops, 1)) GFLOP/s (3 × forward)")
        }
        var sampleSeconds: Double?
        if !noSample {
            let engine = net.makeEngine(capacity: samples, threads: threads)
            let sampler = NetworkSampler(network: net, parameters: net.initialParameters(using: &rng), engine: engine, schedule: schedule)
            let warm = [Float](repeating: 0, count: samples * 64)
            _ = warm.withUnsafeBufferPointer { engine.forward($0.baseAddress!, steps: [Int](repeating: 1000, count: samples)) }
            let start = DispatchTime.now().uptimeNanoseconds
            let x = sampler.sample(count: samples, seed: 1).samples
            sampleSeconds = Double(DispatchTime.now().uptimeNanoseconds - start) / 1e9
            let gflops = 2 * Double(macs) * Double(samples) * 1000 / sampleSeconds! / 1e9
            print("sample: \(samples) × \(schedule.steps) steps in \(NumberFormat.fixed(sampleSeconds!, 3)) s, ≈ \(NumberFormat.fixed(gflops, 1)) GFLOP/s, max |x| \(NumberFormat.significant(Double(x.map(abs).max()!), 3))")
        }
        var usage = rusage()
        getrusage(RUSAGE_SELF.rawValue, &usage)
        print("peak_rss_mib: \(NumberFormat.fixed(Double(usage.ru_maxrss) / 1024, 1))")
        if let stepsPerSecond { print("train_steps_per_s: \(NumberFormat.fixed(stepsPerSecond, 2))") }
        if let sampleSeconds { print("sample_seconds: \(NumberFormat.fixed(sampleSeconds, 3))") }
    }
}
