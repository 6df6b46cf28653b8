import RealModule

/// Why a variance schedule was rejected; the message names the offending value.
public enum ScheduleError: Error, Equatable, CustomStringConvertible {
    /// T < 1.
    case tooFewSteps(Int)
    /// βₜ is NaN, ≤ 0 or ≥ 1 at paper step `t`.
    case betaOutOfRange(t: Int, beta: Double)
    /// β_start or β_end of a parametric schedule is outside (0, 1).
    case endpointOutOfRange(name: String, value: Double)
    /// A subsequence τ for respacing that is empty, not strictly increasing, or leaves 1…T.
    case invalidSubsequence(count: Int, steps: Int)

    /// A one-line explanation naming the offending value.
    public var description: String {
        switch self {
        case .tooFewSteps(let steps):
            return "invalid schedule: T = \(steps) steps, but a schedule needs T ≥ 1"
        case .betaOutOfRange(let t, let beta):
            return "invalid schedule: β_\(t) = \(beta) at t = \(t) is not in the open interval (0, 1)"
        case .endpointOutOfRange(let name, let value):
            return "invalid schedule: \(name) = \(value) is not in the open interval (0, 1)"
        case .invalidSubsequence(let count, let steps):
            return "invalid step subsequence: \(count) steps must be strictly increasing inside 1…\(steps)"
        }
    }
}

/// The fixed variance schedule β₁ … β_T of the forward process (Ho et al. 2020, Sec. 2 and 3.1),
/// with every derived quantity precomputed in Double.
///
/// Time is the paper's: t = 1…T, and t = 0 is allowed where the paper defines it (ᾱ₀ = 1).
/// Storage is 0-based internally and never leaks out.
///
/// - αₜ = 1 − βₜ
/// - ᾱₜ = ∏ₛ₌₁ᵗ αₛ = exp(Σₛ log(1 − βₛ)), and 1 − ᾱₜ = −expm1(Σₛ log(1 − βₛ)), so 1 − ᾱₜ keeps full
///   relative precision even when ᾱₜ is within an ulp of 1 (t = 1). The sum is compensated
///   (Neumaier), so ᾱ_T is good to a few ulps for T = 1000.
/// - SNR(t) = ᾱₜ / (1 − ᾱₜ)
public struct NoiseSchedule: Sendable, Equatable {
    /// The number of diffusion steps T.
    public let steps: Int
    private let betas: [Double]
    private let logAlphaBars: [Double]  // Σₛ₌₁ᵗ log(1 − βₛ), index t − 1

    /// A schedule from explicit values β₁ … β_T (index 0 holds β₁).
    /// - Throws: `ScheduleError` if T < 1 or any βₜ is NaN or outside (0, 1).
    public init(betas: [Double]) throws(ScheduleError) {
        guard betas.count >= 1 else { throw .tooFewSteps(betas.count) }
        for (index, beta) in betas.enumerated() where !(beta > 0 && beta < 1) {
            throw .betaOutOfRange(t: index + 1, beta: beta)
        }
        self.steps = betas.count
        self.betas = betas
        var sum = 0.0
        var compensation = 0.0
        var logs: [Double] = []
        logs.reserveCapacity(betas.count)
        for beta in betas {
            let term = Double.log(onePlus: -beta)
            let next = sum + term
            compensation += abs(sum) >= abs(term) ? (sum - next) + term : (term - next) + sum
            sum = next
            logs.append(sum + compensation)
        }
        self.logAlphaBars = logs
    }

    /// The paper's schedule (Sec. 4): βₜ linear from β₁ = `betaStart` to β_T = `betaEnd`,
    /// βₜ = β₁ + (t − 1)·(β_T − β₁)/(T − 1) (NumPy's `linspace`; β_T is exactly `betaEnd`).
    public static func linear(steps: Int = 1000, betaStart: Double = 1e-4, betaEnd: Double = 0.02)
        throws(ScheduleError) -> NoiseSchedule
    {
        try checkEndpoints(steps: steps, betaStart: betaStart, betaEnd: betaEnd)
        return try NoiseSchedule(betas: linspace(betaStart, betaEnd, steps))
    }

    /// Ho's "quad" schedule: √βₜ linear from √β₁ to √β_T, squared,
    /// βₜ = (√β₁ + (t − 1)·(√β_T − √β₁)/(T − 1))².
    public static func quadratic(steps: Int = 1000, betaStart: Double = 1e-4, betaEnd: Double = 0.02)
        throws(ScheduleError) -> NoiseSchedule
    {
        try checkEndpoints(steps: steps, betaStart: betaStart, betaEnd: betaEnd)
        let roots = linspace(betaStart.squareRoot(), betaEnd.squareRoot(), steps)
        return try NoiseSchedule(betas: roots.map { $0 * $0 })
    }

    /// The cosine schedule (Nichol & Dhariwal 2021): ᾱₜ = f(t)/f(0) with
    /// f(t) = cos²(θₜ), θₜ = ((t/T + s)/(1 + s))·π/2, s = 0.008, and βₜ = min(1 − ᾱₜ/ᾱₜ₋₁, 0.999).
    /// Computed without cancellation through the complementary angle φₜ = π/2 − θₜ = (π/2)·((T − t)/T)/(1 + s):
    /// 1 − f(t)/f(t − 1) = sin(φₜ₋₁ − φₜ)·sin(φₜ₋₁ + φₜ)/sin²φₜ₋₁ (cos²a − cos²b = sin(b − a)·sin(b + a)),
    /// so the small βs near t = 1 and the cosines near π/2 at t ≈ T both keep full relative precision.
    public static func cosine(steps: Int = 1000, offset s: Double = 0.008) throws(ScheduleError) -> NoiseSchedule {
        guard steps >= 1 else { throw .tooFewSteps(steps) }
        func phi(_ t: Int) -> Double { Double.pi / 2 * (Double(steps - t) / Double(steps)) / (1 + s) }
        let step = Double.pi / 2 / (Double(steps) * (1 + s))  // φₜ₋₁ − φₜ, the same for every t
        return try NoiseSchedule(
            betas: (1...steps).map { t in
                let c = Double.sin(phi(t - 1))
                return min(Double.sin(step) * Double.sin(phi(t - 1) + phi(t)) / (c * c), 0.999)
            })
    }

    // MARK: - Per-step quantities (t = 1…T)

    /// βₜ, the variance added at step t (Eq. 2).
    public func beta(_ t: Int) -> Double { betas[index(t)] }

    /// αₜ = 1 − βₜ.
    public func alpha(_ t: Int) -> Double { 1 - betas[index(t)] }

    /// ᾱₜ = ∏ₛ₌₁ᵗ αₛ for t = 0…T, with ᾱ₀ = 1 (Eq. 4).
    public func alphaBar(_ t: Int) -> Double {
        t == 0 ? 1 : Double.exp(logAlphaBars[index(t)])
    }

    /// 1 − ᾱₜ for t = 0…T, computed as −expm1(Σ log αₛ) without cancellation (0 at t = 0).
    public func oneMinusAlphaBar(_ t: Int) -> Double {
        t == 0 ? 0 : -Double.expMinusOne(logAlphaBars[index(t)])
    }

    /// log ᾱₜ = Σₛ₌₁ᵗ log(1 − βₛ) for t = 0…T.
    public func logAlphaBar(_ t: Int) -> Double { t == 0 ? 0 : logAlphaBars[index(t)] }

    /// √ᾱₜ, the signal scale of q(xₜ∣x₀) (Eq. 4).
    public func sqrtAlphaBar(_ t: Int) -> Double { alphaBar(t).squareRoot() }

    /// √(1 − ᾱₜ), the noise scale of q(xₜ∣x₀) (Eq. 4).
    public func sqrtOneMinusAlphaBar(_ t: Int) -> Double { oneMinusAlphaBar(t).squareRoot() }

    /// The signal-to-noise ratio SNR(t) = ᾱₜ / (1 − ᾱₜ), for t = 1…T.
    public func snr(_ t: Int) -> Double {
        precondition(t >= 1, "snr: t = \(t) outside 1…\(steps) (SNR(0) is infinite)")
        return alphaBar(t) / oneMinusAlphaBar(t)
    }

    /// log SNR(t) = log ᾱₜ − log(1 − ᾱₜ), for t = 1…T.
    public func logSNR(_ t: Int) -> Double {
        precondition(t >= 1, "logSNR: t = \(t) outside 1…\(steps)")
        return logAlphaBars[index(t)] - Double.log(oneMinusAlphaBar(t))
    }

    /// The paper's time steps 1…T.
    public var timeSteps: ClosedRange<Int> { 1...steps }

    /// Storage index of paper step t ∈ 1…T.
    private func index(_ t: Int) -> Int {
        precondition(t >= 1 && t <= steps, "t = \(t) outside the paper's range 1…\(steps)")
        return t - 1
    }

    private static func checkEndpoints(steps: Int, betaStart: Double, betaEnd: Double) throws(ScheduleError) {
        guard steps >= 1 else { throw .tooFewSteps(steps) }
        guard betaStart > 0 && betaStart < 1 else { throw .endpointOutOfRange(name: "β_start", value: betaStart) }
        guard betaEnd > 0 && betaEnd < 1 else { throw .endpointOutOfRange(name: "β_end", value: betaEnd) }
    }
}

/// `count` evenly spaced values from `start` to `end` inclusive, as NumPy's `linspace` computes
/// them: start + i·step with step = (end − start)/(count − 1), and the last value exactly `end`.
func linspace(_ start: Double, _ end: Double, _ count: Int) -> [Double] {
    if count == 1 { return [start] }
    let step = (end - start) / Double(count - 1)
    return (0..<count).map { i in i == count - 1 ? end : start + Double(i) * step }
}
