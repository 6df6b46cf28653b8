/// `count` evenly spaced points from `lower` to `upper` inclusive (for plotting curves).
public func linearGrid(_ lower: Double, _ upper: Double, count: Int) -> [Double] {
    precondition(count >= 2, "linearGrid: need at least 2 points")
    return (0..<count).map { lower + (upper - lower) * Double($0) / Double(count - 1) }
}

/// The sample mean and population variance of `values`, two-pass.
public func meanAndVariance(_ values: [Double]) -> (mean: Double, variance: Double) {
    let mean = values.reduce(0, +) / Double(values.count)
    let variance = values.reduce(0) { $0 + ($1 - mean) * ($1 - mean) } / Double(values.count)
    return (mean, variance)
}

/// The paper steps 1…T as Doubles, for x axes.
public func steps(_ count: Int) -> [Double] { (1...count).map(Double.init) }
