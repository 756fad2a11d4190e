import Foundation

/// A real git repository in a temporary folder, built with the `git` command line so that tests
/// read exactly what a user's clone would hold.
public final class GitFixture: Sendable {
    /// The folder that holds the work tree and `.git`.
    public let directory: TemporaryDirectory

    /// The work tree's path.
    public var path: String { directory.path }

    /// An empty repository whose first branch is `branch`.
    public init(branch: String = "main") throws {
        directory = try TemporaryDirectory(prefix: "tollgate-repo")
        try git("init", "-q", "-b", branch)
        try git("config", "user.name", "Alice Example")
        try git("config", "user.email", "alice@example.com")
        try git("config", "commit.gpgsign", "false")
    }

    /// Writes `contents` to `relativePath`, creating folders as needed.
    public func write(_ relativePath: String, _ contents: String) throws {
        let url = URL(fileURLWithPath: directory.appending(relativePath))
        try FileManager.default.createDirectory(at: url.deletingLastPathComponent(), withIntermediateDirectories: true)
        try Data(contents.utf8).write(to: url)
    }

    /// Removes a file or folder from the work tree.
    public func remove(_ relativePath: String) throws {
        try FileManager.default.removeItem(atPath: directory.appending(relativePath))
    }

    /// Stages everything and commits it; returns the new commit's id.
    @discardableResult
    public func commit(_ message: String, author: String = "Alice Example <alice@example.com>", date: Int = 1_700_000_000) throws -> String {
        try git("add", "-A")
        try git(["commit", "-q", "--allow-empty", "-m", message, "--author", author],
                environment: ["GIT_AUTHOR_DATE": "\(date) +0100", "GIT_COMMITTER_DATE": "\(date) +0100"])
        return try git("rev-parse", "HEAD").trimmingCharacters(in: .whitespacesAndNewlines)
    }

    /// Commits on top of HEAD, and moves HEAD to, a folder `name` in the top-level folder `parent`
    /// holding one file `file`. It is made with git's plumbing, as a hostile push would bring it:
    /// git itself never writes a name such as `.git` or `..` into a tree. Returns the commit's id.
    @discardableResult
    public func commitCraftedFolder(_ name: String, in parent: String, file: String, contents: String, message: String) throws -> String {
        func object(_ arguments: [String], input: String? = nil) throws -> String {
            try git(arguments, environment: [:], input: input).trimmingCharacters(in: .whitespacesAndNewlines)
        }
        let blob = try object(["hash-object", "-w", "--stdin"], input: contents)
        let folder = try object(["mktree"], input: "100644 blob \(blob)\t\(file)\n")
        let siblings = try git("ls-tree", "HEAD:\(parent)")
        let parentTree = try object(["mktree"], input: siblings + "040000 tree \(folder)\t\(name)\n")
        let others = try git("ls-tree", "HEAD").split(separator: "\n").filter { !$0.hasSuffix("\t\(parent)") }
        let root = try object(["mktree"], input: others.map { "\($0)\n" }.joined() + "040000 tree \(parentTree)\t\(parent)\n")
        let commit = try object(["commit-tree", root, "-p", "HEAD", "-m", message])
        try git("update-ref", "HEAD", commit)
        return commit
    }

    /// Runs `git` with `arguments` in the repository and returns its standard output.
    ///
    /// - Throws: ``GitFixtureError`` with git's standard error when it exits non-zero.
    @discardableResult
    public func git(_ arguments: String...) throws -> String {
        try git(arguments, environment: [:])
    }

    /// Runs `git` with `arguments`, extra environment variables and, if given, standard input.
    @discardableResult
    public func git(_ arguments: [String], environment: [String: String], input: String? = nil) throws -> String {
        try Self.run(["git", "-C", path] + arguments, environment: environment, input: input)
    }

    /// Runs a command and returns its standard output; throws with its standard error on failure.
    @discardableResult
    public static func run(_ arguments: [String], environment: [String: String] = [:], input: String? = nil) throws -> String {
        let result = try CommandResult.run(arguments, environment: environment, input: input)
        guard result.status == 0 else {
            throw GitFixtureError(command: arguments.joined(separator: " "), status: result.status, standardError: result.standardError)
        }
        return result.standardOutput
    }
}

/// A command that failed while building a fixture.
public struct GitFixtureError: Error, CustomStringConvertible {
    public let command: String
    public let status: Int32
    public let standardError: String

    public var description: String {
        "'\(command)' exited with \(status): \(standardError)"
    }
}
