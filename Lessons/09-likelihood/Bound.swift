import Datasets
// Lesson 09, sections 1–3: the discrete decoder (Eq. 13), the bound L term by term (Eq. 5), and the
// baselines it is judged against.
import Diffusion
import Foundation
import Learning
import LessonKit
import Plotting
import TensorCore

extension Lesson09 {
    /// Everything the bound sections read: per split, the reports of the four reverse processes.
    struct Evaluation {
        /// ε-prediction with σ² = β, ε-prediction with σ² = β̃, then the level-aware pair.
        let heldOut: [VariationalBound.Report]
        let training: [VariationalBound.Report]
        /// s²(t), the calibration's mean squared error of x̂₀ at t = 1…T.
        let errorVariance: [Double]
        /// The training split's level frequencies (the level posterior's prior).
        let levelPrior: [Double]

        /// The index (0 or 1) of the plain ε-prediction reverse process with the smaller held-out bound.
        var bestPlain: Int { heldOut[0].total < heldOut[1].total ? 0 : 1 }
    }

    /// The exact per-image codelengths (bits/dim) of the baselines of section 3, on the same digits as the bound.
    struct Baselines {
        /// One baseline: its name in prose, and its bits/dim on each held-out and each training digit.
        struct Model {
            let name: String
            let heldOut: [Double]
            let training: [Double]
        }
        /// The uniform code, the per-pixel categorical and the raster Markov chain, in that order.
        let models: [Model]
    }

    /// "a", "a and b", "a, b and c".
    static func list(_ items: [String]) -> String {
        items.count <= 1 ? items.joined() : items.dropLast().joined(separator: ", ") + " and " + items.last!
    }

    /// 297000 → "297,000".
    static func grouped(_ n: Int) -> String {
        let digits = Array(String(n))
        return String(digits.enumerated().flatMap { i, c in (i > 0 && (digits.count - i) % 3 == 0) ? [",", c] : [c] })
    }

    /// How many of the T terms the run evaluates, and why that is enough.
    static func termsSentence(_ run: Run) -> String {
        guard let sub = run.subsample, run.schedule.steps > sub.fullSteps else {
            return "Like the reference code, every one of the T terms of every image is evaluated."
        }
        return """
            Every term up to t = \(sub.fullSteps) is evaluated for every image (most of the bits are spent there, \
            section 4); beyond it each image is evaluated at one step drawn from each block of \(sub.blockSize), \
            and that term counts for the whole block (weighted by the images per step), so each image's L is still \
            an unbiased estimate and its standard error over images includes the subsampling (`--all-terms` \
            evaluates all \(run.schedule.steps)).
            """
    }

    // MARK: - 1. The decoder

    func decoderSection(_ book: Notebook, run: Run) {
        book.section("1. The last step is a discrete decoder (Eq. 13)")
        let decoder = DiscreteDecoder(levels: DigitImages.levels)
        let sigma1 = run.schedule.decoderVariance.squareRoot()
        let h = decoder.halfWidth
        let K = DigitImages.levels
        book.text(
            """
            A likelihood needs probabilities, and a Gaussian gives densities. The paper's last step turns the \
            Gaussian N(μ_θ(x₁, 1), σ₁²) into a distribution over the data's levels by integrating it over each \
            level's bin; the two edge bins reach to ±∞. For 8-bit images the bins are 2/255 wide; the digits have \
            K = \(K) levels, so each bin is 2/(K − 1) = \(NumberFormat.significant(2 * h, 3)) wide, and a level sits \
            h = 1/(K − 1) = \(NumberFormat.significant(h, 3)), half a bin, from its bin's edges. Φ is computed \
            through erfc and every log-probability in log space, so a confident decoder gives a large but finite \
            codelength, never log 0.
            """)
        book.equation(
            """
            p_θ(x₀∣x₁) = Πᵢ ∫_{δ₋(x₀ⁱ)}^{δ₊(x₀ⁱ)} N(x; μ_θⁱ(x₁, 1), σ₁²) dx,   δ± = x₀ⁱ ± h, ±∞ at the edges      \
            (Eq. 13)
            """)
        book.text(
            """
            σ₁² is a convention, because β̃₁ = 0 would make the decoder a hard rounding (one misrounded pixel, an \
            infinite codelength). The workbench uses σ₁² = β₁ = \(NumberFormat.significant(run.schedule.beta(1), 3)) \
            for both σₜ² = βₜ and σₜ² = β̃ₜ: the forward step's own noise, and for σₜ² = βₜ exactly the true reverse \
            step of N(0, I) data. (Ho's code uses β̃₂ at t = 1.) So σ₁ = \(NumberFormat.significant(sigma1, 3)), \
            and half a bin is \(NumberFormat.fixed(h / sigma1, 2)) σ₁: the decoder is nearly certain of the level \
            μ_θ falls in.
            """)
        let mu = 0.03
        let rows = [sigma1, 0.05, 0.2].map { sigma in
            [NumberFormat.significant(sigma, 3)]
                + [7, 8, 9].map { k in NumberFormat.significant(exp(decoder.logProbability(level: k, mean: mu, standardDeviation: sigma)), 3) }
                + [NumberFormat.significant(-decoder.logProbability(level: 8, mean: mu, standardDeviation: sigma) / log(2), 3)]
        }
        book.table(["σ", "P(v = 7)", "P(v = 8), the bin of μ = \(mu)", "P(v = 9)", "bits for v = 8"], rows)
        let offsets = stride(from: 0.0, through: 2.0, by: 0.02).map { $0 }
        let level = 8
        let sizes = [1.6, 1.2, 0.9]
        book.figure(
            Figure(
                name: "decoder", title: "Eq. 13 for \(K) levels: what a decoder mean μ costs", columns: 2, width: 1300, height: 520,
                panels: [
                    Panel(
                        xLabel: "gray level v", yLabel: "P(x₀ = v ∣ μ = \(mu))", yRange: 0...1.05, legend: .topRight,
                        series: zip([sigma1, 0.05, 0.2], sizes).map { sigma, size in
                            .scatter(
                                x: (0..<K).map(Double.init),
                                y: (0..<K).map { exp(decoder.logProbability(level: $0, mean: mu, standardDeviation: sigma)) },
                                label: "σ = \(NumberFormat.significant(sigma, 2))", size: size)
                        }),
                    Panel(
                        xLabel: "|μ − x₀| in half-bins", yLabel: "bits to code x₀ = level 8", logY: true, legend: .topLeft,
                        series: [sigma1, 0.05].map { sigma in
                            .line(
                                x: offsets,
                                y: offsets.map {
                                    -decoder.logProbability(level: level, mean: decoder.value(ofLevel: level) + $0 * h, standardDeviation: sigma)
                                        / log(2)
                                }, label: "σ = \(NumberFormat.significant(sigma, 2))")
                        }),
                ]),
            caption: """
                Left: the decoder's probability of each of the \(K) levels for μ = \(mu) (the bin of level 8) at \
                three σ. Right: the codelength of the true level as μ moves away from it — almost free inside the \
                bin, then a wall once μ leaves it (σ = √β₁), or a slope (σ = 0.05)
                """)
        book.check(
            abs((0..<K).reduce(0.0) { $0 + exp(decoder.logProbability(level: $1, mean: mu, standardDeviation: sigma1)) } - 1) < 1e-12,
            "the \(K) probabilities sum to 1")
    }

    // MARK: - 2. The bound

    func bound(_ book: Notebook, run: Run) -> Evaluation {
        book.section("2. The bound L, term by term (Eq. 5), in bits per dimension")
        book.text(
            """
            Eq. (5) splits the negative log-likelihood bound into a prior term, T − 1 KL divergences between \
            Gaussians, and the decoder. Each is exact for its xₜ: L_T in closed form, each L_{t−1} as the KL between \
            the forward posterior N(μ̃ₜ(xₜ, x₀), β̃ₜ) and the model's N(μ_θ(xₜ, t), σₜ²), L₀ from Eq. 13. Each term \
            is evaluated at its own fresh xₜ ~ q(xₜ∣x₀); divided by D·ln 2 (D = \(run.net.dimension)) it is in bits \
            per dimension. \(Self.termsSentence(run)) \(run.images) held-out digits and the first \(run.images) \
            training digits, \(Self.grouped(run.evaluations)) network evaluations each.
            """)
        book.equation(
            """
            L = KL(q(x_T∣x₀) ‖ N(0, I)) + Σₜ₌₂ᵀ KL(q(x_{t−1}∣xₜ, x₀) ‖ p_θ(x_{t−1}∣xₜ)) − log p_θ(x₀∣x₁)   \
            =   L_T + Σ L_{t−1} + L₀      (Eq. 5)
            """)
        let evaluator = run.evaluator()
        let training = run.digits.training
        var counts = [Double](repeating: 0, count: DigitImages.levels)
        for v in training.grayLevels { counts[Int(v)] += 1 }
        let calibrationImages = training.subset((training.count - run.calibration)..<training.count)
        var bar = ProgressBar("calibrating x̂₀'s error", total: run.schedule.steps)
        let calibration = evaluator.evaluate(
            calibrationImages.values, models: [ReverseModel(name: "ε", mean: .noise, variance: .beta)], seed: run.seed &+ 90, subsample: run.subsample
        ) { bar.update($0, status: "") }
        let errorVariance = calibration[0].squaredError
        let posterior = LevelPosterior(decoder: evaluator.decoder, prior: counts)
        let models = [
            ReverseModel(name: "ε-prediction, σ² = β", mean: .noise, variance: .beta),
            ReverseModel(name: "ε-prediction, σ² = β̃", mean: .noise, variance: .betaTilde),
            ReverseModel(name: "level-aware x̂₀, σ² = β", mean: .levels(posterior, errorVariance: errorVariance), variance: .beta),
            ReverseModel(name: "level-aware x̂₀, σ² = β̃", mean: .levels(posterior, errorVariance: errorVariance), variance: .betaTilde),
        ]
        var heldBar = ProgressBar("bound on held-out digits", total: run.schedule.steps)
        let held = evaluator.evaluate(run.heldOut.values, models: models, seed: run.seed &+ 91, subsample: run.subsample) {
            heldBar.update($0, status: "")
        }
        var trainBar = ProgressBar("bound on training digits", total: run.schedule.steps)
        let train = evaluator.evaluate(run.training.values, models: models, seed: run.seed &+ 92, subsample: run.subsample) {
            trainBar.update($0, status: "")
        }
        func row(_ split: String, _ r: VariationalBound.Report) -> [String] {
            [
                r.model.name, split, NumberFormat.scientific(r.prior, 2), NumberFormat.fixed(r.reverseSum, 3),
                NumberFormat.scientific(r.decoderTerm, 2),
                "\(NumberFormat.fixed(r.total, 3)) ± \(NumberFormat.fixed(r.standardError, 3))",
            ]
        }
        book.table(
            ["reverse process", "digits", "L_T", "Σ L_{t−1}", "L₀", "L (bits/dim) ± s.e."],
            (0..<2).flatMap { [row("held-out", held[$0]), row("training", train[$0])] })
        let better = held[0].total < held[1].total ? 0 : 1
        let variances = MeanDifference.paired(held[1 - better].imageTotals, held[better].imageTotals)
        let gap = MeanDifference.unpaired(held[better].imageTotals, train[better].imageTotals)
        let betterName = better == 0 ? "β" : "β̃"
        let varianceVerdict =
            variances.resolved
            ? "beyond two standard errors of the difference, paired over the same digits"
            : "a difference within two standard errors, paired over the same digits"
        let gapDirection = gap.mean > 0 ? "less" : "more"
        let gapVerdict =
            gap.resolved
            ? """
            beyond two standard errors: the model codes its training digits measurably \
            \(gap.mean > 0 ? "better" : "worse")
            """
            : "within two standard errors: no measurable difference"
        book.text(
            """
            Measured: on held-out digits σ² = \(betterName) gives the smaller bound \
            (\(NumberFormat.fixed(held[better].total, 3)) against \(NumberFormat.fixed(held[1 - better].total, 3)) \
            bits/dim, lower by \(variances.text), \(varianceVerdict)). Training digits cost \(gap.text) bits/dim \
            \(gapDirection) than held-out ones, \(gapVerdict) (section 3 compares this gap with the baselines'). L_T \
            is \(NumberFormat.scientific(held[0].prior, 1)) bits/dim, negligible as in the paper (≈ 1e−5); L₀ is \
            \(NumberFormat.scientific(held[better].decoderTerm, 1)): with σ₁ = \
            \(NumberFormat.significant(run.schedule.decoderVariance.squareRoot(), 2)) the decoder almost never misses \
            the bin. Nearly all of L is the sum of the KL terms.
            """)
        book.check(
            held.allSatisfy { $0.terms.allSatisfy { $0 >= -1e-12 } },
            """
            every term is ≥ 0 (KL divergences and −log of a probability)
            """)
        book.check(
            held[0...1].allSatisfy { ($0.prior + $0.decoderTerm) < 1e-3 * $0.total },
            "L_T and L₀ together are below 0.1 % of L for both plain reverse processes: L is the sum of the KL terms")
        book.tryIt(
            "--all-terms",
            """
            every one of the T terms of every image is evaluated; the bound should move by less than its standard \
            error.
            """)
        return Evaluation(heldOut: held, training: train, errorVariance: errorVariance, levelPrior: counts)
    }

    // MARK: - 3. Baselines

    func baselines(_ book: Notebook, run: Run, evaluation: Evaluation) -> Baselines {
        book.section("3. Is that good? Three baselines with exact likelihoods")
        let training = run.digits.training
        let categorical = PixelCategorical(fittedOn: training)
        let chain = PixelMarkovChain(fittedOn: training)
        func mean(_ xs: [Double]) -> Double { xs.reduce(0, +) / Double(xs.count) }
        let uniform = log2(Double(DigitImages.levels))
        let baselines = Baselines(models: [
            .init(
                name: "the uniform code", heldOut: Array(repeating: uniform, count: run.images),
                training: Array(repeating: uniform, count: run.images)),
            .init(
                name: "the per-pixel categorical", heldOut: categorical.bitsPerDimension(run.heldOut),
                training: categorical.bitsPerDimension(run.training)),
            .init(name: "the raster Markov chain", heldOut: chain.bitsPerDimension(run.heldOut), training: chain.bitsPerDimension(run.training)),
        ])
        let labels = [
            "uniform over \(DigitImages.levels) levels: log₂ \(DigitImages.levels)",
            "independent per-pixel categorical (fitted on \(Self.grouped(training.count)) training digits)",
            "raster Markov chain: each pixel given its left neighbour",
        ]
        book.text(
            """
            A bits/dim figure means little alone. Three models whose likelihood is exact, all fitted by counting on \
            the training split (counts smoothed by +½, so an unseen level costs bits, not infinity): the uniform \
            code, a separate categorical for each of the \(run.net.dimension) pixels, and a Markov chain in raster \
            order that sees the pixel to its left.
            """)
        let best = evaluation.bestPlain
        let diffusion = evaluation.heldOut[best]
        let diffusionTraining = evaluation.training[best]
        book.table(
            ["model", "held-out bits/dim", "training bits/dim"],
            zip(labels, baselines.models).map { [$0, NumberFormat.fixed(mean($1.heldOut), 3), NumberFormat.fixed(mean($1.training), 3)] }
                + [["DDPM bound, \(diffusion.model.name)", NumberFormat.fixed(diffusion.total, 3), NumberFormat.fixed(diffusionTraining.total, 3)]])
        let differences = baselines.models.map { MeanDifference.paired(diffusion.imageTotals, $0.heldOut) }
        let beaten = zip(baselines.models, differences).filter { $1.resolved && $1.mean < 0 }.map(\.0.name)
        let unbeaten = zip(baselines.models, differences).filter { !($1.resolved && $1.mean < 0) }.map(\.0.name)
        let verdict =
            unbeaten.isEmpty
            ? "beats all three baselines"
            : beaten.isEmpty
                ? "beats none of the baselines"
                : """
                beats \(beaten.count == 1 ? "only " : "")\(Self.list(beaten))
                """
        let details = zip(baselines.models, differences).map { model, d in
            d.resolved
                ? """
                \(d.text) bits/dim \(d.mean > 0 ? "above" : "below") \(model.name)
                """ : "within two standard errors of \(model.name) (\(d.text))"
        }
        book.text(
            """
            Measured: the diffusion model's held-out bound, \(NumberFormat.fixed(diffusion.total, 3)) bits/dim \
            (\(diffusion.model.name)), \(verdict): it is \(Self.list(details)) (differences paired over \
            the same \(run.images) held-out digits, ± one standard error). A bound is only an upper limit on the \
            model's true codelength, but it is the number the paper reports (Table 1, 3.75 bits/dim on CIFAR10), \
            and the next section finds where it goes.
            """)
        // The train/held-out gap of the diffusion model against each counted baseline's, and the gap of the
        // per-image differences (bound − Markov chain) between the two splits, whose images are independent.
        let gap = MeanDifference.unpaired(diffusion.imageTotals, diffusionTraining.imageTotals)
        let chainModel = baselines.models[2]
        let gaps = baselines.models.dropFirst().map { MeanDifference.unpaired($0.heldOut, $0.training) }
        func cost(_ d: MeanDifference) -> String { "\(d.text) bits/dim \(d.mean >= 0 ? "less" : "more")" }
        let versusChain = MeanDifference.unpaired(
            zip(diffusion.imageTotals, chainModel.heldOut).map { $0 - $1 }, zip(diffusionTraining.imageTotals, chainModel.training).map { $0 - $1 })
        let comparison =
            versusChain.resolved
            ? """
            \(versusChain.mean > 0 ? "larger" : "smaller") than \(chainModel.name)'s by \(versusChain.text), \
            beyond two s.e.
            """
            : "the same as \(chainModel.name)'s within two standard errors (they differ by \(versusChain.text))"
        let conclusion =
            versusChain.resolved && versusChain.mean > 0
            ? "the network fits its training digits more closely than a table of neighbour counts does"
            : "the network fits its training digits no more closely than a table of neighbour counts does"
        book.text(
            """
            Is section 2's train/held-out gap more overfitting than a counted model shows? Training digits cost \
            the diffusion model \(cost(gap)) than held-out ones, \(baselines.models[1].name) \(cost(gaps[0])) \
            and \(chainModel.name) \(cost(gaps[1])) (± one standard error each). The diffusion model's gap is \
            \(comparison): \(conclusion).
            """)
        return baselines
    }
}
