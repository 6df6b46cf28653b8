import Testing

@testable import Evaluation
@testable import Networks
@testable import Sampling
@testable import TensorCore
@testable import Training

/// Central-difference gradient of `f` at `x`: (f(x + h·eᵢ) − f(x − h·eᵢ)) / 2h for every i.
func numericalGradient(_ x: Tensor<Double>, h: Double = 1e-6, _ f: (Tensor<Double>) -> Double) -> Tensor<Double> {
    var grad = [Double](repeating: 0, count: x.count)
    for i in 0..<x.count {
        var plus = x.scalars
        var minus = x.scalars
        plus[i] += h
        minus[i] -= h
        grad[i] = (f(Tensor(shape: x.shape, scalars: plus)) - f(Tensor(shape: x.shape, scalars: minus))) / (2 * h)
    }
    return Tensor(shape: x.shape, scalars: grad)
}

/// Checks the tape's gradient of L = Σ (op(x) ⊙ w) against central differences.
/// Tolerance: truncation h²·f‴/6 ≈ 1e-12 and rounding ε·|f|/h ≈ 1e-10 for O(1) values, so 1e-7.
func checkGradient(
    _ name: String, shape: [Int], seed: UInt64, positive: Bool = false,
    sourceLocation: SourceLocation = #_sourceLocation, _ op: (Variable<Double>) -> Variable<Double>
) {
    var rng = SeededGenerator(seed: seed)
    let x0 = positive ? Tensor<Double>.randomUniform(shape, lower: 0.5, upper: 2, using: &rng) : Tensor<Double>.randomNormal(shape, using: &rng)
    let tape = Tape<Double>()
    let x = tape.variable(x0)
    let y = op(x)
    let w = Tensor<Double>.randomNormal(y.value.shape, using: &rng)
    let loss = (y * w).sum()
    let analytic = tape.gradients(of: loss)[x]
    let numeric = numericalGradient(x0) { value in
        let t = Tape<Double>()
        return (op(t.variable(value)).value * w).sum()
    }
    let error = maxAbsoluteDifference(analytic, numeric)
    #expect(error <= 1e-7 * max(1, numeric.magnitude().max()), "\(name): gradient error \(error)", sourceLocation: sourceLocation)
}

@Suite("Autodiff: every op against central differences")
struct AutodiffTests {
    @Test("Element-wise functions") func elementwise() {
        checkGradient("exp", shape: [3, 4], seed: 1) { $0.exp() }
        checkGradient("log", shape: [3, 4], seed: 2, positive: true) { $0.log() }
        checkGradient("sin", shape: [3, 4], seed: 3) { $0.sin() }
        checkGradient("cos", shape: [3, 4], seed: 4) { $0.cos() }
        checkGradient("tanh", shape: [3, 4], seed: 5) { $0.tanh() }
        checkGradient("relu", shape: [3, 4], seed: 6) { $0.relu() }
        checkGradient("silu", shape: [3, 4], seed: 7) { $0.silu() }
        checkGradient("square", shape: [3, 4], seed: 8) { $0.squared() }
        checkGradient("negate and scale", shape: [5], seed: 9) { 3.0 * (-$0) }
    }

    @Test("Broadcasting arithmetic returns gradients in each operand's own shape") func broadcasting() {
        var rng = SeededGenerator(seed: 20)
        let row = Tensor<Double>.randomNormal([4], using: &rng)
        let column = Tensor<Double>.randomNormal([3, 1], using: &rng)
        checkGradient("x + row", shape: [3, 4], seed: 10) { $0 + $0.tape.variable(row) }
        checkGradient("x − column", shape: [3, 4], seed: 11) { $0 - $0.tape.variable(column) }
        checkGradient("x ⊙ x", shape: [3, 4], seed: 12) { $0 * $0 }
        checkGradient("row + x (gradient to the row)", shape: [4], seed: 13) { $0 + $0.tape.variable(Tensor.zeros([3, 4])) }
        checkGradient("column ⊙ x (gradient to the column)", shape: [3, 1], seed: 14) { $0 * $0.tape.variable(column.broadcast(to: [3, 4]) + 1) }
        checkGradient("x ⊙ constant", shape: [3, 4], seed: 15) { $0 * row }
    }

    @Test("Reductions, matrix product, concatenation, row gathering") func structure() {
        var rng = SeededGenerator(seed: 30)
        let b = Tensor<Double>.randomNormal([4, 5], using: &rng)
        checkGradient("sum", shape: [3, 4], seed: 16) { $0.sum() }
        checkGradient("mean", shape: [3, 4], seed: 17) { $0.mean() }
        checkGradient("matmul, left", shape: [3, 4], seed: 18) { Variable.matmul($0, $0.tape.variable(b)) }
        checkGradient("matmul, right", shape: [4, 5], seed: 19) { Variable.matmul($0.tape.variable(b.transposed()), $0) }
        checkGradient("concatenate", shape: [3, 2], seed: 21) { Variable.concatenateColumns([$0, $0.squared(), $0]) }
        checkGradient("gather rows (with repeats)", shape: [5, 3], seed: 22) { $0.gatherRows([4, 0, 4, 2]) }
    }

    @Test("End to end: the MLP graph's L_simple loss on the tape against central differences in every parameter")
    func mlpLossGradient() {
        var rng = SeededGenerator(seed: 40)
        let model = MLP(sizes: [34, 8, 8, 2], using: &rng)
        let steps = [1, 17, 400, 999, 1000]
        let x = Tensor<Double>.randomNormal([5, 2], using: &rng)
        let target = Tensor<Double>.randomNormal([5, 2], using: &rng)
        func loss(_ tape: Tape<Double>, _ flat: Variable<Double>) -> Variable<Double> {
            let y = model.tapeForward(tape.variable(x), steps: steps, parameters: TapeParameters(layout: model.layout, flat: flat))
            return (y - target).squared().mean()
        }
        let tape = Tape<Double>()
        let flat = tape.variable(Tensor(model.parameters.map(Double.init)))
        let analytic = tape.gradients(of: loss(tape, flat))[flat]
        let numeric = numericalGradient(flat.value) { value in
            let t = Tape<Double>()
            return loss(t, t.variable(value)).value.scalar
        }
        for entry in model.layout.entries {
            let range = entry.offset..<(entry.offset + entry.count)
            // Central differences with h = 1e-6: truncation h²·|∂³L|/6 ≈ 2e-13·|∂³L| and rounding
            // ε·|L|/h ≈ 2.2e-10·|L|. L is an O(1) mean square and the third derivatives through three
            // SiLU layers stay O(10) for O(1) weights: ≲ 1e-9 in all; allow 1e-8.
            let error = zip(analytic.scalars[range], numeric.scalars[range]).map { abs($0 - $1) }.max()!
            #expect(error <= 1e-8, "\(entry.name): error \(error)")
        }
    }
}
