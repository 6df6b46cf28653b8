// Lesson 05, section 4: watching samples form — trajectories, x̂₀ along the way, an animation.
import Diffusion
import Learning
import LessonKit
import Plotting
import TensorCore

extension Lesson05 {
    /// Section 4; returns the step by which the mean distance to the end point has halved, and the share of the
    /// steps done by then.
    func watchingSamplesForm(_ book: Notebook, model: MLP, schedule: NoiseSchedule, count: Int)
        -> (half: Int, percentDone: String)
    {
        book.section("4. Watching samples form")
        book.text(
            """
            Record every sample at a few dozen steps on the way down: when does a trajectory settle on the roll? At \
            any step the network's noise estimate also gives a guess of the final point, \
            x̂₀ = (xₜ − √(1 − ᾱₜ)·ε_θ)/√ᾱₜ (Eq. 15) — the paper's progressive generation: coarse at large t, sharp \
            at small t.
            """)
        book.equation("x̂₀ = (xₜ − √(1 − ᾱₜ)·ε_θ(xₜ, t)) / √ᾱₜ          (Eq. 15)")
        let frameSteps = stride(from: 1000, through: 25, by: -25).map { $0 } + [10, 1]
        let traceSteps = stride(from: 1000, through: 10, by: -10).map { $0 } + [5, 1]
        let shown = [1000, 600, 300, 100, 30, 1]
        let run = NetworkSampler(network: model, parameters: model.parameters, schedule: schedule, variance: .beta, threads: threads)
            .sample(count: count, seed: drawSeed(0), snapshots: Set(frameSteps + traceSteps + shown))
        func xs(_ v: [Float], _ coordinate: Int) -> [Double] { v.enumerated().filter { $0.offset % 2 == coordinate }.map { Double($0.element) } }
        // Eight samples, each coordinate against the steps done, T − t, from x_T (0 steps) to x₀ (T steps): time
        // runs left to right as the sampler runs.
        let ordered = Set(traceSteps + frameSteps + shown).sorted(by: >)
        let times = (ordered + [0]).map { Double(schedule.steps - $0) }
        let traces = (0..<2).map { coordinate in
            Panel(
                title: coordinate == 0 ? "first coordinate" : "second coordinate",
                xLabel: "sampling steps done, T − t (0: x_T, \(schedule.steps): x₀)",
                yLabel: coordinate == 0 ? "first coordinate of xₜ" : "second coordinate of xₜ",
                xRange: 0...Double(schedule.steps), yRange: -3...3, legend: .hidden,
                series: (0..<8).map { i in
                    .line(
                        x: times, y: ordered.map { Double(run.snapshots[$0]!.x[2 * i + coordinate]) } + [Double(run.samples[2 * i + coordinate])],
                        width: 1.5)
                })
        }
        book.figure(
            Figure(
                name: "trajectories", title: "Eight samples on their way from x_T (t = 1000) to x₀ (t = 0)", columns: 2,
                width: 1200, height: 480, panels: traces),
            caption: "Each coordinate of eight samples against the sampling steps done, from x_T (left) to x₀ (right)")
        // How far each sample still is from where it ends: mean ‖xₜ − x₀‖ over all samples, against t.
        func distanceToEnd(_ x: [Float]) -> Double {
            var total = 0.0
            for i in 0..<count {
                let (dx, dy) = (Double(x[2 * i] - run.samples[2 * i]), Double(x[2 * i + 1] - run.samples[2 * i + 1]))
                total += (dx * dx + dy * dy).squareRoot()
            }
            return total / Double(count)
        }
        let start = distanceToEnd(run.snapshots[1000]!.x)
        let half = ordered.first { distanceToEnd(run.snapshots[$0]!.x) <= start / 2 }!
        let tenth = ordered.first { distanceToEnd(run.snapshots[$0]!.x) <= start / 10 }!
        let percentDone = NumberFormat.fixed(100 * Double(schedule.steps - half) / Double(schedule.steps), 0)
        let late = half < schedule.steps / 2
        let settle = late ? " Samples settle late: for most of the run they are still far from where they end." : ""
        book.text(
            """
            Measured over all \(count) samples: the mean distance from xₜ to the point it ends at is \
            \(NumberFormat.fixed(start, 2)) at t = T; it halves by t = \(half), after \(percentDone) % of the steps, \
            and falls to a tenth by t = \(tenth): the last \(half) steps close half of the distance.\(settle)
            """)
        var panels: [Panel] = []
        for t in shown {
            let snapshot = run.snapshots[t]!
            panels.append(
                Panel(
                    title: "x_\(t)", xLabel: "first coordinate", yLabel: "second coordinate", xRange: -2.5...2.5, yRange: -2.5...2.5,
                    equalAspect: true, legend: .hidden,
                    series: [
                        .scatter(x: xs(snapshot.x, 0), y: xs(snapshot.x, 1), size: 0.2)
                    ]))
        }
        for t in shown {
            let snapshot = run.snapshots[t]!
            panels.append(
                Panel(
                    title: "x̂₀ at t = \(t)", xLabel: "first coordinate", yLabel: "second coordinate", xRange: -2.5...2.5, yRange: -2.5...2.5,
                    equalAspect: true, legend: .hidden,
                    series: [
                        .scatter(x: xs(snapshot.predictedX0, 0), y: xs(snapshot.predictedX0, 1), size: 0.2, color: "#d62728")
                    ]))
        }
        book.figure(
            Figure(
                name: "progressive", title: "xₜ (top) and the prediction x̂₀ of Eq. (15) (bottom) during sampling",
                columns: 6, width: 1500, height: 560, panels: panels),
            caption: "Progressive generation: the samples xₜ and the network's running guess x̂₀ at six steps")
        let guesses = run.snapshots[schedule.steps]!.predictedX0
        let inside = (0..<count).filter { abs(guesses[2 * $0]) <= 2.5 && abs(guesses[2 * $0 + 1]) <= 2.5 }.count
        let scale = schedule.sqrtAlphaBar(schedule.steps)
        book.text(
            """
            The x̂₀ at t = T are scattered far beyond the data for a reason: at t = T, Eq. (15) divides by \
            √ᾱ_T = \(NumberFormat.significant(scale, 2)), so x̂₀ is what is left of xₜ after the noise estimate, \
            magnified \(NumberFormat.fixed(1 / scale, 0)) times, and only \
            \(NumberFormat.fixed(100 * Double(inside) / Double(count), 1)) % of the guesses fall inside the panel's \
            range. The paper clips x̂₀ to the data range for its images; here it is shown unclipped.
            """)
        let frames =
            frameSteps.map { t in
                Panel(
                    title: "t = \(t)", xRange: -3...3, yRange: -3...3, equalAspect: true, legend: .hidden,
                    series: [
                        .scatter(x: xs(run.snapshots[t]!.x, 0), y: xs(run.snapshots[t]!.x, 1), size: 0.3)
                    ])
            } + [
                Panel(
                    title: "t = 0", xRange: -3...3, yRange: -3...3, equalAspect: true, legend: .hidden,
                    series: [
                        .scatter(x: xs(run.samples, 0), y: xs(run.samples, 1), size: 0.3)
                    ])
            ]
        book.animation(
            Animation(name: "sampling", frames: frames, delay: 10, width: 520, height: 520),
            caption: "Algorithm 2 as an animation: all samples every 25 steps, from t = 1000 to 0")
        book.tryIt(
            "--samples 500", "a quarter of the samples in every figure: sparser clouds, noisier SWD and mode shares")
        return (half, percentDone)
    }
}
