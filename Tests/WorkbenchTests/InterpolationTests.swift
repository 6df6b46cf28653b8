import Foundation
import Testing

@testable import Diffusion
@testable import Evaluation
@testable import Networks
@testable import Sampling
@testable import TensorCore
@testable import Training

@Suite("Interpolation in latent space (Sec. 4.4)")
struct InterpolationTests {
    static let schedule = try! NoiseSchedule.linear()
    static let mixture = GaussianMixture2D.eightGaussians
    /// The oracle ε* as the decoder's noise predictor (no training needed).
    static func oracle(_ x: Tensor<Double>, _ t: Int) -> Tensor<Double> { mixture.optimalNoise(xt: x, t: t, schedule: schedule) }

    /// Encode, mix and decode written out from the raw βs in plain loops, independently of
    /// `NoiseSchedule` and `LatentInterpolation`: ᾱₜ = Πₛ (1 − βₛ), xₜ = √ᾱₜ·x₀ + √(1 − ᾱₜ)·ε,
    /// x̄ₜ = (1 − λ)·xₜ + λ·x′ₜ, then for s = t…1: x ← (x − βₛ/√(1 − ᾱₛ)·ε*(x, s))/√αₛ + √βₛ·z (z = 0 at s = 1),
    /// z drawn row-major from `SeededGenerator(seed: decodingSeed)`.
    static func byHand(_ a: Tensor<Double>, _ b: Tensor<Double>, _ e: Tensor<Double>, _ f: Tensor<Double>, lambda: Double, t: Int, decodingSeed: UInt64) -> Tensor<Double> {
        let betas = (0..<1000).map { 1e-4 + (0.02 - 1e-4) * Double($0) / 999 }
        var alphaBar = [1.0]
        for beta in betas { alphaBar.append(alphaBar.last! * (1 - beta)) }
        let (ab, n) = (alphaBar[t], a.count)
        var x = (0..<n).map { i in
            (1 - lambda) * (ab.squareRoot() * a.scalars[i] + (1 - ab).squareRoot() * e.scalars[i])
                + lambda * (ab.squareRoot() * b.scalars[i] + (1 - ab).squareRoot() * f.scalars[i])
        }
        var rng = SeededGenerator(seed: decodingSeed)
        for step in stride(from: t, through: 1, by: -1) {
            let eps = oracle(Tensor(shape: a.shape, scalars: x), step).scalars
            let beta = betas[step - 1]
            let z = step > 1 ? (0..<n).map { _ in rng.normal() } : [Double](repeating: 0, count: n)
            for i in 0..<n { x[i] = (x[i] - beta / (1 - alphaBar[step]).squareRoot() * eps[i]) / (1 - beta).squareRoot() + beta.squareRoot() * z[i] }
        }
        return Tensor(shape: a.shape, scalars: x)
    }

    @Test("A path equals encode, mix and Algorithm 2 from step t written out by hand, at λ = 0, ½, 1", arguments: [1, 10, 250])
    func pathMatchesHandComputation(t: Int) {
        let interpolation = LatentInterpolation(schedule: Self.schedule, t: t)
        var rng = SeededGenerator(seed: UInt64(t))
        let (a, b) = (Tensor<Double>(rows: [[1, 0], [0.7, 0.7]]), Tensor<Double>(rows: [[0, 1], [-1, 0]]))
        let (e, f) = (Tensor<Double>.randomNormal([2, 2], using: &rng), Tensor<Double>.randomNormal([2, 2], using: &rng))
        let path = interpolation.path(from: a, to: b, noise: e, otherNoise: f, lambdas: [0, 0.5, 1], decodingSeed: 9, predictor: Self.oracle)
        for (k, lambda) in [0, 0.5, 1].enumerated() {
            let expected = Self.byHand(a, b, e, f, lambda: lambda, t: t, decodingSeed: 9)
            // ᾱ by a running product here, by exp of a compensated log-sum in the schedule: ~1e-15 apart;
            // t steps that each divide by √αₛ ≈ 1 and subtract an O(1) ε* term keep it at ~t·1e-15. Allow 1e-11.
            #expect(maxAbsoluteDifference(path[k], expected) <= 1e-11, "λ = \(lambda), t = \(t)")
        }
        // λ = 0 and 1 are the endpoints' own reconstructions; the middle differs from both.
        #expect(maxAbsoluteDifference(path[1], path[0]) > 1e-3 && maxAbsoluteDifference(path[1], path[2]) > 1e-3)
    }

    @Test("Decoding from step t makes exactly t network evaluations, at steps t, t − 1, …, 1", arguments: [1, 7, 250])
    func decodeEvaluationCount(t: Int) {
        var seen: [Int] = []
        _ = LatentInterpolation(schedule: Self.schedule, t: t).decode(Tensor(rows: [[0.3, 0.2]]), decodingSeed: 1) { x, step in
            seen.append(step)
            return Self.oracle(x, step)
        }
        #expect(seen == Array(stride(from: t, through: 1, by: -1)))
    }

    @Test("Decoding from t = 0 returns the latent unchanged, with no evaluations (in a child process, so a crash names this test)")
    func decodeFromZero() async {
        await #expect(processExitsWith: .success) {
            let x = Tensor<Double>(rows: [[0.3, 0.2]])
            var evaluations = 0
            let decoded = LatentInterpolation(schedule: try! .linear(), t: 0).decode(x, decodingSeed: 1) { x, _ in
                evaluations += 1
                return x
            }
            if decoded != x || evaluations != 0 { exit(1) }
        }
    }

    @Test("At t = T the decoded points are statistically independent of the endpoints")
    func tEqualsTForgetsEndpoints() {
        // 400 decodes, each from a random mode as endpoint with its own decoding noise: the decoded
        // point's mode must not follow the endpoint's. Under independence the fraction landing on the
        // endpoint's own mode is 1/8 (sd √(p(1−p)/n) ≈ 0.0165); allow 5σ.
        let interpolation = LatentInterpolation(schedule: Self.schedule, t: Self.schedule.steps)
        var rng = SeededGenerator(seed: 42)
        let n = 400
        var sameMode = 0
        let modes = Self.mixture.components
        for i in 0..<n {
            let k = rng.integer(in: 0...7)
            let start = Tensor<Double>(rows: [[modes[k].mean.x, modes[k].mean.y]])
            let x = interpolation.decode(interpolation.encode(start, noise: .randomNormal([1, 2], using: &rng)), decodingSeed: UInt64(1000 + i), predictor: Self.oracle)
            let nearest = modes.indices.min { hypot(x.scalars[0] - modes[$0].mean.x, x.scalars[1] - modes[$0].mean.y) < hypot(x.scalars[0] - modes[$1].mean.x, x.scalars[1] - modes[$1].mean.y) }!
            if nearest == k { sameMode += 1 }
        }
        let fraction = Double(sameMode) / Double(n)
        #expect(abs(fraction - 0.125) <= 5 * (0.125 * 0.875 / Double(n)).squareRoot(), "fraction on the endpoint's mode: \(fraction)")
        // At a small t the same experiment keeps the endpoint's mode almost always.
        let near = LatentInterpolation(schedule: Self.schedule, t: 50)
        let x = near.decode(near.encode(Tensor(rows: [[1, 0]]), noise: .randomNormal([1, 2], using: &rng)), decodingSeed: 5, predictor: Self.oracle)
        #expect(hypot(x.scalars[0] - 1, x.scalars[1]) < 0.3)
    }
}
