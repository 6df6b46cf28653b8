/// Vectorised element-wise functions for the networks (8 floats at a time).
public enum VectorMath {
    /// eˣ for 8 floats: x = n·ln 2 + r with |r| ≤ ln 2 / 2 (Cody–Waite, two-part ln 2), e^r by a
    /// degree-5 near-minimax polynomial (relative error ≤ 7.7e-8, about 1 ulp), and 2ⁿ built in the
    /// exponent bits. Inputs are clamped to [−87.3, 88.3], so results stay finite and normal.
    @inlinable @inline(__always)
    public static func exp(_ x: SIMD8<Float>) -> SIMD8<Float> {
        let low = SIMD8<Float>(repeating: -87.3)
        let high = SIMD8<Float>(repeating: 88.3)
        let clamped = x.replacing(with: low, where: x .< low).replacing(with: high, where: x .> high)
        // Adding 1.5·2²³ rounds x·log₂e to an integer held in the low mantissa bits.
        let magic = SIMD8<Float>(repeating: 12_582_912)
        let shifted = magic.addingProduct(clamped, SIMD8(repeating: 1.442_695_04))
        let n = shifted - magic
        let r = clamped.addingProduct(n, SIMD8(repeating: -0.693_145_75)).addingProduct(n, SIMD8(repeating: -1.428_606_8e-6))
        // e^r on |r| ≤ ln 2 / 2 by a degree-5 polynomial fitted to the relative error at Chebyshev
        // nodes (max relative error 7.7e-8, below Float's half-ulp 6e-8 plus rounding).
        var p = SIMD8<Float>(repeating: 0.008_291_722_6)
        p = SIMD8(repeating: 0.041_915_070).addingProduct(p, r)
        p = SIMD8(repeating: 0.166_676_63).addingProduct(p, r)
        p = SIMD8(repeating: 0.499_988_99).addingProduct(p, r)
        p = SIMD8(repeating: 0.999_999_67).addingProduct(p, r)
        p = SIMD8(repeating: 1.000_000_07).addingProduct(p, r)
        let bits = unsafeBitCast(shifted, to: SIMD8<Int32>.self) &- unsafeBitCast(magic, to: SIMD8<Int32>.self)
        return p * unsafeBitCast((bits &+ 127) &<< 23, to: SIMD8<Float>.self)
    }

    /// The logistic sigmoid σ(z) = 1 / (1 + e⁻ᶻ).
    @inlinable @inline(__always)
    public static func sigmoid(_ z: SIMD8<Float>) -> SIMD8<Float> {
        1 / (1 + exp(-z))
    }

    /// SiLU(z) = z·σ(z) = z / (1 + e⁻ᶻ), one division and no separate multiply.
    @inlinable @inline(__always)
    public static func silu(_ z: SIMD8<Float>) -> SIMD8<Float> {
        z / (1 + exp(-z))
    }

    /// For `rows` rows of `width` (a multiple of 8): SiLU(z + b) = (z + b)·σ(z + b) into `output`;
    /// when `sigmoid` is given (training), also z ← z + b in place and σ(z + b) into `sigmoid`.
    @inlinable
    public static func biasSiLU(
        _ z: UnsafeMutablePointer<Float>, rows: Int, width: Int, bias: UnsafePointer<Float>,
        output: UnsafeMutablePointer<Float>, sigmoid sigmoidOut: UnsafeMutablePointer<Float>?
    ) {
        precondition(width % 8 == 0, "biasSiLU: width \(width) is not a multiple of 8")
        for i in 0..<rows {
            var j = 0
            while j < width {
                let at = i * width + j
                let zi = Gemm.load(z + at) + Gemm.load(bias + j)
                let s = sigmoid(zi)
                if let sigmoidOut {
                    Gemm.store(zi, z + at, false)
                    Gemm.store(s, sigmoidOut + at, false)
                }
                Gemm.store(zi * s, output + at, false)
                j += 8
            }
        }
    }

    /// out ← g·SiLU′(z), SiLU′(z) = σ(z)·(1 + z·(1 − σ(z))), from stored z and σ(z), over `count` floats (a
    /// multiple of 8).
    @inlinable
    public static func siluBackward(
        _ gradient: UnsafePointer<Float>, preActivation z: UnsafePointer<Float>, sigmoid s: UnsafePointer<Float>, count: Int,
        into out: UnsafeMutablePointer<Float>
    ) {
        precondition(count % 8 == 0, "siluBackward: count \(count) is not a multiple of 8")
        var i = 0
        while i < count {
            let (zi, si) = (Gemm.load(z + i), Gemm.load(s + i))
            Gemm.store(Gemm.load(gradient + i) * si * (1 + zi * (1 - si)), out + i, false)
            i += 8
        }
    }
}
