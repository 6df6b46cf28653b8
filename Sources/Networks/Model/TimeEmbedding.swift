import Foundation

/// The sinusoidal (Transformer) time embedding of the paper's networks (Sec. 4), as the benchmark
/// workload fixes it: 16 frequencies fᵢ = exp(−ln(10000)·i/16), i = 0…15, computed in Double and
/// rounded to Float; aᵢ = Float(t)·fᵢ with t the paper step 1…T; embedding
/// [sin a₀ … sin a₁₅, cos a₀ … cos a₁₅] (32 values, sines first).
public enum TimeEmbedding {
    /// Frequencies in the embedding (it has twice as many values).
    public static let frequencyCount = 16
    /// Values per embedding.
    public static let width = 2 * frequencyCount

    /// fᵢ = exp(−ln(10000)·i/16) in Double, rounded to Float.
    public static let frequencies: [Float] = (0..<frequencyCount).map {
        Float(Foundation.exp(-Foundation.log(10_000.0) * Double($0) / Double(frequencyCount)))
    }

    /// The embedding of paper step t.
    public static func embedding(_ t: Int) -> [Float] {
        let arguments = frequencies.map { Float(t) * $0 }
        return arguments.map { Foundation.sin($0) } + arguments.map { Foundation.cos($0) }
    }

    /// The embeddings of t = 1…`steps`, row t − 1 for step t: `steps × 32` floats, row-major.
    public static func table(steps: Int) -> [Float] {
        (1...steps).flatMap { embedding($0) }
    }
}
