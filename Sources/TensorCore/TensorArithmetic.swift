import RealModule

/// Element-wise arithmetic with NumPy broadcasting, and the element-wise functions the diffusion
/// maths and (later) the networks need.
extension Tensor {
    /// Element-wise sum, broadcasting.
    public static func + (a: Tensor, b: Tensor) -> Tensor { zip(a, b, +) }
    /// Element-wise difference, broadcasting.
    public static func - (a: Tensor, b: Tensor) -> Tensor { zip(a, b, -) }
    /// Element-wise (Hadamard) product, broadcasting.
    public static func * (a: Tensor, b: Tensor) -> Tensor { zip(a, b, *) }
    /// Element-wise quotient, broadcasting.
    public static func / (a: Tensor, b: Tensor) -> Tensor { zip(a, b, /) }

    /// Every element plus `b`.
    public static func + (a: Tensor, b: Scalar) -> Tensor { a.map { $0 + b } }
    /// `a` plus every element.
    public static func + (a: Scalar, b: Tensor) -> Tensor { b.map { a + $0 } }
    /// Every element minus `b`.
    public static func - (a: Tensor, b: Scalar) -> Tensor { a.map { $0 - b } }
    /// `a` minus every element.
    public static func - (a: Scalar, b: Tensor) -> Tensor { b.map { a - $0 } }
    /// Every element times `b`.
    public static func * (a: Tensor, b: Scalar) -> Tensor { a.map { $0 * b } }
    /// `a` times every element.
    public static func * (a: Scalar, b: Tensor) -> Tensor { b.map { a * $0 } }
    /// Every element divided by `b`.
    public static func / (a: Tensor, b: Scalar) -> Tensor { a.map { $0 / b } }
    /// `a` divided by every element.
    public static func / (a: Scalar, b: Tensor) -> Tensor { b.map { a / $0 } }
    /// Every element negated.
    public static prefix func - (a: Tensor) -> Tensor { a.map { -$0 } }

    /// In-place element-wise sum, broadcasting `b` to this tensor's shape.
    public static func += (a: inout Tensor, b: Tensor) { a = a + b }
    /// In-place element-wise difference, broadcasting `b` to this tensor's shape.
    public static func -= (a: inout Tensor, b: Tensor) { a = a - b }

    /// Element-wise square, x².
    public func squared() -> Tensor { map { $0 * $0 } }
    /// Element-wise square root, √x.
    public func squareRoot() -> Tensor { map { $0.squareRoot() } }
    /// Element-wise exponential, eˣ.
    public func exp() -> Tensor { map { Scalar.exp($0) } }
    /// Element-wise natural logarithm, ln x.
    public func log() -> Tensor { map { Scalar.log($0) } }
    /// Element-wise absolute value, |x|.
    public func magnitude() -> Tensor { map { Swift.abs($0) } }
}

/// The largest absolute element-wise difference between two tensors of one shape, ‖a − b‖_∞.
public func maxAbsoluteDifference<Scalar>(_ a: Tensor<Scalar>, _ b: Tensor<Scalar>) -> Scalar {
    precondition(a.shape == b.shape, "maxAbsoluteDifference: shapes \(a.shape) and \(b.shape) differ")
    return Swift.zip(a.scalars, b.scalars).reduce(0) { Swift.max($0, Swift.abs($1.0 - $1.1)) }
}
