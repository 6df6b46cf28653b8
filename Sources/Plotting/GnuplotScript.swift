import Foundation

/// The gnuplot commands for a `Figure`, interleaved with the data blocks they plot.
///
/// The script is standalone: `gnuplot NAME.gp` re-renders `NAME.png` beside the script (the
/// output name is derived from `ARG0`, the script's own path). Text is drawn `noenhanced`, so
/// labels are literal Unicode and `_` or `^` need no escaping.
struct GnuplotScript {
    /// One piece of the script, in order.
    enum Piece {
        /// A line of gnuplot commands.
        case command(String)
        /// An inline data block `$name << EOD`, rows × columns, blank lines every `blockRows` rows.
        case data(name: String, values: [Double], rows: Int, columns: Int, blockRows: Int)
    }

    /// The pieces, in the order they are written.
    private(set) var pieces: [Piece] = []

    /// The colours given to series that do not name one, in order (Tableau 10).
    static let palette = ["#1f77b4", "#d62728", "#2ca02c", "#ff7f0e", "#9467bd", "#8c564b", "#e377c2", "#17becf"]

    /// Builds the script of `figure`; `source` names who wrote it in the header comment.
    init(figure: Figure, source: String) {
        command("# \(figure.title ?? figure.name) — written by \(source).")
        command("# Re-render with:  gnuplot \(figure.name).gp   (writes \(figure.name).png beside this script)")
        command("set encoding utf8")
        command("set terminal pngcairo size \(figure.width),\(figure.height) font 'DejaVu Sans,11' noenhanced")
        command("set output (strlen(ARG0) > 3 ? ARG0[1:strlen(ARG0)-2] : '\(figure.name).') . 'png'")
        command("set palette defined (0 '#440154', 1 '#3b528b', 2 '#21918c', 3 '#5ec962', 4 '#fde725')")
        command("set grid lc rgb '#dddddd'")
        command("set format x '%g'; set format y '%g'")
        if figure.panels.count > 1 || figure.title != nil {
            let title = figure.title.map { " title \(Self.quote($0)) font ',13'" } ?? ""
            command("set multiplot layout \(figure.rows),\(figure.columns)\(title)")
        }
        for (p, panel) in figure.panels.enumerated() {
            add(panel: panel, number: p + 1)
        }
        if figure.panels.count > 1 || figure.title != nil { command("unset multiplot") }
        command("set output")
    }

    /// Builds the script of an animated GIF, one `plot` per frame.
    init(animation: Animation, source: String) {
        command("# \(animation.name) — an animation written by \(source).")
        command("# Re-render with:  gnuplot \(animation.name).gp   (writes \(animation.name).gif beside this script)")
        command("set encoding utf8")
        command("set terminal gif animate delay \(animation.delay) loop 0 size \(animation.width),\(animation.height) font 'DejaVu Sans,10' noenhanced")
        command("set output (strlen(ARG0) > 3 ? ARG0[1:strlen(ARG0)-2] : '\(animation.name).') . 'gif'")
        command("set grid lc rgb '#dddddd'")
        command("set format x '%g'; set format y '%g'")
        for (f, frame) in animation.frames.enumerated() { add(panel: frame, number: f + 1) }
        command("set output")
    }

    private mutating func command(_ line: String) { pieces.append(.command(line)) }

    private mutating func add(panel: Panel, number: Int) {
        command("")
        command("# Panel \(number)\(panel.title.map { ": " + $0 } ?? "")")
        command("unset logscale; set autoscale; unset colorbox; set size noratio")
        if panel.picture {
            command("unset border; unset grid; set tics scale 0")
        }
        command(panel.title.map { "set title \(Self.quote($0))" } ?? "unset title")
        command(panel.xLabel.map { "set xlabel \(Self.quote($0))" } ?? "unset xlabel")
        command(panel.yLabel.map { "set ylabel \(Self.quote($0))" } ?? "unset ylabel")
        if let range = panel.xRange { command("set xrange [\(Self.number(range.lowerBound)):\(Self.number(range.upperBound))]") }
        if let range = panel.yRange { command("set yrange [\(Self.number(range.lowerBound)):\(Self.number(range.upperBound))]") }
        if panel.logX { command("set logscale x") }
        if panel.logY { command("set logscale y") }
        if panel.equalAspect { command("set size ratio -1") }
        if let tics = panel.xTics { command(Self.tics("xtics", tics)) } else if panel.picture { command("unset xtics") }
        if let tics = panel.yTics { command(Self.tics("ytics", tics)) } else if panel.picture { command("unset ytics") }
        switch panel.legend {
        case .hidden: command("unset key")
        case .outside, .below: command("set key \(panel.legend.rawValue)")
        default: command("set key inside \(panel.legend.rawValue) opaque")
        }
        if let label = panel.colorbarLabel { command("set colorbox; set cblabel \(Self.quote(label))") }
        var clauses: [String] = []
        var colour = 0
        for (s, series) in panel.series.enumerated() {
            let name = "p\(number)s\(s + 1)"
            let rows = series.count
            var values: [Double] = []
            values.reserveCapacity(rows * series.columns.count)
            for r in 0..<rows { for column in series.columns { values.append(column[r]) } }
            var blockRows = 0
            if case .heatmap(let gridRows) = series.style { blockRows = gridRows }
            if case .rgbImage(let gridRows) = series.style { blockRows = gridRows }
            pieces.append(.data(name: name, values: values, rows: rows, columns: series.columns.count, blockRows: blockRows))
            let title = series.label.map { "title \(Self.quote($0))" } ?? "notitle"
            let rgb = series.color ?? Self.palette[colour % Self.palette.count]
            switch series.style {
            case .line(let width, let dashed):
                clauses.append("$\(name) using 1:2 with lines lw \(Self.number(width))\(dashed ? " dt 2" : "") lc rgb '\(rgb)' \(title)")
                colour += 1
            case .points(let size):
                clauses.append("$\(name) using 1:2 with points pt 7 ps \(Self.number(size)) lc rgb '\(rgb)' \(title)")
                colour += 1
            case .bars(let width):
                clauses.append("$\(name) using 1:2:(\(Self.number(width))) with boxes fs transparent solid 0.45 noborder lc rgb '\(rgb)' \(title)")
                colour += 1
            case .heatmap:
                clauses.append("$\(name) using 1:2:3 with image \(title)")
            case .band:
                clauses.append("$\(name) using 1:2:3 with filledcurves fs transparent solid 0.18 noborder lc rgb '\(rgb)' \(title)")
                colour += 1
            case .rgbImage:
                clauses.append("$\(name) using 1:2:3:4:5 with rgbimage \(title)")
            case .vectors:
                clauses.append("$\(name) using 1:2:3:4 with vectors head filled size screen 0.008,20 lw 1.2 lc rgb '\(rgb)' \(title)")
                colour += 1
            }
        }
        command("plot " + clauses.joined(separator: ", \\\n     "))
        if panel.picture || panel.xTics != nil || panel.yTics != nil {
            command("set border 31; set grid; set tics scale default; set xtics autofreq; set ytics autofreq")
        }
    }

    /// `set NAME ("label" position, …)`: tics at the given positions only.
    static func tics(_ name: String, _ tics: [TicLabel]) -> String {
        "set \(name) (" + tics.map { "\(quote($0.text)) \(number($0.position))" }.joined(separator: ", ") + ")"
    }

    /// A gnuplot double-quoted string literal (backslash and quote escaped).
    static func quote(_ text: String) -> String {
        "\"" + text.replacingOccurrences(of: "\\", with: "\\\\").replacingOccurrences(of: "\"", with: "\\\"") + "\""
    }

    /// A number as gnuplot reads it, 10 significant digits.
    static func number(_ value: Double) -> String { String(format: "%.10g", value) }
}
