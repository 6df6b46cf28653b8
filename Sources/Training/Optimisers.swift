import Foundation
import Networks

/// Adam (Kingma & Ba 2015) with PyTorch's semantics (`torch.optim.Adam`, single-tensor path, no
/// weight decay, no AMSGrad). At step k (counting from 1):
///
///     m ← β₁·m + (1 − β₁)·g
///     v ← β₂·v + (1 − β₂)·g²
///     p ← p − (lr / (1 − β₁ᵏ)) · m / (√v / √(1 − β₂ᵏ) + ε)
///
/// The bias corrections and 1 − β are computed in Double, as PyTorch does in Python, then used in Float.
public struct Adam: Sendable {
    /// The learning rate (may be changed between steps by a schedule).
    public var learningRate: Double
    /// β₁, the first-moment decay.
    public let beta1: Double
    /// β₂, the second-moment decay.
    public let beta2: Double
    /// ε, added to the denominator.
    public let epsilon: Double
    /// Steps taken so far (k).
    public private(set) var step = 0
    var m: [Float]
    var v: [Float]

    /// Adam for `count` parameters with PyTorch's defaults.
    public init(count: Int, learningRate: Double = 1e-3, beta1: Double = 0.9, beta2: Double = 0.999, epsilon: Double = 1e-8) {
        self.learningRate = learningRate
        self.beta1 = beta1
        self.beta2 = beta2
        self.epsilon = epsilon
        m = [Float](repeating: 0, count: count)
        v = [Float](repeating: 0, count: count)
    }

    /// One update of `parameters` from `gradients`.
    public mutating func update(_ parameters: inout [Float], gradients: [Float]) {
        precondition(parameters.count == m.count && gradients.count == m.count, "Adam: size mismatch")
        step += 1
        let stepSize = Float(learningRate / (1 - Foundation.pow(beta1, Double(step))))
        let correction2 = Float((1 - Foundation.pow(beta2, Double(step))).squareRoot())
        // As PyTorch: β and 1 − β are Python floats (Double) rounded to Float separately.
        let (b1, b2, eps) = (Float(beta1), Float(beta2), Float(epsilon))
        let (c1, c2) = (Float(1 - beta1), Float(1 - beta2))
        let count = m.count
        parameters.withUnsafeMutableBufferPointer { p in
            gradients.withUnsafeBufferPointer { g in
                m.withUnsafeMutableBufferPointer { m in
                    v.withUnsafeMutableBufferPointer { v in
                        let (p, g, m, v) = (p.baseAddress!, g.baseAddress!, m.baseAddress!, v.baseAddress!)
                        var i = 0
                        while i + 8 <= count {  // the same arithmetic, 8 parameters at a time
                            let gi = Gemm.load(g + i)
                            let mi = b1 * Gemm.load(m + i) + c1 * gi
                            let vi = b2 * Gemm.load(v + i) + c2 * gi * gi
                            Gemm.store(mi, m + i, false)
                            Gemm.store(vi, v + i, false)
                            Gemm.store(Gemm.load(p + i) - stepSize * mi / (vi.squareRoot() / correction2 + eps), p + i, false)
                            i += 8
                        }
                        while i < count {
                            m[i] = b1 * m[i] + c1 * g[i]
                            v[i] = b2 * v[i] + c2 * g[i] * g[i]
                            p[i] -= stepSize * m[i] / (v[i].squareRoot() / correction2 + eps)
                            i += 1
                        }
                    }
                }
            }
        }
    }
}

/// An exponential moving average of the weights: θ̄ ← d·θ̄ + (1 − d)·θ after every step.
/// Sampling from θ̄ instead of θ averages out the last steps' noise.
public struct ExponentialMovingAverage: Sendable {
    /// The decay d (0.99–0.9999 typical).
    public let decay: Double
    /// The averaged parameters θ̄.
    public private(set) var average: [Float]

    /// Starts the average at `parameters`.
    public init(decay: Double, parameters: [Float]) {
        precondition(decay > 0 && decay < 1, "ExponentialMovingAverage: decay must be in (0, 1), got \(decay)")
        self.decay = decay
        average = parameters
    }

    /// θ̄ ← d·θ̄ + (1 − d)·θ.
    public mutating func update(_ parameters: [Float]) {
        let (d, e) = (Float(decay), Float(1 - decay))
        for i in average.indices { average[i] = d * average[i] + e * parameters[i] }
    }
}

/// Gradient-norm clipping as `torch.nn.utils.clip_grad_norm_`: if ‖g‖₂ > c, g ← g·c/(‖g‖₂ + 1e-6).
/// - Returns: ‖g‖₂ before clipping.
@discardableResult
public func clipGradientNorm(_ gradients: inout [Float], maxNorm: Double) -> Double {
    let norm = gradients.reduce(0.0) { $0 + Double($1) * Double($1) }.squareRoot()
    if norm > maxNorm {
        let scale = Float(maxNorm / (norm + 1e-6))
        for i in gradients.indices { gradients[i] *= scale }
    }
    return norm
}

/// How the learning rate changes over training.
public enum LearningRateSchedule: Sendable, Equatable {
    /// The same rate at every step (the benchmark's setting).
    case constant
    /// Cosine decay from the base rate to `floor`·rate over `steps` steps:
    /// lrₖ = lr·(f + (1 − f)·½(1 + cos(π·k/K))).
    case cosine(steps: Int, floor: Double)

    /// The rate at step k (0-based) for base rate `rate`.
    public func rate(at k: Int, base rate: Double) -> Double {
        switch self {
        case .constant: return rate
        case .cosine(let steps, let floor):
            let progress = min(Double(k) / Double(max(steps, 1)), 1)
            return rate * (floor + (1 - floor) * 0.5 * (1 + Foundation.cos(Double.pi * progress)))
        }
    }
}
