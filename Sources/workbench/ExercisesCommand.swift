import ArgumentParser
import Course
import ExerciseKit

/// `workbench exercises`: grades the answers in `Lessons/Exercises/` and says pass or fail for each.
struct ExercisesCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "exercises",
        abstract: "Check your exercise answers (Lessons/Exercises/LessonNN.swift): pass or fail per exercise.")

    @Option(help: ArgumentHelp("Only this lesson's exercises (\(Course.numbers)).", valueName: "n"))
    var lesson: Int?

    @Flag(help: "Grade the reference solutions instead of yours (for teachers).")
    var reference = false

    func validate() throws {
        if let lesson, Course.lesson(lesson) == nil {
            throw ValidationError("--lesson \(lesson) has no exercises; lessons with exercises: \(Course.numbers)")
        }
    }

    mutating func run() throws {
        let lessons = lesson.flatMap { Course.lesson($0) }.map { [$0] } ?? Course.lessons
        var failures = 0
        for lesson in lessons {
            let answers = reference ? lesson.reference : lesson.student
            for exercise in lesson.exercises {
                let outcome = exercise.grade(answers)
                var line = "\(exercise.id)  \(outcome.label.padding(toLength: 13, withPad: " ", startingAt: 0))  \(exercise.title)"
                if case .failed(let why) = outcome { line += "\n      \(why)" }
                print(line)
                if outcome != .passed { failures += 1 }
            }
        }
        if failures > 0 { throw ExitCode.failure }
    }
}
