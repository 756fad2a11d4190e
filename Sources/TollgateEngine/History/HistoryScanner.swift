import TollgateCore
import TollgateGit

/// Finds, for each commit on a branch's first-parent history, which stacks it changed.
///
/// A merge is compared with its first parent, the state of the branch before the merge. The walk
/// goes newest-first without sorting, which libgit2 streams without reading the whole history
/// first, and each step reuses the previous step's trees.
struct HistoryScanner {
    private let repository: Repository
    private let layout: StackLayout

    /// A scanner of `repository` that finds stacks with `layout`.
    init(repository: Repository, layout: StackLayout) {
        self.repository = repository
        self.layout = layout
    }

    /// Calls `body` for each commit from `tip` back along first parents, newest first, stopping
    /// after the first commit or before `stop`. `body` also gets the commit as read, for its author,
    /// committer and message, so that nothing needs to read it again.
    ///
    /// - Throws: ``HistoryError/notOnFirstParentHistory(revision:branch:)`` when `stop` is given
    ///   and the walk never meets it; ``GitError`` for a missing or damaged object; ``LayoutError``
    ///   when two files claim one stack.
    func scan(
        from tip: ObjectID,
        stoppingBefore stop: (id: ObjectID, revision: String, branch: String)? = nil,
        _ body: (ScannedCommit, Commit) throws -> Void
    ) throws {
        let comparer = TreeComparer(repository: repository, scope: PathScope(paths: layout.watchedPaths))
        var commit = try repository.commit(tip)
        while true {
            let parentID = commit.firstParentID
            let parent = try parentID.map { id throws(GitError) in try repository.commit(id, neededBy: "commit \(commit.id.short)") }
            let delta = try comparer.compare(oldTree: parent?.treeID, newTree: commit.treeID, commit: commit.id)
            try body(classify(delta, commit: commit.id, parent: parentID), commit)
            guard let parent else {
                if let stop { throw HistoryError.notOnFirstParentHistory(revision: stop.revision, branch: stop.branch) }
                return
            }
            if parent.id == stop?.id { return }
            commit = parent
        }
    }

    /// The commits that the merge `merge` brought in, each compared with its own first parent,
    /// newest first; only those that changed a stack, a policy or the settings.
    ///
    /// - Throws: ``GitError`` for a missing or damaged object; ``LayoutError`` when two files
    ///   claim one stack.
    func commitsBrought(byMerge merge: ObjectID) throws -> [ScannedCommit] {
        let mergeCommit = try repository.commit(merge)
        let comparer = TreeComparer(repository: repository, scope: PathScope(paths: layout.watchedPaths))
        var scanned: [ScannedCommit] = []
        for id in try repository.commitsBrought(byMerge: mergeCommit) {
            let commit = try repository.commit(id, neededBy: "merge \(merge.short)")
            let parentID = commit.firstParentID
            let parentTree = try parentID.map { parent throws(GitError) in
                try repository.commit(parent, neededBy: "commit \(id.short)").tree()
            }
            let delta = try comparer.compare(old: parentTree, new: try commit.tree(), commit: id)
            let classified = try classify(delta, commit: id, parent: parentID)
            if classified.isRelevant { scanned.append(classified) }
        }
        return scanned
    }

    /// Sorts the changed files of one commit into stacks, policies and settings.
    private func classify(_ delta: TreeDelta, commit: ObjectID, parent: ObjectID?) throws -> ScannedCommit {
        var policyFiles: [String] = []
        var changedSettings = false
        var stackFiles: [String: [String]] = [:]
        var unreadable: [String: [String]] = [:]
        for change in delta.changes {
            if !change.isValidPath {
                // Kept only where the bad path exists after the commit: deleting or renaming it recovers.
                guard change.newID != nil, !StackLayout.isReserved(change.path) else { continue }
                for match in layout.matches(for: change.path) {
                    stackFiles[match.stack, default: []].append(change.path)
                    unreadable[match.stack, default: []].append(change.path)
                }
            } else if change.path == StackLayout.settingsFile {
                changedSettings = true
            } else if change.path.hasPrefix(StackLayout.policiesFolder) {
                policyFiles.append(change.path)
            } else {
                for match in layout.matches(for: change.path) {
                    stackFiles[match.stack, default: []].append(change.path)
                }
            }
        }
        var stacks: [StackChange] = []
        for (name, files) in stackFiles.sorted(by: { $0.key < $1.key }) {
            let candidates = layout.templatePaths(for: name)
            let before = try candidates.filter { path throws(GitError) in try delta.fileExists(atPath: path, on: .old) }
            let after = try candidates.filter { path throws(GitError) in try delta.fileExists(atPath: path, on: .new) }
            if after.count > 1, layout.template(among: after) == nil {
                throw LayoutError.duplicateStack(name: name, firstPath: after[0], secondPath: after[1], commit: commit.short)
            }
            let kind: StackChangeKind
            switch (before.isEmpty, after.isEmpty) {
            case (true, true) where unreadable[name] != nil: kind = .modified
            case (true, true): continue
            case (true, false): kind = .added
            case (false, true): kind = .deleted
            case (false, false): kind = .modified
            }
            stacks.append(StackChange(name: name, change: kind, files: Array(Set(files)).sorted()))
        }
        var scanned = ScannedCommit(id: commit, parent: parent, stacks: stacks, policyFiles: policyFiles, changedSettings: changedSettings)
        scanned.unreadablePaths = unreadable
        return scanned
    }
}
