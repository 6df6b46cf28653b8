// A difference of two measured means with its standard error, for comparisons a lesson prints (lessons 09, 10).

/// A mean difference with its standard error.
public struct MeanDifference: Sendable {
    /// The difference of the means.
    public let mean: Double
    /// Its standard error.
    public let standardError: Double

    /// Whether the difference is beyond two standard errors.
    public var resolved: Bool { abs(mean) > 2 * standardError }

    /// "0.204 ± 0.012" (three decimals, or three significant digits when the standard error is below 0.001).
    public var text: String {
        standardError >= 0.001
            ? "\(NumberFormat.fixed(abs(mean), 3)) ± \(NumberFormat.fixed(standardError, 3))"
            : "\(NumberFormat.significant(abs(mean), 3)) ± \(NumberFormat.significant(standardError, 2))"
    }

    /// The mean of aᵢ − bᵢ over the same images, with its standard error sd(a − b)/√n.
    public static func paired(_ a: [Double], _ b: [Double]) -> MeanDifference {
        let d = zip(a, b).map { $0 - $1 }
        let n = Double(d.count)
        let m = d.reduce(0, +) / n
        let variance = n > 1 ? d.reduce(0) { $0 + ($1 - m) * ($1 - m) } / (n - 1) : 0
        return MeanDifference(mean: m, standardError: (variance / n).squareRoot())
    }

    /// mean(a) − mean(b) for two independent sets of images, with its standard error √(s²_a/n_a + s²_b/n_b).
    public static func unpaired(_ a: [Double], _ b: [Double]) -> MeanDifference {
        func moments(_ x: [Double]) -> (Double, Double) {
            let n = Double(x.count), m = x.reduce(0, +) / n
            return (m, n > 1 ? x.reduce(0) { $0 + ($1 - m) * ($1 - m) } / (n - 1) / n : 0)
        }
        let ((ma, va), (mb, vb)) = (moments(a), moments(b))
        return MeanDifference(mean: ma - mb, standardError: (va + vb).squareRoot())
    }
}
