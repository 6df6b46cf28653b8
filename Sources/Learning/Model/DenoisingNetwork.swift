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
}

extension UNet: DenoisingNetwork {
    /// 64: an 8 × 8 image.
    public var dimension: Int { UNet.imageSize * UNet.imageSize }
    /// 64 per output channel.
    public var outputDimension: Int { dimension * outputChannels }
    /// `unet ch=<ch>`, with ` out=<channels>` when there is more than one output channel.
    public var configuration: String { "unet ch=\(ch)" + (outputChannels == 1 ? "" : " out=\(outputChannels)") }

    /// The U-Net a checkpoint's `configuration` line names (`unet ch=<ch>` or `unet ch=<ch> out=<c>`, ch a
    /// positive multiple of 8, c ≥ 2), or nil.
    public init?(configuration: String) {
        let words = configuration.split(separator: " ", omittingEmptySubsequences: false)
        guard (2...3).contains(words.count), words[0] == "unet", words[1].hasPrefix("ch="),
              let ch = Int(words[1].dropFirst(3)), ch >= 8, ch % UNet.groups == 0 else { return nil }
        var channels = 1
        if words.count == 3 {
            guard words[2].hasPrefix("out="), let c = Int(words[2].dropFirst(4)), c >= 2 else { return nil }
            channels = c
        }
        self.init(ch: ch, outputChannels: channels)
    }

    /// `callAsFunction` with x [N, 64] seen as [N, 1, 8, 8] and the output [N, C, 8, 8] flattened to [N, C·64].
    public func tapeForward<Scalar: TensorScalar>(_ x: Variable<Scalar>, steps t: [Int], parameters: TapeParameters<Scalar>) -> Variable<Scalar> {
        let image = x.reshaped([t.count, 1, UNet.imageSize, UNet.imageSize])
        return self(image, embedding: UNet.embedding(t, as: Scalar.self), parameters).reshaped([t.count, outputDimension])
    }

    /// A `UNetEngine`.
    public func makeEngine(capacity: Int, threads: Int) -> any DenoisingEngine { UNetEngine(net: self, capacity: capacity, threads: threads) }
}

extension UNetEngine: DenoisingEngine {}
