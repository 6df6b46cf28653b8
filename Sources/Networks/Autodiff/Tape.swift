import TensorCore

/// Reverse-mode automatic differentiation: a tape that records every operation on `Variable`s,
/// then replays it backwards to give the gradient of a scalar with respect to every input.
///
/// Each operation (in the `Ops` files) computes its value and, beside it, its pullback: the map
/// from the gradient of its output to the gradients of its inputs (the chain rule, one op at a
/// time). `gradients(of:)` seeds ∂L/∂L = 1 and walks the tape from the end, summing contributions.
///
///     let tape = Tape<Double>()
///     let w = tape.variable(weights)
///     let loss = (matmul(x, w) - y).squared().mean()
///     let grads = tape.gradients(of: loss)   // grads[w] is ∂loss/∂w
public final class Tape<Scalar: TensorScalar> {
    struct Entry {
        let value: Tensor<Scalar>
        let inputs: [Int]
        let pullback: ((Tensor<Scalar>) -> [Tensor<Scalar>])?
    }

    var entries: [Entry] = []

    /// An empty tape.
    public init() {}

    /// A leaf: a value to differentiate with respect to (a parameter or an input).
    public func variable(_ value: Tensor<Scalar>) -> Variable<Scalar> {
        entries.append(Entry(value: value, inputs: [], pullback: nil))
        return Variable(id: entries.count - 1, tape: self)
    }

    /// Records an operation's output `value`, computed from `inputs`, with its pullback (how a new tape
    /// op is written: its forward computes `value`, its pullback maps ∂output to one ∂input per input).
    public func record(
        _ value: Tensor<Scalar>, inputs: [Variable<Scalar>], pullback: @escaping (Tensor<Scalar>) -> [Tensor<Scalar>]
    ) -> Variable<Scalar> {
        precondition(inputs.allSatisfy { $0.tape === self }, "Tape: mixing variables of different tapes")
        entries.append(Entry(value: value, inputs: inputs.map(\.id), pullback: pullback))
        return Variable(id: entries.count - 1, tape: self)
    }

    /// The gradient of the scalar `output` with respect to every variable recorded before it.
    /// - Precondition: `output` holds exactly one element.
    public func gradients(of output: Variable<Scalar>) -> Gradients<Scalar> {
        precondition(output.value.count == 1, "gradients(of:): output has shape \(output.value.shape), not a scalar")
        var grads = [Tensor<Scalar>?](repeating: nil, count: output.id + 1)
        grads[output.id] = Tensor(repeating: 1, shape: output.value.shape)
        for id in stride(from: output.id, through: 0, by: -1) {
            guard let upstream = grads[id], let pullback = entries[id].pullback else { continue }
            for (input, contribution) in zip(entries[id].inputs, pullback(upstream)) {
                grads[input] = grads[input].map { $0 + contribution } ?? contribution
            }
        }
        return Gradients(values: grads, shapes: entries.prefix(output.id + 1).map(\.value.shape))
    }
}

/// A value on a tape.
public struct Variable<Scalar: TensorScalar> {
    /// Its position on the tape.
    public let id: Int
    /// The tape that recorded it.
    public let tape: Tape<Scalar>

    /// The value computed for it.
    public var value: Tensor<Scalar> { tape.entries[id].value }
}

/// The gradients from one backward pass, looked up by variable.
public struct Gradients<Scalar: TensorScalar> {
    let values: [Tensor<Scalar>?]
    let shapes: [[Int]]

    /// ∂output/∂`variable` (zeros if the output does not depend on it).
    public subscript(_ variable: Variable<Scalar>) -> Tensor<Scalar> {
        if variable.id < values.count, let g = values[variable.id] { return g }
        return Tensor.zeros(variable.id < shapes.count ? shapes[variable.id] : variable.value.shape)
    }
}
