import Learning
import Plotting

extension FrechetYardstick {
    /// The floor as printed in every digits lesson: "19.2 ± 4.8" (mean ± sd over the draws).
    public var floorText: String { NumberFormat.fixed(floor, 1) + " ± " + NumberFormat.fixed(floorSD, 1) }

    /// The one paragraph every digits lesson prints about the yardstick: the floor with its noise, and
    /// when two measurements count as different.
    public var description: String {
        let noise = NumberFormat.significant(differenceNoise, 3)
        let range = NumberFormat.significant(spread.min()!, 3) + "–" + NumberFormat.significant(spread.max()!, 3)
        return """
            How to read the Fréchet distance d²: real digits do not score 0. Sets of \(size) training digits, \
            which come from the same distribution as the held-out digits, score d² = \(floorText) (the floor: \
            mean ± sd over \(spread.count) independent draws, range \(range)). That sd is the metric's own noise \
            at \(size) images, so two d² values count as different only when they differ by more than \
            2·√2·sd = \(noise), twice the sd of a difference of two measurements. The spread grows with d² itself, \
            so far above the floor this threshold is a lower bound: there a gap just beyond it is suggestive, not \
            settled.
            """
    }

    /// A clause comparing two measurements by the metric's noise: "24.5 for DDIM and 22.4 for DDPM, a
    /// difference within the metric's noise (± 13.6)" or "…: DDPM is lower by 15.2, beyond the metric's noise".
    public func compare(_ a: Double, _ nameA: String, _ b: Double, _ nameB: String) -> String {
        let (shownA, shownB) = (NumberFormat.significant(a, 3), NumberFormat.significant(b, 3))
        let values = "d² = \(shownA) for \(nameA) and \(shownB) for \(nameB)"
        let noise = NumberFormat.significant(differenceNoise, 3)
        guard differ(a, b) else { return values + ", a difference within the metric's noise (\(noise))" }
        let (better, gap) = a < b ? (nameA, b - a) : (nameB, a - b)
        return values + ": \(better) is lower by \(NumberFormat.significant(gap, 3)), beyond the metric's noise (\(noise))"
    }

    /// The floor drawn on a chart of d² against `x`: its mean as a dashed line and mean ± sd as a band.
    public func floorSeries(x: [Double]) -> [Series] {
        [
            .band(x: x, low: x.map { _ in floor - floorSD }, high: x.map { _ in floor + floorSD }, label: "floor ± sd (real digits)", color: "#999999"),
            .line(x: x, y: x.map { _ in floor }, width: 1.5, dashed: true, color: "#777777"),
        ]
    }
}
