internal import CLibGit2

extension Repository {
    /// The commits that merge `merge` brought into its first parent's line: every commit reachable
    /// from its other parents and not from its first parent, newest first in libgit2's walk order.
    ///
    /// A merge bot's `--no-ff` merge is one commit on the first-parent line, but the change it
    /// carries was written in these commits; whoever wrote them wrote the change.
    /// - Throws: ``GitError`` when the walk cannot read an object.
    public func commitsBrought(byMerge merge: Commit) throws(GitError) -> [ObjectID] {
        let parents = merge.parentIDs
        guard parents.count > 1, let first = parents.first else { return [] }
        var walk: OpaquePointer?
        try check(git_revwalk_new(&walk, pointer), "Walking the commits merged by \(merge.id.short)")
        defer { git_revwalk_free(walk) }
        try check(git_revwalk_sorting(walk, GIT_SORT_TOPOLOGICAL.rawValue), "Walking the commits merged by \(merge.id.short)")
        for side in parents.dropFirst() {
            var oid = side.oid
            try check(git_revwalk_push(walk, &oid), "Walking the commits merged by \(merge.id.short)")
        }
        var hidden = first.oid
        try check(git_revwalk_hide(walk, &hidden), "Walking the commits merged by \(merge.id.short)")
        var commits: [ObjectID] = []
        var next = git_oid()
        while true {
            let code = git_revwalk_next(&next, walk)
            if code == GIT_ITEROVER.rawValue { break }
            if isNotFound(code) { throw .missingObject(id: merge.id, neededBy: "the commits merged by \(merge.id.short)", shallow: isShallow) }
            try check(code, "Walking the commits merged by \(merge.id.short)")
            commits.append(ObjectID(next))
        }
        return commits
    }
}

extension Repository {
    /// The signature stored in commit `id`'s `gpgsig` header and the bytes it covers (the commit
    /// object without that header), or nil for an unsigned commit.
    ///
    /// - Throws: ``GitError`` when the commit cannot be read.
    public func commitSignature(_ id: ObjectID) throws(GitError) -> (signature: [UInt8], signedData: [UInt8])? {
        var signature = git_buf()
        var signed = git_buf()
        defer {
            git_buf_dispose(&signature)
            git_buf_dispose(&signed)
        }
        var oid = id.oid
        let code = git_commit_extract_signature(&signature, &signed, pointer, &oid, nil)
        if isNotFound(code) { return nil }
        try check(code, "Reading the signature of commit \(id.short)")
        func bytes(_ buffer: git_buf) -> [UInt8] {
            guard let pointer = buffer.ptr, buffer.size > 0 else { return [] }
            return Array(UnsafeRawBufferPointer(start: pointer, count: Int(buffer.size)))
        }
        return (bytes(signature), bytes(signed))
    }
}

extension Repository {
    /// The size in bytes of object `id`, read from its header without loading its content, so
    /// that an oversized blob can be refused before it is read into memory.
    ///
    /// - Throws: ``GitError/missingObject(id:neededBy:shallow:)`` when it is absent.
    public func objectSize(_ id: ObjectID, neededBy: @autoclosure () -> String) throws(GitError) -> Int {
        var odb: OpaquePointer?
        try check(git_repository_odb(&odb, pointer), "Opening the object database")
        defer { git_odb_free(odb) }
        var size = 0
        var type = GIT_OBJECT_ANY
        var oid = id.oid
        let code = git_odb_read_header(&size, &type, odb, &oid)
        if isNotFound(code) { throw .missingObject(id: id, neededBy: neededBy(), shallow: isShallow) }
        try check(code, "Reading the header of object \(id.short) of \(neededBy())")
        return size
    }
}
