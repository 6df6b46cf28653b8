import RealModule

/// The element types a `Tensor` can hold: `Float` (networks, for speed) and `Double` (closed forms).
public protocol TensorScalar: Real, BinaryFloatingPoint, Sendable {}
extension Float: TensorScalar {}
extension Double: TensorScalar {}

/// A dense, row-major, n-dimensional array of `Float` or `Double`.
///
/// A value type with copy-on-write storage (a Swift `Array`), so tensors are passed and returned
/// like numbers. Shapes are listed outermost first: a batch of N points in 2-D is `[N, 2]`.
/// Element-wise operators broadcast like NumPy (see `broadcastShape(_:_:)`); reductions and the
/// matrix product live in their own files. Autodiff and fast kernels build on this type without
/// changing it: they read `scalars` and `shape` and write new tensors.
public struct Tensor<Scalar: TensorScalar>: Sendable, Equatable {
    /// The extent of each dimension, outermost first. `[]` is a scalar.
    public let shape: [Int]
    /// The elements in row-major order; `scalars.count == shape.reduce(1, *)`.
    public internal(set) var scalars: [Scalar]

    /// Creates a tensor from its shape and row-major elements.
    /// - Precondition: every extent is ≥ 0 and `scalars.count` is their product.
    public init(shape: [Int], scalars: [Scalar]) {
        precondition(shape.allSatisfy { $0 >= 0 }, "Tensor: negative extent in shape \(shape)")
        precondition(
            scalars.count == shape.reduce(1, *),
            "Tensor: \(scalars.count) scalars do not fill shape \(shape)")
        self.shape = shape
        self.scalars = scalars
    }

    /// A tensor of `shape` with every element equal to `value`.
    public init(repeating value: Scalar, shape: [Int]) {
        self.init(shape: shape, scalars: Array(repeating: value, count: shape.reduce(1, *)))
    }

    /// A zero tensor of `shape`.
    public static func zeros(_ shape: [Int]) -> Tensor { Tensor(repeating: 0, shape: shape) }

    /// A tensor of ones of `shape`.
    public static func ones(_ shape: [Int]) -> Tensor { Tensor(repeating: 1, shape: shape) }

    /// A rank-0 tensor holding `value`.
    public init(_ value: Scalar) { self.init(shape: [], scalars: [value]) }

    /// A rank-1 tensor (a vector) of `values`.
    public init(_ values: [Scalar]) { self.init(shape: [values.count], scalars: values) }

    /// A rank-2 tensor (a matrix) from equal-length rows.
    /// - Precondition: all rows have the same length.
    public init(rows: [[Scalar]]) {
        let columns = rows.first?.count ?? 0
        precondition(rows.allSatisfy { $0.count == columns }, "Tensor(rows:): ragged rows")
        self.init(shape: [rows.count, columns], scalars: rows.flatMap { $0 })
    }

    /// A tensor of independent standard normal draws N(0, 1), in row-major order.
    public static func randomNormal(_ shape: [Int], using generator: inout SeededGenerator) -> Tensor {
        Tensor(shape: shape, scalars: (0..<shape.reduce(1, *)).map { _ in Scalar(generator.normal()) })
    }

    /// A tensor of independent uniform draws from [`lower`, `upper`).
    public static func randomUniform(
        _ shape: [Int], lower: Scalar = 0, upper: Scalar = 1, using generator: inout SeededGenerator
    ) -> Tensor {
        Tensor(
            shape: shape,
            scalars: (0..<shape.reduce(1, *)).map { _ in
                lower + (upper - lower) * Scalar(generator.uniform())
            })
    }

    /// The number of dimensions.
    public var rank: Int { shape.count }
    /// The number of elements.
    public var count: Int { scalars.count }

    /// The single element of a tensor with one element (any shape).
    public var scalar: Scalar {
        precondition(scalars.count == 1, "Tensor.scalar: tensor of shape \(shape) has \(count) elements")
        return scalars[0]
    }

    /// Row-major strides: how far apart consecutive entries of each dimension are in `scalars`.
    public var strides: [Int] {
        var strides = Array(repeating: 1, count: shape.count)
        for axis in stride(from: shape.count - 2, through: 0, by: -1) {
            strides[axis] = strides[axis + 1] * shape[axis + 1]
        }
        return strides
    }

    /// The element at a full multi-index.
    public subscript(_ index: Int...) -> Scalar {
        get { scalars[offset(of: index)] }
        set { scalars[offset(of: index)] = newValue }
    }

    /// Row `i` of a rank ≥ 1 tensor: the sub-tensor of shape `shape.dropFirst()`.
    public func row(_ i: Int) -> Tensor {
        precondition(rank >= 1 && shape[0] > i && i >= 0, "Tensor.row: \(i) outside shape \(shape)")
        let width = scalars.count / shape[0]
        return Tensor(shape: Array(shape.dropFirst()), scalars: Array(scalars[(i * width)..<((i + 1) * width)]))
    }

    /// Column `j` of a matrix, as a vector.
    public func column(_ j: Int) -> Tensor {
        precondition(rank == 2 && j >= 0 && j < shape[1], "Tensor.column: \(j) outside shape \(shape)")
        return Tensor([Scalar]((0..<shape[0]).map { scalars[$0 * shape[1] + j] }))
    }

    /// The same elements under another shape with the same element count (one extent may be −1).
    public func reshaped(_ newShape: [Int]) -> Tensor {
        var resolved = newShape
        if let free = newShape.firstIndex(of: -1) {
            let known = newShape.filter { $0 != -1 }.reduce(1, *)
            precondition(known > 0 && count % known == 0, "Tensor.reshaped: cannot infer \(newShape) from \(shape)")
            resolved[free] = count / known
        }
        return Tensor(shape: resolved, scalars: scalars)
    }

    /// The tensor with `transform` applied to every element.
    public func map(_ transform: (Scalar) -> Scalar) -> Tensor {
        Tensor(shape: shape, scalars: scalars.map(transform))
    }

    /// The same values converted to another scalar type (Float ↔ Double).
    public func converted<Other: TensorScalar>(to _: Other.Type = Other.self) -> Tensor<Other> {
        Tensor<Other>(shape: shape, scalars: scalars.map { Other($0) })
    }

    private func offset(of index: [Int]) -> Int {
        precondition(index.count == rank, "Tensor: index \(index) has the wrong rank for shape \(shape)")
        var offset = 0
        for (axis, (i, stride)) in Swift.zip(index, strides).enumerated() {
            precondition(i >= 0 && i < shape[axis], "Tensor: index \(index) outside shape \(shape)")
            offset += i * stride
        }
        return offset
    }
}
