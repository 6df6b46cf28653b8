import RealModule

/// The workbench's only source of randomness: xoshiro256** (Blackman & Vigna 2018), seeded by
/// SplitMix64.
///
/// The algorithm is fixed and written out here, so a seed means the same bits on every platform and
/// every Swift version (the standard library's `random(in:using:)` makes no such promise).
///
/// - Seeding: the four 64-bit words of state are four successive SplitMix64 outputs of `seed`.
/// - `next()`: `rotl(s₁·5, 7)·9`, then the xoshiro256 state transition.
/// - `uniform()`: the top 53 bits of `next()` times 2⁻⁵³, so a value in [0, 1) on a 2⁻⁵³ grid.
/// - `normal()`: Box–Muller, `√(−2 ln u₁)·cos(2π u₂)` and `√(−2 ln u₁)·sin(2π u₂)` with
///   u₁ = 1 − `uniform()` ∈ (0, 1] and u₂ = `uniform()`; the sine draw is kept for the next call.
///   Uniform draws are bit-exact everywhere; normal draws also depend on the platform's `log`,
///   `cos` and `sin`, which agree to an ulp or two.
///
/// It also conforms to `RandomNumberGenerator`, for shuffles that no test pins.
public struct SeededGenerator: RandomNumberGenerator, Sendable {
    private var state: (UInt64, UInt64, UInt64, UInt64)
    private var spareNormal: Double?

    /// The seed this generator started from.
    public let seed: UInt64

    /// Creates a generator whose state is four SplitMix64 outputs of `seed`.
    public init(seed: UInt64) {
        self.seed = seed
        var splitMix = seed
        func nextSplitMix() -> UInt64 {
            splitMix &+= 0x9E37_79B9_7F4A_7C15
            var z = splitMix
            z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
            z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
            return z ^ (z >> 31)
        }
        state = (nextSplitMix(), nextSplitMix(), nextSplitMix(), nextSplitMix())
    }

    /// The next 64 random bits (xoshiro256**).
    public mutating func next() -> UInt64 {
        let result = rotateLeft(state.1 &* 5, 7) &* 9
        let shifted = state.1 << 17
        state.2 ^= state.0
        state.3 ^= state.1
        state.1 ^= state.2
        state.0 ^= state.3
        state.2 ^= shifted
        state.3 = rotateLeft(state.3, 45)
        return result
    }

    /// A uniform draw from [0, 1): the top 53 bits of `next()` scaled by 2⁻⁵³.
    public mutating func uniform() -> Double {
        Double(next() >> 11) * 0x1.0p-53
    }

    /// A uniform draw from [`lower`, `upper`): `lower + (upper − lower)·u`.
    public mutating func uniform(_ lower: Double, _ upper: Double) -> Double {
        lower + (upper - lower) * uniform()
    }

    /// A uniform integer in `range`, by Lemire's multiply-shift with rejection (no modulo bias).
    public mutating func integer(in range: ClosedRange<Int>) -> Int {
        let span = UInt64(range.upperBound - range.lowerBound) &+ 1
        if span == 0 { return Int(truncatingIfNeeded: next()) }  // the whole 64-bit range
        while true {
            let product = next().multipliedFullWidth(by: span)
            if product.low >= (0 &- span) % span {
                return range.lowerBound + Int(product.high)
            }
        }
    }

    /// A standard normal draw N(0, 1) by Box–Muller; the second value of each pair is cached.
    public mutating func normal() -> Double {
        if let spare = spareNormal {
            spareNormal = nil
            return spare
        }
        let u1 = 1 - uniform()  // (0, 1]: log(u1) is finite
        let u2 = uniform()
        let radius = (-2 * Double.log(u1)).squareRoot()
        let angle = 2 * Double.pi * u2
        spareNormal = radius * Double.sin(angle)
        return radius * Double.cos(angle)
    }

    /// A normal draw N(`mean`, `standardDeviation`²).
    public mutating func normal(mean: Double, standardDeviation: Double) -> Double {
        mean + standardDeviation * normal()
    }

    /// Removes and returns the cached second draw of the last Box–Muller pair, if any.
    mutating func takeSpare() -> Double? {
        defer { spareNormal = nil }
        return spareNormal
    }

    /// `count` standard normal draws.
    public mutating func normals(_ count: Int) -> [Double] {
        (0..<count).map { _ in normal() }
    }

    private func rotateLeft(_ x: UInt64, _ k: UInt64) -> UInt64 {
        (x << k) | (x >> (64 - k))
    }
}
