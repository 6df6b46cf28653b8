// Lesson 08: digits as pictures (LessonKit's `DigitPictures`).
import LessonKit
import Plotting

extension Lesson08 {
    /// A grid of 8 × 8 images as one heat-map panel.
    static func grid(_ images: [[Float]], columns: Int, title: String? = nil) -> Panel { DigitPictures.grid(images, columns: columns, title: title) }

    /// Image `i` of a flat [n, 64] array.
    static func image(_ values: [Float], _ i: Int) -> [Float] { DigitPictures.image(values, i) }
}
