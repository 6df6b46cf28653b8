/// The parametric schedules the workbench can build by name.
public enum ScheduleKind: String, CaseIterable, Sendable {
    /// βₜ linear in t (the paper's choice).
    case linear
    /// √βₜ linear in t (Ho's "quad").
    case quadratic
    /// The cosine schedule of Nichol & Dhariwal (2021); ignores β_start and β_end.
    case cosine

    /// Builds the schedule of this kind.
    /// - Throws: `ScheduleError` naming the invalid value.
    public func make(steps: Int, betaStart: Double = 1e-4, betaEnd: Double = 0.02) throws(ScheduleError) -> NoiseSchedule {
        switch self {
        case .linear: return try .linear(steps: steps, betaStart: betaStart, betaEnd: betaEnd)
        case .quadratic: return try .quadratic(steps: steps, betaStart: betaStart, betaEnd: betaEnd)
        case .cosine: return try .cosine(steps: steps)
        }
    }
}
