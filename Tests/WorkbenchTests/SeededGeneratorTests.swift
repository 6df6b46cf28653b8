import Foundation
import Testing

@testable import TensorCore

@Suite("Seeded generator")
struct SeededGeneratorTests {
    @Test("xoshiro256** bits match an independent implementation (pinned)", arguments: [UInt64(0), 42, UInt64.max])
    func pinnedBits(seed: UInt64) {
        let expected = referenceRows.filter { $0[0] == "rngBits" && UInt64($0[1]) == seed }.map { UInt64($0[3])! }
        #expect(expected.count == 8)
        var rng = SeededGenerator(seed: seed)
        #expect((0..<expected.count).map { _ in rng.next() } == expected)
    }

    @Test("Box–Muller normals match an independent implementation to a few ulps (pinned)")
    func pinnedNormals() {
        let expected = referenceRows.filter { $0[0] == "rngNormal" }.map { Double($0[3])! }
        #expect(expected.count == 8)
        var rng = SeededGenerator(seed: 7)
        for value in expected {
            // Same uniforms, same formula; only libm's log/cos/sin may differ, by an ulp or two.
            expectClose(rng.normal(), value, relative: 1e-14, absolute: 1e-15, "normal draw")
        }
    }

    @Test("Uniform draws lie in [0, 1) with mean ½ and variance 1/12 (Monte Carlo)")
    func uniformMoments() {
        var rng = SeededGenerator(seed: 1)
        let n = 200_000
        let u = (0..<n).map { _ in rng.uniform() }
        #expect(u.allSatisfy { $0 >= 0 && $0 < 1 })
        let mean = u.reduce(0, +) / Double(n)
        let variance = u.reduce(0) { $0 + ($1 - mean) * ($1 - mean) } / Double(n)
        // sd of the mean = √(1/12/n) ≈ 6.5e-4; of the variance ≈ √(1/180/n) ≈ 1.7e-4. 5σ bounds.
        expectClose(mean, 0.5, absolute: 5 * (1.0 / 12 / Double(n)).squareRoot(), "mean")
        expectClose(variance, 1.0 / 12, absolute: 5 * (1.0 / 180 / Double(n)).squareRoot(), "variance")
    }

    @Test("Normal draws have mean 0, variance 1 and kurtosis 3 (Monte Carlo, 5σ bounds)")
    func normalMoments() {
        var rng = SeededGenerator(seed: 2)
        let n = 200_000
        let z = rng.normals(n)
        let mean = z.reduce(0, +) / Double(n)
        let second = z.reduce(0) { $0 + $1 * $1 } / Double(n)
        let fourth = z.reduce(0) { $0 + $1 * $1 * $1 * $1 } / Double(n)
        expectClose(mean, 0, absolute: 5 / Double(n).squareRoot(), "mean")
        expectClose(second, 1, absolute: 5 * (2 / Double(n)).squareRoot(), "variance")  // Var(z²) = 2
        expectClose(fourth, 3, absolute: 5 * (96 / Double(n)).squareRoot(), "fourth moment")  // Var(z⁴) = 105 − 9
    }

    @Test("Integers cover a range uniformly, ends included")
    func integersInRange() {
        var rng = SeededGenerator(seed: 3)
        var counts = [Int](repeating: 0, count: 7)
        let n = 70_000
        for _ in 0..<n { counts[rng.integer(in: 1...7) - 1] += 1 }
        // Each count is Binomial(n, 1/7): sd = √(n·(1/7)·(6/7)) ≈ 92.6; 5σ bound.
        let sd = (Double(n) / 7 * 6 / 7).squareRoot()
        for count in counts { expectClose(Double(count), Double(n) / 7, absolute: 5 * sd, "count") }
    }

    @Test("The same seed gives the same stream; different seeds differ")
    func determinism() {
        var a = SeededGenerator(seed: 9)
        var b = SeededGenerator(seed: 9)
        var c = SeededGenerator(seed: 10)
        let x = (0..<16).map { _ in a.normal() }
        #expect(x == (0..<16).map { _ in b.normal() })
        #expect(x != (0..<16).map { _ in c.normal() })
    }
}

@Suite("Vector normal draws")
struct VectorNormalTests {
    @Test("fillNormals continues the stream of normal() to within Float accuracy, spare included", arguments: [0, 1, 16, 37])
    func matchesScalarStream(skip: Int) {
        var a = SeededGenerator(seed: 11)
        var b = SeededGenerator(seed: 11)
        for _ in 0..<skip { _ = a.normal(); _ = b.normal() }  // odd skips leave a spare to consume first
        var buffer = [Float](repeating: 0, count: 101)
        buffer.withUnsafeMutableBufferPointer { a.fillNormals($0.baseAddress!, count: 101) }
        let expected = (0..<101).map { _ in b.normal() }
        // Pairs (cosine, sine) share a radius r = √(−2 ln u₁); an odd skip leaves one spare first.
        let first = skip % 2
        for i in 0..<101 {
            let pairStart = i < first ? i : first + (i - first) / 2 * 2
            let partner = i < first || pairStart + 1 >= 101 ? i : (i == pairStart ? i + 1 : pairStart)
            let r = max((expected[i] * expected[i] + expected[partner] * expected[partner]).squareRoot(), abs(expected[i]))
            // Float evaluation: ~1e-7 relative from the polynomials and rounding, 2e-6·(1 + r); and u₁ kept
            // to 24 bits: δ(ln u₁) ≤ 2⁻²⁴/u₁ = 2⁻²⁴·e^{r²/2}, so δr ≤ 2⁻²⁴·e^{r²/2}/r.
            let bound = 2e-6 * (1 + r) + 0x1p-24 * Foundation.exp(r * r / 2) / max(r, 0.1)
            #expect(abs(Double(buffer[i]) - expected[i]) <= bound, "value \(i): got \(buffer[i]), expected \(expected[i])")
        }
        #expect(a.normal() == b.normal(), "both streams continue in step")
    }

    @Test("Vector ln and sin/cos(2πu) match Foundation on their ranges")
    func vectorFunctions() {
        var worstLog = 0.0
        var worstTrig = 0.0
        for i in 0..<4000 {
            let u = SIMD8<Float>((0..<8).map { Float(i * 8 + $0 + 1) / 32_001 })
            let l = VectorFunctions.log(u)
            let (s, c) = VectorFunctions.sinCosTwoPi(u)
            for lane in 0..<8 {
                worstLog = max(worstLog, abs(Double(l[lane]) - Foundation.log(Double(u[lane]))))
                worstTrig = max(
                    worstTrig, abs(Double(s[lane]) - Foundation.sin(2 * .pi * Double(u[lane]))),
                    abs(Double(c[lane]) - Foundation.cos(2 * .pi * Double(u[lane]))))
            }
        }
        // A few Float ulps of O(1) results.
        #expect(worstLog <= 5e-7, "ln error \(worstLog)")
        #expect(worstTrig <= 5e-7, "sin/cos error \(worstTrig)")
    }
}
