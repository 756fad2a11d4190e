internal import CLibGit2

/// One tree (folder) object, read from the repository.
public final class Tree {
    let pointer: OpaquePointer
    /// Keeps the repository open for as long as this tree is in use.
    let repository: Repository

    /// The tree's id.
    public let id: ObjectID

    init(_ pointer: OpaquePointer, id: ObjectID, repository: Repository) {
        self.pointer = pointer
        self.id = id
        self.repository = repository
    }

    deinit {
        git_tree_free(pointer)
    }

    /// The blob at `path` (slash-separated, relative to this tree), or `nil` when there is no file
    /// there.
    public func blobID(atPath path: String) throws(GitError) -> ObjectID? {
        var entry: OpaquePointer?
        let code = git_tree_entry_bypath(&entry, pointer, path)
        if isNotFound(code) { return nil }
        try check(code, "Looking up '\(path)' in tree \(id.short)")
        defer { git_tree_entry_free(entry) }
        guard git_tree_entry_type(entry) == GIT_OBJECT_BLOB, let oid = git_tree_entry_id(entry) else { return nil }
        return ObjectID(oid)
    }
}
