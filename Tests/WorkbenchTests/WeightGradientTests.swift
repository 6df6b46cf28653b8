import Foundation
import Testing

@testable import Networks
@testable import TensorCore

@Suite("The implicit weight gradient ∂W = colᵀ·∂y and its register kernels")
struct WeightGradientTests {
    @Test(
        "The implicit weight gradient ∂W = colᵀ·∂y is one fused multiply-add chain per element over the rows in order",
        arguments: [(8, 16, 5, 1, 3), (16, 48, 4, 2, 3), (8, 32, 8, 1, 1), (24, 64, 3, 1, 3), (32, 80, 8, 1, 3)])
    func implicitWeightGradientIsOneChainPerElement(cin: Int, cout: Int, size: Int, stride: Int, kernel: Int) {
        let padding = kernel / 2
        let outputSize = (size + 2 * padding - kernel) / stride + 1
        let window = ImplicitConvolution.Window(channels: cin, size: size, kernel: kernel, stride: stride, padding: padding, outputSize: outputSize)
        // Three images: at 8 × 8 the 192 rows cross the 64-row blocks twice.
        let (images, depth) = (3, kernel * kernel * cin)
        let rows = images * outputSize * outputSize
        var rng = SeededGenerator(seed: UInt64(cin * 1000 + cout + size))
        let x = (0..<(images * size * size * cin)).map { _ in Float(rng.normal()) }
        let dy = (0..<(rows * cout)).map { _ in Float(rng.normal()) }
        /// x under tap (u, v) of output row r, channel c (0 outside the map): the definition of im2col.
        func input(_ r: Int, _ tap: Int, _ c: Int) -> Float {
            let (image, position) = r.quotientAndRemainder(dividingBy: outputSize * outputSize)
            let (i, j) = position.quotientAndRemainder(dividingBy: outputSize)
            let (u, v) = tap.quotientAndRemainder(dividingBy: kernel)
            let (row, column) = (stride * i + u - padding, stride * j + v - padding)
            guard row >= 0, row < size, column >= 0, column < size else { return 0 }
            return x[((image * size + row) * size + column) * cin + c]
        }
        let blocks = depth / ImplicitWeightGradient.channelBlock
        var whole = [Float](repeating: .nan, count: depth * cout)
        var split = whole
        let zeros = [Float](repeating: 0, count: cin)
        x.withUnsafeBufferPointer { xp in
            dy.withUnsafeBufferPointer { dyp in
                zeros.withUnsafeBufferPointer { zp in
                    withUnsafeTemporaryAllocation(of: UnsafePointer<Float>.self, capacity: ImplicitWeightGradient.blockRows) { table in
                        whole.withUnsafeMutableBufferPointer {
                            ImplicitWeightGradient.weightGradient(
                                xp.baseAddress!, window: window, images: images, gradOutput: dyp.baseAddress!, cout: cout, blocks: 0..<blocks,
                                into: $0.baseAddress!, table: table.baseAddress!, zeros: zp.baseAddress!)
                        }
                        // Two threads' shares of the channel blocks, the second first: each share writes only its own rows of ∂W.
                        split.withUnsafeMutableBufferPointer { out in
                            for share in [(blocks / 2)..<blocks, 0..<(blocks / 2)] {
                                ImplicitWeightGradient.weightGradient(
                                    xp.baseAddress!, window: window, images: images, gradOutput: dyp.baseAddress!, cout: cout, blocks: share,
                                    into: out.baseAddress!, table: table.baseAddress!, zeros: zp.baseAddress!)
                            }
                        }
                    }
                }
            }
        }
        var chain = [Float](repeating: 0, count: depth * cout)
        var worst = 0.0
        for k in 0..<depth {
            let (tap, c) = k.quotientAndRemainder(dividingBy: cin)
            let column = (0..<rows).map { input($0, tap, c) }
            for o in 0..<cout {
                var (sum, exact, scale) = (Float(0), 0.0, 0.0)
                for r in 0..<rows {
                    sum = sum.addingProduct(column[r], dy[r * cout + o])
                    exact += Double(column[r]) * Double(dy[r * cout + o])
                    scale += abs(Double(column[r]) * Double(dy[r * cout + o]))
                }
                chain[k * cout + o] = sum
                // A Float chain of n fused multiply-adds: error ≤ n·2⁻²⁴·Σ|terms| (the classical summation bound).
                worst = max(worst, abs(Double(sum) - exact) / (Double(rows) * 0x1p-24 * scale + 1e-30))
            }
        }
        #expect(whole == chain, "cin \(cin), cout \(cout), size \(size), stride \(stride), kernel \(kernel)")
        #expect(split == chain, "the channel blocks split between two calls")
        #expect(worst <= 1, "the chain itself against the Double sum: \(worst) of the bound")
    }

    @Test("Each weight-gradient register kernel (8 × 32, 8 × 16, 6 × 16, 4 × 16) accumulates onto C in row order")
    func weightGradientKernels() {
        let (steps, ldy, ldc, width) = (37, 40, 48, 16)
        var rng = SeededGenerator(seed: 22)
        let a = (0..<(steps * width)).map { _ in Float(rng.normal()) }
        let dy = (0..<(steps * ldy)).map { _ in Float(rng.normal()) }
        let start = (0..<(8 * ldc)).map { _ in Float(rng.normal()) }
        for (rowsOfC, columns) in [(8, 32), (8, 16), (6, 16), (4, 16)] {
            var c = start
            a.withUnsafeBufferPointer { ap in
                // Row q of x starts at a + q·width; the kernels read channels 3 ..< 3 + rowsOfC of it.
                let table = (0..<steps).map { ap.baseAddress! + $0 * width }
                table.withUnsafeBufferPointer { tp in
                    dy.withUnsafeBufferPointer { dyp in
                        c.withUnsafeMutableBufferPointer { cp in
                            let (t, d, out) = (tp.baseAddress!, dyp.baseAddress! + 4, cp.baseAddress! + 2)
                            switch (rowsOfC, columns) {
                            case (8, 32): ImplicitWeightGradient.kernel8x32(steps: steps, table: t, channel: 3, dy: d, ldy: ldy, c: out, ldc: ldc)
                            case (8, 16): ImplicitWeightGradient.kernel8x16(steps: steps, table: t, channel: 3, dy: d, ldy: ldy, c: out, ldc: ldc)
                            case (6, 16): ImplicitWeightGradient.kernel6x16(steps: steps, table: t, channel: 3, dy: d, ldy: ldy, c: out, ldc: ldc)
                            default: ImplicitWeightGradient.kernel4x16(steps: steps, table: t, channel: 3, dy: d, ldy: ldy, c: out, ldc: ldc)
                            }
                        }
                    }
                }
            }
            var expected = start
            for i in 0..<rowsOfC {
                for o in 0..<columns {
                    var sum = start[i * ldc + 2 + o]
                    for q in 0..<steps { sum = sum.addingProduct(a[q * width + 3 + i], dy[q * ldy + 4 + o]) }
                    expected[i * ldc + 2 + o] = sum
                }
            }
            #expect(c == expected, "kernel \(rowsOfC) × \(columns): only its block of C changes, by one chain per element")
        }
    }
}
