import Foundation
import Testing

@testable import Diffusion
@testable import TensorCore

@Suite("The discrete decoder (Eq. 13)")
struct DiscreteDecoderTests {
    /// ∫ₐᵇ N(x; μ, σ²) dx by composite Simpson with `panels` panels, infinite limits cut at μ ± 40σ
    /// (the mass beyond is below 1e−300).
    static func simpson(from a: Double, to b: Double, mean mu: Double, sd sigma: Double, panels: Int = 20_000) -> Double {
        let lo = max(a, mu - 40 * sigma)
        let hi = min(b, mu + 40 * sigma)
        if lo >= hi { return 0 }
        let h = (hi - lo) / Double(panels)
        func f(_ x: Double) -> Double { exp(-0.5 * ((x - mu) / sigma) * ((x - mu) / sigma)) / (sigma * (2 * Double.pi).squareRoot()) }
        var sum = f(lo) + f(hi)
        for i in 1..<panels { sum += f(lo + Double(i) * h) * (i % 2 == 1 ? 4 : 2) }
        return sum * h / 3
    }

    @Test("Eq. 13: the K probabilities sum to 1 for random μ and σ from 1e−6 to 1e6", arguments: [2, 17, 256])
    func probabilitiesSumToOne_eq13(levels: Int) {
        let decoder = DiscreteDecoder(levels: levels)
        var rng = SeededGenerator(seed: UInt64(levels))
        for _ in 0..<200 {
            let mu = rng.uniform(-1.5, 1.5)
            let sigma = pow(10, rng.uniform(-6, 6))
            let total = (0..<levels).reduce(0.0) { $0 + exp(decoder.logProbability(level: $1, mean: mu, standardDeviation: sigma)) }
            // Each bin's probability carries a relative error of a few ulps (erfc, erf, log, exp):
            // K bins of total mass 1 leave |Σ − 1| ≤ K·1e−15 at most; 1e−12 leaves room.
            expectClose(total, 1, absolute: 1e-12, "K = \(levels), μ = \(mu), σ = \(sigma)")
        }
    }

    @Test("Eq. 13: every bin equals a numerical integration of N(μ, σ²) over it (edge bins to ±∞)")
    func binsMatchNumericalIntegration_eq13() {
        let decoder = DiscreteDecoder(levels: 17)
        let h = decoder.halfWidth
        for (mu, sigma) in [(0.03, 0.02), (-0.97, 0.1), (0.5, 0.7), (1.2, 0.05)] {
            for k in 0..<17 {
                let v = decoder.value(ofLevel: k)
                let a = k == 0 ? -Double.infinity : v - h
                let b = k == 16 ? Double.infinity : v + h
                let integral = Self.simpson(from: a, to: b, mean: mu, sd: sigma)
                let p = exp(decoder.logProbability(level: k, mean: mu, standardDeviation: sigma))
                // Simpson's error ≤ (b − a)·h⁴·max|f⁗|/180 with |f⁗| ≤ 3/(σ⁵√(2π)). Worst case here: an edge
                // bin at σ = 0.7 cut at μ + 40σ, 20,000 panels of h = 1.5e−3: 29·5e−12·7/180 ≈ 6e−12.
                expectClose(p, integral, absolute: 1e-11, "level \(k), μ = \(mu), σ = \(sigma)")
            }
        }
    }

    @Test("Eq. 13: as σ → 0 the mass goes to the level nearest μ, and the others stay finite (no log 0)")
    func massGoesToNearestLevel_eq13() {
        let decoder = DiscreteDecoder(levels: 17)
        for sigma in [1e-3, 1e-6, 1e-9] {
            for k in [0, 5, 16] {
                let mu = decoder.value(ofLevel: k) + 0.3 * decoder.halfWidth * (k == 16 ? -1 : 1)
                for j in 0..<17 {
                    let logP = decoder.logProbability(level: j, mean: mu, standardDeviation: sigma)
                    if j == k {
                        // The nearest edge is 0.7 half-widths = 0.044 away: ≥ 44σ, a tail below e^{−900}.
                        expectClose(logP, 0, absolute: 1e-300, "nearest level \(k) at σ = \(sigma)")
                    } else {
                        #expect(logP.isFinite && logP < -400, "level \(j) for μ near \(k) at σ = \(sigma): log P = \(logP)")
                    }
                }
            }
        }
    }

    @Test("Eq. 13 for K = 256 and 17 matches mpmath (50 digits) to 1e−12, from log P ≈ 0 to −3e8")
    func matchesHighPrecision_eq13() {
        let rows = referenceRows.filter { $0[0] == "decoderLogP" }
        #expect(rows.count == 240)
        for row in rows {
            let (levels, k, mu, sigma, reference) = (Int(row[1])!, Int(row[2])!, Double(row[3])!, Double(row[4])!, Double(row[5])!)
            let got = DiscreteDecoder(levels: levels).logProbability(level: k, mean: mu, standardDeviation: sigma)
            // erfc and erf are accurate to a few ulps, log adds one: a relative 1e−12 of |log P| plus
            // 1e−13 absolute (for log P near 0, where log1p keeps absolute accuracy) is far above that.
            expectClose(got, reference, relative: 1e-12, absolute: 1e-13, "K = \(levels), k = \(k), μ = \(mu), σ = \(sigma)")
        }
    }

    @Test("log Φ and log erfc hold in the far tails, where erfc itself underflows")
    func tailsInLogSpace() {
        // The asymptotic series against the first terms of the continued fraction's leading factor:
        // log erfc(x) → −x² − log(x√π) − 1/(2x²) + O(x⁻⁴).
        for x in [30.0, 100, 1e4] {
            expectClose(GaussianTail.logErfc(x), -x * x - log(x * Double.pi.squareRoot()) - 1 / (2 * x * x), relative: 1e-15, absolute: 5 / pow(x, 4))
        }
        // Just above the switch at x = 26, erfc is still a normal Double (down to 2.2e−308 near x = 26.5):
        // the series branch must agree with log(erfc(x)) computed directly, to the few ulps of each.
        for x in [26.0, 26.2, 26.4] {
            expectClose(GaussianTail.logErfc(x), log(erfc(x)), relative: 1e-14)
        }
        #expect(GaussianTail.logCDF(-.infinity) == -.infinity)
        #expect(GaussianTail.logCDF(.infinity) == 0)
        expectClose(GaussianTail.logCDF(0), log(0.5), relative: 1e-15)
    }
}
