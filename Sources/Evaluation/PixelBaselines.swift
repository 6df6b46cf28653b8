import Datasets
import Foundation

/// Two exact-likelihood baselines for K-level images, fitted by counting: what a bits/dim figure of
/// a diffusion model is judged against. Both smooth their counts with the Krichevsky–Trofimov
/// estimator (n + ½)/(N + K/2), so a level never seen in training still has a finite codelength.
public struct PixelCategorical: Sendable {
    /// Pixels per image.
    public let pixels: Int
    /// Levels per pixel.
    public let levels: Int
    /// log₂ p(xᵢ = k), [pixels × levels].
    let logProbabilities: [Double]

    /// The independent per-pixel categorical p(x) = Πᵢ pᵢ(xᵢ), pᵢ(k) = (nᵢₖ + ½)/(N + K/2), fitted on `images`.
    public init(fittedOn images: DigitImages, levels: Int = DigitImages.levels) {
        let d = DigitImages.pixels
        var counts = [Double](repeating: 0, count: d * levels)
        for n in 0..<images.count {
            for i in 0..<d { counts[i * levels + Int(images.grayLevels[n * d + i])] += 1 }
        }
        let denominator = Double(images.count) + Double(levels) / 2
        self.pixels = d
        self.levels = levels
        self.logProbabilities = counts.map { Foundation.log2(($0 + 0.5) / denominator) }
    }

    /// −log₂ p(x) / D for every image: its codelength in bits per dimension.
    public func bitsPerDimension(_ images: DigitImages) -> [Double] {
        (0..<images.count).map { n in
            var bits = 0.0
            for i in 0..<pixels { bits -= logProbabilities[i * levels + Int(images.grayLevels[n * pixels + i])] }
            return bits / Double(pixels)
        }
    }
}

/// A raster-order Markov chain: each pixel's level given its left neighbour's (the first pixel of a
/// row given the last of the row above), a separate table per position:
/// p(x) = Πᵢ pᵢ(xᵢ ∣ xᵢ₋₁), pᵢ(k ∣ j) = (nᵢⱼₖ + ½)/(nᵢⱼ + K/2), with x₋₁ = level 0 (the background).
public struct PixelMarkovChain: Sendable {
    /// Pixels per image.
    public let pixels: Int
    /// Levels per pixel.
    public let levels: Int
    /// log₂ pᵢ(k ∣ j), [pixels × levels × levels] indexed (i, j, k).
    let logProbabilities: [Double]

    /// The chain fitted on `images` by counting transitions per position.
    public init(fittedOn images: DigitImages, levels: Int = DigitImages.levels) {
        let d = DigitImages.pixels
        var counts = [Double](repeating: 0, count: d * levels * levels)
        for n in 0..<images.count {
            var previous = 0
            for i in 0..<d {
                let k = Int(images.grayLevels[n * d + i])
                counts[(i * levels + previous) * levels + k] += 1
                previous = k
            }
        }
        var logs = [Double](repeating: 0, count: counts.count)
        for row in 0..<(d * levels) {
            let total = counts[(row * levels)..<((row + 1) * levels)].reduce(0, +) + Double(levels) / 2
            for k in 0..<levels { logs[row * levels + k] = Foundation.log2((counts[row * levels + k] + 0.5) / total) }
        }
        self.pixels = d
        self.levels = levels
        self.logProbabilities = logs
    }

    /// −log₂ p(x) / D for every image.
    public func bitsPerDimension(_ images: DigitImages) -> [Double] {
        (0..<images.count).map { n in
            var bits = 0.0
            var previous = 0
            for i in 0..<pixels {
                let k = Int(images.grayLevels[n * pixels + i])
                bits -= logProbabilities[(i * levels + previous) * levels + k]
                previous = k
            }
            return bits / Double(pixels)
        }
    }
}
