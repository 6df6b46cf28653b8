/// One thing drawn on a panel: a line, a point cloud, a histogram or a heat map, with its data.
public struct Series: Sendable {
    /// How the data is drawn.
    public enum Style: Sendable, Equatable {
        /// A polyline through (x, y); `dashed` for reference curves.
        case line(width: Double, dashed: Bool)
        /// Unconnected points of the given size.
        case points(size: Double)
        /// Filled bars centred on x with height y and width `barWidth` (a histogram).
        case bars(barWidth: Double)
        /// A colour image over a regular grid: columns (x, y, z), scan lines of `gridRows` points.
        case heatmap(gridRows: Int)
        /// Arrows from (x, y) by (dx, dy): columns (x, y, dx, dy).
        case vectors
        /// A true-colour image over a regular grid: columns (x, y, r, g, b) with r, g, b ∈ 0…255,
        /// scan lines of `gridRows` points.
        case rgbImage(gridRows: Int)
        /// A shaded band between two curves: columns (x, low, high).
        case band
    }

    /// The legend entry, or `nil` for none.
    public var label: String?
    /// The drawing style.
    public var style: Style
    /// The data as columns (x, y[, z]), all the same length.
    public var columns: [[Double]]
    /// A colour as "#rrggbb", or `nil` for the panel's next colour.
    public var color: String?

    /// A series from raw columns.
    public init(label: String?, style: Style, columns: [[Double]], color: String? = nil) {
        precondition(columns.count >= 2, "Series: need at least x and y columns")
        precondition(Set(columns.map(\.count)).count == 1, "Series \(label ?? ""): columns differ in length")
        self.label = label
        self.style = style
        self.columns = columns
        self.color = color
    }

    /// The number of data rows.
    public var count: Int { columns[0].count }

    /// A line through the points (xᵢ, yᵢ).
    public static func line(
        x: [Double], y: [Double], label: String? = nil, width: Double = 2, dashed: Bool = false,
        color: String? = nil
    ) -> Series {
        Series(label: label, style: .line(width: width, dashed: dashed), columns: [x, y], color: color)
    }

    /// A line through (x, f(x)).
    public static func function(
        _ x: [Double], label: String? = nil, width: Double = 2, dashed: Bool = false, color: String? = nil,
        _ f: (Double) -> Double
    ) -> Series {
        line(x: x, y: x.map(f), label: label, width: width, dashed: dashed, color: color)
    }

    /// A scatter of the points (xᵢ, yᵢ).
    public static func scatter(
        x: [Double], y: [Double], label: String? = nil, size: Double = 0.4, color: String? = nil
    ) -> Series {
        Series(label: label, style: .points(size: size), columns: [x, y], color: color)
    }

    /// A density histogram of `values`: `bins` equal bins over `range`, bar heights
    /// count / (n · width) so the bars integrate to the fraction of values inside `range`, and an
    /// analytic density can be drawn over them on the same scale.
    public static func histogram(
        _ values: [Double], bins: Int, range: ClosedRange<Double>, label: String? = nil, color: String? = nil
    ) -> Series {
        precondition(bins >= 1, "histogram: bins must be ≥ 1")
        let width = (range.upperBound - range.lowerBound) / Double(bins)
        var counts = [Double](repeating: 0, count: bins)
        for v in values where range.contains(v) {
            counts[min(Int((v - range.lowerBound) / width), bins - 1)] += 1
        }
        let n = Double(max(values.count, 1))
        let centres = (0..<bins).map { range.lowerBound + (Double($0) + 0.5) * width }
        return Series(
            label: label, style: .bars(barWidth: width), columns: [centres, counts.map { $0 / (n * width) }],
            color: color)
    }

    /// Arrows from each (xᵢ, yᵢ) by (dxᵢ, dyᵢ), for vector fields.
    public static func vectors(x: [Double], y: [Double], dx: [Double], dy: [Double], label: String? = nil, color: String? = nil) -> Series {
        Series(label: label, style: .vectors, columns: [x, y, dx, dy], color: color)
    }

    /// A heat map of z = f(x, y) on the grid xs × ys (x varies fastest within a scan line).
    public static func heatmap(
        xs: [Double], ys: [Double], label: String? = nil, _ f: (Double, Double) -> Double
    ) -> Series {
        var x: [Double] = []
        var y: [Double] = []
        var z: [Double] = []
        for yValue in ys {
            for xValue in xs {
                x.append(xValue)
                y.append(yValue)
                z.append(f(xValue, yValue))
            }
        }
        return Series(label: label, style: .heatmap(gridRows: xs.count), columns: [x, y, z])
    }

    /// A shaded band from `low` to `high` over `x` (a noise band or an interval).
    public static func band(x: [Double], low: [Double], high: [Double], label: String? = nil, color: String? = nil) -> Series {
        Series(label: label, style: .band, columns: [x, low, high], color: color)
    }

    /// A `width × height` picture: pixel (i, j) at (x, y) = (i, j), j = 0 the bottom scan line,
    /// coloured `colour(i, j)` = (r, g, b), each in 0…255.
    public static func picture(
        width: Int, height: Int, _ colour: (Int, Int) -> (r: Int, g: Int, b: Int)
    ) -> Series {
        var columns = [[Double]](repeating: [], count: 5)
        for j in 0..<height {
            for i in 0..<width {
                let (r, g, b) = colour(i, j)
                for (c, v) in [Double(i), Double(j), Double(r), Double(g), Double(b)].enumerated() { columns[c].append(v) }
            }
        }
        return Series(label: nil, style: .rgbImage(gridRows: width), columns: columns)
    }
}
