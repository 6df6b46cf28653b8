import Networks
import TensorCore

/// The Fréchet distance between two point sets, each summarised by a Gaussian N(μ, Σ) fitted to it
/// (Heusel et al. 2017's FID, in whatever feature space the points live in):
///
///     d² = ‖μ₁ − μ₂‖² + Tr Σ₁ + Tr Σ₂ − 2·Tr( (Σ₁^{½}·Σ₂·Σ₁^{½})^{½} )
///
/// the 2-Wasserstein distance between the two Gaussians. The matrix square roots come from the
/// symmetric eigendecomposition (cyclic Jacobi), all in Double.
public enum FrechetDistance {
    /// d² between the rows of `a` [n, d] and of `b` [m, d] (covariances with n − 1 and m − 1).
    public static func squared(_ a: Tensor<Double>, _ b: Tensor<Double>) -> Double {
        let (ma, ca) = moments(a)
        let (mb, cb) = moments(b)
        let d = ma.count
        let rootA = symmetricFunction(ca, d) { $0.squareRoot() }
        let middle = multiply(multiply(rootA, cb, d), rootA, d)
        let traceRoot = eigenvalues(middle, d).reduce(0) { $0 + max($1, 0).squareRoot() }
        let meanTerm = zip(ma, mb).reduce(0) { $0 + ($1.0 - $1.1) * ($1.0 - $1.1) }
        let traces = (0..<d).reduce(0) { $0 + ca[$1 * d + $1] + cb[$1 * d + $1] }
        return max(meanTerm + traces - 2 * traceRoot, 0)
    }

    /// The metric's own sampling noise: d² between `size` rows drawn (with replacement) from `pool` and
    /// all of `reference`, for `draws` independent draws — how far apart two samples of the *same*
    /// distribution land. - Returns: the `draws` values of d².
    public static func subsetSpread(
        _ pool: Tensor<Double>, against reference: Tensor<Double>, size: Int, draws: Int,
        using generator: inout SeededGenerator
    ) -> [Double] {
        let (n, d) = (pool.shape[0], pool.shape[1])
        return (0..<draws).map { _ in
            var rows: [Double] = []
            rows.reserveCapacity(size * d)
            for _ in 0..<size {
                let i = generator.integer(in: 0...(n - 1))
                rows += pool.scalars[(i * d)..<(i * d + d)]
            }
            return squared(Tensor(shape: [size, d], scalars: rows), reference)
        }
    }

    /// The mean and the covariance (divided by n − 1) of the rows.
    public static func moments(_ x: Tensor<Double>) -> (mean: [Double], covariance: [Double]) {
        let (n, d) = (x.shape[0], x.shape[1])
        var mean = [Double](repeating: 0, count: d)
        for i in 0..<n { for j in 0..<d { mean[j] += x.scalars[i * d + j] / Double(n) } }
        var covariance = [Double](repeating: 0, count: d * d)
        for i in 0..<n {
            for j in 0..<d {
                let dj = x.scalars[i * d + j] - mean[j]
                for k in j..<d { covariance[j * d + k] += dj * (x.scalars[i * d + k] - mean[k]) }
            }
        }
        for j in 0..<d { for k in j..<d { covariance[j * d + k] /= Double(n - 1); covariance[k * d + j] = covariance[j * d + k] } }
        return (mean, covariance)
    }

    static func multiply(_ a: [Double], _ b: [Double], _ d: Int) -> [Double] {
        var c = [Double](repeating: 0, count: d * d)
        for i in 0..<d { for l in 0..<d { let x = a[i * d + l]; for j in 0..<d { c[i * d + j] += x * b[l * d + j] } } }
        return c
    }

    /// f(S) = V·diag(f(λ))·Vᵀ for a symmetric S (eigenvalues below 0 from rounding are set to 0).
    static func symmetricFunction(_ s: [Double], _ d: Int, _ f: (Double) -> Double) -> [Double] {
        let (values, vectors) = eigen(s, d)
        var out = [Double](repeating: 0, count: d * d)
        for k in 0..<d {
            let fk = f(max(values[k], 0))
            for i in 0..<d { for j in 0..<d { out[i * d + j] += vectors[i * d + k] * fk * vectors[j * d + k] } }
        }
        return out
    }

    /// The eigenvalues of a symmetric matrix (the middle product is symmetric up to rounding; it is
    /// symmetrised first).
    static func eigenvalues(_ s: [Double], _ d: Int) -> [Double] {
        var sym = s
        for i in 0..<d { for j in 0..<i { let m = (s[i * d + j] + s[j * d + i]) / 2; sym[i * d + j] = m; sym[j * d + i] = m } }
        return eigen(sym, d).values
    }

    /// Cyclic Jacobi: rotations zero the off-diagonal until it is below 1e-15 of the matrix's norm.
    /// Returns the eigenvalues and the eigenvectors as the columns of V (row-major d × d).
    public static func eigen(_ s: [Double], _ d: Int) -> (values: [Double], vectors: [Double]) {
        var a = s
        var v = [Double](repeating: 0, count: d * d)
        for i in 0..<d { v[i * d + i] = 1 }
        let norm = a.reduce(0) { $0 + $1 * $1 }.squareRoot()
        for _ in 0..<100 {
            var off = 0.0
            for p in 0..<d { for q in (p + 1)..<d { off += a[p * d + q] * a[p * d + q] } }
            if off.squareRoot() <= 1e-15 * max(norm, 1e-300) { break }
            for p in 0..<d {
                for q in (p + 1)..<d where a[p * d + q] != 0 {
                    let theta = (a[q * d + q] - a[p * d + p]) / (2 * a[p * d + q])
                    let t = (theta >= 0 ? 1 : -1) / (abs(theta) + (theta * theta + 1).squareRoot())
                    let c = 1 / (t * t + 1).squareRoot()
                    let sn = t * c
                    for k in 0..<d {
                        let (akp, akq) = (a[k * d + p], a[k * d + q])
                        a[k * d + p] = c * akp - sn * akq
                        a[k * d + q] = sn * akp + c * akq
                    }
                    for k in 0..<d {
                        let (apk, aqk) = (a[p * d + k], a[q * d + k])
                        a[p * d + k] = c * apk - sn * aqk
                        a[q * d + k] = sn * apk + c * aqk
                    }
                    for k in 0..<d {
                        let (vkp, vkq) = (v[k * d + p], v[k * d + q])
                        v[k * d + p] = c * vkp - sn * vkq
                        v[k * d + q] = sn * vkp + c * vkq
                    }
                }
            }
        }
        return ((0..<d).map { a[$0 * d + $0] }, v)
    }
}
