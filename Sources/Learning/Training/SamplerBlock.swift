import Diffusion
import TensorCore

extension Sampler {
    /// Runs Algorithm 2 for one block of `rows` samples, writing x₀ to `output`; at the steps in
    /// `snapshots` it calls `observe(t, xₜ, x̂₀)`.
    func run(
        rows: Int, generator: inout SeededGenerator, workspace w: Workspace, output: UnsafeMutablePointer<Float>,
        snapshots: Set<Int>, observe: (Int, UnsafePointer<Float>, UnsafePointer<Float>) -> Void
    ) {
        let d = sizes.last!
        let count = rows * d
        w.x.withUnsafeMutableBufferPointer { generator.fillNormals($0.baseAddress!, count: count) }  // x_T ~ N(0, I)
        for t in stride(from: schedule.steps, through: 1, by: -1) {
            predictNoise(rows: rows, t: t, workspace: w)
            let k = t - 1
            if snapshots.contains(t) { report(w, t: t, rows: rows, observe: observe) }
            if t > 1 { w.z.withUnsafeMutableBufferPointer { generator.fillNormals($0.baseAddress!, count: count) } }  // z ~ N(0, I)
            let (a, b, c) = (coefficientX[k], coefficientNoise[k], t > 1 ? sigma[k] : 0)
            for i in 0..<count {
                // x_{t−1} = (xₜ − βₜ/√(1 − ᾱₜ)·ε_θ)/√αₜ + σₜ·z, with z = 0 at t = 1
                w.x[i] = a * w.x[i] - b * w.noise[i] + c * w.z[i]
            }
        }
        for i in 0..<(rows * d) { output[i] = w.x[i] }
    }

    /// Calls `observe` with xₜ and x̂₀ = (xₜ − √(1 − ᾱₜ)·ε_θ)/√ᾱₜ (Eq. 15).
    private func report(_ w: Workspace, t: Int, rows: Int, observe: (Int, UnsafePointer<Float>, UnsafePointer<Float>) -> Void) {
        let k = t - 1
        for i in 0..<(rows * sizes.last!) { w.predictedX0[i] = (w.x[i] - sqrtOneMinusAlphaBar[k] * w.noise[i]) / sqrtAlphaBar[k] }
        w.x.withUnsafeBufferPointer { x in
            w.predictedX0.withUnsafeBufferPointer { p in observe(t, x.baseAddress!, p.baseAddress!) }
        }
    }

    /// ε_θ(xₜ, t) for the block's rows into `w.noise`.
    func predictNoise(rows: Int, t: Int, workspace w: Workspace) {
        let d = sizes.last!
        let layers = sizes.count - 1
        model.parameters.withUnsafeBufferPointer { p in
            // Layer 1: h₁ = SiLU(xₜ·W₁ₓ + [emb(t)·W₁ₑ + b₁]), the bracket precomputed per t.
            let width = sizes[1]
            let w1 = p.baseAddress! + model.weightOffset(0)
            w.hidden[0].withUnsafeMutableBufferPointer { h in
                firstLayerBias.withUnsafeBufferPointer { bias in
                    let rowBias = bias.baseAddress! + (t - 1) * width
                    for r in 0..<rows {
                        var j = 0
                        while j < width {
                            var z = Gemm.load(rowBias + j)
                            for c in 0..<d { z.addProduct(SIMD8(repeating: w.x[r * d + c]), Gemm.load(w1 + c * width + j)) }
                            Gemm.store(VectorMath.silu(z), h.baseAddress! + r * width + j, false)
                            j += 8
                        }
                    }
                }
            }
            // Hidden layers: hₗ = SiLU(hₗ₋₁·Wₗ + bₗ).
            for l in 1..<(layers - 1) {
                let (n, m) = (sizes[l], sizes[l + 1])
                w.hidden[l - 1].withUnsafeBufferPointer { input in
                    w.hidden[l].withUnsafeMutableBufferPointer { h in
                        packedHidden[l - 1].withUnsafeBufferPointer { w in
                            if m % 16 == 0 {
                                Gemm.multiplyBiasSiLU(m: rows, n: m, k: n, a: input.baseAddress!, lda: n, packedB: w.baseAddress!,
                                                      bias: p.baseAddress! + model.biasOffset(l), c: h.baseAddress!, ldc: m)
                            } else {
                                Gemm.multiply(m: rows, n: m, k: n, a: input.baseAddress!, lda: n, packedB: w.baseAddress!, c: h.baseAddress!, ldc: m, accumulate: false)
                                VectorMath.biasSiLU(h.baseAddress!, rows: rows, width: m, bias: p.baseAddress! + model.biasOffset(l), output: h.baseAddress!, sigmoid: nil)
                            }
                        }
                    }
                }
            }
            // Output layer: ε_θ = h·W + b, one dot product per output.
            let n = sizes[layers - 1]
            let bias = p.baseAddress! + model.biasOffset(layers - 1)
            w.hidden[layers - 2].withUnsafeBufferPointer { h in
                transposedLast.withUnsafeBufferPointer { wt in
                    for r in 0..<rows {
                        for o in 0..<d { w.noise[r * d + o] = bias[o] + dot(h.baseAddress! + r * n, wt.baseAddress! + o * n, n) }
                    }
                }
            }
        }
    }
}
