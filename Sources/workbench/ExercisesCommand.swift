import ArgumentParser
import ExerciseKit
import ExerciseSolutions
import Exercises

/// `workbench exercises`: grades the answers in `Lessons/Exercises/` and says pass or fail for each.
struct ExercisesCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "exercises",
        abstract: "Check your exercise answers (Lessons/Exercises/LessonNN.swift): pass or fail per exercise.")

    @Option(help: "Only this lesson's exercises (1–9, 11).")
    var lesson: Int?

    @Flag(help: "Grade the reference solutions instead of yours (for teachers).")
    var reference = false

    func validate() throws {
        if let lesson, !ExerciseCatalog.lessons.contains(lesson) {
            throw ValidationError("--lesson \(lesson) has no exercises; lessons with exercises: \(ExerciseCatalog.lessons.map(String.init).joined(separator: ", "))")
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
    static let studentAnswers: [Int: any LessonAnswers] = [
        1: Lesson01(), 2: Lesson02(), 3: Lesson03(), 4: Lesson04(), 5: Lesson05(), 6: Lesson06(), 7: Lesson07(), 8: Lesson08(), 9: Lesson09(),
        10: Lesson10(), 11: Lesson11(), 12: Lesson12(),
    ]
    /// The reference answers (`Sources/ExerciseSolutions/`), by lesson number.
    static let referenceAnswers: [Int: any LessonAnswers] = [
        1: Lesson01Solution(), 2: Lesson02Solution(), 3: Lesson03Solution(), 4: Lesson04Solution(), 5: Lesson05Solution(), 6: Lesson06Solution(),
        7: Lesson07Solution(), 8: Lesson08Solution(), 9: Lesson09Solution(), 10: Lesson10Solution(), 11: Lesson11Solution(), 12: Lesson12Solution(),
    ]

    /// The student's answers (or the reference ones) for lesson `number` (one of `ExerciseCatalog.lessons`).
    static func answers(lesson number: Int, reference: Bool) -> any LessonAnswers {
        (reference ? referenceAnswers : studentAnswers)[number]!
    }
}
