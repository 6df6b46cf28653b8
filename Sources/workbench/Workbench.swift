import ArgumentParser
import LessonKit

/// `workbench`: the workbench's command-line tool (schedules for handouts, exercise checking).
@main
struct Workbench: OneLineErrorCommand {
    static let configuration = CommandConfiguration(
        commandName: "workbench",
        abstract: "DDPM Workbench tools: print noise schedules, check exercises, evaluate a saved model.",
        subcommands: [ScheduleCommand.self, ExercisesCommand.self, EpsCommand.self])
}
