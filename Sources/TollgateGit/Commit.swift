internal import CLibGit2

/// One commit, read from the repository.
///
/// Owns its libgit2 handle; the strings it returns are copied out while the handle is alive.
public final class Commit {
    private let pointer: OpaquePointer
    /// Keeps the repository open for as long as this commit is in use.
    private let repository: Repository

    /// The commit's id.
    public let id: ObjectID

    init(_ pointer: OpaquePointer, id: ObjectID, repository: Repository) {
        self.pointer = pointer
        self.id = id
        self.repository = repository
    }

    deinit {
        git_commit_free(pointer)
    }

    /// The id of the commit's root tree.
    public var treeID: ObjectID {
        ObjectID(git_commit_tree_id(pointer))
    }

    /// The commit's root tree.
    public func tree() throws(GitError) -> Tree {
        try repository.tree(treeID, neededBy: "commit \(id.short)")
    }

    /// The first parent, the state of the branch before this commit; `nil` for a root commit.
    public var firstParentID: ObjectID? {
        guard git_commit_parentcount(pointer) > 0, let parent = git_commit_parent_id(pointer, 0) else { return nil }
        return ObjectID(parent)
    }

    /// Every parent, first parent first.
    public var parentIDs: [ObjectID] {
        (0..<git_commit_parentcount(pointer)).compactMap { index in
            git_commit_parent_id(pointer, index).map { ObjectID($0) }
        }
    }

    /// Who wrote the change.
    public var author: GitSignature {
        GitSignature(git_commit_author(pointer))
    }

    /// Who made the commit.
    public var committer: GitSignature {
        GitSignature(git_commit_committer(pointer))
    }

    /// The full message. A message that is not UTF-8 is repaired, since it is only shown.
    public var message: String {
        guard let raw = git_commit_message(pointer) else { return "" }
        return String(cString: raw)
    }

    /// The first line of the message.
    public var summary: String {
        let text = message
        guard let end = text.firstIndex(where: { $0 == "\n" || $0 == "\r\n" }) else { return text }
        return String(text[..<end])
    }
}

/// A name, an e-mail address and a moment with the writer's UTC offset, as git records them.
public struct GitSignature: Sendable, Equatable {
    /// The person's name.
    public let name: String
    /// The person's e-mail address.
    public let email: String
    /// Seconds since 1970-01-01T00:00:00Z.
    public let time: Int64
    /// The writer's offset from UTC, in minutes.
    public let offsetMinutes: Int

    init(_ signature: UnsafePointer<git_signature>?) {
        guard let signature else {
            self.init(name: "", email: "", time: 0, offsetMinutes: 0)
            return
        }
        let value = signature.pointee
        self.init(
            name: value.name.map { String(cString: $0) } ?? "",
            email: value.email.map { String(cString: $0) } ?? "",
            time: Int64(value.when.time),
            offsetMinutes: Int(value.when.offset)
        )
    }

    /// A signature from its parts.
    public init(name: String, email: String, time: Int64, offsetMinutes: Int) {
        self.name = name
        self.email = email
        self.time = time
        self.offsetMinutes = offsetMinutes
    }
}
