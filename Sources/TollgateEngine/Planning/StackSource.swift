public import TollgateCore
import TollgateGit

/// One stack's files as a commit holds them.
public struct StackSource: Sendable {
    /// The stack's name.
    public let name: String
    /// The commit they were read from.
    let commit: ObjectID
    /// The template's path in the repository.
    public let templatePath: String
    /// The template's bytes.
    public let template: [UInt8]
    /// The configuration's path, when the stack has one at this commit.
    public let configPath: String?
    /// The configuration's bytes.
    public let config: [UInt8]?

    /// How errors name a file of this stack: git's own `commit:path` form, which `git show` takes.
    public func displayName(of path: String) -> String {
        "\(commit.short):\(path)"
    }

    /// The stack as CloudFormation would run it: the template parsed and the configuration's
    /// parameters checked against it.
    ///
    /// - Throws: ``TemplateError`` or ``ConfigurationError`` naming `commit:path`, line and column.
    public func snapshot() throws -> StackSnapshot {
        let template = try TemplateParser.parse(self.template, fileName: displayName(of: templatePath))
        let configuration = try config.map { bytes in
            try TemplateConfiguration.parse(bytes, fileName: displayName(of: configPath ?? ""))
        } ?? TemplateConfiguration(fileName: "(no configuration file)")
        return try StackSnapshot(template: template, configuration: configuration)
    }
}

extension OpenRepository {
    /// The files of stack `name` at `commit`, or `nil` when the stack has no template there.
    ///
    /// - Throws: ``LayoutError/duplicateStack(name:firstPath:secondPath:commit:)`` when two
    ///   templates claim the stack, ``GitError`` when an object cannot be read.
    func stackSource(_ name: String, at commit: ObjectID) throws -> StackSource? {
        let tree = try repository.commit(commit).tree()
        var found: [(path: String, blob: ObjectID)] = []
        for path in settings.layout.templatePaths(for: name) {
            if let blob = try tree.blobID(atPath: path) { found.append((path, blob)) }
        }
        guard !found.isEmpty else { return nil }
        guard let chosen = settings.layout.template(among: found.map(\.path)),
              let template = found.first(where: { $0.path == chosen })
        else {
            throw LayoutError.duplicateStack(name: name, firstPath: found[0].path, secondPath: found[1].path, commit: commit.short)
        }
        // CloudFormation's own limit, checked on the object's header before its bytes are read.
        let size = try repository.objectSize(template.blob, neededBy: "\(commit.short):\(template.path)")
        guard size <= TemplateParser.maximumTemplateBytes else {
            throw TemplateError.tooLarge(fileName: "\(commit.short):\(template.path)", bytes: size, limit: TemplateParser.maximumTemplateBytes)
        }
        let configPath = settings.layout.configPath(for: name, templatePath: template.path)
        let configBlob = try configPath.flatMap { path throws(GitError) in try tree.blobID(atPath: path) }
        return StackSource(
            name: name,
            commit: commit,
            templatePath: template.path,
            template: try repository.blobContents(template.blob, neededBy: "\(commit.short):\(template.path)"),
            configPath: configBlob == nil ? nil : configPath,
            config: try configBlob.map { blob throws(GitError) in
                try repository.blobContents(blob, neededBy: "\(commit.short):\(configPath ?? "")")
            }
        )
    }

    /// The names of every stack at `commit`, sorted.
    ///
    /// - Throws: ``LayoutError/duplicateStack(name:firstPath:secondPath:commit:)`` when two
    ///   templates claim one stack.
    func stackNames(at commit: ObjectID) throws -> [String] {
        var templates: [String: String] = [:]
        for change in try files(within: settings.layout.watchedPaths, at: commit) {
            for match in settings.layout.matches(for: change.path) where match.role == .template {
                if let other = templates[match.stack], other != change.path {
                    guard let chosen = settings.layout.template(among: [other, change.path]) else {
                        throw LayoutError.duplicateStack(name: match.stack, firstPath: other, secondPath: change.path, commit: commit.short)
                    }
                    templates[match.stack] = chosen
                    continue
                }
                templates[match.stack] = change.path
            }
        }
        return templates.keys.sorted()
    }

    /// Which of `names` are stacks at `commit`, sorted: ``stackNames(at:)`` for a few stacks,
    /// looking up their template paths instead of walking every stack's folder.
    func stackNames(_ names: Set<String>, at commit: ObjectID) throws -> [String] {
        let tree = try repository.commit(commit).tree()
        return try names.sorted().filter { name in
            try settings.layout.templatePaths(for: name).contains { path in try tree.blobID(atPath: path) != nil }
        }
    }

    /// The change set that takes stack `name` from its recorded `state` to what `commit` holds: an
    /// update or a creation while the stack has a template there, a removal of everything once it
    /// has none; `nil` when it has neither a template nor a recorded state. `sync` and `plan` both
    /// decide through here, so a plan always shows what a sync would record.
    ///
    /// - Throws: ``TemplateError`` or ``ConfigurationError`` for the stack's files, and what
    ///   ``stackSource(_:at:)`` throws.
    func changeSet(
        for name: String, at commit: ObjectID, against state: StackSnapshot?, providerChanges: [ProviderChange] = []
    ) throws -> ChangeSet? {
        try plannedStack(name, at: commit, against: state, providerChanges: providerChanges).changeSet
    }

    /// ``changeSet(for:at:against:providerChanges:)`` with the files and snapshot it was planned
    /// from, both nil when the stack has no template at `commit`: an apply deploys exactly what it
    /// checked, read and parsed once.
    func plannedStack(
        _ name: String, at commit: ObjectID, against state: StackSnapshot?, providerChanges: [ProviderChange] = []
    ) throws -> (changeSet: ChangeSet?, source: StackSource?, snapshot: StackSnapshot?) {
        let planner = ChangePlanner()
        if let source = try stackSource(name, at: commit) {
            let snapshot = try source.snapshot()
            let changeSet = try planner.plan(stackName: name, commit: commit.hex, base: state, target: snapshot, providerChanges: providerChanges)
            return (changeSet, source, snapshot)
        }
        return (try state.map { try planner.planRemoval(stackName: name, commit: commit.hex, base: $0) }, nil, nil)
    }

    /// The commit `revision` names, or the branch's tip when it is `nil`.
    func commitID(_ revision: String?) throws -> ObjectID {
        try revision.map { try repository.resolveCommit($0) } ?? tip
    }
}

extension ManagedRepository {
    /// The full id of the commit `revision` names, or of the branch's tip when it is `nil`.
    ///
    /// - Throws: ``GitError`` when `revision` names no commit.
    public func commit(_ revision: String?) async throws -> String {
        try await read { try $0.commitID(revision).hex }
    }

    /// The files of stack `name` at the commit `revision` names, or `nil` when the stack has no
    /// template there.
    ///
    /// - Throws: as ``commit(_:)``, then as the stack's files are read.
    public func stackSource(_ name: String, at revision: String) async throws -> StackSource? {
        try await read { try $0.stackSource(name, at: $0.commitID(revision)) }
    }

    /// The names of every stack at the commit `revision` names, sorted.
    ///
    /// - Throws: as ``commit(_:)``, and ``LayoutError/duplicateStack(name:firstPath:secondPath:commit:)``.
    public func stackNames(at revision: String) async throws -> [String] {
        try await read { try $0.stackNames(at: $0.commitID(revision)) }
    }

    /// The change set that takes stack `name` from `state` to what the commit `revision` names holds.
    ///
    /// - Throws: as ``commit(_:)``, then as the stack's files are read and planned.
    public func changeSet(for name: String, at revision: String, against state: StackSnapshot?) async throws -> ChangeSet? {
        try await read { try $0.changeSet(for: name, at: $0.commitID(revision), against: state) }
    }
}

/// A stack that cannot be planned as asked.
public enum PlanError: TollgateError, Equatable, Sendable {
    /// No template of the stack exists at the commit.
    case stackNotFound(name: String, commit: String, known: [String])
    /// `Policies` names the policy folder, not a stack.
    case policiesNotAStack

    public var description: String {
        switch self {
        case .policiesNotAStack:
            return "Policies/ is not a stack: a change to it is a policy change set, which tollgate sync creates and tollgate show ID describes."
        case .stackNotFound(let name, let commit, let known):
            let list = known.isEmpty ? "none" : known.prefix(20).joined(separator: ", ")
            return "No stack '\(name)' at commit \(commit) (stacks there: \(list))."
        }
    }
}

extension PlanError {
    public var kind: ErrorKind {
        switch self {
        case .stackNotFound: .notFound
        case .policiesNotAStack: .invalidInput
        }
    }
}
