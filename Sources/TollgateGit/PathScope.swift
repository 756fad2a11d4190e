/// The parts of a tree a comparison looks at: whole folders or single files named by their paths.
///
/// Comparing only inside the scope keeps the cost of a commit proportional to what changed in the
/// folders Tollgate cares about, whatever else the repository holds.
public struct PathScope: Sendable, Equatable {
    indirect enum Node: Sendable, Equatable {
        /// Everything below this point is in scope.
        case everything
        /// Only the named children are, each with its own scope.
        case children([[UInt8]: Node])
    }

    let root: Node

    /// A scope of the given paths. A path ending in `/` is a folder and everything below it; any
    /// other path is a single file (or a folder, if the tree has one there). The empty path is the
    /// whole tree.
    public init(paths: [String]) {
        var root = Node.children([:])
        for path in paths {
            let components = path.split(separator: "/", omittingEmptySubsequences: true).map { Array($0.utf8) }
            root = Self.inserting(components[...], into: root)
        }
        self.root = root
    }

    /// The whole tree.
    public static let everything = PathScope(root: .everything)

    private init(root: Node) {
        self.root = root
    }

    private static func inserting(_ components: ArraySlice<[UInt8]>, into node: Node) -> Node {
        guard let first = components.first else { return .everything }
        switch node {
        case .everything:
            return .everything
        case .children(var children):
            children[first] = inserting(components.dropFirst(), into: children[first] ?? .children([:]))
            return .children(children)
        }
    }
}

extension PathScope.Node {
    /// The scope of the child called `name`, or `nil` when it is out of scope.
    func child(named name: UnsafeRawBufferPointer) -> PathScope.Node? {
        switch self {
        case .everything:
            return .everything
        case .children(let children):
            return children[Array(name)]
        }
    }
}
