import RealModule

/// The core of `Attention` on the fast path, channels-last: from qkv [images·P, 3c] (q, k, v in
/// thirds of the channels) to out [images·P, c], out[i, ·] = Σⱼ A[i, j]·v[j, ·] with
/// A = softmax_j(q[i]·k[j]/√c). A is kept for the backward (see `Variable.attention` for its formulas).
final class AttentionCoreOp {
    let channels: Int, positions: Int
    let context: EngineContext
    let output: FloatBuffer, weights: FloatBuffer, gradInput: FloatBuffer
    private var input: UnsafePointer<Float>?

    init(channels: Int, positions: Int, capacity: Int, context: EngineContext) {
        (self.channels, self.positions, self.context) = (channels, positions, context)
        output = FloatBuffer(count: capacity * positions * channels)
        weights = FloatBuffer(count: capacity * positions * positions)
        gradInput = FloatBuffer(count: capacity * positions * 3 * channels)
    }

    func forward(_ qkv: UnsafePointer<Float>, images: Int) {
        input = qkv
        let (c, p) = (channels, positions)
        let scale = 1 / Float(c).squareRoot()
        context.parallel(images) { range in
            var row = [Float](repeating: 0, count: p)
            for image in range {
                let base = qkv + image * p * 3 * c
                let a = weights.pointer + image * p * p
                let out = output.pointer + image * p * c
                for i in 0..<p {
                    for j in 0..<p {
                        var s: Float = 0
                        for ch in 0..<c { s += base[i * 3 * c + ch] * base[j * 3 * c + c + ch] }
                        row[j] = s * scale
                    }
                    let top = row.max()!
                    var total: Float = 0
                    for j in 0..<p { row[j] = Float.exp(row[j] - top); total += row[j] }
                    for j in 0..<p { a[i * p + j] = row[j] / total }
                    for ch in 0..<c { out[i * c + ch] = 0 }
                    for j in 0..<p {
                        let w = a[i * p + j]
                        for ch in 0..<c { out[i * c + ch] += w * base[j * 3 * c + 2 * c + ch] }
                    }
                }
            }
        }
    }

    /// Writes ∂qkv into `gradInput` from ∂out [images·P, c].
    func backward(_ gradOutput: UnsafePointer<Float>, images: Int) {
        guard let qkv = input else { preconditionFailure("AttentionCoreOp.backward before forward") }
        let (c, p) = (channels, positions)
        let scale = 1 / Float(c).squareRoot()
        context.parallel(images) { range in
            var gs = [Float](repeating: 0, count: p * p)
            for image in range {
                let base = qkv + image * p * 3 * c
                let a = weights.pointer + image * p * p
                let g = gradOutput + image * p * c
                let out = gradInput.pointer + image * p * 3 * c
                out.update(repeating: 0, count: p * 3 * c)
                for i in 0..<p {
                    var dot: Float = 0
                    for j in 0..<p {
                        var ga: Float = 0
                        let w = a[i * p + j]
                        for ch in 0..<c {
                            ga += g[i * c + ch] * base[j * 3 * c + 2 * c + ch]
                            out[j * 3 * c + 2 * c + ch] += w * g[i * c + ch]
                        }
                        gs[i * p + j] = ga
                        dot += w * ga
                    }
                    for j in 0..<p { gs[i * p + j] = a[i * p + j] * (gs[i * p + j] - dot) * scale }
                }
                for i in 0..<p {
                    for j in 0..<p {
                        let s = gs[i * p + j]
                        for ch in 0..<c {
                            out[i * 3 * c + ch] += s * base[j * 3 * c + c + ch]
                            out[j * 3 * c + c + ch] += s * base[i * 3 * c + ch]
                        }
                    }
                }
            }
        }
    }
}
