import Networks
import RealModule
import TensorCore

extension Variable {
    /// The mean softmax cross-entropy of logits [N, K] against class labels:
    /// L = −(1/N)·Σₙ log softmax(zₙ)[yₙ], with log softmax(z)ₖ = zₖ − max z − log Σⱼ e^{zⱼ − max z}.
    /// Pullback: ∂L/∂zₙ = (softmax(zₙ) − one-hot(yₙ))/N.
    public func softmaxCrossEntropy(labels: [Int]) -> Variable {
        let z = value
        let (n, k) = (z.shape[0], z.shape[1])
        precondition(z.rank == 2 && labels.count == n && labels.allSatisfy { (0..<k).contains($0) }, "softmaxCrossEntropy: \(z.shape), \(labels.count) labels")
        var probabilities = [Scalar](repeating: 0, count: n * k)
        var loss: Scalar = 0
        for row in 0..<n {
            let logits = z.scalars[(row * k)..<((row + 1) * k)]
            let top = logits.max()!
            let exps = logits.map { Scalar.exp($0 - top) }
            let total = exps.reduce(0, +)
            for j in 0..<k { probabilities[row * k + j] = exps[j] / total }
            loss -= logits[row * k + labels[row]] - top - Scalar.log(total)
        }
        return tape.record(Tensor(loss / Scalar(n)), inputs: [self]) { g in
            var grad = probabilities
            for row in 0..<n { grad[row * k + labels[row]] -= 1 }
            let scale = g.scalar / Scalar(n)
            return [Tensor(shape: [n, k], scalars: grad.map { $0 * scale })]
        }
    }
}
