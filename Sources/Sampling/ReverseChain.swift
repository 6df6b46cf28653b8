import Networks
import Synchronization
import TensorCore

/// A sampler's update rule: the steps the network is asked at, and what one step of the reverse chain
/// does with the network's output (diffusers' `scheduler.step`). `ReverseChain` runs it.
public protocol ReverseRule {
    /// τ₁ < … < τ_S, the paper steps the network sees; the chain visits τ_S first and ends with τ₁.
    var steps: [Int] { get }
    /// Values per sample.
    var dimension: Int { get }
    /// Values the network outputs per sample: `dimension`, or twice that with a variance channel.
    var outputDimension: Int { get }
    /// One step at chain position i (τᵢ → τᵢ₋₁, τ₀ = 0) for a batch of `n`: x ← the next state, from the
    /// network's `output` ([n, outputDimension]), the noise z ([n, dimension], drawn for i > 1 only), and,
    /// with classifier guidance, `shift` added to the mean. `record(j, xₜ, x̂₀)` receives each value's x̂₀.
    func update(
        _ x: inout [Float], output: [Double], shift: [Double]?, position i: Int, noise z: [Float], images n: Int,
        record: ((Int, Float, Float) -> Void)?)
    /// σᵢ² at chain position i, the scale of classifier guidance's mean shift (nil: the rule has no such mean).
    func guidanceVariance(position i: Int) -> Double?
}

extension ReverseRule {
    /// No classifier guidance.
    public func guidanceVariance(position i: Int) -> Double? { nil }
}

/// How the network's output is steered toward a class (lesson 12), on any rule:
///
///     classifier-free (Ho & Salimans 2021):   ε̃ = (1 + w)·ε_θ(xₜ, y) − w·ε_θ(xₜ, ∅)
///     classifier (Dhariwal & Nichol 2021):    μ̃ = μ + s·σᵢ²·∇ₓ log p_φ(y∣xₜ, t)
public enum Guidance {
    /// No guidance (an unconditional network, or a conditional one asked for `labels` as given).
    case none
    /// Classifier-free guidance with weight w ≥ 0 (w = 0: the conditional model), ∅ = `nullLabel`.
    case classifierFree(w: Double, nullLabel: Int)
    /// Classifier guidance with scale s; `gradient(x, t, y)` is ∇ₓ log p_φ(yₙ∣xₙ, t) for a batch x [n, dimension].
    case classifier(scale: Double, gradient: ([Float], Int, [Int]) -> [Float])

    /// ε̃ = (1 + w)·ε_c − w·ε_u, the form Ho & Salimans write; `ε_u + s·(ε_c − ε_u)` with s = 1 + w is the same number.
    public static func guidedNoise(conditional: Double, unconditional: Double, w: Double) -> Double {
        (1 + w) * conditional - w * unconditional
    }
}

/// The one sampling loop: batches of the engines' capacity, batch b drawing x_T and every z from
/// `SeededGenerator(seed: seed &+ b)` (so samples depend on neither the thread count nor the number of
/// engines), the network asked once per step (twice with classifier-free guidance), the rule's update,
/// and snapshots of xₜ and x̂₀ at chosen steps. With several engines (of one capacity) each runs on its
/// own thread and claims the next batch when it finishes one.
public struct ReverseChain {
    /// The engines, loaded with the parameters to sample from.
    public let engines: [any DenoisingEngine]

    /// A chain on `engines` (one or more, of one capacity).
    public init(engines: [any DenoisingEngine]) {
        precondition(!engines.isEmpty && engines.allSatisfy { $0.capacity == engines[0].capacity }, "ReverseChain: one or more engines of one capacity")
        self.engines = engines
    }

    /// What a run records at a step t: xₜ and the prediction x̂₀ (Eq. 15, or what the rule's mean implies).
    public struct Snapshot: Sendable {
        /// xₜ, [count, dimension].
        public var x: [Float]
        /// x̂₀ at t, [count, dimension].
        public var predictedX0: [Float]
    }

    /// Runs `rule` from `start` ([count, dimension] at τ_S, or fresh N(0, I) draws when nil) down to x₀.
    /// `labels` (one per sample) go to a class-conditional network; `sharedNoise` gives every sample of a
    /// batch the same z at each step (as latent interpolation wants). - Returns: x₀ and the snapshots.
    public func run(
        _ rule: some ReverseRule, from start: [Float]?, count: Int, seed: UInt64, labels: [Int]? = nil, guidance: Guidance = .none,
        snapshots: Set<Int> = [], sharedNoise: Bool = false
    ) -> (samples: [Float], snapshots: [Int: Snapshot]) {
        let d = rule.dimension
        precondition(start == nil || start!.count == count * d, "ReverseChain: start holds \(start!.count) values for \(count) samples")
        precondition(labels == nil || labels!.count == count, "ReverseChain: \(labels!.count) labels for \(count) samples")
        let capacity = engines[0].capacity
        let batches = (count + capacity - 1) / capacity
        // Every batch writes its own rows of these: samples, then per snapshot step xₜ and x̂₀.
        let samples = UnsafeMutablePointer<Float>.allocate(capacity: max(1, count * d))
        let recorded = Dictionary(uniqueKeysWithValues: snapshots.map { ($0, UnsafeMutablePointer<Float>.allocate(capacity: max(1, 2 * count * d))) })
        defer {
            samples.deallocate()
            for buffer in recorded.values { buffer.deallocate() }
        }
        let nextBatch = Atomic<Int>(0)
        WorkerPool(threads: max(1, min(engines.count, batches))).run { part in
            while true {
                let b = nextBatch.add(1, ordering: .relaxed).oldValue
                if b >= batches { break }
                let first = b * capacity
                let n = min(capacity, count - first)
                var generator = SeededGenerator(seed: seed &+ UInt64(b))
                var x = [Float](repeating: 0, count: n * d), z = x
                if let start { x = Array(start[(first * d)..<((first + n) * d)]) } else { x.withUnsafeMutableBufferPointer { generator.fillNormals($0.baseAddress!, count: n * d) } }
                let y = labels.map { Array($0[first..<(first + n)]) }
                for i in stride(from: rule.steps.count, through: 1, by: -1) {
                    let t = rule.steps[i - 1]
                    if i > 1 {
                        z.withUnsafeMutableBufferPointer { generator.fillNormals($0.baseAddress!, count: sharedNoise ? d : n * d) }
                        if sharedNoise { for j in d..<(n * d) { z[j] = z[j % d] } }
                    }
                    let (output, shift) = evaluate(engines[part], rule: rule, x, t: t, position: i, labels: y, guidance: guidance)
                    let record = recorded[t].map { buffer in
                        { (j: Int, xt: Float, x0: Float) in
                            buffer[first * d + j] = xt
                            buffer[(count + first) * d + j] = x0
                        }
                    }
                    rule.update(&x, output: output, shift: shift, position: i, noise: z, images: n, record: record)
                }
                (samples + first * d).update(from: x, count: n * d)
            }
        }
        var result: [Int: Snapshot] = [:]
        for (t, buffer) in recorded {
            result[t] = Snapshot(
                x: Array(UnsafeBufferPointer(start: buffer, count: count * d)),
                predictedX0: Array(UnsafeBufferPointer(start: buffer + count * d, count: count * d)))
        }
        return (Array(UnsafeBufferPointer(start: samples, count: count * d)), result)
    }

    /// The network's output for the batch x at step t (ε̃ with classifier-free guidance) and the mean's
    /// shift (classifier guidance), in Double.
    func evaluate(
        _ engine: any DenoisingEngine, rule: some ReverseRule, _ x: [Float], t: Int, position i: Int, labels y: [Int]?,
        guidance: Guidance
    ) -> (output: [Double], shift: [Double]?) {
        let n = x.count / rule.dimension
        let steps = [Int](repeating: t, count: n)
        func ask(_ labels: [Int]?) -> [Double] {
            x.withUnsafeBufferPointer { p in
                let out = engine.evaluate(p.baseAddress!, steps: steps, labels: labels)
                return (0..<(n * rule.outputDimension)).map { Double(out[$0]) }
            }
        }
        switch guidance {
        case .none:
            return (ask(y), nil)
        case .classifierFree(let w, let nullLabel):
            guard let y else { preconditionFailure("ReverseChain: classifier-free guidance needs labels") }
            let conditional = ask(y)
            guard w != 0 else { return (conditional, nil) }
            let unconditional = ask([Int](repeating: nullLabel, count: n))
            return (zip(conditional, unconditional).map { Guidance.guidedNoise(conditional: $0, unconditional: $1, w: w) }, nil)
        case .classifier(let scale, let gradient):
            guard let y else { preconditionFailure("ReverseChain: classifier guidance needs labels") }
            let eps = ask(nil)
            guard scale != 0 else { return (eps, nil) }
            guard let sigma2 = rule.guidanceVariance(position: i) else { preconditionFailure("ReverseChain: this rule has no mean to shift") }
            return (eps, gradient(x, t, y).map { scale * sigma2 * Double($0) })
        }
    }
}
