import Foundation
import Testing

@testable import LessonKit
@testable import Plotting

@Suite("Digits drawn as gray pictures")
struct DigitPicturesTests {
    /// Three images of distinct constant-free patterns: image k has value v(k, p) = (p + 8k) mod 17 mapped to [−1, 1].
    static func value(_ k: Int, _ p: Int) -> Float { Float((p + 8 * k) % 17) / 8 - 1 }

    @Test("Each pixel lands in its tile at its place with its gray level, white ink on black; gutters and empty tiles are the gutter colour")
    func pixelsLandWhereTheyBelong() throws {
        let images = (0..<3).map { k in (0..<64).map { Self.value(k, $0) } }
        let panel = DigitPictures.grid(images, columns: 2, columnLabels: ["a", "b"], rowLabels: ["top", "bottom"], columnAxis: "x")
        let series = try #require(panel.series.first)
        guard case .rgbImage(let gridRows) = series.style else { Issue.record("not a picture: \(series.style)"); return }
        // Two columns and two rows of 8 × 8 tiles with one-pixel gutters: 17 × 17 pixels.
        #expect(gridRows == 17 && series.count == 17 * 17)
        var colour: [[Int]: [Int]] = [:]
        for r in 0..<series.count {
            colour[[Int(series.columns[0][r]), Int(series.columns[1][r])]] = (2...4).map { Int(series.columns[$0][r]) }
        }
        let gutter = [DigitPictures.gutter.r, DigitPictures.gutter.g, DigitPictures.gutter.b]
        for x in 0..<17 {
            for y in 0..<17 {
                // Independently of the drawing code: row 0 is the top, so image row j of tile row R is at y = 16 − (9R + j).
                let (column, i, fromTop) = (x / 9, x % 9, 16 - y)
                let (row, j) = (fromTop / 9, fromTop % 9)
                let k = row * 2 + column
                let expected: [Int]
                if i == 8 || j == 8 || k >= 3 {
                    expected = gutter
                } else {
                    let level = Int((Double(Self.value(k, j * 8 + i) + 1) / 2 * 255).rounded())
                    expected = [level, level, level]
                }
                #expect(colour[[x, y]] == expected, "pixel (\(x), \(y))")
            }
        }
        #expect(gutter[0] != gutter[1] || gutter[1] != gutter[2], "the gutter is a colour, not a gray level")
        #expect(DigitPictures.gray(-1) == 0 && DigitPictures.gray(1) == 255 && DigitPictures.gray(3) == 255 && DigitPictures.gray(-7) == 0)
        // Labels sit at the tile centres; a picture has no frame and no numbered tics.
        #expect(panel.picture && panel.equalAspect)
        #expect(panel.xTics == [TicLabel("a", at: 3.5), TicLabel("b", at: 12.5)])
        #expect(panel.yTics == [TicLabel("top", at: 12.5), TicLabel("bottom", at: 3.5)])
        let script = GnuplotScript(figure: Figure(name: "digits", panels: [panel]), source: "tests").pieces.compactMap {
            if case .command(let line) = $0 { return line } else { return nil }
        }
        #expect(script.contains("unset border; unset grid; set tics scale 0"))
        #expect(script.contains { $0.contains("with rgbimage") })
        #expect(script.contains("set xtics (\"a\" 3.5, \"b\" 12.5)"))
    }
}
