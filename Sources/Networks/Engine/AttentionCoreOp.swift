import RealModule

/// The core of `Attention` on the fast path, channels-last: from qkv [images·P, 3c] (q, k, v in
/// thirds of the channels) to out [images·P, c], out[i, ·] = Σⱼ A[i, j]·v[j, ·] with
/// A = softmax_j(q[i]·k[j]/√c). A is kept for the backward (see `Variable.attention` for its
/// formulas). Rows of c channels (a multiple of 8) are handled 8 at a time.
final class AttentionCoreOp {
    let channels: Int, positions: Int
    let context: EngineContext
    let output: FloatBuffer, weights: FloatBuffer
    /// ∂qkv [images·P, 3c], in the engine's scratch shared by every attention block (valid until the next one's backward).
    var gradInput: FloatBuffer { context.attentionGradient }
    private var input: UnsafePointer<Float>?

    init(channels: Int, positions: Int, capacity: Int, context: EngineContext) {
        precondition(channels % 8 == 0, "AttentionCoreOp: channels must be a multiple of 8")
        (self.channels, self.positions, self.context) = (channels, positions, context)
        output = FloatBuffer(count: capacity * positions * channels)
        weights = FloatBuffer(count: capacity * positions * positions)
        context.reserve(gradients: [], attention: capacity * positions * 3 * channels)
    }

    func forward(_ qkv: UnsafePointer<Float>, images: Int) {
        input = qkv
        let (c, p) = (channels, positions)
        let width = 3 * c
        let scale = 1 / Float(c).squareRoot()
        context.parallel(images) { range in
            var row = [Float](repeating: 0, count: p)
            for image in range {
                let base = qkv + image * p * width
                let a = weights.pointer + image * p * p
                let out = output.pointer + image * p * c
                for i in 0..<p {
                    for j in 0..<p { row[j] = SimdRows.dot(base + i * width, base + j * width + c, c) * scale }
                    let top = row.max()!
                    var total: Float = 0
                    for j in 0..<p { row[j] = Float.exp(row[j] - top); total += row[j] }
                    (out + i * c).update(repeating: 0, count: c)
                    for j in 0..<p {
                        a[i * p + j] = row[j] / total
                        SimdRows.axpy(a[i * p + j], base + j * width + 2 * c, out + i * c, c)
                    }
                }
            }
        }
    }

    /// Writes ∂qkv into `gradInput` from ∂out [images·P, c].
    func backward(_ gradOutput: UnsafePointer<Float>, images: Int) {
        guard let qkv = input else { preconditionFailure("AttentionCoreOp.backward before forward") }
        let (c, p) = (channels, positions)
        let width = 3 * c
        let scale = 1 / Float(c).squareRoot()
        context.parallel(images) { range in
            var gs = [Float](repeating: 0, count: p * p)
            for image in range {
                let base = qkv + image * p * width
                let a = weights.pointer + image * p * p
                let g = gradOutput + image * p * c
                let out = gradInput.pointer + image * p * width
                out.update(repeating: 0, count: p * width)
                for i in 0..<p {
                    var dot: Float = 0
                    for j in 0..<p {
                        let ga = SimdRows.dot(g + i * c, base + j * width + 2 * c, c)  // ∂A[i, j]
                        SimdRows.axpy(a[i * p + j], g + i * c, out + j * width + 2 * c, c)  // ∂v[j] += A[i, j]·∂out[i]
                        gs[i * p + j] = ga
                        dot += a[i * p + j] * ga
                    }
                    for j in 0..<p { gs[i * p + j] = a[i * p + j] * (gs[i * p + j] - dot) * scale }
                }
                for i in 0..<p {
                    for j in 0..<p {
                        SimdRows.axpy(gs[i * p + j], base + j * width + c, out + i * width, c)  // ∂q[i] += ∂S[i, j]·k[j]
                        SimdRows.axpy(gs[i * p + j], base + i * width, out + j * width + c, c)  // ∂k[j] += ∂S[i, j]·q[i]
                    }
                }
            }
        }
    }
}
