import Diffusion
import Synchronization
import TensorCore

/// Algorithm 2 (sampling) for an `MLP` noise predictor, on the fast path:
///
///     x_T ~ N(0, I); for t = T…1: z ~ N(0, I) if t > 1 else 0
///         x_{t−1} = (xₜ − βₜ/√(1 − ᾱₜ)·ε_θ(xₜ, t)) / √αₜ + σₜ·z          (Eq. 11 and Sec. 3.2)
///
/// Samples are processed in blocks of 96 rows, each with its own random stream (seeded from the
/// seed and the block number), so the output depends on the seed only, never on the thread count.
/// Within a step every sample shares t, so the first layer's embedding part, emb(t)·W₁ₑ + b₁, is
/// one row per t computed once: the same numbers with 1/17 of the first layer's work.
public final class Sampler {
    /// Rows per block (a multiple of the GEMM kernel's 6).
    public static let blockRows = 96
    /// The network.
    public let model: MLP
    /// The schedule.
    public let schedule: NoiseSchedule
    /// σₜ² = βₜ or β̃ₜ.
    public let variance: ReverseVariance
    let sizes: [Int]
    let firstLayerBias: [Float]    // [T, sizes[1]]: emb(t)·W₁ₑ + b₁
    let coefficientX: [Float]      // 1/√αₜ
    let coefficientNoise: [Float]  // βₜ/(√αₜ·√(1 − ᾱₜ))
    let sigma: [Float]             // σₜ
    let sqrtAlphaBar: [Float]
    let sqrtOneMinusAlphaBar: [Float]
    let transposedLast: [Float]
    let packedHidden: [[Float]]    // Wₗ packed, l = 1…L−2 (index l − 1)

    /// A sampler for `model` under `schedule` with reverse variance σₜ² = `variance`.
    public init(model: MLP, schedule: NoiseSchedule, variance: ReverseVariance = .beta) {
        let d = model.sizes.last!
        precondition(model.sizes[0] == d + TimeEmbedding.width, "Sampler: input width must be \(d) + \(TimeEmbedding.width)")
        self.model = model
        self.schedule = schedule
        self.variance = variance
        self.sizes = model.sizes
        let h = model.sizes[1]
        let table = TimeEmbedding.table(steps: schedule.steps)
        var bias = [Float](repeating: 0, count: schedule.steps * h)
        model.parameters.withUnsafeBufferPointer { p in
            table.withUnsafeBufferPointer { e in
                bias.withUnsafeMutableBufferPointer { out in
                    var packed = [Float](repeating: 0, count: Gemm.packedCount(k: TimeEmbedding.width, n: h))
                    packed.withUnsafeMutableBufferPointer { pk in
                        Gemm.pack(p.baseAddress! + model.weightOffset(0) + d * h, ldb: h, k: TimeEmbedding.width, n: h, into: pk.baseAddress!)
                        Gemm.multiply(m: schedule.steps, n: h, k: TimeEmbedding.width, a: e.baseAddress!, lda: TimeEmbedding.width,
                                      packedB: pk.baseAddress!, c: out.baseAddress!, ldc: h, accumulate: false)
                    }
                    for t in 0..<schedule.steps { for j in 0..<h { out[t * h + j] += p[model.biasOffset(0) + j] } }
                }
            }
        }
        firstLayerBias = bias
        coefficientX = schedule.timeSteps.map { Float(1 / schedule.alpha($0).squareRoot()) }
        coefficientNoise = schedule.timeSteps.map {
            Float(schedule.beta($0) / (schedule.alpha($0).squareRoot() * schedule.sqrtOneMinusAlphaBar($0)))
        }
        sigma = schedule.timeSteps.map { Float(schedule.sigma2($0, variance).squareRoot()) }
        sqrtAlphaBar = schedule.timeSteps.map { Float(schedule.sqrtAlphaBar($0)) }
        sqrtOneMinusAlphaBar = schedule.timeSteps.map { Float(schedule.sqrtOneMinusAlphaBar($0)) }
        let last = model.layerCount - 1
        let (n, m) = (model.sizes[last], model.sizes[last + 1])
        transposedLast = (0..<(m * n)).map { k in model.parameters[model.weightOffset(last) + (k % n) * m + k / n] }
        packedHidden = (1..<max(model.layerCount - 1, 1)).map { l in
            let (k, width) = (model.sizes[l], model.sizes[l + 1])
            var packed = [Float](repeating: 0, count: Gemm.packedCount(k: k, n: width))
            model.parameters.withUnsafeBufferPointer { p in
                packed.withUnsafeMutableBufferPointer { Gemm.pack(p.baseAddress! + model.weightOffset(l), ldb: width, k: k, n: width, into: $0.baseAddress!) }
            }
            return packed
        }
    }

    /// The random stream of block `block` for `seed`.
    public static func generator(seed: UInt64, block: Int) -> SeededGenerator {
        SeededGenerator(seed: seed ^ (UInt64(block + 1) &* 0x9E37_79B9_7F4A_7C15))
    }

    /// `count` samples, `[count, D]` row-major. With `snapshots`, also records xₜ and the prediction
    /// x̂₀ (Eq. 15) of every sample at those steps (before the step from t to t − 1).
    public func sample(count: Int, seed: UInt64, threads: Int = 1, snapshots: Set<Int> = [])
        -> (samples: [Float], snapshots: [Int: (x: [Float], predictedX0: [Float])])
    {
        let d = sizes.last!
        let blocks = (count + Self.blockRows - 1) / Self.blockRows
        let samples = UnsafeMutablePointer<Float>.allocate(capacity: count * d)
        // Per snapshot step: xₜ of every sample, then x̂₀ of every sample. Blocks write disjoint rows.
        let recorded = Dictionary(uniqueKeysWithValues: snapshots.map { ($0, UnsafeMutablePointer<Float>.allocate(capacity: 2 * count * d)) })
        defer {
            samples.deallocate()
            for buffer in recorded.values { buffer.deallocate() }
        }
        let pool = WorkerPool(threads: max(1, min(threads, blocks)))
        // Threads claim blocks one at a time, so a thread slowed by a busy core takes fewer; each
        // block has its own random stream, so who computes it does not change the result.
        let nextBlock = Atomic<Int>(0)
        pool.run { _ in
            let workspace = Workspace(sizes: self.sizes)
            while true {
                let block = nextBlock.add(1, ordering: .relaxed).oldValue
                if block >= blocks { break }
                let start = block * Self.blockRows
                let rows = min(Self.blockRows, count - start)
                var rng = Self.generator(seed: seed, block: block)
                self.run(rows: rows, generator: &rng, workspace: workspace, output: samples + start * d, snapshots: snapshots) { t, x, x0 in
                    let target = recorded[t]!
                    (target + start * d).update(from: x, count: rows * d)
                    (target + (count + start) * d).update(from: x0, count: rows * d)
                }
            }
        }
        var result: [Int: (x: [Float], predictedX0: [Float])] = [:]
        for (t, buffer) in recorded {
            result[t] = (Array(UnsafeBufferPointer(start: buffer, count: count * d)),
                         Array(UnsafeBufferPointer(start: buffer + count * d, count: count * d)))
        }
        return (Array(UnsafeBufferPointer(start: samples, count: count * d)), result)
    }

    /// Per-thread scratch: activations of one block.
    final class Workspace {
        var hidden: [[Float]]
        var x: [Float]
        var noise: [Float]
        var z: [Float]
        var predictedX0: [Float]
        init(sizes: [Int]) {
            hidden = sizes.dropFirst().dropLast().map { [Float](repeating: 0, count: Sampler.blockRows * $0) }
            x = [Float](repeating: 0, count: Sampler.blockRows * sizes.last!)
            noise = x
            z = x
            predictedX0 = x
        }
    }
}
