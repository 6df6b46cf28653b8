import TensorCore

/// A noise predictor ε_θ(xₜ, t) for samples of `dimension` values: named parameter tensors with
/// shapes, a forward pass on the autodiff tape (the reference every fast path is tested against),
/// and a fast engine for training and sampling.
public protocol DenoisingNetwork: Sendable {
    /// Values per sample (64 for an 8 × 8 digit).
    var dimension: Int { get }
    /// Values the network outputs per sample: `dimension` per output channel, channel after channel.
    var outputDimension: Int { get }
    /// The parameter tensors, their names, shapes and places in the flat vector.
    var layout: ParameterLayout { get }
    /// The architecture in one line, as checkpoints store it (e.g. `unet ch=32`).
    var configuration: String { get }
    /// Freshly initialised parameters (the layout's flat vector).
    func initialParameters(using generator: inout SeededGenerator) -> [Float]
    /// ε_θ on the tape for x [N, dimension] at paper steps t (one per sample).
    func tapeForward<Scalar: TensorScalar>(_ x: Variable<Scalar>, steps t: [Int], parameters: TapeParameters<Scalar>) -> Variable<Scalar>
    /// A fast engine for batches of up to `capacity` samples.
    func makeEngine(capacity: Int, threads: Int) -> any DenoisingEngine
    /// Classes of a class-conditional network (labels 0…classes − 1, and ∅ = classes), 0 otherwise.
    var classes: Int { get }
}

extension DenoisingNetwork {
    /// Unconditional unless the network says otherwise.
    public var classes: Int { 0 }
}

/// The fast forward and backward pass of a `DenoisingNetwork`, on preallocated buffers.
public protocol DenoisingEngine: AnyObject {
    /// The largest batch.
    var capacity: Int { get }
    /// Sets the parameters (the layout's flat vector).
    func load(_ parameters: [Float])
    /// The network's output for `t.count` samples x [N, dimension]: [N, outputDimension], channel after
    /// channel; the result stays valid until the next call.
    func forward(_ x: UnsafePointer<Float>, steps t: [Int]) -> UnsafePointer<Float>
    /// Given ∂L/∂output [N, outputDimension] for the last forward batch, writes ∂L/∂θ (the flat vector).
    func backward(_ gradOutput: UnsafePointer<Float>, images: Int, into gradients: UnsafeMutablePointer<Float>)
    /// `forward` of a class-conditional network with one label per sample (nil: an unconditional network).
    func forward(_ x: UnsafePointer<Float>, steps t: [Int], labels: [Int]?) -> UnsafePointer<Float>
    /// The network's output for inference, when no `backward` follows (samplers): an engine may skip what only
    /// the backward pass needs and reorder sums (the same values up to Float rounding).
    func evaluate(_ x: UnsafePointer<Float>, steps t: [Int]) -> UnsafePointer<Float>
    /// `evaluate` with one label per sample (a class-conditional network), or nil.
    func evaluate(_ x: UnsafePointer<Float>, steps t: [Int], labels: [Int]?) -> UnsafePointer<Float>
}

extension DenoisingEngine {
    /// An unconditional network takes no labels.
    public func forward(_ x: UnsafePointer<Float>, steps t: [Int], labels: [Int]?) -> UnsafePointer<Float> {
        precondition(labels == nil, "DenoisingEngine: this network is not class-conditional")
        return forward(x, steps: t)
    }

    /// `forward` unless the engine has a faster inference path.
    public func evaluate(_ x: UnsafePointer<Float>, steps t: [Int]) -> UnsafePointer<Float> { forward(x, steps: t) }

    /// `evaluate` without labels, `forward` with them.
    public func evaluate(_ x: UnsafePointer<Float>, steps t: [Int], labels: [Int]?) -> UnsafePointer<Float> {
        labels == nil ? evaluate(x, steps: t) : forward(x, steps: t, labels: labels)
    }
}

extension UNet: DenoisingNetwork {
    /// 64: an 8 × 8 image.
    public var dimension: Int { UNet.imageSize * UNet.imageSize }
    /// 64 per output channel.
    public var outputDimension: Int { dimension * outputChannels }
    /// `unet ch=<ch>`, with ` out=<channels>` when there is more than one output channel and
    /// ` classes=<k>` for a class-conditional net.
    public var configuration: String {
        "unet ch=\(ch)" + (outputChannels == 1 ? "" : " out=\(outputChannels)") + (classes == 0 ? "" : " classes=\(classes)")
    }

    /// The U-Net a checkpoint's `configuration` line names (`unet ch=<ch>`, then optionally ` out=<c>` and
    /// ` classes=<k>` in that order; ch a positive multiple of 8, c ≥ 2, k ≥ 1), or nil.
    public init?(configuration: String) {
        var words = configuration.split(separator: " ", omittingEmptySubsequences: false)[...]
        guard (2...4).contains(words.count), words.removeFirst() == "unet", let first = words.popFirst(), first.hasPrefix("ch="),
            let ch = Int(first.dropFirst(3)), ch >= 8, ch % UNet.groups == 0
        else { return nil }
        var (channels, classes) = (1, 0)
        if let word = words.first, word.hasPrefix("out=") {
            guard let c = Int(word.dropFirst(4)), c >= 2 else { return nil }
            channels = c
            words.removeFirst()
        }
        if let word = words.first {
            guard word.hasPrefix("classes="), let k = Int(word.dropFirst(8)), k >= 1 else { return nil }
            classes = k
            words.removeFirst()
        }
        guard words.isEmpty else { return nil }
        self.init(ch: ch, outputChannels: channels, classes: classes)
    }

    /// `callAsFunction` with x [N, 64] seen as [N, 1, 8, 8] and the output [N, C, 8, 8] flattened to [N, C·64].
    public func tapeForward<Scalar: TensorScalar>(_ x: Variable<Scalar>, steps t: [Int], parameters: TapeParameters<Scalar>) -> Variable<Scalar> {
        let image = x.reshaped([t.count, 1, UNet.imageSize, UNet.imageSize])
        return self(image, steps: t, parameters).reshaped([t.count, outputDimension])
    }

    /// `tapeForward` with one label per sample (0…classes, `classes` = ∅) for a class-conditional net.
    public func tapeForward<Scalar: TensorScalar>(_ x: Variable<Scalar>, steps t: [Int], labels: [Int], parameters: TapeParameters<Scalar>) -> Variable<Scalar> {
        let image = x.reshaped([t.count, 1, UNet.imageSize, UNet.imageSize])
        return self(image, steps: t, labels: labels, parameters).reshaped([t.count, outputDimension])
    }

    /// The graph's `GraphEngine`.
    public func makeEngine(capacity: Int, threads: Int) -> any DenoisingEngine { GraphEngine(graph: graph, capacity: capacity, threads: threads) }
}
