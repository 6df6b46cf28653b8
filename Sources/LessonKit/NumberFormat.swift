import Foundation

/// Deterministic number formatting for transcripts (no locale, no timings).
public enum NumberFormat {
    /// `value` with `digits` significant digits, in C's `%g` style ("0.0123457", "4.0358e-05").
    public static func significant(_ value: Double, _ digits: Int = 6) -> String {
        if value.isNaN { return "NaN" }
        if value.isInfinite { return value > 0 ? "∞" : "−∞" }
        return String(format: "%.\(digits)g", value)
    }

    /// `value` in scientific notation with `digits` digits after the point ("4.036e-05").
    public static func scientific(_ value: Double, _ digits: Int = 3) -> String {
        String(format: "%.\(digits)e", value)
    }

    /// `value` with exactly `digits` digits after the point ("0.250").
    public static func fixed(_ value: Double, _ digits: Int = 3) -> String {
        String(format: "%.\(digits)f", value)
    }

    /// Every digit of a Double: 17 significant digits, enough to round-trip.
    public static func full(_ value: Double) -> String { String(format: "%.17g", value) }
}
