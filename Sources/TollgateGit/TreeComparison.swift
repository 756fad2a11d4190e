#if canImport(Glibc)
internal import Glibc
#elseif canImport(Darwin)
internal import Darwin
#endif

/// One file that differs between two trees.
public struct TreeChange: Sendable, Equatable {
    /// The file's path from the root, slash-separated; a name that is not UTF-8 is shown with
    /// U+FFFD in place of its bad bytes (see ``isValidPath``).
    public let path: String
    /// The blob before, or `nil` when the file was added.
    public let oldID: ObjectID?
    /// The blob after, or `nil` when the file was deleted.
    public let newID: ObjectID?
    /// Whether the path is UTF-8 and has no component git itself refuses (`.`, `..`, `.git`):
    /// only such a path can name a stack file that Tollgate reads back.
    public var isValidPath: Bool = true
}

/// Which of the two compared trees a question is about.
public enum TreeSide: Sendable {
    case old, new
}

/// A folder's path from the root as UTF-8 bytes (empty for the root), a key of the folders a
/// comparison opened. Hashed in one call: `[UInt8]`'s own hashing feeds the hasher a byte at a
/// time, a few percent of a history that opens every changed folder.
struct FolderPath: Hashable {
    let bytes: [UInt8]

    static let root = FolderPath([])

    init(_ bytes: [UInt8]) {
        self.bytes = bytes
    }

    init(_ bytes: ArraySlice<UInt8>) {
        self.bytes = Array(bytes)
    }

    func hash(into hasher: inout Hasher) {
        bytes.withUnsafeBytes { hasher.combine(bytes: $0) }
    }
}

/// The files that differ between two trees, and a way to ask about files that did not change.
public struct TreeDelta {
    /// The changed files in git's path order.
    public let changes: [TreeChange]
    /// Reads the folders the comparison did not open.
    let repository: Repository
    /// The folders the comparison opened, by their path, on each side.
    let openedOld: [FolderPath: RawTree]
    let openedNew: [FolderPath: RawTree]

    /// Whether a file exists at `path` on `side`. Answered from the folders the comparison already
    /// opened when it can, so asking about the neighbours of a changed file reads no object.
    public func fileExists(atPath path: String, on side: TreeSide) throws(GitError) -> Bool {
        let opened = side == .old ? openedOld : openedNew
        let bytes = Array(path.utf8)
        // Start from the deepest folder already open on the way to the file: often its own folder,
        // so the answer needs no object read.
        var end = bytes.endIndex
        while let slash = bytes[..<end].lastIndex(of: UInt8(ascii: "/")) {
            if let tree = opened[FolderPath(bytes[..<slash])] {
                return try fileExists(bytes[(slash + 1)...], in: tree, path: path)
            }
            end = slash
        }
        guard let root = opened[.root] else { return false }
        return try fileExists(bytes[...], in: root, path: path)
    }

    /// Whether `relative`, a path below `tree`, names a file; reads the folders on the way.
    private func fileExists(_ relative: ArraySlice<UInt8>, in tree: RawTree, path: String) throws(GitError) -> Bool {
        var tree = tree
        var rest = relative
        while true {
            let slash = rest.firstIndex(of: UInt8(ascii: "/"))
            let name = rest[..<(slash ?? rest.endIndex)]
            guard !name.isEmpty, let entry = try tree.entry(named: name) else { return false }
            guard let slash else { return entry.isBlob }
            guard entry.isTree else { return false }
            tree = try repository.rawTree(tree.objectID(of: entry), neededBy: "'\(path)'")
            rest = rest[(slash + 1)...]
        }
    }
}

/// Compares trees along a history, file by file, inside a ``PathScope``.
///
/// Tree objects are read raw from the object database and their entries scanned in place, as git's
/// own `tree_desc` does: entries are compared by object id in git's sorted order before any string
/// is made, and only the folders whose ids differ are opened, so the cost follows what changed.
/// Rename detection is not used: it costs time in proportion to the repository, and a moved file
/// is a deletion plus an addition anyway.
///
/// Along a first-parent walk the old side of one step is the new side of the next, so the folders
/// opened on the old side are kept for one step and reused instead of being read again.
public final class TreeComparer {
    private let repository: Repository
    private let scope: PathScope
    private var reusable: [ObjectID: RawTree] = [:]

    /// A comparer of trees from `repository`, looking only inside `scope`.
    public init(repository: Repository, scope: PathScope) {
        self.repository = repository
        self.scope = scope
    }

    /// The files in scope that differ from `old` (nothing, for a root commit) to `new`.
    ///
    /// - Parameter commit: the commit whose change this is, named in errors.
    public func compare(old: Tree?, new: Tree?, commit: ObjectID?) throws(GitError) -> TreeDelta {
        try compare(oldTree: old?.id, newTree: new?.id, commit: commit)
    }

    /// The files in scope that differ from the tree `oldTree` (nothing, for a root commit) to the
    /// tree `newTree`, both named by id, as a commit names its root tree.
    ///
    /// - Parameter commit: the commit whose change this is, named in errors.
    public func compare(oldTree: ObjectID?, newTree: ObjectID?, commit: ObjectID?) throws(GitError) -> TreeDelta {
        var walk = Walk(repository: repository, reusable: reusable, commit: commit)
        let neededBy = commit.map { "commit \($0.short)" } ?? "the comparison"
        let old = try oldTree.map { id throws(GitError) in try walk.open(id, neededBy: neededBy) }
        let new = try newTree.map { id throws(GitError) in try walk.open(id, neededBy: neededBy) }
        if let old { walk.openedOld[.root] = old }
        if let new { walk.openedNew[.root] = new }
        try walk.compare(old: old, new: new, scope: scope.root, prefix: [])
        var nextReusable: [ObjectID: RawTree] = [:]
        for tree in walk.openedOld.values { nextReusable[tree.id] = tree }
        reusable = nextReusable
        return TreeDelta(changes: walk.changes, repository: repository, openedOld: walk.openedOld, openedNew: walk.openedNew)
    }

    /// The state of one comparison.
    private struct Walk {
        let repository: Repository
        let reusable: [ObjectID: RawTree]
        let commit: ObjectID?
        var changes: [TreeChange] = []
        var openedOld: [FolderPath: RawTree] = [:]
        var openedNew: [FolderPath: RawTree] = [:]

        init(repository: Repository, reusable: [ObjectID: RawTree], commit: ObjectID?) {
            self.repository = repository
            self.reusable = reusable
            self.commit = commit
        }

        mutating func compare(old: RawTree?, new: RawTree?, scope: PathScope.Node, prefix: [UInt8]) throws(GitError) {
            var oldOffset = 0
            var newOffset = 0
            if let old, let new { Self.skipSame(old, &oldOffset, new, &newOffset) }
            var oldEntry = try old?.entry(at: oldOffset)
            var newEntry = try new?.entry(at: newOffset)
            while true {
                let order: Order
                if let oldEntry, let newEntry, let old, let new {
                    order = Self.order(oldEntry, in: old, newEntry, in: new)
                } else if oldEntry != nil {
                    order = .oldFirst
                } else if newEntry != nil {
                    order = .newFirst
                } else {
                    return
                }
                switch order {
                case .identical:
                    break
                case .changed:
                    try visit(old: oldEntry, in: old, new: newEntry, in: new, scope: scope, prefix: prefix)
                case .oldFirst:
                    try visit(old: oldEntry, in: old, new: nil, in: nil, scope: scope, prefix: prefix)
                case .newFirst:
                    try visit(old: nil, in: nil, new: newEntry, in: new, scope: scope, prefix: prefix)
                }
                if order != .newFirst, let entry = oldEntry { oldOffset = entry.end }
                if order != .oldFirst, let entry = newEntry { newOffset = entry.end }
                if let old, let new { Self.skipSame(old, &oldOffset, new, &newOffset) }
                oldEntry = try old?.entry(at: oldOffset)
                newEntry = try new?.entry(at: newOffset)
            }
        }

        /// Moves both offsets past the entries that are byte for byte the same on both sides, without
        /// parsing a mode or looking at a name: most entries of two neighbouring trees are. When all
        /// that is left is the same, as after the one changed entry of a large folder, a single
        /// comparison skips it.
        @inline(__always)
        private static func skipSame(_ old: RawTree, _ oldOffset: inout Int, _ new: RawTree, _ newOffset: inout Int) {
            if old.sameTail(from: oldOffset, as: new, from: newOffset) {
                oldOffset = old.bytes.count
                newOffset = new.bytes.count
                return
            }
            while let oldEnd = old.end(ofEntryAt: oldOffset), old.sameBytes(oldOffset, oldEnd, in: new, at: newOffset) {
                newOffset += oldEnd - oldOffset
                oldOffset = oldEnd
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
        /// identical, so that case is settled first with one `memcmp` of the names and one of the
        /// ids; git's full rule (a folder's name sorts as if it ended in "/") is needed only where
        /// they differ.
        @inline(__always)
        private static func order(_ old: RawTreeEntry, in oldTree: RawTree, _ new: RawTreeEntry, in newTree: RawTree) -> Order {
            let oldName = oldTree.name(of: old)
            let newName = newTree.name(of: new)
            let common = min(oldName.count, newName.count)
            let difference: Int32
            if let oldBase = oldName.baseAddress, let newBase = newName.baseAddress {
                difference = memcmp(oldBase, newBase, common)
            } else {
                difference = 0
            }
            if difference != 0 { return difference < 0 ? .oldFirst : .newFirst }
            if oldName.count == newName.count {
                if old.isTree == new.isTree {
                    guard old.mode == new.mode, oldTree.sameObject(old, as: new, in: newTree) else { return .changed }
                    return .identical
                }
                // A file and a folder of one name: the file sorts first, as "x" before "x/".
                return old.isTree ? .newFirst : .oldFirst
            }
            let oldNext = oldName.count > common ? oldName[common] : (old.isTree ? UInt8(ascii: "/") : 0)
            let newNext = newName.count > common ? newName[common] : (new.isTree ? UInt8(ascii: "/") : 0)
            return oldNext < newNext ? .oldFirst : .newFirst
        }

        private mutating func visit(
            old: RawTreeEntry?, in oldTree: RawTree?, new: RawTreeEntry?, in newTree: RawTree?,
            scope: PathScope.Node, prefix: [UInt8]
        ) throws(GitError) {
            let name: UnsafeRawBufferPointer
            if let old, let oldTree {
                name = oldTree.name(of: old)
            } else if let new, let newTree {
                name = newTree.name(of: new)
            } else {
                return
            }
            guard let childScope = scope.child(named: name) else { return }
            var path = prefix
            if !path.isEmpty { path.append(UInt8(ascii: "/")) }
            path.append(contentsOf: name)
            let oldIsTree = old?.isTree ?? false
            let newIsTree = new?.isTree ?? false
            if oldIsTree || newIsTree {
                let opened = try (open(old, in: oldTree, path: path), open(new, in: newTree, path: path))
                if let tree = opened.0 { openedOld[FolderPath(path)] = tree }
                if let tree = opened.1 { openedNew[FolderPath(path)] = tree }
                try compare(old: opened.0, new: opened.1, scope: childScope, prefix: path)
            } else {
                let text = String(validating: path, as: UTF8.self)
                changes.append(TreeChange(
                    path: text ?? String(decoding: path, as: UTF8.self),
                    oldID: old.flatMap { entry in oldTree?.objectID(of: entry) },
                    newID: new.flatMap { entry in newTree?.objectID(of: entry) },
                    isValidPath: text != nil && Self.hasValidComponents(path)
                ))
            }
        }

        /// The folder `entry` of `tree` names, or `nil` when it names none.
        private func open(_ entry: RawTreeEntry?, in tree: RawTree?, path: [UInt8]) throws(GitError) -> RawTree? {
            guard let entry, entry.isTree, let tree else { return nil }
            return try open(tree.objectID(of: entry), neededBy: Self.describe(path, in: commit))
        }

        /// The tree `id`, from the previous comparison when it opened it.
        func open(_ id: ObjectID, neededBy: @autoclosure () -> String) throws(GitError) -> RawTree {
            if let tree = reusable[id] { return tree }
            return try repository.rawTree(id, neededBy: neededBy())
        }

        /// A folder as errors name it.
        private static func describe(_ path: [UInt8], in commit: ObjectID?) -> String {
            let name = String(decoding: path, as: UTF8.self)
            return commit.map { "'\(name)' in commit \($0.short)" } ?? "'\(name)'"
        }

        /// Whether `path` has no empty, `.`, `..` or `.git` component (`.git` in any case); a crafted
        /// tree may hold any of them, and one bad name must only fail its own stack, never the
        /// history. Read on the bytes: only ASCII letters lower-case to `g`, `i` or `t`.
        private static func hasValidComponents(_ path: [UInt8]) -> Bool {
            var start = 0
            while start <= path.count {
                let end = path[start...].firstIndex(of: UInt8(ascii: "/")) ?? path.count
                if !isValid(component: path[start..<end]) { return false }
                start = end + 1
            }
            return true
        }

        private static func isValid(component name: ArraySlice<UInt8>) -> Bool {
            let dot = UInt8(ascii: ".")
            switch name.count {
            case 0: return false
            case 1: return name.first != dot
            case 2: return !(name.first == dot && name.last == dot)
            case 4:
                let first = name.startIndex
                // `| 0x20` lower-cases an ASCII letter, and no other byte becomes g, i or t.
                return !(name[first] == dot && name[first + 1] | 0x20 == UInt8(ascii: "g")
                    && name[first + 2] | 0x20 == UInt8(ascii: "i") && name[first + 3] | 0x20 == UInt8(ascii: "t"))
            default: return true
            }
        }
    }
}
