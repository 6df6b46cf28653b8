/// Channels-last plumbing on the fast path: nearest upsampling ×2 and its adjoint, split over the threads by
/// whole images (each output element is computed by one thread in one order, so any split gives the same bits).
enum MapOps {
    /// Nearest ×2: out[image, i, j] = x[image, i/2, j/2] for maps of side `size` and c channels.
    static func upsample(
        _ x: UnsafePointer<Float>, images: Int, size: Int, channels c: Int, into out: UnsafeMutablePointer<Float>, context: EngineContext
    ) {
        let big = 2 * size
        context.parallel(images) { range in
            for image in range {
                for i in 0..<big {
                    for j in 0..<big {
                        (out + ((image * big + i) * big + j) * c).update(from: x + ((image * size + i / 2) * size + j / 2) * c, count: c)
                    }
                }
            }
        }
    }

    /// The adjoint of `upsample`: each input position gets the sum of its 2 × 2 block (in raster order).
    static func downsampleSum(
        _ g: UnsafePointer<Float>, images: Int, size: Int, channels c: Int, into out: UnsafeMutablePointer<Float>, context: EngineContext
    ) {
        let big = 2 * size
        context.parallel(images) { range in
            (out + range.lowerBound * size * size * c).update(repeating: 0, count: range.count * size * size * c)
            for image in range {
                for i in 0..<big {
                    for j in 0..<big {
                        let (target, source) = (out + ((image * size + i / 2) * size + j / 2) * c, g + ((image * big + i) * big + j) * c)
                        for l in 0..<c { target[l] += source[l] }
                    }
                }
            }
        }
    }
}
