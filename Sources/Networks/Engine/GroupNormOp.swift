import RealModule

/// `GroupNorm` on the fast path, channels-last ([images·P, C], P positions), optionally followed by
/// SiLU in the same pass (SiLU(GN(x)) is how the residual blocks and the output use it):
///
///     per image and group: μ, then σ² = mean((x − μ)²) over its C/G channels and P positions, r = 1/√(σ² + ε)
///     z = γ·(x − μ)·r + β,   y = z or SiLU(z) = z·σ(z)
///
/// Backward, with x̂ = (x − μ)·r and ∂z = ∂y (or ∂y·σ(z)·(1 + z·(1 − σ(z)))), per group of m values:
/// d = γ·∂z, ∂x = r·(d − mean(d) − x̂·mean(d·x̂)), ∂γ = Σ ∂z·x̂, ∂β = Σ ∂z. Per-image partial sums of ∂γ,
/// ∂β are added in image order, so the result does not depend on the thread count. C is a multiple of 8.
final class GroupNormOp: FastOp {
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

    func forward(_ inputs: [UnsafePointer<Float>], _ conditioning: Conditioning, images: Int) { forward(inputs[0], images: images) }

    func backward(_ gradOutput: UnsafePointer<Float>, images: Int, gradients: UnsafeMutablePointer<Float>, sinks: [GradientSink]) {
        let scratch = context.sinkScratch.pointer
        sinks[0].receive(count: images * positions * norm.channels, context: context) {
            backward(gradOutput, images: images, gradients: gradients, gradInput: $0 ?? scratch)
        }
    }

    /// Points γ and β into the engine's parameter buffer.
    func load(_ parameters: UnsafePointer<Float>) {
        gamma = parameters + weightOffset
        beta = parameters + biasOffset
    }

    /// Per-channel copies of the group statistics of `image`: μ and r for each channel.
    private func expand(_ image: Int, mu: UnsafeMutablePointer<Float>, r: UnsafeMutablePointer<Float>) {
        let perGroup = norm.channels / norm.groups
        for i in 0..<norm.channels {
            mu[i] = mean.pointer[image * norm.groups + i / perGroup]
            r[i] = rstd.pointer[image * norm.groups + i / perGroup]
        }
    }

    func forward(_ x: UnsafePointer<Float>, images: Int) {
        input = x
        guard let gamma, let beta else { preconditionFailure("GroupNormOp.forward before load") }
        let (c, g, p) = (norm.channels, norm.groups, positions)
        let perGroup = c / g
        let m = Float(perGroup * p)
        context.parallel(images) { range in
            let scratch = UnsafeMutablePointer<Float>.allocate(capacity: 4 * c)
            defer { scratch.deallocate() }
            let (sums, scale, shift, centred) = (scratch, scratch + c, scratch + 2 * c, scratch + 3 * c)
            for image in range {
                let base = x + image * p * c
                // Two passes in Float: the mean, then Σ(x − μ)² (no cancellation), 8 channels at a time.
                sums.update(repeating: 0, count: c)
                for q in 0..<p { var i = 0; while i < c { SimdRows.store(SimdRows.load(sums + i) + SimdRows.load(base + q * c + i), sums + i); i += 8 } }
                for group in 0..<g {
                    var s: Float = 0
                    for i in (group * perGroup)..<((group + 1) * perGroup) { s += sums[i] }
                    mean.pointer[image * g + group] = s / m
                }
                expand(image, mu: centred, r: scale)
                sums.update(repeating: 0, count: c)
                for q in 0..<p {
                    var i = 0
                    while i < c {
                        let d = SimdRows.load(base + q * c + i) - SimdRows.load(centred + i)
                        SimdRows.store(SimdRows.load(sums + i).addingProduct(d, d), sums + i)
                        i += 8
                    }
                }
                for group in 0..<g {
                    var s: Float = 0
                    for i in (group * perGroup)..<((group + 1) * perGroup) { s += sums[i] }
                    rstd.pointer[image * g + group] = 1 / (s / m + Float(norm.epsilon)).squareRoot()
                }
                expand(image, mu: centred, r: scale)
                for i in 0..<c {
                    scale[i] = gamma[i] * scale[i]
                    shift[i] = beta[i] - centred[i] * scale[i]
                }
                let out = output.pointer + image * p * c
                for q in 0..<p {
                    var i = 0
                    while i < c {
                        let z = SimdRows.load(base + q * c + i) * SimdRows.load(scale + i) + SimdRows.load(shift + i)
                        SimdRows.store(silu ? VectorMath.silu(z) : z, out + q * c + i)
                        i += 8
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
            let scratch = UnsafeMutablePointer<Float>.allocate(capacity: 6 * c)
            defer { scratch.deallocate() }
            let (mu, r, sumDz, sumDzX, meanD, meanDX) = (scratch, scratch + c, scratch + 2 * c, scratch + 3 * c, scratch + 4 * c, scratch + 5 * c)
            for image in range {
                let (base, grad, out) = (x + image * p * c, gradOutput + image * p * c, gradInput + image * p * c)
                expand(image, mu: mu, r: r)
                sumDz.update(repeating: 0, count: c)
                sumDzX.update(repeating: 0, count: c)
                // ∂z into `out`, and the per-channel sums Σ∂z, Σ∂z·x̂, 8 channels at a time.
                for q in 0..<p {
                    var i = 0
                    while i < c {
                        let xhat = (SimdRows.load(base + q * c + i) - SimdRows.load(mu + i)) * SimdRows.load(r + i)
                        var dz = SimdRows.load(grad + q * c + i)
                        if silu {
                            let z = SimdRows.load(gamma + i) * xhat + SimdRows.load(beta + i)
                            let sigma = VectorMath.sigmoid(z)
                            dz *= sigma * (1 + z * (1 - sigma))
                        }
                        SimdRows.store(dz, out + q * c + i)
                        SimdRows.store(SimdRows.load(sumDz + i) + dz, sumDz + i)
                        SimdRows.store(SimdRows.load(sumDzX + i).addingProduct(dz, xhat), sumDzX + i)
                        i += 8
                    }
                }
                (partialBeta.pointer + image * c).update(from: sumDz, count: c)
                (partialGamma.pointer + image * c).update(from: sumDzX, count: c)
                for group in 0..<g {
                    var (d, dx): (Float, Float) = (0, 0)
                    for i in (group * perGroup)..<((group + 1) * perGroup) { d += gamma[i] * sumDz[i]; dx += gamma[i] * sumDzX[i] }
                    for i in (group * perGroup)..<((group + 1) * perGroup) { meanD[i] = d / m; meanDX[i] = dx / m }
                }
                for q in 0..<p {
                    var i = 0
                    while i < c {
                        let rr = SimdRows.load(r + i)
                        let xhat = (SimdRows.load(base + q * c + i) - SimdRows.load(mu + i)) * rr
                        let d = SimdRows.load(gamma + i) * SimdRows.load(out + q * c + i) - SimdRows.load(meanD + i) - xhat * SimdRows.load(meanDX + i)
                        SimdRows.store(rr * d, out + q * c + i)
                        i += 8
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
