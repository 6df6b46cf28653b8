import RealModule
import TensorCore

/// Differentiable element-wise functions, each with its derivative beside it.
extension Variable {
    /// eˣ. d/dx = eˣ.
    public func exp() -> Variable {
        let y = value.exp()
        return tape.record(y, inputs: [self]) { g in [g * y] }
    }

    /// ln x. d/dx = 1/x.
    public func log() -> Variable {
        let x = value
        return tape.record(x.log(), inputs: [self]) { g in [g / x] }
    }

    /// sin x. d/dx = cos x.
    public func sin() -> Variable {
        let x = value
        return tape.record(x.sin(), inputs: [self]) { g in [g * x.cos()] }
    }

    /// cos x. d/dx = −sin x.
    public func cos() -> Variable {
        let x = value
        return tape.record(x.cos(), inputs: [self]) { g in [-(g * x.sin())] }
    }

    /// tanh x. d/dx = 1 − tanh² x.
    public func tanh() -> Variable {
        let y = value.tanh()
        return tape.record(y, inputs: [self]) { g in [g * (1 - y.squared())] }
    }

    /// max(x, 0). d/dx = 1 for x > 0, else 0.
    public func relu() -> Variable {
        let x = value
        return tape.record(x.map { Swift.max($0, 0) }, inputs: [self]) { g in [Tensor.zip(g, x) { $1 > 0 ? $0 : 0 }] }
    }

    /// SiLU(x) = x·σ(x), σ(x) = 1/(1 + e⁻ˣ). d/dx = σ(x)·(1 + x·(1 − σ(x))).
    public func silu() -> Variable {
        let x = value
        let s = x.map { 1 / (1 + Scalar.exp(-$0)) }
        return tape.record(x * s, inputs: [self]) { g in [g * s * (1 + x * (1 - s))] }
    }
}
