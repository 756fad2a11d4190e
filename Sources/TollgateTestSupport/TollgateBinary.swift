import Foundation

/// The `tollgate` executable that `swift build` put beside the test bundle, for tests that check
/// what a user sees: exit codes, standard output and standard error.
public enum TollgateBinary {
    /// The executable's path.
    ///
    /// - Throws: ``TollgateBinaryMissing`` when it was not built, so the test fails saying so.
    public static func path() throws -> String {
        // The test bundle and the executables share one build folder.
        let testExecutable = URL(fileURLWithPath: "/proc/self/exe").resolvingSymlinksInPath()
        let candidate = testExecutable.deletingLastPathComponent().appendingPathComponent("tollgate").path
        guard FileManager.default.isExecutableFile(atPath: candidate) else { throw TollgateBinaryMissing(path: candidate) }
        return candidate
    }

    /// Runs `tollgate` with `arguments` in `directory` and waits for it.
    public static func run(_ arguments: [String], in directory: String? = nil, environment: [String: String] = [:], input: String? = nil) throws -> CommandResult {
        try CommandResult.run([try path()] + arguments, environment: environment, input: input, directory: directory)
    }
}

/// The `tollgate` executable was not built before the tests ran.
public struct TollgateBinaryMissing: Error, CustomStringConvertible {
    public let path: String
    public var description: String { "No tollgate executable at \(path); run 'swift build' before 'swift test'." }
}
