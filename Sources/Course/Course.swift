import ExerciseKit
import ExerciseSolutions
import Exercises

/// One lesson of the course: its number (the `NN` of `Lessons/NN-name/`), its exercises, the student's
/// answers (`Lessons/Exercises/LessonNN.swift`) and the reference ones (`Sources/ExerciseSolutions/`).
public struct CourseLesson: Sendable {
    /// The lesson's number, 1…
    public let number: Int
    /// Its exercises, in order.
    public let exercises: [Exercise]
    /// The student's answers.
    public let student: any LessonAnswers
    /// The reference answers.
    public let reference: any LessonAnswers

    /// Lesson `number` with `exercises`, answered by `student` and by `reference`.
    public init(_ number: Int, _ exercises: [Exercise], student: any LessonAnswers, reference: any LessonAnswers) {
        (self.number, self.exercises, self.student, self.reference) = (number, exercises, student, reference)
    }
}

/// The course: the one list of lessons with exercises. Package.swift finds the lesson executables in
/// `Lessons/`; `workbench exercises`, each lesson's transcript and the tests read this list (and a test
/// checks that every lesson folder has its entry here).
public enum Course {
    /// Every lesson, in order.
    public static let lessons: [CourseLesson] = [
        CourseLesson(1, Lesson01Exercises.all, student: Lesson01(), reference: Lesson01Solution()),
        CourseLesson(2, Lesson02Exercises.all, student: Lesson02(), reference: Lesson02Solution()),
        CourseLesson(3, Lesson03Exercises.all, student: Lesson03(), reference: Lesson03Solution()),
        CourseLesson(4, Lesson04Exercises.all, student: Lesson04(), reference: Lesson04Solution()),
        CourseLesson(5, Lesson05Exercises.all, student: Lesson05(), reference: Lesson05Solution()),
        CourseLesson(6, Lesson06Exercises.all, student: Lesson06(), reference: Lesson06Solution()),
        CourseLesson(7, Lesson07Exercises.all, student: Lesson07(), reference: Lesson07Solution()),
        CourseLesson(8, Lesson08Exercises.all, student: Lesson08(), reference: Lesson08Solution()),
        CourseLesson(9, Lesson09Exercises.all, student: Lesson09(), reference: Lesson09Solution()),
        CourseLesson(10, Lesson10Exercises.all, student: Lesson10(), reference: Lesson10Solution()),
        CourseLesson(11, Lesson11Exercises.all, student: Lesson11(), reference: Lesson11Solution()),
        CourseLesson(12, Lesson12Exercises.all, student: Lesson12(), reference: Lesson12Solution()),
    ]

    /// The lesson numbered `number`, if it is in the course.
    public static func lesson(_ number: Int) -> CourseLesson? { lessons.first { $0.number == number } }

    /// The exercises of lesson `number` (for its transcript).
    public static func exercises(lesson number: Int) -> [Exercise] {
        guard let lesson = lesson(number) else { preconditionFailure("Course: no lesson \(number)") }
        return lesson.exercises
    }

    /// The lesson numbers as a student reads them: "1–12", or a list where there are gaps.
    public static var numbers: String {
        let numbers = lessons.map(\.number)
        guard let first = numbers.first, let last = numbers.last else { return "none" }
        return numbers == Array(first...last) ? "\(first)–\(last)" : numbers.map(String.init).joined(separator: ", ")
    }
}
