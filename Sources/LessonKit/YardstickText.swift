import Learning

extension FrechetYardstick {
    /// One sentence on the floor and the metric's noise, with the numbers of this run.
    public var description: String {
        "The floor (\(size) training digits against the held-out digits) is d² = \(NumberFormat.significant(floor, 3)); over \(spread.count) independent draws of \(size) training digits it ranges \(NumberFormat.significant(spread.min()!, 3))–\(NumberFormat.significant(spread.max()!, 3)) (mean \(NumberFormat.significant(spreadMean, 3)), sd \(NumberFormat.significant(spreadSD, 2))), so differences of a few sd are the metric's own noise."
    }
}
