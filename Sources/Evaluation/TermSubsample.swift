import TensorCore

/// A stratified subsample of the bound's T terms (Eq. 5): every term up to t = `fullSteps`, then the remaining
/// steps in blocks of `blockSize`, each image evaluated at one step of each block. The images of a block are dealt
/// out over its steps in a seeded random order, so step t is evaluated for |Sₜ| = ⌊N/k⌋ or ⌈N/k⌉ of the N images
/// and each image lands on any step of the block with probability |Sₜ|/N. Weighting an image's term at t by
/// N/|Sₜ| (Horvitz–Thompson) makes each image's total an unbiased estimate of its full Σₜ Lₜ₋₁, and the mean of
/// the evaluated terms at t an unbiased estimate of that term's mean; the standard error over images then
/// includes the subsampling. A block with fewer images than steps is evaluated in full.
public struct TermSubsample: Sendable, Equatable {
    /// Steps 1…`fullSteps` are evaluated for every image.
    public let fullSteps: Int
    /// The number of steps each later block holds (the last block may be shorter).
    public let blockSize: Int
    /// Seeds the order in which images are dealt out over a block's steps.
    public let seed: UInt64

    /// Every step up to `fullSteps`, then one step in each block of `blockSize`.
    public init(fullSteps: Int, blockSize: Int, seed: UInt64) {
        precondition(fullSteps >= 1 && blockSize >= 1, "TermSubsample: fullSteps \(fullSteps) and blockSize \(blockSize) must be ≥ 1")
        self.fullSteps = fullSteps
        self.blockSize = blockSize
        self.seed = seed
    }

    /// The network evaluations the bound of `count` images costs: Σₜ |Sₜ| (count·T for the full bound).
    public func evaluations(count: Int, steps: Int) -> Int {
        images(count: count, steps: steps).reduce(0) { $0 + $1.count }
    }

    /// Sₜ for t = 1…`steps` (index t − 1): the images, in increasing order, whose term at t is evaluated.
    public func images(count: Int, steps: Int) -> [[Int]] {
        var selected = [[Int]](repeating: [], count: steps)
        for t in 1...min(steps, fullSteps) { selected[t - 1] = Array(0..<count) }
        var block = 0
        for start in stride(from: fullSteps + 1, through: steps, by: blockSize) {
            let size = min(blockSize, steps - start + 1)
            if count < size {
                for t in start..<(start + size) { selected[t - 1] = Array(0..<count) }
            } else {
                // Fisher–Yates with the project's own generator, so the order never depends on the standard library.
                var order = Array(0..<count)
                var generator = SeededGenerator(seed: seed &+ UInt64(block))
                for i in stride(from: count - 1, to: 0, by: -1) {
                    order.swapAt(i, Int(generator.next() % UInt64(i + 1)))
                }
                for (j, n) in order.enumerated() { selected[start + j % size - 1].append(n) }
                for t in start..<(start + size) { selected[t - 1].sort() }
            }
            block += 1
        }
        return selected
    }
}
