import Foundation
import Testing

@testable import Diffusion

/// The committed mpmath values for one schedule case, by t.
func referenceSchedule(_ name: String) -> [[Double]] {
    referenceRows.filter { $0[0] == name }.map { $0.dropFirst(2).map { Double($0)! } }
}

/// The nine columns of `workbench schedule`, from a `NoiseSchedule`.
func scheduleColumns(_ s: NoiseSchedule, _ t: Int) -> [Double] {
    [
        s.beta(t), s.alpha(t), s.alphaBar(t), s.sqrtAlphaBar(t), s.sqrtOneMinusAlphaBar(t), s.betaTilde(t),
        s.posteriorMeanCoefX0(t), s.posteriorMeanCoefXt(t), s.snr(t),
    ]
}

let columnNames = [
    "beta", "alpha", "alphaBar", "sqrtAlphaBar", "sqrtOneMinusAlphaBar", "betaTilde",
    "posteriorMeanCoefX0", "posteriorMeanCoefXt", "snr",
]

@Suite("Noise schedule (Eq. 2, 4, 7)")
struct ScheduleTests {
    @Test(
        "Every derived quantity matches mpmath to 1e-13 relative, t = 1…T",
        arguments: [
            ("linear1000", ScheduleKind.linear, 1000), ("quadratic1000", .quadratic, 1000), ("linear50", .linear, 50),
            ("cosine1000", .cosine, 1000),
        ])
    func matchesHighPrecision_eq4_eq7(name: String, kind: ScheduleKind, steps: Int) throws {
        let schedule = try kind.make(steps: steps)
        let reference = referenceSchedule(name)
        #expect(reference.count == steps)
        var worst = (error: 0.0, at: "")
        for t in 1...steps {
            for (c, (got, expected)) in zip(scheduleColumns(schedule, t), reference[t - 1]).enumerated() {
                // ᾱₜ is a product of up to 1000 factors; its log is a compensated sum, so a few ulps
                // remain (observed ≤ 2e-15). β̃₁ and the xₜ-coefficient at t = 1 are exactly 0.
                let error = expected == 0 ? abs(got) : abs(got - expected) / abs(expected)
                if error > worst.error { worst = (error, "t = \(t), \(columnNames[c]): got \(got), mpmath \(expected)") }
            }
        }
        #expect(worst.error <= 1e-13, "\(name): largest relative error \(worst.error) at \(worst.at)")
    }

    @Test("Boundaries: ᾱ₀ = 1, t = 1 and t = T are the paper's ends")
    func boundaries() throws {
        let s = try NoiseSchedule.linear()
        #expect(s.alphaBar(0) == 1 && s.oneMinusAlphaBar(0) == 0)
        #expect(s.beta(1) == 1e-4 && s.beta(1000) == 0.02)
        expectClose(s.oneMinusAlphaBar(1), 1e-4, relative: 4 * Double.ulpOfOne, "1 − ᾱ₁ = β₁")
        expectClose(s.alphaBar(1000), 4.0358e-5, relative: 1e-4, "ᾱ_T (WORKLOAD.md: 4.0358e-5)")
        #expect(s.timeSteps == 1...1000)
    }

    @Test("1 − ᾱₜ keeps full precision where ᾱₜ is within ulps of 1")
    func noCancellation() throws {
        let s = try NoiseSchedule(betas: [1e-12, 1e-12, 1e-12])
        // 1 − ᾱ₂ = 1 − (1 − 1e-12)² = 2e-12 − 1e-24: naive 1 − ᾱ would carry a ~1e-4 relative error.
        expectClose(s.oneMinusAlphaBar(2), 2e-12 - 1e-24, relative: 1e-15, "1 − ᾱ₂")
    }

    @Test(
        "Invalid schedules are rejected, naming the value",
        arguments: [
            ([Double](), ScheduleError.tooFewSteps(0)),
            ([0.1, 0], .betaOutOfRange(t: 2, beta: 0)),
            ([1.0], .betaOutOfRange(t: 1, beta: 1)),
            ([0.1, 0.2, -0.3], .betaOutOfRange(t: 3, beta: -0.3)),
        ])
    func rejectsInvalidBetas(betas: [Double], expected: ScheduleError) {
        #expect(throws: expected) { try NoiseSchedule(betas: betas) }
    }

    @Test("NaN β and bad endpoints are rejected with a message naming them")
    func rejectsNaNAndEndpoints() {
        do {
            _ = try NoiseSchedule(betas: [0.1, .nan])
            Issue.record("NaN accepted")
        } catch {
            #expect(error.description.contains("β_2 = nan"))
        }
        #expect(throws: ScheduleError.tooFewSteps(-5)) { try NoiseSchedule.linear(steps: -5) }
        #expect(throws: ScheduleError.endpointOutOfRange(name: "β_end", value: 1.5)) { try NoiseSchedule.linear(betaEnd: 1.5) }
        #expect(throws: ScheduleError.endpointOutOfRange(name: "β_start", value: 0)) { try NoiseSchedule.quadratic(betaStart: 0) }
    }

    @Test("Cosine schedule: ᾱₜ follows f(t)/f(0) and β is capped at 0.999")
    func cosineSchedule() throws {
        let s = try NoiseSchedule.cosine(steps: 100)
        func f(_ t: Double) -> Double { let c = cos((t / 100 + 0.008) / 1.008 * Double.pi / 2); return c * c }
        // The schedule forms βₛ = 1 − f(s)/f(s − 1) and ᾱₜ = exp(Σₛ log(1 − βₛ)): each of the ≤ 90 terms carries a
        // few ulps (~4e-16) of absolute error in the log, so ᾱₜ is within ~90·4e-16 ≈ 4e-14 relative of f(t)/f(0).
        // Allow 1e-12 (25× that).
        for t in [1, 10, 50, 90] { expectClose(s.alphaBar(t), f(Double(t)) / f(0), relative: 1e-12, "ᾱ_\(t)") }
        #expect(s.beta(100) == 0.999)
    }
}
