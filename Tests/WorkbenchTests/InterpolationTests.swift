import Foundation
import Testing
@testable import Diffusion
@testable import Learning
@testable import TensorCore

@Suite("Interpolation in latent space (Sec. 4.4)")
struct InterpolationTests {
    static let schedule = try! NoiseSchedule.linear()
    static let mixture = GaussianMixture2D.eightGaussians
    /// The oracle ε* as the decoder's noise predictor (no training needed).
    static func oracle(_ x: Tensor<Double>, _ t: Int) -> Tensor<Double> { mixture.optimalNoise(xt: x, t: t, schedule: schedule) }

    @Test("λ = 0 and λ = 1 decode exactly to the reconstructions of the matching endpoints", arguments: [1, 10, 250])
    func endpointsAreReconstructions(t: Int) {
        let interpolation = LatentInterpolation(schedule: Self.schedule, t: t)
        var rng = SeededGenerator(seed: UInt64(t))
        let (a, b) = (Tensor<Double>(rows: [[1, 0], [0.7, 0.7]]), Tensor<Double>(rows: [[0, 1], [-1, 0]]))
        let (e, f) = (Tensor<Double>.randomNormal([2, 2], using: &rng), Tensor<Double>.randomNormal([2, 2], using: &rng))
        let path = interpolation.path(from: a, to: b, noise: e, otherNoise: f, lambdas: [0, 0.5, 1], decodingSeed: 9, predictor: Self.oracle)
        let first = interpolation.decode(interpolation.encode(a, noise: e), decodingSeed: 9, predictor: Self.oracle)
        let last = interpolation.decode(interpolation.encode(b, noise: f), decodingSeed: 9, predictor: Self.oracle)
        // Same inputs, same noise, same arithmetic: (1 − 0)·xₜ + 0·x′ₜ is xₜ exactly.
        #expect(path[0] == first)
        #expect(path[2] == last)
        #expect(path[1] != first && path[1] != last)
    }

    @Test("Decoding from step t makes exactly t network evaluations, at steps t, t − 1, …, 1", arguments: [0, 1, 7, 250])
    func decodeEvaluationCount(t: Int) {
        var seen: [Int] = []
        _ = LatentInterpolation(schedule: Self.schedule, t: t).decode(Tensor(rows: [[0.3, 0.2]]), decodingSeed: 1) { x, step in
            seen.append(step)
            return Self.oracle(x, step)
        }
        #expect(seen == Array(stride(from: t, through: 1, by: -1)))
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
