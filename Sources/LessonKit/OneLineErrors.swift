import ArgumentParser
import Foundation

/// A command whose bad input ends in one line on standard error and a non-zero exit, instead of
/// ArgumentParser's error-plus-usage block. `--help` still prints the full help.
public protocol OneLineErrorCommand: ParsableCommand {}

extension OneLineErrorCommand {
    /// Parses the arguments, runs the command, and reports any error in one line.
    public static func main() {
        do {
            var command = try parseAsRoot()
            try command.run()
        } catch {
            let code = exitCode(for: error)
            if code == .success {
                print(fullMessage(for: error))
                Foundation.exit(0)
            }
            let message = self.message(for: error)
            if !message.isEmpty {
                let name = configuration.commandName ?? String(describing: self)
                let firstLine = message.split(separator: "\n").first.map(String.init) ?? message
                FileHandle.standardError.write(Data("\(name): error: \(firstLine)\n".utf8))
            }
            Foundation.exit(code.rawValue)
        }
    }
}
