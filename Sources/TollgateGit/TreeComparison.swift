internal import CLibGit2
#if canImport(Glibc)
internal import Glibc
#elseif canImport(Darwin)
internal import Darwin
#endif

/// One file that differs between two trees.
public struct TreeChange: Sendable, Equatable {
    /// The file's path from the root, slash-separated.
    public let path: String
    /// The blob before, or `nil` when the file was added.
    public let oldID: ObjectID?
    /// The blob after, or `nil` when the file was deleted.
    public let newID: ObjectID?
}

/// Which of the two compared trees a question is about.
public enum TreeSide: Sendable {
    case old, new
}

/// The files that differ between two trees, and a way to ask about files that did not change.
public struct TreeDelta {
    /// The changed files in git's path order.
    public let changes: [TreeChange]
    /// The folders the comparison opened, by path ("" is the root), on each side.
    let openedOld: [String: Tree]
    let openedNew: [String: Tree]

    /// Whether a file exists at `path` on `side`. Answered from the folders the comparison already
    /// opened when it can, so asking about the neighbours of a changed file reads no object.
    public func fileExists(atPath path: String, on side: TreeSide) throws(GitError) -> Bool {
        let opened = side == .old ? openedOld : openedNew
        // Start from the deepest folder already open on the way to the file: often its own folder,
        // so the answer needs no object read.
        var folder = Substring(path)
        while let slash = folder.lastIndex(of: "/") {
            folder = folder[..<slash]
            if let tree = opened[String(folder)] {
                return try tree.blobID(atPath: String(path[path.index(after: slash)...])) != nil
            }
        }
        guard let root = opened[""] else { return false }
        return try root.blobID(atPath: path) != nil
    }
}

/// Compares trees along a history, file by file, inside a ``PathScope``.
///
/// Entries are compared by object id in git's sorted order before any string is made, and only the
/// folders whose ids differ are opened, so the cost follows what changed. Rename detection is not
/// used: it costs time in proportion to the repository, and a moved file is a deletion plus an
/// addition anyway.
///
/// Along a first-parent walk the old side of one step is the new side of the next, so the folders
/// opened on the old side are kept for one step and reused instead of being read again.
public final class TreeComparer {
    private let repository: Repository
    private let scope: PathScope
    private var reusable: [ObjectID: Tree] = [:]

    /// A comparer of trees from `repository`, looking only inside `scope`.
    public init(repository: Repository, scope: PathScope) {
        self.repository = repository
        self.scope = scope
    }

    /// The files in scope that differ from `old` (nothing, for a root commit) to `new`.
    ///
    /// - Parameter commit: the commit whose change this is, named in errors.
    public func compare(old: Tree?, new: Tree?, commit: ObjectID?) throws(GitError) -> TreeDelta {
        var walk = Walk(repository: repository, reusable: reusable, commit: commit)
        if let old { walk.openedOld[""] = old }
        if let new { walk.openedNew[""] = new }
        try walk.compare(old: old, new: new, scope: scope.root, prefix: [])
        var nextReusable: [ObjectID: Tree] = [:]
        for tree in walk.openedOld.values { nextReusable[tree.id] = tree }
        reusable = nextReusable
        return TreeDelta(changes: walk.changes, openedOld: walk.openedOld, openedNew: walk.openedNew)
    }

    /// The state of one comparison.
    private struct Walk {
        let repository: Repository
        let reusable: [ObjectID: Tree]
        let commit: ObjectID?
        var changes: [TreeChange] = []
        var openedOld: [String: Tree] = [:]
        var openedNew: [String: Tree] = [:]

        init(repository: Repository, reusable: [ObjectID: Tree], commit: ObjectID?) {
            self.repository = repository
            self.reusable = reusable
            self.commit = commit
        }

        mutating func compare(old: Tree?, new: Tree?, scope: PathScope.Node, prefix: [UInt8]) throws(GitError) {
            let oldCount = old.map { git_tree_entrycount($0.pointer) } ?? 0
            let newCount = new.map { git_tree_entrycount($0.pointer) } ?? 0
            var oldIndex = 0
            var newIndex = 0
            while oldIndex < oldCount || newIndex < newCount {
                let oldEntry = oldIndex < oldCount ? old.flatMap { git_tree_entry_byindex($0.pointer, oldIndex) } : nil
                let newEntry = newIndex < newCount ? new.flatMap { git_tree_entry_byindex($0.pointer, newIndex) } : nil
                switch Self.order(oldEntry, newEntry) {
                case .identical:
                    oldIndex += 1
                    newIndex += 1
                case .changed:
                    try visit(old: oldEntry, new: newEntry, scope: scope, prefix: prefix)
                    oldIndex += 1
                    newIndex += 1
                case .oldFirst:
                    try visit(old: oldEntry, new: nil, scope: scope, prefix: prefix)
                    oldIndex += 1
                case .newFirst:
                    try visit(old: nil, new: newEntry, scope: scope, prefix: prefix)
                    newIndex += 1
                }
            }
        }

        private enum Order {
            /// The same name, mode and object on both sides: nothing to do.
            case identical
            /// The same name and kind on both sides, with other contents.
            case changed
            /// Only the old side has this entry, or it sorts first.
            case oldFirst
            /// Only the new side has this entry, or it sorts first.
            case newFirst
        }

        /// Where two entries stand in git's tree order. Most entries of two neighbouring trees are
        /// identical, so that case is settled first with one `strcmp` and an id comparison; git's
        /// full rule (a folder's name sorts as if it ended in "/") is needed only where they differ.
        private static func order(_ old: OpaquePointer?, _ new: OpaquePointer?) -> Order {
            guard let old else { return .newFirst }
            guard let new else { return .oldFirst }
            guard let oldName = git_tree_entry_name(old), let newName = git_tree_entry_name(new) else { return .changed }
            let oldMode = git_tree_entry_filemode(old)
            let newMode = git_tree_entry_filemode(new)
            let oldIsTree = oldMode == GIT_FILEMODE_TREE
            let newIsTree = newMode == GIT_FILEMODE_TREE
            if strcmp(oldName, newName) == 0 {
                if oldIsTree == newIsTree {
                    guard oldMode == newMode, let oldID = git_tree_entry_id(old), let newID = git_tree_entry_id(new),
                          git_oid_equal(oldID, newID) == 1 else { return .changed }
                    return .identical
                }
                // A file and a folder of one name: the file sorts first, as "x" before "x/".
                return oldIsTree ? .newFirst : .oldFirst
            }
            var index = 0
            while true {
                var a = UInt8(bitPattern: oldName[index])
                var b = UInt8(bitPattern: newName[index])
                if a == b {
                    index += 1
                    continue
                }
                if a == 0 { a = oldIsTree ? UInt8(ascii: "/") : 0 }
                if b == 0 { b = newIsTree ? UInt8(ascii: "/") : 0 }
                return a < b ? .oldFirst : .newFirst
            }
        }

        private mutating func visit(old: OpaquePointer?, new: OpaquePointer?, scope: PathScope.Node, prefix: [UInt8]) throws(GitError) {
            guard let anyEntry = old ?? new, let rawName = git_tree_entry_name(anyEntry) else { return }
            let length = strlen(rawName)
            let childScope = rawName.withMemoryRebound(to: UInt8.self, capacity: length) { bytes in
                scope.child(named: UnsafeBufferPointer(start: bytes, count: length))
            }
            guard let childScope else { return }
            var path = prefix
            if !path.isEmpty { path.append(UInt8(ascii: "/")) }
            rawName.withMemoryRebound(to: UInt8.self, capacity: length) { bytes in
                path.append(contentsOf: UnsafeBufferPointer(start: bytes, count: length))
            }
            let oldIsTree = old.map { git_tree_entry_filemode($0) == GIT_FILEMODE_TREE } ?? false
            let newIsTree = new.map { git_tree_entry_filemode($0) == GIT_FILEMODE_TREE } ?? false
            if oldIsTree || newIsTree {
                let pathString = try string(path)
                let oldTree = try old.map { entry throws(GitError) in try open(entry, path: pathString) }
                let newTree = try new.map { entry throws(GitError) in try open(entry, path: pathString) }
                if let oldTree { openedOld[pathString] = oldTree }
                if let newTree { openedNew[pathString] = newTree }
                try compare(old: oldTree, new: newTree, scope: childScope, prefix: path)
            } else {
                changes.append(TreeChange(
                    path: try string(path),
                    oldID: old.flatMap { git_tree_entry_id($0) }.map { ObjectID($0) },
                    newID: new.flatMap { git_tree_entry_id($0) }.map { ObjectID($0) }
                ))
            }
        }

        private func open(_ entry: OpaquePointer, path: String) throws(GitError) -> Tree {
            guard let raw = git_tree_entry_id(entry) else {
                throw .libgit2(code: -1, message: "tree entry without an id", context: "Reading '\(path)'")
            }
            let id = ObjectID(raw)
            if let tree = reusable[id] { return tree }
            let where_ = commit.map { "'\(path)' in commit \($0.short)" } ?? "'\(path)'"
            return try repository.tree(id, neededBy: where_)
        }

        private func string(_ path: [UInt8]) throws(GitError) -> String {
            guard let text = String(validating: path, as: UTF8.self) else {
                throw .pathNotUTF8(path: String(decoding: path, as: UTF8.self), commit: commit)
            }
            return text
        }
    }
}
