import RealModule
import TensorCore

/// Single-head self-attention over the positions of a feature map (Ho et al., App. B, at 4 × 4), as
/// the peer's `Attention(c)`:
///
///     q, k, v = thirds of Conv1×1(c → 3c)(GroupNorm(x))            each [c, P], P = H·W positions
///     A[i, j] = softmax_j( Σ_c q[c, i]·k[c, j] / √c )              (P × P, rows sum to 1)
///     out = x + Conv1×1(c → c)( v·Aᵀ ),  (v·Aᵀ)[c, i] = Σ_j A[i, j]·v[c, j]
///
/// Parameters `norm.*`, `qkv.*`, `proj.*`; `proj` starts at zero (Ho's init_scale = 0).
public struct Attention: LayerKind {
    /// c.
    public let channels: Int
    /// The normalisation before the projections.
    public let norm: GroupNorm
    /// The 1 × 1 projections to q, k, v and back.
    public let qkv: Conv2d, proj: Conv2d

    /// Attention over `channels` channels, GroupNorm with `groups` groups.
    public init(_ channels: Int, groups: Int) {
        self.channels = channels
        norm = GroupNorm(groups: groups, channels: channels)
        qkv = Conv2d(channels, 3 * channels, kernelSize: 1, padding: 0)
        proj = Conv2d(channels, channels, kernelSize: 1, padding: 0, startsAtZero: true)
    }

    /// `norm`, `qkv`, `proj` under `prefix`, in the peer's order.
    public func declare(_ prefix: String, in layout: inout ParameterLayout) {
        norm.declare(prefix + ".norm", in: &layout)
        qkv.declare(prefix + ".qkv", in: &layout)
        proj.declare(prefix + ".proj", in: &layout)
    }

    /// The block on the tape.
    public func callAsFunction<Scalar>(_ x: Variable<Scalar>, _ scope: ParameterScope<Scalar>) -> Variable<Scalar> {
        let h = qkv(norm(x, scope.child("norm")), scope.child("qkv"))
        let c = channels
        let mixed = Variable.attention(query: h.channels(0..<c), key: h.channels(c..<(2 * c)), value: h.channels((2 * c)..<(3 * c)))
        return x + proj(mixed, scope.child("proj"))
    }

    /// The input's shape (c channels).
    public func outputShape(_ inputs: [FeatureShape]) -> FeatureShape {
        precondition(inputs.count == 1 && inputs[0].channels == channels, "Attention(\(channels)): input \(inputs)")
        return inputs[0]
    }

    /// qkv + the two P × P products (QᵀK and V·Aᵀ) + proj.
    public func multiplyAdds(_ inputs: [FeatureShape]) -> Int {
        qkv.multiplyAdds(inputs) + 2 * inputs[0].positions * inputs[0].positions * channels + proj.multiplyAdds(inputs)
    }

    /// `callAsFunction`.
    public func tape<Scalar>(_ inputs: [Variable<Scalar>], _ scope: ParameterScope<Scalar>, _ context: TapeContext<Scalar>) -> Variable<Scalar> {
        self(inputs[0], scope)
    }

    /// An `AttentionOp`.
    public func makeOp(_ prefix: String, layout: ParameterLayout, inputs: [FeatureShape], capacity: Int, context: EngineContext) -> any FastOp {
        AttentionOp(self, prefix: prefix, layout: layout, size: inputs[0].height, capacity: capacity, context: context)
    }

    /// The attention weights A [N, P, P] (query i, key j) for q, k [N, c, H, W]: softmax over j of qᵀk/√c,
    /// computed with the row maximum subtracted so no exponential overflows.
    public static func weights<Scalar: TensorScalar>(query q: Tensor<Scalar>, key k: Tensor<Scalar>) -> Tensor<Scalar> {
        let (n, c) = (q.shape[0], q.shape[1])
        let p = q.count / (n * c)
        let scale = 1 / Scalar(c).squareRoot()
        var a = [Scalar](repeating: 0, count: n * p * p)
        for b in 0..<n {
            for i in 0..<p {
                var row = [Scalar](repeating: 0, count: p)
                for j in 0..<p {
                    var s: Scalar = 0
                    for ch in 0..<c { s += q.scalars[(b * c + ch) * p + i] * k.scalars[(b * c + ch) * p + j] }
                    row[j] = s * scale
                }
                let top = row.max()!
                let e = row.map { Scalar.exp($0 - top) }
                let total = e.reduce(0, +)
                for j in 0..<p { a[(b * p + i) * p + j] = e[j] / total }
            }
        }
        return Tensor(shape: [n, p, p], scalars: a)
    }
}

extension Variable {
    /// out[c, i] = Σ_j A[i, j]·v[c, j] with A = `Attention.weights(q, k)`, per image, for q, k, v [N, c, H, W].
    /// Pullback with G = ∂out: ∂v[c, j] = Σ_i A[i, j]·G[c, i]; ∂A[i, j] = Σ_c G[c, i]·v[c, j];
    /// ∂S[i, j] = A[i, j]·(∂A[i, j] − Σ_j′ A[i, j′]·∂A[i, j′]); ∂q[c, i] = Σ_j ∂S[i, j]·k[c, j]/√c;
    /// ∂k[c, j] = Σ_i ∂S[i, j]·q[c, i]/√c.
    public static func attention(query: Variable, key: Variable, value: Variable) -> Variable {
        let (q, k, v) = (query.value, key.value, value.value)
        precondition(q.shape == k.shape && q.shape == v.shape && q.rank == 4, "attention: \(q.shape), \(k.shape), \(v.shape)")
        let (n, c) = (q.shape[0], q.shape[1])
        let p = q.count / (n * c)
        let a = Attention.weights(query: q, key: k)
        var out = [Scalar](repeating: 0, count: q.count)
        for b in 0..<n {
            for ch in 0..<c {
                for i in 0..<p {
                    var s: Scalar = 0
                    for j in 0..<p { s += a.scalars[(b * p + i) * p + j] * v.scalars[(b * c + ch) * p + j] }
                    out[(b * c + ch) * p + i] = s
                }
            }
        }
        let scale = 1 / Scalar(c).squareRoot()
        return query.tape.record(Tensor(shape: q.shape, scalars: out), inputs: [query, key, value]) { g in
            var (gq, gk, gv) = ([Scalar](repeating: 0, count: q.count), [Scalar](repeating: 0, count: q.count), [Scalar](repeating: 0, count: q.count))
            for b in 0..<n {
                /// Flat index of [b, ch, position].
                func at(_ ch: Int, _ position: Int) -> Int { (b * c + ch) * p + position }
                var gs = [Scalar](repeating: 0, count: p * p)
                for i in 0..<p {
                    var ga = [Scalar](repeating: 0, count: p)
                    for j in 0..<p {
                        let weight = a.scalars[(b * p + i) * p + j]
                        for ch in 0..<c {
                            gv[at(ch, j)] += weight * g.scalars[at(ch, i)]
                            ga[j] += g.scalars[at(ch, i)] * v.scalars[at(ch, j)]
                        }
                    }
                    var dot: Scalar = 0
                    for j in 0..<p { dot += a.scalars[(b * p + i) * p + j] * ga[j] }
                    for j in 0..<p { gs[i * p + j] = a.scalars[(b * p + i) * p + j] * (ga[j] - dot) * scale }
                }
                for i in 0..<p {
                    for j in 0..<p {
                        for ch in 0..<c {
                            gq[at(ch, i)] += gs[i * p + j] * k.scalars[at(ch, j)]
                            gk[at(ch, j)] += gs[i * p + j] * q.scalars[at(ch, i)]
                        }
                    }
                }
            }
            return [Tensor(shape: q.shape, scalars: gq), Tensor(shape: q.shape, scalars: gk), Tensor(shape: q.shape, scalars: gv)]
        }
    }
}
