public import TollgateCore

/// A failure reading a repository, with the context a user needs to act on it.
///
/// libgit2 reports failures as an integer code plus a per-thread message; ``GitError`` keeps the
/// message and adds what Tollgate was doing (the path, ref or commit), so that no error reaches a
/// user as a bare code.
public enum GitError: TollgateError, Equatable, Sendable {
    /// `path` is not inside a git repository.
    case notARepository(path: String)
    /// The repository has no commits at all.
    case emptyRepository(path: String)
    /// No branch called `name` exists; `known` lists the branches that do.
    case branchNotFound(name: String, known: [String])
    /// `revision` names no commit.
    case revisionNotFound(revision: String)
    /// An object the history needs is absent: a shallow clone, or a damaged repository.
    case missingObject(id: ObjectID, neededBy: String, shallow: Bool)
    /// Any other libgit2 failure, with its own message and what Tollgate was doing.
    case libgit2(code: Int32, message: String, context: String)

    public var description: String {
        switch self {
        case .notARepository(let path):
            return "'\(path)' is not a git repository (or inside one)."
        case .emptyRepository(let path):
            return "The repository at '\(path)' has no commits yet; commit the stacks first."
        case .branchNotFound(let name, let known):
            let list = known.isEmpty ? "none" : known.prefix(10).joined(separator: ", ")
            return "Branch '\(name)' does not exist (local branches: \(list))."
        case .revisionNotFound(let revision):
            return "'\(revision)' does not name a commit in this repository."
        case .missingObject(let id, let neededBy, let shallow):
            if shallow {
                return "History stops at \(neededBy): object \(id.short) is not in this shallow clone; run 'git fetch --unshallow' first."
            }
            return "Object \(id.short) needed by \(neededBy) is missing: the repository is damaged; run 'git fsck'."
        case .libgit2(_, let message, let context):
            return "\(context): \(message)"
        }
    }
}

extension GitError {
    public var kind: ErrorKind {
        switch self {
        case .notARepository, .branchNotFound, .revisionNotFound: .notFound
        case .emptyRepository: .invalidInput
        case .missingObject, .libgit2: .unavailable
        }
    }

    public var remedy: ErrorRemedy? {
        switch self {
        case .notARepository: .chooseRepository
        case .branchNotFound: .chooseBranch
        default: nil
        }
    }
}
