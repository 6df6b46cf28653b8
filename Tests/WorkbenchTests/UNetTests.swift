import Foundation
import Testing

@testable import Datasets
@testable import Evaluation
@testable import Networks
@testable import Sampling
@testable import TensorCore
@testable import Training

/// The golden file's parameter weights: `golden_weights()` of unet_ref.py, tensor l (1-based, in layout
/// order): a bias 0.1·hash(n, l, 1); a GroupNorm weight 1 + 0.1·hash(n, l, 0); any other weight
/// hash(n, l, 0)/√fan_in with fan_in = n/shape[0]; hash(n, l, s)ₖ = 2·((k + 1 + 1000003·(2l + s))·2654435761
/// mod 2³²)/2³² − 1.
func goldenHash(_ n: Int, layer: Int, salt: Int) -> [Double] {
    (0..<n).map { k in
        let j = UInt64(k + 1 + 1_000_003 * (2 * layer + salt))
        let h = (j &* 2_654_435_761) % (1 << 32)
        return 2 * (Double(h) / 4_294_967_296) - 1
    }
}

func goldenWeights(_ layout: ParameterLayout) -> [Double] {
    layout.entries.enumerated().flatMap { index, entry -> [Double] in
        let l = index + 1
        if entry.name.hasSuffix("bias") { return goldenHash(entry.count, layer: l, salt: 1).map { 0.1 * $0 } }
        if entry.shape.count == 1 { return goldenHash(entry.count, layer: l, salt: 0).map { 1 + 0.1 * $0 } }
        let fanIn = Double(entry.count / entry.shape[0])
        return goldenHash(entry.count, layer: l, salt: 0).map { $0 / fanIn.squareRoot() }
    }
}

@Suite("The U-Net of WORKLOAD-digits.md")
struct UNetTests {
    @Test("Parameter counts are the peer's: 701,345 at ch = 32, 205,649 at ch = 16", arguments: [(32, 701_345), (16, 205_649)])
    func parameterCount(ch: Int, expected: Int) {
        #expect(UNet(ch: ch).layout.count == expected)
    }

    @Test("The initial parameters: the zero-initialised tensors are exactly Ho's, every other conv and linear tensor is drawn within ±1/√fan_in")
    func initialisation() {
        let net = UNet(ch: 16)
        var rng = SeededGenerator(seed: 1)
        let values = net.initialParameters(using: &rng)
        // Ho's zero-initialised tensors, named as the peer names them (independently of how the network marks them).
        func startsAtZero(_ name: String) -> Bool { name.contains(".conv2.") || name.contains("_attn.proj.") || name.hasPrefix("conv_out.") }
        let zeroed = net.layout.entries.filter { startsAtZero($0.name) }.map(\.name)
        // Each residual block's conv2 (8 blocks × weight, bias), each attention's proj (4 × 2), conv_out (2).
        #expect(zeroed.count == 8 * 2 + 4 * 2 + 2)
        for entry in net.layout.entries {
            let slice = values[entry.offset..<(entry.offset + entry.count)]
            if startsAtZero(entry.name) {
                #expect(slice.allSatisfy { $0 == 0 }, "\(entry.name) starts at zero")
            } else if entry.name.contains("norm") {
                #expect(slice.allSatisfy { $0 == (entry.name.hasSuffix("weight") ? 1 : 0) }, "\(entry.name)")
            } else {
                let weight = entry.name.hasSuffix("bias") ? net.layout[entry.name.replacingOccurrences(of: ".bias", with: ".weight")]! : entry
                let bound = Float(1 / Double(weight.count / weight.shape[0]).squareRoot())
                #expect(slice.allSatisfy { abs($0) <= bound } && slice.contains { $0 != 0 }, "\(entry.name) within ±\(bound)")
            }
        }
    }

    /// The golden file of unet_ref.py (copied from ../shared/bench; its parameters, outputs, loss and gradients).
    nonisolated(unsafe) static let golden: [String: Any] = {
        let url = packageRoot.appendingPathComponent("Tests/WorkbenchTests/Resources/golden-unet-ch16.json")
        let data = try! Data(contentsOf: url)
        return try! JSONSerialization.jsonObject(with: data) as! [String: Any]
    }()

    @Test("Reproduces the peer's float64 golden forward and backward (golden-unet-ch16.json) to 1e-10")
    func goldenForwardAndBackward() throws {
        let net = UNet(ch: 16)
        let records = Self.golden["parameters"] as! [[String: Any]]
        #expect(records.map { $0["name"] as! String } == net.layout.entries.map(\.name))
        #expect(records.map { $0["shape"] as! [Int] } == net.layout.entries.map(\.shape))
        let weights = goldenWeights(net.layout)
        // The batch of cmd_golden: the first 4 training digits, t = 1, 10, 500, 1000, ε = 1.5·hash(256, 0, 1),
        // xₜ = √ᾱₜ·x₀ + √(1 − ᾱₜ)·ε with ᾱ the float64 cumulative product of 1 − linspace(1e-4, 0.02, 1000).
        let digits = try DigitImages.shipped().training.subset(0..<4)
        let x0 = digits.values.map(Double.init)
        let t = [1, 10, 500, 1000]
        let noise = goldenHash(256, layer: 0, salt: 1).map { 1.5 * $0 }
        var alphaBar: [Double] = []
        for i in 0..<1000 { alphaBar.append((alphaBar.last ?? 1) * (1 - (1e-4 + (0.02 - 1e-4) * Double(i) / 999))) }
        let xt = (0..<256).map { (i: Int) -> Double in
            let ab: Double = alphaBar[t[i / 64] - 1]
            return ab.squareRoot() * x0[i] + (1 - ab).squareRoot() * noise[i]
        }
        for (i, expected) in (Self.golden["xt_first8"] as! [Double]).enumerated() { expectClose(xt[i], expected, relative: 1e-14, absolute: 1e-15, "xₜ[\(i)]") }
        let tape = Tape<Double>()
        let flat = tape.variable(Tensor(weights))
        let parameters = TapeParameters(layout: net.layout, flat: flat)
        let output = net(tape.variable(Tensor(shape: [4, 1, 8, 8], scalars: xt)), steps: t, parameters)
        let loss = (output - Tensor(shape: [4, 1, 8, 8], scalars: noise)).squared().mean()
        let gradient = tape.gradients(of: loss)[flat].scalars
        // A float64 network of ~40 layers: the two implementations sum in different orders, each rounding
        // by ~1e-16 per operation; errors grow to ~1e-13 relative through the depth. Allow 1e-10 relative
        // (WORKLOAD-digits.md: "to ~1e-10").
        for (i, expected) in (Self.golden["output"] as! [Double]).enumerated() {
            expectClose(output.value.scalars[i], expected, relative: 1e-10, absolute: 1e-12, "ε_θ[\(i)]")
        }
        expectClose(loss.value.scalar, Self.golden["loss"] as! Double, relative: 1e-12, "L_simple")
        for (entry, record) in zip(net.layout.entries, records) {
            let g = Array(gradient[entry.offset..<(entry.offset + entry.count)])
            let w = weights[entry.offset..<(entry.offset + entry.count)]
            expectClose(w.reduce(0, +), record["sum"] as! Double, relative: 1e-12, absolute: 1e-12, "Σ \(entry.name)")
            let sumsq = g.map { $0 * $0 }.reduce(0, +)
            expectClose(sumsq, record["grad_sumsq"] as! Double, relative: 1e-10, "Σ(∂L/∂\(entry.name))²")
            // A sum of signed terms can cancel: compare it on the scale of its terms, √(n·Σg²).
            let scale = (Double(g.count) * sumsq).squareRoot()
            expectClose(g.reduce(0, +), record["grad_sum"] as! Double, absolute: 1e-10 * scale, "Σ ∂L/∂\(entry.name)")
            for (k, expected) in (record["grad_first4"] as! [Double]).enumerated() {
                expectClose(g[k], expected, absolute: 1e-10 * (sumsq / Double(g.count)).squareRoot() + 1e-18, "∂L/∂\(entry.name)[\(k)]")
            }
        }
    }
}
