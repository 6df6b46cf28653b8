import Foundation
import Testing

@testable import Diffusion
@testable import Evaluation
@testable import Networks
@testable import Sampling
@testable import TensorCore
@testable import Training

@Suite("Fast kernels and the network engine")
struct KernelTests {
    @Test(
        "GEMM equals the definition, remainder rows and columns included",
        arguments: [(1, 1, 1), (6, 16, 8), (7, 17, 5), (13, 34, 128), (24, 48, 40), (20, 2, 128)])
    func gemmMatchesDefinition(m: Int, n: Int, k: Int) {
        var rng = SeededGenerator(seed: UInt64(m * 1000 + n))
        let a = Tensor<Float>.randomNormal([m, k], using: &rng)
        let b = Tensor<Float>.randomNormal([k, n], using: &rng)
        var packed = [Float](repeating: 0, count: Gemm.packedCount(k: k, n: n))
        var c = [Float](repeating: 1, count: m * n)
        b.scalars.withUnsafeBufferPointer { bp in packed.withUnsafeMutableBufferPointer { Gemm.pack(bp.baseAddress!, ldb: n, k: k, n: n, into: $0.baseAddress!) } }
        for accumulate in [false, true] {
            a.scalars.withUnsafeBufferPointer { ap in
                packed.withUnsafeBufferPointer { bp in
                    c.withUnsafeMutableBufferPointer { cp in
                        Gemm.multiply(m: m, n: n, k: k, a: ap.baseAddress!, lda: k, packedB: bp.baseAddress!, c: cp.baseAddress!, ldc: n, accumulate: accumulate)
                    }
                }
            }
            for i in 0..<m {
                for j in 0..<n {
                    let exact = (0..<k).reduce(0.0) { $0 + Double(a[i, $1]) * Double(b[$1, j]) }
                    let scale = (0..<k).reduce(0.0) { $0 + abs(Double(a[i, $1]) * Double(b[$1, j])) }
                    let expected = accumulate ? 2 * exact : exact
                    // Float summation of k terms: error ≤ k·2⁻²⁴·Σ|terms| (a loose, classical bound).
                    #expect(
                        abs(Double(c[i * n + j]) - expected) <= Double(k + 1) * 0x1p-24 * (accumulate ? 2 : 1) * scale + 1e-30,
                        "C[\(i),\(j)] accumulate \(accumulate)")
                }
            }
        }
        var transposed = [Float](repeating: 0, count: m * k)
        a.scalars.withUnsafeBufferPointer { ap in transposed.withUnsafeMutableBufferPointer { Gemm.transpose(ap.baseAddress!, rows: m, columns: k, into: $0.baseAddress!) } }
        #expect(transposed == a.transposed().scalars)
    }

    @Test(
        "Every row block of the GEMM (12 rows on AVX-512, 6, 4, 2, 1) gives bit-identical results: each element sums its k products in one order",
        arguments: [(37, 48, 50), (25, 33, 300), (12, 16, 1), (16, 16, 40), (20, 32, 7), (23, 17, 9), (21, 48, 11)])
    func gemmBlocksAreBitIdentical(m: Int, n: Int, k: Int) {
        var rng = SeededGenerator(seed: UInt64(m + 7 * k))
        let a = (0..<(m * k)).map { _ in Float(rng.normal()) }
        let b = (0..<(k * n)).map { _ in Float(rng.normal()) }
        var packed = [Float](repeating: 0, count: Gemm.packedCount(k: k, n: n))
        b.withUnsafeBufferPointer { bp in packed.withUnsafeMutableBufferPointer { Gemm.pack(bp.baseAddress!, ldb: n, k: k, n: n, into: $0.baseAddress!) } }
        for accumulate in [false, true] {
            var blocked = (0..<(m * n)).map { Float($0 % 5) }
            var single = blocked
            a.withUnsafeBufferPointer { ap in
                packed.withUnsafeBufferPointer { bp in
                    blocked.withUnsafeMutableBufferPointer { Gemm.multiply(m: m, n: n, k: k, a: ap.baseAddress!, lda: k, packedB: bp.baseAddress!, c: $0.baseAddress!, ldc: n, accumulate: accumulate) }
                    single.withUnsafeMutableBufferPointer { cp in
                        // The reference: one row at a time with the one-row kernel, strip by strip.
                        for i in 0..<m {
                            for strip in 0..<((n + 15) / 16) {
                                Gemm.kernel1x16(k, ap.baseAddress! + i * k, bp.baseAddress! + strip * k * 16, cp.baseAddress! + i * n + strip * 16, min(16, n - strip * 16), accumulate)
                            }
                        }
                    }
                }
            }
            #expect(blocked == single, "m = \(m), n = \(n), k = \(k), accumulate \(accumulate)")
        }
    }

    @Test(
        "The implicit GEMM of a 3 × 3 convolution is bit-identical to unrolling the input (im2col) and multiplying",
        arguments: [(16, 16, 5, 1), (8, 32, 4, 2), (16, 16, 8, 1), (24, 48, 3, 1), (32, 64, 8, 1), (16, 80, 4, 1)])
    func implicitConvolutionIsUnrollThenMultiply(channels: Int, n: Int, size: Int, stride: Int) {
        let outputSize = (size + 2 - 3) / stride + 1
        let window = ImplicitConvolution.Window(channels: channels, size: size, kernel: 3, stride: stride, padding: 1, outputSize: outputSize)
        let depth = 9 * channels
        // Three images; the rows start inside the first, as a thread's share of the rows may.
        let rows = 1..<(3 * outputSize * outputSize)
        var rng = SeededGenerator(seed: UInt64(channels * 100 + size))
        let x = (0..<(3 * size * size * channels)).map { _ in Float(rng.normal()) }
        let b = (0..<(depth * n)).map { _ in Float(rng.normal()) }
        var packed = [Float](repeating: 0, count: Gemm.packedCount(k: depth, n: n))
        b.withUnsafeBufferPointer { bp in packed.withUnsafeMutableBufferPointer { Gemm.pack(bp.baseAddress!, ldb: n, k: depth, n: n, into: $0.baseAddress!) } }
        var implicit = [Float](repeating: .nan, count: rows.count * n)
        var unrolled = [Float](repeating: 0, count: rows.count * n)
        var col = [Float](repeating: .nan, count: rows.count * depth)
        let zeros = [Float](repeating: 0, count: channels)
        var done = 0
        x.withUnsafeBufferPointer { xp in
            packed.withUnsafeBufferPointer { bp in
                done = implicit.withUnsafeMutableBufferPointer { cp in
                    zeros.withUnsafeBufferPointer { ImplicitConvolution.multiply(xp.baseAddress!, window: window, rows: rows, packedB: bp.baseAddress!, n: n, c: cp.baseAddress!, ldc: n, zeros: $0.baseAddress!) }
                }
                col.withUnsafeMutableBufferPointer { colp in
                    ConvolutionOp.unroll(
                        xp.baseAddress!, channels: channels, size: size, kernel: 3, stride: stride, padding: 1, outputSize: outputSize, rows: rows,
                        into: colp.baseAddress!)
                    unrolled.withUnsafeMutableBufferPointer {
                        Gemm.multiply(m: rows.count, n: n, k: depth, a: colp.baseAddress!, lda: depth, packedB: bp.baseAddress!, c: $0.baseAddress!, ldc: n, accumulate: false)
                    }
                }
            }
        }
        // Whole register blocks (eight rows on AVX-512, then six) are done; fewer than six rows are left.
        let blocked = done - rows.lowerBound
        #expect(blocked >= 0 && rows.count - blocked < 6, "\(blocked) of \(rows.count) rows done")
        #expect(Array(implicit[0..<(blocked * n)]) == Array(unrolled[0..<(blocked * n)]), "channels \(channels), n \(n), size \(size), stride \(stride)")
        #expect(implicit[(blocked * n)...].allSatisfy { $0.isNaN }, "the rows after the blocks are left to the caller")
    }

    @Test("Vector exp is within 2 ulp of Foundation's exp over [−87, 88]; the sigmoid within 3e-7")
    func vectorExp() {
        var worst = 0.0
        var worstSigmoid = 0.0
        var x = Float(-87)
        while x < 88 {
            let v = SIMD8<Float>((0..<8).map { x + Float($0) * 0.013 })
            let e = VectorMath.exp(v)
            let s = VectorMath.sigmoid(v)
            for i in 0..<8 {
                let exact = Foundation.exp(Double(v[i]))
                worst = max(worst, abs(Double(e[i]) - exact) / exact)
                worstSigmoid = max(worstSigmoid, abs(Double(s[i]) - 1 / (1 + Foundation.exp(-Double(v[i])))))
            }
            x += 0.11
        }
        // 2 ulp of Float relative = 2·2⁻²³ ≈ 2.4e-7.
        #expect(worst <= 2.4e-7, "exp relative error \(worst)")
        #expect(worstSigmoid <= 3e-7, "sigmoid error \(worstSigmoid)")
    }

    @Test(
        "The MLP's engine (its graph's fast ops) equals the MLP written out by hand on a Double tape, at 1 and 2 threads",
        arguments: [[34, 32, 16, 2], [34, 8, 24, 2], [34, 8, 2]], [1, 2])
    func engineMatchesTape(sizes: [Int], threads: Int) {
        var rng = SeededGenerator(seed: 50)
        let model = MLP(sizes: sizes, using: &rng)
        let rows = 13
        let x = (0..<(rows * 2)).map { _ in Float(rng.normal()) }
        let steps = (0..<rows).map { _ in rng.integer(in: 1...1000) }
        let gradOut = (0..<(rows * 2)).map { _ in Float(rng.normal()) }
        let tape = Tape<Double>()
        let reference = HandWrittenMLP(tape.variable(mlpInput(x.map(Double.init), dimension: 2, steps: steps)), parameters: model.parameters, sizes: sizes)
        let expected = reference.flatGradient(tape.gradients(of: (reference.output * Tensor(shape: [rows, 2], scalars: gradOut.map(Double.init))).sum()))
        let engine = model.makeEngine(capacity: 16, threads: threads)
        engine.load(model.parameters)
        let output = x.withUnsafeBufferPointer { Array(UnsafeBufferPointer(start: engine.forward($0.baseAddress!, steps: steps), count: rows * 2)) }
        var gradients = [Float](repeating: 0, count: model.parameters.count)
        gradOut.withUnsafeBufferPointer { g in gradients.withUnsafeMutableBufferPointer { engine.backward(g.baseAddress!, images: rows, into: $0.baseAddress!) } }
        // Float arithmetic over sums of ≤ 34 O(1) terms through 3 layers: ~1e-5 absolute.
        #expect(maxAbsoluteDifference(Tensor(output.map(Double.init)), Tensor(reference.output.value.scalars)) <= 2e-5)
        for entry in model.layout.entries {
            let range = entry.offset..<(entry.offset + entry.count)
            let error = zip(gradients[range], expected[range]).map { abs(Double($0) - $1) }.max()!
            #expect(error <= 1e-4, "∂\(entry.name): error \(error)")
        }
    }

    @Test("The fast sampler equals Algorithm 2 in Double with the same network and noise")
    func samplerMatchesReference() throws {
        var rng = SeededGenerator(seed: 60)
        let model = MLP(sizes: [34, 16, 16, 2], using: &rng)
        let schedule = try NoiseSchedule.linear(steps: 50, betaStart: 1e-3, betaEnd: 0.1)
        for variance in ReverseVariance.allCases {
            let fast = NetworkSampler(network: model, parameters: model.parameters, schedule: schedule, variance: variance).sample(count: 20, seed: 7).samples
            var generator = SeededGenerator(seed: 7)  // batch 0's stream
            let reference = schedule.sample(count: 20, dimension: 2, variance: variance, generator: &generator) { x, t in
                let tape = Tape<Double>()
                let input = mlpInput(x.converted(to: Float.self).converted(to: Double.self).scalars, dimension: 2, steps: Array(repeating: t, count: x.shape[0]))
                return HandWrittenMLP(tape.variable(input), parameters: model.parameters, sizes: model.sizes).output.value
            }
            // 50 steps of Float rounding (~1e-6 each, amplified ≤ 1/√α per step): 1e-3 absolute.
            #expect(maxAbsoluteDifference(Tensor(shape: [20, 2], scalars: fast.map(Double.init)), reference) <= 1e-3, "σ² = \(variance)")
        }
    }

    @Test("Samples do not depend on the thread count; snapshots hold xₜ and x̂₀ (Eq. 15)")
    func samplerThreadsAndSnapshots() throws {
        var rng = SeededGenerator(seed: 61)
        let model = MLP(sizes: [34, 16, 16, 2], using: &rng)
        let schedule = try NoiseSchedule.linear(steps: 40)
        // 250 samples in batches of 96: three batches, claimed by one engine or shared between two.
        let one = NetworkSampler(network: model, parameters: model.parameters, schedule: schedule, threads: 1).sample(count: 250, seed: 3, snapshots: [40, 1])
        let two = NetworkSampler(network: model, parameters: model.parameters, schedule: schedule, threads: 2).sample(count: 250, seed: 3, snapshots: [40, 1])
        let three = NetworkSampler(network: model, parameters: model.parameters, schedule: schedule, threads: 3).sample(count: 250, seed: 3)
        #expect(one.samples == two.samples && one.samples == three.samples)
        #expect(one.snapshots[40]!.x == two.snapshots[40]!.x)
        // x_T of the third batch (rows 192…249) comes from its own stream, seed + 2.
        var third = SeededGenerator(seed: 3 &+ 2)
        var start = [Float](repeating: 0, count: 58 * 2)
        start.withUnsafeMutableBufferPointer { third.fillNormals($0.baseAddress!, count: 58 * 2) }
        #expect(Array(one.snapshots[40]!.x[(192 * 2)...]) == start)
        // At t = 1, x̂₀ = (x₁ − √(1−ᾱ₁)ε_θ)/√ᾱ₁ and x₀ = (x₁ − β₁/√(1−ᾱ₁)·ε_θ)/√α₁ coincide (√(1−ᾱ₁) = √β₁).
        let x0Hat = one.snapshots[1]!.predictedX0
        #expect(zip(x0Hat, one.samples).allSatisfy { abs($0 - $1) <= 1e-5 * max(1, abs($1)) })
    }
}
