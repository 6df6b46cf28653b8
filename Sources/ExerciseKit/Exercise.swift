/// One classroom exercise: what to do, where to write it, and how it is checked.
public struct Exercise: Sendable {
    /// "01.1", "01.2", … (lesson.exercise).
    public let id: String
    /// A short title.
    public let title: String
    /// The task, in a paragraph.
    public let prompt: String
    /// Where the student writes the answer, e.g. "`Lessons/Exercises/Lesson01.swift`, `alphaBar(betas:t:)`".
    public let location: String
    /// Runs the student's (or the reference) answer on seeded cases and says whether it holds.
    let check: @Sendable (any LessonAnswers) -> ExerciseOutcome

    /// An exercise whose `check` receives the answers being graded.
    public init(
        id: String, title: String, prompt: String, location: String,
        check: @escaping @Sendable (any LessonAnswers) -> ExerciseOutcome
    ) {
        self.id = id
        self.title = title
        self.prompt = prompt
        self.location = location
        self.check = check
    }

    /// Grades `answers` on this exercise.
    public func grade(_ answers: any LessonAnswers) -> ExerciseOutcome { check(answers) }
}

/// The result of grading one exercise.
public enum ExerciseOutcome: Sendable, Equatable {
    /// Every case matched the reference within its tolerance.
    case passed
    /// A case did not match; the message names the case and both values.
    case failed(String)
    /// The answer still throws `NotAttempted`.
    case notAttempted

    /// "PASS", "FAIL" or "NOT ATTEMPTED".
    public var label: String {
        switch self {
        case .passed: return "PASS"
        case .failed: return "FAIL"
        case .notAttempted: return "NOT ATTEMPTED"
        }
    }
}

/// What a student's unfinished answer throws; the checker reports it as not attempted.
public struct NotAttempted: Error, Sendable {
    /// Creates the marker error.
    public init() {}
}

/// Any lesson's answers; each lesson's exercises cast to their own protocol.
public protocol LessonAnswers: Sendable {}

/// Runs `body` over cases and turns its result into an outcome: `NotAttempted` → not attempted,
/// another error → failed with its description.
func grading(_ body: () throws -> String?) -> ExerciseOutcome {
    do {
        if let failure = try body() { return .failed(failure) }
        return .passed
    } catch is NotAttempted {
        return .notAttempted
    } catch {
        return .failed("threw \(error)")
    }
}

/// Whether `got` matches `expected` to a relative tolerance `tolerance` (absolute near zero).
func close(_ got: Double, _ expected: Double, tolerance: Double = 1e-10) -> Bool {
    if expected.isInfinite { return got == expected }
    return abs(got - expected) <= tolerance * max(1, abs(expected))
}
