import ArgumentParser
import ExerciseKit
import ExerciseSolutions
import Exercises

/// `workbench exercises`: grades the answers in `Lessons/Exercises/` and says pass or fail for each.
struct ExercisesCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "exercises",
        abstract: "Check your exercise answers (Lessons/Exercises/LessonNN.swift): pass or fail per exercise.")

    @Option(help: "Only this lesson's exercises (1–8).")
    var lesson: Int?

    @Flag(help: "Grade the reference solutions instead of yours (for teachers).")
    var reference = false

    func validate() throws {
        if let lesson, !ExerciseCatalog.lessons.contains(lesson) {
            throw ValidationError("--lesson \(lesson) has no exercises; lessons with exercises: 1–8")
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

    /// The student's answers (`Lessons/Exercises/`), by lesson number.
    static let studentAnswers: [any LessonAnswers] = [Lesson01(), Lesson02(), Lesson03(), Lesson04(), Lesson05(), Lesson06(), Lesson07(), Lesson08(), Lesson09()]
    /// The reference answers (`Sources/ExerciseSolutions/`), by lesson number.
    static let referenceAnswers: [any LessonAnswers] = [
        Lesson01Solution(), Lesson02Solution(), Lesson03Solution(), Lesson04Solution(), Lesson05Solution(), Lesson06Solution(),
        Lesson07Solution(), Lesson08Solution(), Lesson09Solution(),
    ]

    /// The student's answers (or the reference ones) for lesson `number` (1…9).
    static func answers(lesson number: Int, reference: Bool) -> any LessonAnswers {
        (reference ? referenceAnswers : studentAnswers)[number - 1]
    }
}
