// The lessons in reading order: each transcript's heading and its link to the next lesson come from here.

/// The course in reading order: every lesson folder of `Lessons/` with its title (a test checks the two agree).
public enum Syllabus {
    /// One lesson: its folder (`NN-name`, under `Lessons/` and `Plots/`) and its title.
    public struct Entry: Sendable, Equatable {
        /// The folder name, e.g. "01-forward-process".
        public let folder: String
        /// The title, e.g. "The forward process (Eq. 2, 4)".
        public let title: String

        /// "01", "02", …
        public var number: String { String(folder.prefix(2)) }
    }

    /// Every lesson, in order.
    public static let lessons: [Entry] = [
        Entry(folder: "01-forward-process", title: "The forward process (Eq. 2, 4)"),
        Entry(folder: "02-posterior", title: "The posterior q(xₜ₋₁∣xₜ, x₀) (Eq. 6–7)"),
        Entry(
            folder: "03-epsilon-parameterisation", title: "Predicting the noise: the ε-parameterisation (Eq. 8–12, 15)"),
        Entry(folder: "04-training", title: "Algorithm 1: training ε_θ (Eq. 14)"),
        Entry(folder: "05-sampling", title: "Algorithm 2: sampling (Eq. 11, 15)"),
        Entry(folder: "06-interpolation", title: "Interpolation in latent space (Sec. 4.4)"),
        Entry(folder: "07-score", title: "The score view: ε_θ as a score, Langevin dynamics"),
        Entry(folder: "08-digits", title: "DDPM on handwritten digits: the paper's U-Net (Algorithms 1 and 2)"),
        Entry(
            folder: "09-likelihood", title: "The likelihood: the bound in bits/dim, where the bits go, progressive coding"),
        Entry(folder: "10-schedules", title: "Noise schedules and learned variances"),
        Entry(folder: "11-fast-sampling", title: "Faster sampling: respaced DDPM and DDIM"),
        Entry(folder: "12-guidance", title: "Guidance: classifier and classifier-free"),
    ]

    /// The lesson numbered `number` ("01"), if there is one.
    public static func lesson(_ number: String) -> Entry? { lessons.first { $0.number == number } }

    /// The lesson after lesson `number`, or `nil` for the last one.
    public static func next(after number: String) -> Entry? {
        guard let i = lessons.firstIndex(where: { $0.number == number }), i + 1 < lessons.count else { return nil }
        return lessons[i + 1]
    }
}
