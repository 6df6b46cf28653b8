import RealModule

/// `GroupNorm` on the fast path, channels-last ([images·P, C], P positions), optionally followed by
/// SiLU in the same pass (SiLU(GN(x)) is how the residual blocks and the output use it):
///
///     per image and group: μ, σ² over its C/G channels and P positions (sums in Double), r = 1/√(σ² + ε)
///     z = γ·(x − μ)·r + β,   y = z or SiLU(z) = z·σ(z)
///
/// Backward, with x̂ = (x − μ)·r and ∂z = ∂y (or ∂y·σ(z)·(1 + z·(1 − σ(z)))), per group of m values:
/// d = γ·∂z, ∂x = r·(d − mean(d) − x̂·mean(d·x̂)), ∂γ = Σ ∂z·x̂, ∂β = Σ ∂z. Per-image partial sums of ∂γ,
/// ∂β are added in image order, so the result does not depend on the thread count. C is a multiple of 8.
final class GroupNormOp {
    let norm: GroupNorm
    let silu: Bool
    let positions: Int
    let weightOffset: Int, biasOffset: Int
    let context: EngineContext
    /// y [capacity·P, C].
    let output: FloatBuffer
    /// μ and r per (image, group); per-image partial ∂γ and ∂β.
    let mean: FloatBuffer, rstd: FloatBuffer, partialGamma: FloatBuffer, partialBeta: FloatBuffer
    private var input: UnsafePointer<Float>?
    private var gamma: UnsafePointer<Float>?, beta: UnsafePointer<Float>?

    init(_ norm: GroupNorm, prefix: String, layout: ParameterLayout, positions: Int, capacity: Int, silu: Bool, context: EngineContext) {
        precondition(norm.channels % 8 == 0, "GroupNormOp: channels must be a multiple of 8")
        self.norm = norm
        self.silu = silu
        self.positions = positions
        weightOffset = layout[prefix + ".weight"]!.offset
        biasOffset = layout[prefix + ".bias"]!.offset
        self.context = context
        output = FloatBuffer(count: capacity * positions * norm.channels)
        mean = FloatBuffer(count: capacity * norm.groups)
        rstd = FloatBuffer(count: capacity * norm.groups)
        partialGamma = FloatBuffer(count: capacity * norm.channels)
        partialBeta = FloatBuffer(count: capacity * norm.channels)
    }

    /// Points γ and β into the engine's parameter buffer.
    func load(_ parameters: UnsafePointer<Float>) {
        gamma = parameters + weightOffset
        beta = parameters + biasOffset
    }

    func forward(_ x: UnsafePointer<Float>, images: Int) {
        input = x
        guard let gamma, let beta else { preconditionFailure("GroupNormOp.forward before load") }
        let (c, g, p) = (norm.channels, norm.groups, positions)
        let perGroup = c / g
        let m = Double(perGroup * p)
        context.parallel(images) { range in
            var sums = [Double](repeating: 0, count: c), squares = [Double](repeating: 0, count: c)
            var scale = [Float](repeating: 0, count: c), shift = [Float](repeating: 0, count: c)
            for image in range {
                let base = x + image * p * c
                for i in 0..<c { sums[i] = 0; squares[i] = 0 }
                for q in 0..<p { for i in 0..<c { let v = Double(base[q * c + i]); sums[i] += v; squares[i] += v * v } }
                for group in 0..<g {
                    var (s, s2) = (0.0, 0.0)
                    for i in (group * perGroup)..<((group + 1) * perGroup) { s += sums[i]; s2 += squares[i] }
                    let mu = s / m
                    let r = 1 / (max(s2 / m - mu * mu, 0) + norm.epsilon).squareRoot()
                    mean.pointer[image * g + group] = Float(mu)
                    rstd.pointer[image * g + group] = Float(r)
                    for i in (group * perGroup)..<((group + 1) * perGroup) {
                        scale[i] = Float(Double(gamma[i]) * r)
                        shift[i] = Float(Double(beta[i]) - mu * Double(gamma[i]) * r)
                    }
                }
                let out = output.pointer + image * p * c
                scale.withUnsafeBufferPointer { a in
                    shift.withUnsafeBufferPointer { b in
                        for q in 0..<p {
                            var i = 0
                            while i < c {
                                let z = SIMD8<Float>(UnsafeBufferPointer(start: base + q * c + i, count: 8)) * SIMD8(a[i..<(i + 8)]) + SIMD8(b[i..<(i + 8)])
                                let y = silu ? VectorMath.silu(z) : z
                                for l in 0..<8 { out[q * c + i + l] = y[l] }
                                i += 8
                            }
                        }
                    }
                }
            }
        }
    }

    /// Adds ∂γ, ∂β into `gradients` and writes ∂x into `gradInput`.
    func backward(_ gradOutput: UnsafePointer<Float>, images: Int, gradients: UnsafeMutablePointer<Float>, gradInput: UnsafeMutablePointer<Float>) {
        guard let x = input, let gamma, let beta else { preconditionFailure("GroupNormOp.backward before forward") }
        let (c, g, p) = (norm.channels, norm.groups, positions)
        let perGroup = c / g
        let m = Float(perGroup * p)
        context.parallel(images) { range in
            var sumDz = [Float](repeating: 0, count: c), sumDzX = [Float](repeating: 0, count: c)
            for image in range {
                let (base, grad, out) = (x + image * p * c, gradOutput + image * p * c, gradInput + image * p * c)
                for i in 0..<c { sumDz[i] = 0; sumDzX[i] = 0 }
                // ∂z into `out`, and the per-channel sums Σ∂z, Σ∂z·x̂.
                for q in 0..<p {
                    for i in 0..<c {
                        let group = i / perGroup
                        let xhat = (base[q * c + i] - mean.pointer[image * g + group]) * rstd.pointer[image * g + group]
                        var dz = grad[q * c + i]
                        if silu {
                            let z = gamma[i] * xhat + beta[i]
                            let sigma = 1 / (1 + Float.exp(-z))
                            dz *= sigma * (1 + z * (1 - sigma))
                        }
                        out[q * c + i] = dz
                        sumDz[i] += dz
                        sumDzX[i] += dz * xhat
                    }
                }
                for i in 0..<c {
                    partialBeta.pointer[image * c + i] = sumDz[i]
                    partialGamma.pointer[image * c + i] = sumDzX[i]
                }
                for group in 0..<g {
                    var (meanD, meanDX): (Float, Float) = (0, 0)
                    for i in (group * perGroup)..<((group + 1) * perGroup) { meanD += gamma[i] * sumDz[i]; meanDX += gamma[i] * sumDzX[i] }
                    (meanD, meanDX) = (meanD / m, meanDX / m)
                    let (mu, r) = (mean.pointer[image * g + group], rstd.pointer[image * g + group])
                    for q in 0..<p {
                        for i in (group * perGroup)..<((group + 1) * perGroup) {
                            let xhat = (base[q * c + i] - mu) * r
                            out[q * c + i] = r * (gamma[i] * out[q * c + i] - meanD - xhat * meanDX)
                        }
                    }
                }
            }
        }
        for image in 0..<images {
            for i in 0..<c {
                gradients[weightOffset + i] += partialGamma.pointer[image * c + i]
                gradients[biasOffset + i] += partialBeta.pointer[image * c + i]
            }
        }
    }
}
