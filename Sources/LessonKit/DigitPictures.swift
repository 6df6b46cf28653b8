// Digits as pictures: a grid of 8 × 8 gray images with labelled rows and columns (lessons 08–12).
import Plotting

/// 8 × 8 images drawn as pictures: white ink on black, square pixels, a coloured gutter, no pixel axes.
public enum DigitPictures {
    /// The gutter between images: a pale blue, so that it cannot be read as a gray level.
    public static let gutter = (r: 158, g: 202, b: 225)

    /// The gray level of a pixel value, white ink on black: g = round(255 · (clamp(v, −1, 1) + 1) / 2),
    /// so v = −1 (the background) is black and v = 1 (full ink) is white.
    public static func gray(_ value: Float) -> Int {
        let v = Double(max(-1, min(1, value)))
        return Int(((v + 1) / 2 * 255).rounded())
    }

    /// `images` (each 64 values, row-major, in [−1, 1]; values outside are clamped) laid out `columns`
    /// to a row, top row first, with a one-pixel gutter, as one picture panel. `columnLabels` name
    /// the columns under them and `rowLabels` the rows at their left (one each, or none);
    /// `columnAxis` and `rowAxis` say what varies along them ("t", "λ", "class").
    public static func grid(
        _ images: [[Float]], columns: Int, title: String? = nil, columnLabels: [String] = [],
        rowLabels: [String] = [], columnAxis: String? = nil, rowAxis: String? = nil
    ) -> Panel {
        let rows = (images.count + columns - 1) / columns
        precondition(columnLabels.isEmpty || columnLabels.count == columns, "DigitPictures: one label per column")
        precondition(rowLabels.isEmpty || rowLabels.count == rows, "DigitPictures: one label per row")
        let (width, height) = (columns * 9 - 1, rows * 9 - 1)
        let picture = Series.picture(width: width, height: height) { x, y in
            let (column, i) = (x / 9, x % 9)
            let (row, j) = ((height - 1 - y) / 9, (height - 1 - y) % 9)
            let index = row * columns + column
            guard i < 8, j < 8, index < images.count else { return gutter }
            let g = gray(images[index][j * 8 + i])
            return (g, g, g)
        }
        let xTics = columnLabels.enumerated().map { TicLabel($1, at: Double($0 * 9) + 3.5) }
        let yTics = rowLabels.enumerated().map { TicLabel($1, at: Double(height - 1) - (Double($0 * 9) + 3.5)) }
        return Panel(
            title: title, xLabel: columnAxis, yLabel: rowAxis, xRange: -0.5...(Double(width) - 0.5),
            yRange: -0.5...(Double(height) - 0.5), equalAspect: true, legend: .hidden, picture: true,
            xTics: xTics.isEmpty ? nil : xTics, yTics: yTics.isEmpty ? nil : yTics, series: [picture])
    }

    /// Image `i` of a flat [n, 64] array.
    public static func image(_ values: [Float], _ i: Int) -> [Float] { Array(values[(i * 64)..<(i * 64 + 64)]) }
}
