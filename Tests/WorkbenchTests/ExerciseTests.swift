import Course
import Foundation
import LessonKit
import Testing

@testable import Diffusion
@testable import ExerciseKit
@testable import ExerciseSolutions

/// A deliberately wrong lesson-01 answer: ᾱ off by one step (ᾱₜ₋₁ for ᾱₜ), and no √ in Eq. 4.
struct WrongLesson01: Lesson01Answers {
    func alphaBar(betas: [Double], t: Int) throws -> Double { betas.prefix(max(t - 1, 0)).reduce(1) { $0 * (1 - $1) } }
    func noisySample(x0: Double, alphaBar: Double, noise: Double) throws -> Double { alphaBar * x0 + (1 - alphaBar) * noise }
    func firstStepWithSNRBelowOne(schedule: NoiseSchedule) throws -> Int { 1 }
}

/// A deliberately wrong lesson-02 answer: the two mean coefficients swapped.
/// A deliberately wrong lesson-08 answer: truncating instead of rounding, squared distances, and variances with n.
struct WrongLesson08: Lesson08Answers {
    func grayLevel(of x: Double) throws -> Int { Int(max(0, min(16, 8 * (x + 1)))) }
    func memorisationRatio(samples: [[Double]], heldOut: [[Double]], training: [[Double]]) throws -> Double {
        func nearest(_ x: [Double]) -> Double { training.map { y in zip(x, y).reduce(0) { $0 + ($1.0 - $1.1) * ($1.0 - $1.1) } }.min()! }
        return samples.map(nearest).reduce(0, +) / Double(samples.count) / (heldOut.map(nearest).reduce(0, +) / Double(heldOut.count))
    }
    func frechetDistance1D(_ a: [Double], _ b: [Double]) throws -> Double {
        func moments(_ x: [Double]) -> (Double, Double) { let m = x.reduce(0, +) / Double(x.count); return (m, x.reduce(0) { $0 + ($1 - m) * ($1 - m) } / Double(x.count)) }
        let ((ma, va), (mb, vb)) = (moments(a), moments(b))
        return (ma - mb) * (ma - mb) + va + vb - 2 * (va * vb).squareRoot()
    }
}

/// A deliberately wrong lesson-09 answer: closed edge bins, the KL's arguments swapped, and the
/// remaining share one term short.
struct WrongLesson09: Lesson09Answers {
    func binProbability(level k: Int, levels: Int, mean mu: Double, standardDeviation sigma: Double) throws -> Double {
        let h = 1 / Double(levels - 1)
        let v = -1 + 2 * Double(k) * h
        return 0.5 * (erfc(-(v + h - mu) / (sigma * 2.0.squareRoot())) - erfc(-(v - h - mu) / (sigma * 2.0.squareRoot())))
    }
    func reverseKL(beta: Double, alphaBar: Double, alphaBarPrevious: Double, x0: Double, xt: Double, modelMean: Double, sigma2: Double) throws -> Double {
        let variance = (1 - alphaBarPrevious) / (1 - alphaBar) * beta
        let mean = alphaBarPrevious.squareRoot() * beta / (1 - alphaBar) * x0 + (1 - beta).squareRoot() * (1 - alphaBarPrevious) / (1 - alphaBar) * xt
        return 0.5 * (log(variance / sigma2) + (sigma2 + (mean - modelMean) * (mean - modelMean)) / variance - 1)
    }
    func shareAfterDistortion(below threshold: Double, terms: [Double], distortion: [Double]) throws -> Double {
        guard let t = distortion.indices.last(where: { distortion[$0] < threshold }).map({ $0 + 1 }) else { return 0 }
        return terms[0..<(t - 1)].reduce(0, +) / terms.reduce(0, +)
    }
}

/// A deliberately wrong lesson-10 answer: cos instead of cos², a linear instead of a log-space mix, and
/// the mean's gradient left in (∂/∂v without the stop-gradient is the same here, so the factor log β − log β̃ is dropped).
struct WrongLesson10: Lesson10Answers {
    func cosineAlphaBar(steps: Int, offset s: Double) throws -> [Double] {
        (0...steps).map { cos((Double($0) / Double(steps) + s) / (1 + s) * Double.pi / 2) / cos(s / (1 + s) * Double.pi / 2) }
    }
    func interpolatedVariance(v: Double, beta: Double, betaTilde: Double) throws -> Double { v * beta + (1 - v) * betaTilde }
    func hybridVarianceGradient(v: Double, beta: Double, betaTilde: Double, posteriorMean: Double, modelMean: Double, weight c: Double) throws -> Double {
        let sigma = exp(v * log(beta) + (1 - v) * log(betaTilde))
        return c * 0.5 * (1 - (betaTilde + (posteriorMean - modelMean) * (posteriorMean - modelMean)) / sigma)
    }
}

/// A deliberately wrong lesson-12 answer: the weights swapped, the gradient without the softmax's mean,
/// and σ instead of σ².
struct WrongLesson12: Lesson12Answers {
    func guidedNoise(conditional: [Double], unconditional: [Double], w: Double) throws -> [Double] { zip(conditional, unconditional).map { (1 + w) * $1 - w * $0 } }
    func logitGradient(weights: [[Double]], bias: [Double], x: [Double], label: Int) throws -> [Double] { weights[label] }
    func guidedMean(mean: [Double], sigma2: Double, scale: Double, gradient: [Double]) throws -> [Double] {
        zip(mean, gradient).map { $0 + scale * sigma2.squareRoot() * $1 }
    }
}

/// A deliberately wrong lesson-11 answer: 1 − ᾱ instead of the ratio of consecutive ᾱ, σ²/η where σ
/// is asked, and a straight line instead of the great circle.
struct WrongLesson11: Lesson11Answers {
    func respacedBetas(alphaBar: [Double], tau: [Int]) throws -> [Double] { tau.map { 1 - alphaBar[$0 - 1] } }
    func ddimSigma(alphaBarT: Double, alphaBarS: Double, eta: Double) throws -> Double {
        eta * (1 - alphaBarS) / (1 - alphaBarT) * (1 - alphaBarT / alphaBarS)
    }
    func slerp(_ a: [Double], _ b: [Double], _ lambda: Double) throws -> [Double] { zip(a, b).map { (1 - lambda) * $0 + lambda * $1 } }
}

struct WrongLesson02: Lesson02Answers {
    func posteriorVariance(beta: Double, alphaBar: Double, alphaBarPrevious: Double) throws -> Double { beta }
    func posteriorMean(x0: Double, xt: Double, beta: Double, alphaBar: Double, alphaBarPrevious: Double) throws -> Double {
        try Lesson02Solution().posteriorMean(x0: xt, xt: x0, beta: beta, alphaBar: alphaBar, alphaBarPrevious: alphaBarPrevious)
    }
}

@Suite("Exercises")
struct ExerciseTests {
    @Test("The reference solutions pass every exercise", arguments: Course.lessons.map(\.number))
    func referenceSolutionsPass(lesson: Int) {
        let entry = Course.lesson(lesson)!
        #expect(!entry.exercises.isEmpty)
        for exercise in entry.exercises {
            #expect(exercise.grade(entry.reference) == .passed, "\(exercise.id)")
            #expect(exercise.id.hasPrefix(String(format: "%02d.", lesson)), "\(exercise.id) is numbered for lesson \(lesson)")
        }
    }

    @Test("The course list is the Lessons/ folder: every lesson folder has its entry, its student file, its reference file and its README row")
    func courseMatchesTheFolders() throws {
        let folders = try FileManager.default.contentsOfDirectory(atPath: packageRoot.appendingPathComponent("Lessons").path)
            .filter { $0.count > 3 && $0.prefix(2).allSatisfy(\.isNumber) && $0.dropFirst(2).first == "-" }.sorted()
        #expect(folders.map { Int($0.prefix(2))! } == Course.lessons.map(\.number))
        let readme = try String(contentsOf: packageRoot.appendingPathComponent("README.md"), encoding: .utf8)
        for folder in folders {
            let number = String(folder.prefix(2))
            #expect(FileManager.default.fileExists(atPath: packageRoot.appendingPathComponent("Lessons/Exercises/Lesson\(number).swift").path), "\(folder): student file")
            #expect(FileManager.default.fileExists(atPath: packageRoot.appendingPathComponent("Sources/ExerciseSolutions/Lesson\(number)Solution.swift").path), "\(folder): reference file")
            #expect(readme.contains("| \(number) | [") && readme.contains("(Plots/\(folder)/README.md)"), "\(folder): README row")
        }
    }

    @Test("The syllabus is the Lessons/ folder in order, and every committed transcript opens, recaps and links the next lesson")
    func syllabusMatchesTheFolders() throws {
        let folders = try FileManager.default.contentsOfDirectory(atPath: packageRoot.appendingPathComponent("Lessons").path)
            .filter { $0.count > 3 && $0.prefix(2).allSatisfy(\.isNumber) && $0.dropFirst(2).first == "-" }.sorted()
        #expect(Syllabus.lessons.map(\.folder) == folders)
        for (i, entry) in Syllabus.lessons.enumerated() {
            let url = packageRoot.appendingPathComponent("Plots/\(entry.folder)/README.md")
            let transcript = try String(contentsOf: url, encoding: .utf8)
            let headed = transcript.hasPrefix("# Lesson \(entry.number) — \(entry.title)\n")
            #expect(headed, "\(entry.folder): heading")
            let opening = transcript.range(of: "## What this lesson teaches")
            let first = transcript.range(of: "## 1.")
            #expect(opening != nil && first != nil && opening!.lowerBound < first!.lowerBound, "\(entry.folder): opens before section 1")
            let recap = transcript.range(of: "## Recap"), exercises = transcript.range(of: "## Exercises")
            #expect(recap != nil && exercises != nil && recap!.lowerBound < exercises!.lowerBound, "\(entry.folder): recap before the exercises")
            if i + 1 < Syllabus.lessons.count {
                let next = Syllabus.lessons[i + 1]
                let linked = transcript.contains("**Next:** [Lesson \(next.number) — \(next.title)](../\(next.folder)/README.md)")
                #expect(linked, "\(entry.folder): next link")
            } else {
                let linked = transcript.contains("back to the [course](../../README.md)")
                #expect(linked, "\(entry.folder): last lesson's link")
            }
        }
    }

    @Test("Wrong answers fail, with a message naming the case")
    func wrongAnswersFail() {
        for exercise in Course.exercises(lesson: 1) {
            guard case .failed(let message) = exercise.grade(WrongLesson01()) else { Issue.record("\(exercise.id) passed a wrong answer"); continue }
            #expect(message.contains("got"))
        }
        for exercise in Course.exercises(lesson: 2) {
            guard case .failed = exercise.grade(WrongLesson02()) else { Issue.record("\(exercise.id) passed a wrong answer"); continue }
        }
        for exercise in Course.exercises(lesson: 8) {
            guard case .failed(let message) = exercise.grade(WrongLesson08()) else { Issue.record("\(exercise.id) passed a wrong answer"); continue }
            #expect(message.contains("got"))
        }
        for exercise in Course.exercises(lesson: 9) {
            guard case .failed(let message) = exercise.grade(WrongLesson09()) else { Issue.record("\(exercise.id) passed a wrong answer"); continue }
            #expect(message.contains("got"))
        }
        for exercise in Course.exercises(lesson: 10) {
            guard case .failed(let message) = exercise.grade(WrongLesson10()) else { Issue.record("\(exercise.id) passed a wrong answer"); continue }
            #expect(message.contains("got"))
        }
        for exercise in Course.exercises(lesson: 11) {
            guard case .failed(let message) = exercise.grade(WrongLesson11()) else { Issue.record("\(exercise.id) passed a wrong answer"); continue }
            #expect(message.contains("got"))
        }
        for exercise in Course.exercises(lesson: 12) {
            guard case .failed(let message) = exercise.grade(WrongLesson12()) else { Issue.record("\(exercise.id) passed a wrong answer"); continue }
            #expect(message.contains("got"))
        }
    }

    @Test("The checker command grades the student templates as not attempted, and the reference as passing")
    func checkerCommand() throws {
        let student = try runProduct("workbench", ["exercises", "--lesson", "2"])
        #expect(student.status != 0)
        #expect(student.stdout.contains("02.1  NOT ATTEMPTED"))
        let reference = try runProduct("workbench", ["exercises", "--reference"])
        #expect(reference.status == 0)
        #expect(reference.stdout.split(separator: "\n").filter { $0.contains("PASS") }.count == Course.lessons.reduce(0) { $0 + $1.exercises.count })
        let bad = try runProduct("workbench", ["exercises", "--lesson", "99"])
        #expect(bad.stderr.contains(Course.numbers))
        #expect(bad.status != 0 && bad.stderr.split(separator: "\n").count == 1)
    }
}
