/// An `MLP`'s weights rearranged for the kernels, rebuilt after every update and shared by every
/// engine that runs the same weights: each Wₗ packed for the forward product, each Wₗᵀ packed for
/// the backward product ∂L/∂h = g·Wᵀ, and the last layer's Wᵀ (few outputs use dot products).
public final class PackedNetwork {
    /// Layer widths, input first.
    public let sizes: [Int]
    let weights: [FloatBuffer]
    let transposedWeights: [FloatBuffer]
    let lastTransposed: FloatBuffer
    /// The parameters the packing was made from.
    public private(set) var model: MLP

    /// Packs `model`.
    public init(_ model: MLP) {
        sizes = model.sizes
        let layers = model.sizes.count - 1
        weights = (0..<layers).map { FloatBuffer(count: Gemm.packedCount(k: model.sizes[$0], n: model.sizes[$0 + 1])) }
        transposedWeights = (0..<layers).map { FloatBuffer(count: Gemm.packedCount(k: model.sizes[$0 + 1], n: model.sizes[$0])) }
        lastTransposed = FloatBuffer(count: model.sizes[layers - 1] * model.sizes[layers])
        self.model = model
        update(model)
    }

    /// Re-packs from `model` (same sizes).
    public func update(_ model: MLP) {
        precondition(model.sizes == sizes, "PackedNetwork: sizes changed")
        self.model = model
        let layers = sizes.count - 1
        model.parameters.withUnsafeBufferPointer { p in
            for l in 0..<layers {
                let (n, m) = (sizes[l], sizes[l + 1])
                let w = p.baseAddress! + model.weightOffset(l)
                Gemm.pack(w, ldb: m, k: n, n: m, into: weights[l].pointer)
                if l > 0 { Gemm.packTransposed(w, rows: n, columns: m, into: transposedWeights[l].pointer) }
            }
            let (n, m) = (sizes[layers - 1], sizes[layers])
            Gemm.transpose(p.baseAddress! + model.weightOffset(layers - 1), rows: n, columns: m, into: lastTransposed.pointer)
        }
    }
}
