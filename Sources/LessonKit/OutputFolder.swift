import Foundation

#if canImport(Glibc)
    import Glibc
#endif

/// An output folder that cannot be used: its path and the system's reason, in one line.
public struct OutputFolderError: Error, CustomStringConvertible, Equatable {
    /// The folder as the user gave it.
    public let path: String
    /// The operating system's reason, e.g. "Permission denied".
    public let reason: String

    /// "cannot write to the output folder '/proc/forbidden': No such file or directory".
    public var description: String { "cannot write to the output folder '\(path)': \(reason)" }
}

/// Checks, before a lesson does any work, that its output folder exists or can be created and that
/// a file can be written in it.
public enum OutputFolder {
    /// Creates `url` (and its parents) if needed and writes, then removes, a probe file in it.
    /// - Throws: `OutputFolderError` naming the folder and the reason (strerror of the failing call).
    public static func prepare(_ url: URL) throws {
        let path = url.standardizedFileURL.path
        var prefix = path.hasPrefix("/") ? "" : "."
        for component in path.split(separator: "/") {
            prefix += "/" + component
            var status = stat()
            if stat(prefix, &status) == 0 {
                guard status.st_mode & S_IFMT == S_IFDIR else { throw OutputFolderError(path: url.path, reason: "\(prefix) is not a folder") }
                continue
            }
            if mkdir(prefix, 0o755) != 0 && errno != EEXIST { throw failure(url) }
        }
        let probe = path + "/.write-probe-\(getpid())"
        let descriptor = open(probe, O_CREAT | O_WRONLY | O_TRUNC, 0o644)
        guard descriptor >= 0 else { throw failure(url) }
        close(descriptor)
        unlink(probe)
    }

    private static func failure(_ url: URL) -> OutputFolderError {
        OutputFolderError(path: url.path, reason: String(cString: strerror(errno)))
    }
}
