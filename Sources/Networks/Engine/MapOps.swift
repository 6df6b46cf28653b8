/// Channels-last plumbing on the fast path: concatenation along channels, its adjoint, nearest
/// upsampling ×2 and its adjoint, and sums.
enum MapOps {
    /// out[r, 0..<ca] = a[r, ·], out[r, ca..<ca + cb] = b[r, ·] for `rows` rows.
    static func concatenate(_ a: UnsafePointer<Float>, _ ca: Int, _ b: UnsafePointer<Float>, _ cb: Int, rows: Int, into out: UnsafeMutablePointer<Float>) {
        let width = ca + cb
        for r in 0..<rows {
            (out + r * width).update(from: a + r * ca, count: ca)
            (out + r * width + ca).update(from: b + r * cb, count: cb)
        }
    }

    /// The adjoint of `concatenate`: the first `ca` channels of g to `ga`, the rest added into `gb`.
    static func split(_ g: UnsafePointer<Float>, _ ca: Int, _ cb: Int, rows: Int, into ga: UnsafeMutablePointer<Float>, addingTo gb: UnsafeMutablePointer<Float>) {
        let width = ca + cb
        for r in 0..<rows {
            (ga + r * ca).update(from: g + r * width, count: ca)
            for j in 0..<cb { gb[r * cb + j] += g[r * width + ca + j] }
        }
    }

    /// Nearest ×2: out[image, i, j] = x[image, i/2, j/2] for maps of side `size` and c channels.
    static func upsample(_ x: UnsafePointer<Float>, images: Int, size: Int, channels c: Int, into out: UnsafeMutablePointer<Float>) {
        let big = 2 * size
        for image in 0..<images {
            for i in 0..<big {
                for j in 0..<big {
                    (out + ((image * big + i) * big + j) * c).update(from: x + ((image * size + i / 2) * size + j / 2) * c, count: c)
                }
            }
        }
    }

    /// The adjoint of `upsample`: each input position gets the sum of its 2 × 2 block.
    static func downsampleSum(_ g: UnsafePointer<Float>, images: Int, size: Int, channels c: Int, into out: UnsafeMutablePointer<Float>) {
        let big = 2 * size
        out.update(repeating: 0, count: images * size * size * c)
        for image in 0..<images {
            for i in 0..<big {
                for j in 0..<big {
                    let (target, source) = (out + ((image * size + i / 2) * size + j / 2) * c, g + ((image * big + i) * big + j) * c)
                    for l in 0..<c { target[l] += source[l] }
                }
            }
        }
    }

    /// a ← a + b over `count` floats.
    static func add(_ b: UnsafePointer<Float>, to a: UnsafeMutablePointer<Float>, count: Int) {
        for i in 0..<count { a[i] += b[i] }
    }
}
