/// A chart description: one or more panels laid out in a grid, written out as a gnuplot script.
///
/// A `Figure` is plain data. `FigureWriter` turns it into `NAME.gp` (a standalone gnuplot script
/// holding its data as inline blocks) and has gnuplot render `NAME.png` from it.
public struct Figure: Sendable {
    /// The file stem: the figure is written as `name.gp` and rendered to `name.png`.
    public var name: String
    /// A title over the whole figure (multi-panel figures), or `nil`.
    public var title: String?
    /// Panels per row; rows follow from the panel count.
    public var columns: Int
    /// The PNG size in pixels.
    public var width: Int
    /// The PNG height in pixels.
    public var height: Int
    /// The panels, filled row by row.
    public var panels: [Panel]

    /// A figure of `panels` laid out `columns` to a row.
    public init(
        name: String, title: String? = nil, columns: Int = 1, width: Int = 1000, height: Int = 620,
        panels: [Panel]
    ) {
        precondition(!panels.isEmpty, "Figure \(name): no panels")
        precondition(columns >= 1, "Figure \(name): columns must be ≥ 1")
        self.name = name
        self.title = title
        self.columns = columns
        self.width = width
        self.height = height
        self.panels = panels
    }

    /// Rows in the panel grid.
    public var rows: Int { (panels.count + columns - 1) / columns }
}

/// Where a panel's legend goes.
public enum LegendPosition: String, Sendable {
    /// Top right, inside the axes.
    case topRight = "top right"
    /// Top left, inside the axes.
    case topLeft = "top left"
    /// Bottom right, inside the axes.
    case bottomRight = "bottom right"
    /// Bottom left, inside the axes.
    case bottomLeft = "bottom left"
    /// Right edge, half way up, inside the axes.
    case rightCenter = "right center"
    /// Right of the axes.
    case outside = "outside right top"
    /// Under the axes, entries side by side (charts with many curves: nothing of the data is covered).
    case below = "outside below center horizontal"
    /// No legend.
    case hidden = "off"
}

/// One set of axes: labels, ranges, scales and the series drawn on them.
public struct Panel: Sendable {
    /// The panel title, or `nil`.
    public var title: String?
    /// The x-axis label (Unicode welcome: "t", "√ᾱₜ").
    public var xLabel: String?
    /// The y-axis label.
    public var yLabel: String?
    /// A fixed x range, or `nil` for autoscale.
    public var xRange: ClosedRange<Double>?
    /// A fixed y range, or `nil` for autoscale.
    public var yRange: ClosedRange<Double>?
    /// Logarithmic x axis.
    public var logX: Bool
    /// Logarithmic y axis.
    public var logY: Bool
    /// Equal units on both axes (for 2-D point clouds).
    public var equalAspect: Bool
    /// The legend position.
    public var legend: LegendPosition
    /// The label of the colour bar (heat maps), or `nil`.
    public var colorbarLabel: String?
    /// The series, drawn in order.
    public var series: [Series]
    /// A picture rather than a chart: no frame, no grid, no numbered tics; only `xTics` and `yTics`
    /// label the axes (the rows and columns of an image grid).
    public var picture: Bool
    /// Labelled x positions (in a picture, one per column), or `nil` for gnuplot's own tics.
    public var xTics: [TicLabel]?
    /// Labelled y positions (in a picture, one per row), or `nil` for gnuplot's own tics.
    public var yTics: [TicLabel]?

    /// A panel with the given axes and series.
    public init(
        title: String? = nil, xLabel: String? = nil, yLabel: String? = nil,
        xRange: ClosedRange<Double>? = nil, yRange: ClosedRange<Double>? = nil,
        logX: Bool = false, logY: Bool = false, equalAspect: Bool = false,
        legend: LegendPosition = .topRight, colorbarLabel: String? = nil, picture: Bool = false,
        xTics: [TicLabel]? = nil, yTics: [TicLabel]? = nil, series: [Series]
    ) {
        self.title = title
        self.xLabel = xLabel
        self.yLabel = yLabel
        self.xRange = xRange
        self.yRange = yRange
        self.logX = logX
        self.logY = logY
        self.equalAspect = equalAspect
        self.legend = legend
        self.colorbarLabel = colorbarLabel
        self.series = series
        self.picture = picture
        self.xTics = xTics
        self.yTics = yTics
    }
}

/// A text label at one position of an axis.
public struct TicLabel: Sendable, Equatable {
    /// The position in data units.
    public var position: Double
    /// The label.
    public var text: String

    /// `text` at `position`.
    public init(_ text: String, at position: Double) {
        self.text = text
        self.position = position
    }
}
