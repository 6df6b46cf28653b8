import ArgumentParser
import ExerciseKit
import ExerciseSolutions
import Exercises

/// `workbench exercises`: grades the answers in `Lessons/Exercises/` and says pass or fail for each.
struct ExercisesCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "exercises",
        abstract: "Check your exercise answers (Lessons/Exercises/LessonNN.swift): pass or fail per exercise.")

    @Option(help: "Only this lesson's exercises (1–7).")
    var lesson: Int?

    @Flag(help: "Grade the reference solutions instead of yours (for teachers).")
    var reference = false

    func validate() throws {
        if let lesson, !ExerciseCatalog.lessons.contains(lesson) {
            throw ValidationError("--lesson \(lesson) has no exercises; lessons with exercises: 1–7")
        }
    }

    mutating func run() throws {
        let lessons = lesson.map { [$0] } ?? ExerciseCatalog.lessons
        var failures = 0
        for number in lessons {
            let answers = Self.answers(lesson: number, reference: reference)
            for exercise in ExerciseCatalog.exercises(lesson: number) {
                let outcome = exercise.grade(answers)
                var line = "\(exercise.id)  \(outcome.label.padding(toLength: 13, withPad: " ", startingAt: 0))  \(exercise.title)"
                if case .failed(let why) = outcome { line += "\n      \(why)" }
                print(line)
                if outcome != .passed { failures += 1 }
            }
        }
        if failures > 0 { throw ExitCode.failure }
    }

    /// The student's answers (or the reference ones) for lesson `number`.
    static func answers(lesson number: Int, reference: Bool) -> any LessonAnswers {
        switch (number, reference) {
        case (1, false): return Lesson01()
        case (1, true): return Lesson01Solution()
        case (2, false): return Lesson02()
        case (2, true): return Lesson02Solution()
        case (3, false): return Lesson03()
        case (3, true): return Lesson03Solution()
        case (4, false): return Lesson04()
        case (4, true): return Lesson04Solution()
        case (5, false): return Lesson05()
        case (5, true): return Lesson05Solution()
        case (6, false): return Lesson06()
        case (6, true): return Lesson06Solution()
        case (7, false): return Lesson07()
        default: return Lesson07Solution()
        }
    }
}
