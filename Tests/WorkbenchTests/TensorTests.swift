import Testing

@testable import TensorCore

@Suite("Tensor core")
struct TensorTests {
    @Test("Broadcast shapes follow NumPy's rule")
    func broadcastShapes() {
        #expect(broadcastShape([4, 2], [2]) == [4, 2])
        #expect(broadcastShape([4, 1], [1, 3]) == [4, 3])
        #expect(broadcastShape([2, 3, 1], [3, 5]) == [2, 3, 5])
        #expect(broadcastShape([], [3]) == [3])
        #expect(broadcastShape([4, 2], [3]) == nil)
    }

    @Test("Row and column broadcasting add the right element to each entry")
    func rowAndColumnBroadcast() {
        let m = Tensor<Double>(rows: [[1, 2, 3], [4, 5, 6]])
        let row = Tensor<Double>([10, 20, 30])
        let column = Tensor<Double>(shape: [2, 1], scalars: [100, 200])
        #expect((m + row).scalars == [11, 22, 33, 14, 25, 36])
        #expect((m * column).scalars == [100, 200, 300, 800, 1000, 1200])
        #expect((row - column).shape == [2, 3])
        #expect((row - column).scalars == [-90, -80, -70, -190, -180, -170])
        #expect((2.0 * m - 1.0).scalars == [1, 3, 5, 7, 9, 11])
    }

    @Test("General broadcasting matches an explicit index computation", arguments: [Float(0), 1])
    func generalBroadcast(_ marker: Float) {
        var rng = SeededGenerator(seed: 11)
        let a = Tensor<Float>.randomNormal([2, 3, 1], using: &rng) + marker
        let b = Tensor<Float>.randomNormal([3, 4], using: &rng)
        let c = a * b
        #expect(c.shape == [2, 3, 4])
        for i in 0..<2 { for j in 0..<3 { for k in 0..<4 { #expect(c[i, j, k] == a[i, j, 0] * b[j, k]) } } }
    }

    @Test("Matrix product matches the definition Cᵢⱼ = Σₗ AᵢₗBₗⱼ")
    func matmulMatchesDefinition() {
        var rng = SeededGenerator(seed: 12)
        let a = Tensor<Double>.randomNormal([5, 7], using: &rng)
        let b = Tensor<Double>.randomNormal([7, 3], using: &rng)
        let c = Tensor.matmul(a, b)
        #expect(c.shape == [5, 3])
        for i in 0..<5 {
            for j in 0..<3 {
                let expected = (0..<7).reduce(0.0) { $0 + a[i, $1] * b[$1, j] }
                // Same products summed in the same order: equal up to FMA contraction, ≤ 7 ulps of Σ|terms|.
                let scale = (0..<7).reduce(0.0) { $0 + abs(a[i, $1] * b[$1, j]) }
                expectClose(c[i, j], expected, absolute: 7 * scale.ulp, "C[\(i),\(j)]")
            }
        }
        #expect(Tensor.matmul(a, b).transposed() == Tensor.matmul(b.transposed(), a.transposed()))
    }

    @Test("Reductions: sums along axes and pairwise total")
    func reductions() {
        let m = Tensor<Double>(rows: [[1, 2, 3], [4, 5, 6]])
        #expect(m.sum() == 21)
        #expect(m.sum(alongAxis: 0).scalars == [5, 7, 9])
        #expect(m.sum(alongAxis: 1).scalars == [6, 15])
        #expect(m.mean(alongAxis: 0).scalars == [2.5, 3.5, 4.5])
        #expect(Tensor<Double>([1, 2, 3, 4]).variance() == 1.25)
        // Pairwise summation of 10⁶ copies of 0.1: error O(log n·ε), far below naive O(n·ε).
        let many = Tensor<Double>(repeating: 0.1, shape: [1_000_000])
        expectClose(many.sum(), 100_000, relative: 1e-14, "pairwise sum")
    }

    @Test("Shapes: rows, columns, reshape, conversion")
    func shapes() {
        let m = Tensor<Double>(rows: [[1, 2], [3, 4], [5, 6]])
        #expect(m.row(1).scalars == [3, 4])
        #expect(m.column(1).scalars == [2, 4, 6])
        #expect(m.reshaped([2, -1]).shape == [2, 3])
        #expect(m.converted(to: Float.self).scalars == [1, 2, 3, 4, 5, 6])
        #expect(m.strides == [2, 1])
    }
}
