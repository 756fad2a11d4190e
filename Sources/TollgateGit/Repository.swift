internal import CLibGit2

/// An open git repository: the door through which Tollgate reads commits, trees and blobs.
///
/// Not `Sendable`: a libgit2 repository handle must not be used from two threads at once, and
/// libgit2 keeps its error messages per thread. Open one per task, or hop to one thread.
public final class Repository {
    let pointer: OpaquePointer

    /// The path the repository was opened from, as given.
    public let path: String

    /// The object database, opened on first use by ``rawTree(_:neededBy:)``.
    private var database: ObjectDatabase?

    /// Opens the repository at `path`, or the one enclosing it, as `git` would find it.
    ///
    /// - Throws: ``GitError/notARepository(path:)`` when there is none.
    public init(at path: String) throws(GitError) {
        ensureLibGit2()
        var handle: OpaquePointer?
        let code = git_repository_open_ext(&handle, path, 0, nil)
        if isNotFound(code) { throw .notARepository(path: path) }
        try check(code, "Opening the repository at '\(path)'")
        guard let handle else { throw .notARepository(path: path) }
        pointer = handle
        self.path = path
    }

    deinit {
        git_repository_free(pointer)
    }

    /// Whether this is a shallow clone, whose history stops before the first commit.
    public var isShallow: Bool {
        git_repository_is_shallow(pointer) == 1
    }


    /// The commit at the tip of the local branch `name`.
    ///
    /// - Throws: ``GitError/emptyRepository(path:)`` when nothing was ever committed,
    ///   ``GitError/branchNotFound(name:known:)`` when no such branch exists.
    public func branchTip(named name: String) throws(GitError) -> ObjectID {
        var oid = git_oid()
        let code = git_reference_name_to_id(&oid, pointer, "refs/heads/\(name)")
        if isNotFound(code) || code == GIT_EINVALIDSPEC.rawValue {
            // git_repository_is_empty only knows an unborn "master"; no branch at all is the test
            // that holds whatever the first branch is called.
            let known = try localBranches()
            if known.isEmpty { throw .emptyRepository(path: path) }
            throw .branchNotFound(name: name, known: known)
        }
        try check(code, "Reading branch '\(name)'")
        return ObjectID(oid)
    }

    /// The names of the local branches, sorted.
    public func localBranches() throws(GitError) -> [String] {
        var iterator: OpaquePointer?
        try check(git_branch_iterator_new(&iterator, pointer, GIT_BRANCH_LOCAL), "Listing branches")
        defer { git_branch_iterator_free(iterator) }
        var names: [String] = []
        var reference: OpaquePointer?
        var type = GIT_BRANCH_LOCAL
        while git_branch_next(&reference, &type, iterator) == 0 {
            defer { git_reference_free(reference) }
            var name: UnsafePointer<CChar>?
            if git_branch_name(&name, reference) == 0, let name {
                names.append(String(cString: name))
            }
        }
        return names.sorted()
    }

    /// The commit that `revision` names: an id (full or abbreviated), a branch, a tag, or any
    /// expression `git rev-parse` understands.
    ///
    /// - Throws: ``GitError/revisionNotFound(revision:)`` when it names no commit.
    public func resolveCommit(_ revision: String) throws(GitError) -> ObjectID {
        var object: OpaquePointer?
        let code = git_revparse_single(&object, pointer, revision)
        if isNotFound(code) || code == GIT_EAMBIGUOUS.rawValue || code == GIT_EINVALIDSPEC.rawValue {
            throw .revisionNotFound(revision: revision)
        }
        try check(code, "Resolving '\(revision)'")
        defer { git_object_free(object) }
        var commit: OpaquePointer?
        let peeled = git_object_peel(&commit, object, GIT_OBJECT_COMMIT)
        guard peeled == 0, let commit else { throw .revisionNotFound(revision: revision) }
        defer { git_object_free(commit) }
        return ObjectID(git_object_id(commit))
    }

    /// The commit `id`; `neededBy` says what wanted it, for the error when it is missing.
    public func commit(_ id: ObjectID, neededBy: @autoclosure () -> String = "the history") throws(GitError) -> Commit {
        var oid = id.oid
        var handle: OpaquePointer?
        let code = git_commit_lookup(&handle, pointer, &oid)
        if isNotFound(code) { throw .missingObject(id: id, neededBy: neededBy(), shallow: isShallow) }
        try check(code, "Reading commit \(id.short)")
        guard let handle else { throw .missingObject(id: id, neededBy: neededBy(), shallow: isShallow) }
        return Commit(handle, id: id, repository: self)
    }

    /// The tree `id`; `neededBy` says what wanted it, for the error when it is missing.
    public func tree(_ id: ObjectID, neededBy: @autoclosure () -> String) throws(GitError) -> Tree {
        var oid = id.oid
        var handle: OpaquePointer?
        let code = git_tree_lookup(&handle, pointer, &oid)
        if isNotFound(code) { throw .missingObject(id: id, neededBy: neededBy(), shallow: isShallow) }
        try check(code, "Reading tree \(id.short) of \(neededBy())")
        guard let handle else { throw .missingObject(id: id, neededBy: neededBy(), shallow: isShallow) }
        return Tree(handle, id: id, repository: self)
    }

    /// The tree `id` as raw bytes from the object database, for scanning in place.
    func rawTree(_ id: ObjectID, neededBy: @autoclosure () -> String) throws(GitError) -> RawTree {
        let database = try objectDatabase()
        var oid = id.oid
        var handle: OpaquePointer?
        let code = git_odb_read(&handle, database.pointer, &oid)
        if isNotFound(code) { throw .missingObject(id: id, neededBy: neededBy(), shallow: isShallow) }
        try check(code, "Reading tree \(id.short) of \(neededBy())")
        guard let handle else { throw .missingObject(id: id, neededBy: neededBy(), shallow: isShallow) }
        let tree = RawTree(handle, id: id)
        guard git_odb_object_type(handle) == GIT_OBJECT_TREE else {
            throw .libgit2(code: GIT_EINVALID.rawValue, message: "object \(id.short) is not a tree", context: "Reading \(neededBy())")
        }
        return tree
    }

    private func objectDatabase() throws(GitError) -> ObjectDatabase {
        if let database { return database }
        var handle: OpaquePointer?
        try check(git_repository_odb(&handle, pointer), "Opening the object database of '\(path)'")
        guard let handle else { throw .libgit2(code: -1, message: "no object database", context: "Opening '\(path)'") }
        let opened = ObjectDatabase(handle)
        database = opened
        return opened
    }

    /// The bytes of blob `id`.
    public func blobContents(_ id: ObjectID, neededBy: @autoclosure () -> String) throws(GitError) -> [UInt8] {
        var oid = id.oid
        var handle: OpaquePointer?
        let code = git_blob_lookup(&handle, pointer, &oid)
        if isNotFound(code) { throw .missingObject(id: id, neededBy: neededBy(), shallow: isShallow) }
        try check(code, "Reading blob \(id.short) of \(neededBy())")
        defer { git_blob_free(handle) }
        let size = Int(git_blob_rawsize(handle))
        guard size > 0, let raw = git_blob_rawcontent(handle) else { return [] }
        return Array(UnsafeRawBufferPointer(start: raw, count: size))
    }

    /// Whether `ancestor` is reachable from `descendant` (a commit is not its own ancestor).
    public func isAncestor(_ ancestor: ObjectID, of descendant: ObjectID) throws(GitError) -> Bool {
        var descendantOID = descendant.oid
        var ancestorOID = ancestor.oid
        let code = git_graph_descendant_of(pointer, &descendantOID, &ancestorOID)
        try check(code, "Checking whether \(ancestor.short) is an ancestor of \(descendant.short)")
        return code == 1
    }
}

/// The repository's object database handle; frees it when the repository lets it go.
final class ObjectDatabase {
    let pointer: OpaquePointer

    init(_ pointer: OpaquePointer) {
        self.pointer = pointer
    }

    deinit {
        git_odb_free(pointer)
    }
}
