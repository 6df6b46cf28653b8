import TensorCore

/// Differentiable arithmetic. Broadcasting operands get their gradient summed back to their own
/// shape (`reduceSum(toShape:)`), the adjoint of broadcasting.
extension Variable {
    /// a + b, broadcasting. ∂/∂a = 1, ∂/∂b = 1.
    public static func + (a: Variable, b: Variable) -> Variable {
        let (sa, sb) = (a.value.shape, b.value.shape)
        return a.tape.record(a.value + b.value, inputs: [a, b]) { g in [g.reduceSum(toShape: sa), g.reduceSum(toShape: sb)] }
    }

    /// a − b, broadcasting. ∂/∂a = 1, ∂/∂b = −1.
    public static func - (a: Variable, b: Variable) -> Variable {
        let (sa, sb) = (a.value.shape, b.value.shape)
        return a.tape.record(a.value - b.value, inputs: [a, b]) { g in [g.reduceSum(toShape: sa), (-g).reduceSum(toShape: sb)] }
    }

    /// a ⊙ b, broadcasting. ∂/∂a = b, ∂/∂b = a.
    public static func * (a: Variable, b: Variable) -> Variable {
        let (va, vb) = (a.value, b.value)
        return a.tape.record(va * vb, inputs: [a, b]) { g in [(g * vb).reduceSum(toShape: va.shape), (g * va).reduceSum(toShape: vb.shape)] }
    }

    /// c·a for a constant c. ∂/∂a = c.
    public static func * (c: Scalar, a: Variable) -> Variable {
        a.tape.record(c * a.value, inputs: [a]) { g in [c * g] }
    }

    /// a + c for a constant tensor c (broadcasting to a's shape). ∂/∂a = 1.
    public static func + (a: Variable, c: Tensor<Scalar>) -> Variable {
        let shape = a.value.shape
        return a.tape.record(a.value + c, inputs: [a]) { g in [g.reduceSum(toShape: shape)] }
    }

    /// a − c for a constant tensor c (broadcasting to a's shape). ∂/∂a = 1.
    public static func - (a: Variable, c: Tensor<Scalar>) -> Variable {
        let shape = a.value.shape
        return a.tape.record(a.value - c, inputs: [a]) { g in [g.reduceSum(toShape: shape)] }
    }

    /// a ⊙ c for a constant tensor c (broadcasting). ∂/∂a = c.
    public static func * (a: Variable, c: Tensor<Scalar>) -> Variable {
        let shape = a.value.shape
        return a.tape.record(a.value * c, inputs: [a]) { g in [(g * c).reduceSum(toShape: shape)] }
    }

    /// −a. ∂/∂a = −1.
    public static prefix func - (a: Variable) -> Variable {
        a.tape.record(-a.value, inputs: [a]) { g in [-g] }
    }

    /// a². ∂/∂a = 2a.
    public func squared() -> Variable {
        let v = value
        return tape.record(v.squared(), inputs: [self]) { g in [2 * v * g] }
    }

    /// Σ of all elements, a scalar. ∂/∂a = 1 everywhere.
    public func sum() -> Variable {
        let shape = value.shape
        return tape.record(Tensor(value.sum()), inputs: [self]) { g in [Tensor(repeating: g.scalar, shape: shape)] }
    }

    /// The mean of all elements, a scalar. ∂/∂a = 1/n everywhere.
    public func mean() -> Variable {
        let shape = value.shape
        let n = Scalar(value.count)
        return tape.record(Tensor(value.mean()), inputs: [self]) { g in [Tensor(repeating: g.scalar / n, shape: shape)] }
    }
}
