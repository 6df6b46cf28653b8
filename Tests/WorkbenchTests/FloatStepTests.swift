import Testing

@testable import Diffusion
@testable import TensorCore

@Suite("The Float forms of Eq. 4, 15 and 11 (FloatStep) against the Double closed forms")
struct FloatStepTests {
    static let schedules = [try! NoiseSchedule.linear(), try! NoiseSchedule.cosine()]

    @Test(
        "Eq. 4 in Float is the Double forward jump (marginalSample) to Float rounding, t = 1…T and both schedules",
        arguments: [0, 1], [1, 2, 50, 500, 999, 1000])
    func noisedMatchesMarginalSample_eq4(schedule index: Int, t: Int) {
        let s = Self.schedules[index]
        var rng = SeededGenerator(seed: UInt64(t))
        let x0 = (0..<64).map { _ in Float(rng.uniform(-1, 1)) }
        let noise = (0..<64).map { _ in Float(rng.normal()) }
        let exact = s.marginalSample(x0: Tensor(x0.map(Double.init)), t: t, noise: Tensor(noise.map(Double.init))).scalars
        var got = [Float](repeating: 0, count: 64)
        x0.withUnsafeBufferPointer { a in
            noise.withUnsafeBufferPointer { e in
                got.withUnsafeMutableBufferPointer {
                    s.float(t).noise(a.baseAddress!, e.baseAddress!, count: 64, into: $0.baseAddress!)
                }
            }
        }
        for (g, e) in zip(got, exact) {
            // Two coefficients rounded to Float (½ ulp each), two products and a sum: ≤ 3 ulps of the terms' scale,
            // |x₀| ≤ 1 and |ε| ≲ 4, so 3·2⁻²³·5 ≈ 2e-6 absolute.
            expectClose(Double(g), e, absolute: 2e-6, "t = \(t)")
        }
    }

    @Test(
        "Eq. 15 inverts Eq. 4 (x̂₀ of xₜ with its own ε is x₀), and Eq. 11's mean is μ̃ₜ(x̂₀, xₜ) of Eq. 7 in Double",
        arguments: [1, 2, 10, 100, 700])
    func predictionAndMean_eq15_eq11(t: Int) {
        let s = Self.schedules[0]
        let q = s.float(t)
        var rng = SeededGenerator(seed: UInt64(t) &+ 7)
        for _ in 0..<50 {
            let (x0, eps) = (Float(rng.uniform(-1, 1)), Float(rng.normal()))
            let xt = q.noised(x0, noise: eps)
            // xₜ and √(1 − ᾱₜ)·ε are each rounded (2⁻²⁴ of |xₜ|, |ε| ≲ 4: ~5e-7 together), then divided by √ᾱₜ
            // (7 at t = 700): allow 2e-6/√ᾱₜ.
            expectClose(Double(q.predictedX0(xt, noise: eps)), Double(x0), absolute: 2e-6 / s.sqrtAlphaBar(t), "x̂₀, t = \(t)")
            // Eq. 7 with x̂₀ = (xₜ − √(1 − ᾱₜ)·ε)/√ᾱₜ, in Double: the same mean as Eq. 11 (Sec. 3.2's derivation).
            let x0Hat = (Double(xt) - s.sqrtOneMinusAlphaBar(t) * Double(eps)) / s.sqrtAlphaBar(t)
            let mu = s.posteriorMean(x0: Tensor([x0Hat]), xt: Tensor([Double(xt)]), t: t).scalar
            // Float coefficients (½ ulp each) times O(1) values; at t = 1 the ε term's coefficient β₁/√(1 − ᾱ₁) is 0.01
            // and x̂₀'s cancellation costs 2⁻²⁴·|xₜ|/√ᾱ₁: 1e-6 absolute.
            expectClose(Double(q.meanFromNoise(xt, noise: eps)), mu, absolute: 1e-6, "μ, t = \(t)")
        }
    }

    @Test("Boundaries: t = 0 is x₀ itself (ᾱ₀ = 1) with no step; t outside 0…T is refused")
    func boundaries() async {
        let s = Self.schedules[0]
        let q = s.float(0)
        #expect(q.noised(0.375, noise: 2.5) == 0.375)
        #expect(q.meanFromNoise(0.375, noise: 2.5) == 0.375)
        #expect(s.float(1000).sqrtOneMinusAlphaBar == Float(s.sqrtOneMinusAlphaBar(1000)))
        await #expect(processExitsWith: .failure) { _ = (try! NoiseSchedule.linear()).float(1001) }
    }
}
