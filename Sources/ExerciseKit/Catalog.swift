/// Every lesson's exercises, by lesson number.
public enum ExerciseCatalog {
    /// The exercises of lesson `number` (1…12), or `[]`.
    public static func exercises(lesson number: Int) -> [Exercise] {
        switch number {
        case 1: return Lesson01Exercises.all
        case 2: return Lesson02Exercises.all
        case 3: return Lesson03Exercises.all
        case 4: return Lesson04Exercises.all
        case 5: return Lesson05Exercises.all
        case 6: return Lesson06Exercises.all
        case 7: return Lesson07Exercises.all
        case 8: return Lesson08Exercises.all
        case 9: return Lesson09Exercises.all
        case 10: return Lesson10Exercises.all
        case 11: return Lesson11Exercises.all
        case 12: return Lesson12Exercises.all
        default: return []
        }
    }

    /// The lessons that have exercises.
    public static let lessons = [1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12]
}
