/// Standard normal draws in bulk, 8 pairs at a time: the same 64-bit outputs and the same
/// Box–Muller formula as `SeededGenerator.normal()`, with the uniforms kept to Float's 24 bits and
/// the formula evaluated in Float with vector polynomials instead of Double libm calls. Each value
/// equals `Float(normal())` of the same stream to within about 2e-6·(1 + |z|) (more only in the far
/// tail, |z| > 5, where u₁'s last bits matter); the order (cosine draw, then sine draw) and the spare
/// are the same.
extension SeededGenerator {
    /// Writes `count` N(0, 1) draws to `buffer`, continuing the stream `normal()` would produce.
    public mutating func fillNormals(_ buffer: UnsafeMutablePointer<Float>, count: Int) {
        var written = 0
        if written < count, let spare = takeSpare() {
            buffer[written] = Float(spare)
            written += 1
        }
        while count - written >= 16 {
            // The same 64-bit outputs as normal()'s uniforms, in the same order (u₁, u₂ per pair),
            // kept to Float's 24 bits: u = ⌊bits/2⁴⁰⌋·2⁻²⁴, u₁ = 1 − u ∈ (0, 1].
            var raw = SIMD16<UInt32>()
            for lane in 0..<16 { raw[lane] = UInt32(truncatingIfNeeded: next() >> 40) }
            let scale = SIMD8<Float>(repeating: 0x1p-24)
            let u1 = 1 - SIMD8<Float>(SIMD8<Int32>(truncatingIfNeeded: raw.evenHalf)) * scale
            let u2 = SIMD8<Float>(SIMD8<Int32>(truncatingIfNeeded: raw.oddHalf)) * scale
            let radius = (-2 * VectorFunctions.log(u1)).squareRoot()
            let (sine, cosine) = VectorFunctions.sinCosTwoPi(u2)
            var pairs = SIMD16<Float>()
            pairs.evenHalf = radius * cosine
            pairs.oddHalf = radius * sine
            UnsafeMutableRawPointer(buffer + written).storeBytes(of: pairs, as: SIMD16<Float>.self)
            written += 16
        }
        while written < count {
            buffer[written] = Float(normal())
            written += 1
        }
    }
}

/// Float vector approximations of ln x and of sin/cos(2πu), accurate to a few 1e-7.
public enum VectorFunctions {
    /// ln x for x in (0, ∞): x = m·2ᵉ with m ∈ [√½, √2), ln m = 2·atanh(s), s = (m − 1)/(m + 1),
    /// |s| ≤ 0.172, by its series to s⁹ (truncation < 4e-10).
    @inlinable @inline(__always)
    public static func log(_ x: SIMD8<Float>) -> SIMD8<Float> {
        let bits = unsafeBitCast(x, to: SIMD8<Int32>.self)
        // Exponent relative to m ∈ [√½, √2): subtract the bits of √½ before extracting it.
        let offset = bits &- 0x3F35_04F3
        let exponent = offset &>> 23
        let mantissaBits = (offset & 0x007F_FFFF) &+ 0x3F35_04F3
        let m = unsafeBitCast(mantissaBits, to: SIMD8<Float>.self)
        let s = (m - 1) / (m + 1)
        let s2 = s * s
        var p = SIMD8<Float>(repeating: 2.0 / 9)
        p = SIMD8(repeating: 2.0 / 7).addingProduct(p, s2)
        p = SIMD8(repeating: 2.0 / 5).addingProduct(p, s2)
        p = SIMD8(repeating: 2.0 / 3).addingProduct(p, s2)
        p = SIMD8(repeating: 2).addingProduct(p, s2)
        return (p * s).addingProduct(SIMD8<Float>(exponent), SIMD8(repeating: 0.693_147_18))
    }

    /// (sin 2πu, cos 2πu) for u in [0, 1): u = (q + f)/4 with q = round(4u), |f| ≤ ½, φ = f·π/2,
    /// sin φ and cos φ by Taylor series to φ⁹ and φ¹⁰ (truncation < 2e-9), rotated by q quarter turns.
    @inlinable @inline(__always)
    public static func sinCosTwoPi(_ u: SIMD8<Float>) -> (SIMD8<Float>, SIMD8<Float>) {
        let scaled = 4 * u
        let magic = SIMD8<Float>(repeating: 12_582_912)
        let shifted = scaled + magic
        let q = shifted - magic
        let quadrant = (unsafeBitCast(shifted, to: SIMD8<Int32>.self) &- unsafeBitCast(magic, to: SIMD8<Int32>.self)) & 3
        let phi = (scaled - q) * 1.570_796_33
        let p2 = phi * phi
        var sinP = SIMD8<Float>(repeating: 1.0 / 362_880)
        sinP = SIMD8(repeating: -1.0 / 5040).addingProduct(sinP, p2)
        sinP = SIMD8(repeating: 1.0 / 120).addingProduct(sinP, p2)
        sinP = SIMD8(repeating: -1.0 / 6).addingProduct(sinP, p2)
        sinP = SIMD8(repeating: 1).addingProduct(sinP, p2)
        let sine = sinP * phi
        var cosP = SIMD8<Float>(repeating: -1.0 / 3_628_800)
        cosP = SIMD8(repeating: 1.0 / 40320).addingProduct(cosP, p2)
        cosP = SIMD8(repeating: -1.0 / 720).addingProduct(cosP, p2)
        cosP = SIMD8(repeating: 1.0 / 24).addingProduct(cosP, p2)
        cosP = SIMD8(repeating: -0.5).addingProduct(cosP, p2)
        let cosine = SIMD8<Float>(repeating: 1).addingProduct(cosP, p2)
        // Rotate (cos φ, sin φ) by q·π/2: q = 1 → (−sin, cos), 2 → (−cos, −sin), 3 → (sin, −cos).
        let swap = (quadrant & 1) .== 1
        var c = cosine.replacing(with: sine, where: swap)
        var s = sine.replacing(with: cosine, where: swap)
        c = c.replacing(with: -c, where: quadrant .== 1 .| quadrant .== 2)
        s = s.replacing(with: -s, where: quadrant .== 2 .| quadrant .== 3)
        return (s, c)
    }
}
