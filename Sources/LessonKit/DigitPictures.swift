// Digits as pictures: a grid of 8 × 8 images as one heat map (lessons 08 and 09).
import Plotting

/// 8 × 8 images as heat-map panels.
public enum DigitPictures {
    /// `rows × columns` images (each 64 values, row-major, [−1, 1]) laid out with a 1-pixel gutter at
    /// the mid gray 0, top row first, as one heat map panel.
    public static func grid(_ images: [[Float]], columns: Int, title: String? = nil) -> Panel {
        let rows = (images.count + columns - 1) / columns
        let (width, height) = (columns * 9 - 1, rows * 9 - 1)
        let xs = (0..<width).map(Double.init)
        let ys = (0..<height).map(Double.init)
        let map = Series.heatmap(xs: xs, ys: ys) { x, y in
            let (column, i) = (Int(x) / 9, Int(x) % 9)
            let row = (height - 1 - Int(y)) / 9
            let j = (height - 1 - Int(y)) % 9
            let index = row * columns + column
            guard i < 8, j < 8, index < images.count else { return 0 }
            return Double(max(-1, min(1, images[index][j * 8 + i])))
        }
        return Panel(title: title, xRange: -0.5...(Double(width) - 0.5), yRange: -0.5...(Double(height) - 0.5), equalAspect: true, legend: .hidden, series: [map])
    }

    /// Image `i` of a flat [n, 64] array.
    public static func image(_ values: [Float], _ i: Int) -> [Float] { Array(values[(i * 64)..<(i * 64 + 64)]) }
}
