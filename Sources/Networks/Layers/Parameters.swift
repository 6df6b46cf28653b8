import TensorCore

/// The names and shapes of a network's parameter tensors, in a fixed order (PyTorch's
/// `named_parameters()` order for the peer's networks), and where each sits in one flat vector.
///
/// Dotted names (`down0.conv1.weight`) are the same as the peer's, so a checkpoint or a golden
/// file maps one to one.
public struct ParameterLayout: Sendable, Equatable {
    /// One named tensor.
    public struct Entry: Sendable, Equatable {
        /// The dotted name, e.g. `down0.conv1.weight`.
        public let name: String
        /// Its shape in PyTorch's layout (a conv weight is [out, in, kh, kw]).
        public let shape: [Int]
        /// Where it starts in the flat vector.
        public let offset: Int
        /// How `initialValues` fills it (nil: the network initialises it itself).
        public let initialisation: Initialisation?
        /// Its number of elements.
        public var count: Int { shape.reduce(1, *) }
    }

    /// The tensors in order.
    public private(set) var entries: [Entry] = []
    private var index: [String: Int] = [:]

    /// An empty layout.
    public init() {}

    /// Appends tensor `name` of `shape`, filled by `initialisation`.
    /// - Precondition: the name is new.
    public mutating func append(_ name: String, _ shape: [Int], initialisation: Initialisation? = nil) {
        precondition(index[name] == nil, "ParameterLayout: \(name) appears twice")
        index[name] = entries.count
        entries.append(Entry(name: name, shape: shape, offset: count, initialisation: initialisation))
    }

    /// Initial values, tensor by tensor in layout order: each `uniform` and `zeroed` tensor draws its
    /// elements in order from `generator` (a `zeroed` one then discards them, as PyTorch draws a module's
    /// defaults before `zero_module` sets them to 0, so every later tensor gets the same draws).
    /// - Precondition: every entry has an initialisation.
    public func initialValues(using generator: inout SeededGenerator) -> [Float] {
        var values: [Float] = []
        values.reserveCapacity(count)
        for entry in entries {
            switch entry.initialisation {
            case .constant(let value): values += [Float](repeating: value, count: entry.count)
            case .uniform(let bound): values += (0..<entry.count).map { _ in Float(generator.uniform(-bound, bound)) }
            case .zeroed(let bound):
                for _ in 0..<entry.count { _ = generator.uniform(-bound, bound) }
                values += [Float](repeating: 0, count: entry.count)
            case nil: preconditionFailure("ParameterLayout.initialValues: \(entry.name) has no initialisation")
            }
        }
        return values
    }

    /// The total number of parameters.
    public var count: Int { entries.last.map { $0.offset + $0.count } ?? 0 }

    /// The entry called `name`, if any.
    public subscript(_ name: String) -> Entry? { index[name].map { entries[$0] } }
}

/// How a parameter tensor starts.
public enum Initialisation: Sendable, Equatable {
    /// Every element `value` (GroupNorm's γ = 1, β = 0); draws nothing.
    case constant(Float)
    /// Each element drawn U(±bound) (PyTorch's default for conv and linear layers: bound = 1/√fan_in).
    case uniform(bound: Double)
    /// Drawn as `uniform(bound:)`, then set to 0: the last layer of a residual branch (Ho's init_scale = 0).
    case zeroed(bound: Double)
}

/// Named parameters on a tape: the variables of one forward pass, looked up by dotted name.
extension ParameterLayout {
    /// PyTorch's default initialisation of a stack of `Linear` layers: every weight [out, in] and its bias
    /// U(±1/√in), drawn tensor by tensor in layout order.
    public func linearDefaults(using generator: inout SeededGenerator) -> [Float] {
        var values: [Float] = []
        for entry in entries {
            let fanIn = entry.name.hasSuffix("bias") ? self[entry.name.replacingOccurrences(of: ".bias", with: ".weight")]!.shape[1] : entry.shape[1]
            let bound = 1 / Double(fanIn).squareRoot()
            values += (0..<entry.count).map { _ in Float(generator.uniform(-bound, bound)) }
        }
        return values
    }
}

public struct TapeParameters<Scalar: TensorScalar> {
    /// Each tensor of the layout as a tape variable.
    public let variables: [String: Variable<Scalar>]
    /// The tape they are on.
    public let tape: Tape<Scalar>

    /// Puts every tensor of `layout`, read from the flat `values`, on `tape`.
    public init(layout: ParameterLayout, values: [Scalar], on tape: Tape<Scalar>) {
        precondition(values.count == layout.count, "TapeParameters: \(values.count) values for \(layout.count) parameters")
        var variables: [String: Variable<Scalar>] = [:]
        for entry in layout.entries {
            variables[entry.name] = tape.variable(Tensor(shape: entry.shape, scalars: Array(values[entry.offset..<(entry.offset + entry.count)])))
        }
        self.variables = variables
        self.tape = tape
    }

    /// Every tensor of `layout` cut from one flat variable (so one backward pass gives the gradient
    /// of all parameters as one vector).
    public init(layout: ParameterLayout, flat: Variable<Scalar>) {
        precondition(flat.value.count == layout.count, "TapeParameters: \(flat.value.count) values for \(layout.count) parameters")
        var variables: [String: Variable<Scalar>] = [:]
        for entry in layout.entries { variables[entry.name] = flat.segment(entry.offset..<(entry.offset + entry.count), shape: entry.shape) }
        self.variables = variables
        tape = flat.tape
    }

    /// The gradients of every tensor, concatenated in the layout's order (zeros where unused).
    public func flatGradients(_ gradients: Gradients<Scalar>, layout: ParameterLayout) -> [Scalar] {
        layout.entries.flatMap { gradients[variables[$0.name]!].scalars }
    }

    /// The scope of the module called `prefix` (e.g. "down0"): `scope("conv1.weight")`.
    public func scope(_ prefix: String) -> ParameterScope<Scalar> { ParameterScope(parameters: self, prefix: prefix) }
}

/// A module's view of the named parameters: names relative to its prefix.
public struct ParameterScope<Scalar: TensorScalar> {
    /// All parameters.
    public let parameters: TapeParameters<Scalar>
    /// The module's dotted prefix ("" at the top).
    public let prefix: String

    /// The variable `prefix.name`.
    public func callAsFunction(_ name: String) -> Variable<Scalar> {
        let full = prefix.isEmpty ? name : prefix + "." + name
        guard let v = parameters.variables[full] else { preconditionFailure("no parameter named \(full)") }
        return v
    }

    /// The scope of a child module.
    public func child(_ name: String) -> ParameterScope<Scalar> {
        ParameterScope(parameters: parameters, prefix: prefix.isEmpty ? name : prefix + "." + name)
    }
}

extension Variable {
    /// Elements `range` of the flattened value, as a tensor of `shape`. Pullback: the gradient goes
    /// back into those elements, zeros elsewhere.
    public func segment(_ range: Range<Int>, shape: [Int]) -> Variable {
        let total = value.count
        precondition(range.count == shape.reduce(1, *) && range.upperBound <= total, "segment: \(range) as \(shape) of \(total)")
        return tape.record(Tensor(shape: shape, scalars: Array(value.scalars[range])), inputs: [self]) { g in
            var out = [Scalar](repeating: 0, count: total)
            for (i, v) in zip(range, g.scalars) { out[i] = v }
            return [Tensor(shape: self.value.shape, scalars: out)]
        }
    }
}
