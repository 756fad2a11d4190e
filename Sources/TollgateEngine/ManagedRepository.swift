import Foundation
import NIOConcurrencyHelpers
import NIOPosix
public import TollgateCore
import TollgateGit
public import TollgateStore

/// A repository that Tollgate manages, with the settings in force for it.
///
/// The settings come from `--config FILE` when given; otherwise from the `tollgate.yaml` of the
/// policy revision in force (``open(path:settingsFile:branch:store:)``), since the branch and the
/// layout decide which files form which stack and so which rules apply: a change to them is
/// reviewed as policy and never takes effect from the commit under review. Without a policy in
/// force (before `tollgate init`, or for `history`, which reads no store) they come from the tip
/// of the branch. They apply to the whole history.
///
/// Threading: libgit2 calls block, and a libgit2 repository must not be used by two threads at
/// once. So the engine's async code reads the repository only through ``read(_:)``, which runs
/// the work on a thread pool (never on Swift's cooperative pool, as sqlite-nio runs SQLite) and
/// one piece of work at a time per repository.
public final class ManagedRepository: @unchecked Sendable {
    // @unchecked: `opened` holds a libgit2 repository, which is not Sendable; it is touched only
    // inside `lock`, on a thread of `pool` (see `read`), and the other properties are immutable.
    private let opened: OpenRepository
    private let lock = NIOLock()
    private let pool: NIOThreadPool
    /// The `Policies/` parsed last, with its commit: a commit's files never change, and every
    /// review and apply reads the policy in force again.
    private let parsedPolicy = NIOLockedValueBox<(commit: String, policy: PolicySet)?>(nil)

    /// The `Policies/` of `commit` as parsed before, if they were the last parsed.
    func policy(parsedAt commit: String) -> PolicySet? {
        parsedPolicy.withLockedValue { $0?.commit == commit ? $0?.policy : nil }
    }

    /// Keeps `policy`, parsed from `commit`, in place of the one kept.
    func keep(_ policy: PolicySet, parsedAt commit: String) {
        parsedPolicy.withLockedValue { $0 = (commit, policy) }
    }
    /// The settings in force.
    public let settings: RepositorySettings
    /// The branch followed.
    public let branch: String
    /// The commit at the tip of the branch.
    let tip: ObjectID
    /// The full id of the commit at the tip of the branch.
    public var tipCommit: String { tip.hex }

    /// Opens the repository at `path`.
    ///
    /// - Parameters:
    ///   - settingsFile: a `tollgate.yaml` to use instead of the repository's own.
    ///   - branch: the branch to follow instead of the settings' branch.
    /// - Throws: ``GitError`` when the repository or branch cannot be read, ``LayoutError`` for a
    ///   malformed settings file, ``HistoryError/unreadableSettings(path:reason:)`` when the given
    ///   file cannot be read.
    public convenience init(path: String, settingsFile: String? = nil, branch: String? = nil, settingsCommit: String? = nil) throws {
        try self.init(path: path, settingsFile: settingsFile, branch: branch, settingsCommit: settingsCommit, pool: .singleton)
    }

    /// Opens the repository at `path`, to be read on the threads of `pool`.
    init(path: String, settingsFile: String?, branch: String?, settingsCommit: String?, pool: NIOThreadPool) throws {
        opened = try OpenRepository(path: path, settingsFile: settingsFile, branch: branch, settingsCommit: settingsCommit)
        settings = opened.settings
        self.branch = opened.branch
        tip = opened.tip
        self.pool = pool
    }

    /// Runs `body` on the open repository, on a thread of the pool and never at the same time as
    /// another `body` for this repository, and returns what it returns.
    ///
    /// The engine's async code reads the repository only through here, so no libgit2 call blocks
    /// a thread of Swift's cooperative pool.
    /// - Throws: what `body` throws, or the pool's error when it is shut down.
    func read<Result: Sendable>(_ body: @escaping @Sendable (OpenRepository) throws -> Result) async throws -> Result {
        try await pool.runIfActive { [self] in
            try lock.withLock { try body(opened) }
        }
    }

    /// Whether the branch still points at ``tipCommit``: a long-running process reuses an open
    /// repository until a push or a fetch moves the branch.
    /// - Throws: ``GitError`` when the branch cannot be read.
    public func isCurrent() async throws -> Bool {
        try await read { git in try git.repository.branchTip(named: git.branch) == git.tip }
    }

    /// Opens the repository at `path` on a thread of the pool, as ``init(path:settingsFile:branch:settingsCommit:)``.
    ///
    /// - Throws: as ``init(path:settingsFile:branch:settingsCommit:)``.
    public static func open(path: String, settingsFile: String? = nil, branch: String? = nil, settingsCommit: String? = nil) async throws -> ManagedRepository {
        try await NIOThreadPool.singleton.runIfActive {
            try ManagedRepository(path: path, settingsFile: settingsFile, branch: branch, settingsCommit: settingsCommit)
        }
    }

    /// Opens the repository at `path` with the settings of the policy revision in force in
    /// `store`, or those at the branch's tip before any policy is in force.
    ///
    /// - Throws: as ``init(path:settingsFile:branch:settingsCommit:)``, and ``StoreError``.
    public static func open(path: String, settingsFile: String? = nil, branch: String? = nil, store: any StateStore) async throws -> ManagedRepository {
        let inForce = try await store.policyInForce()?.commit
        return try await open(path: path, settingsFile: settingsFile, branch: branch, settingsCommit: inForce)
    }

    /// Lets libgit2 keep more of the packfiles mapped for the rest of the process
    /// (``PackMapping/historyWalkLimit``): for a process whose only work is one history walk,
    /// which then remaps less of a large pack. A process that does more beside its walks, such as
    /// a sync or the server, keeps the standard amount, which its memory bound counts on.
    public static func dedicateProcessToHistoryWalk() {
        PackMapping.setLimit(PackMapping.historyWalkLimit)
    }

    /// The `tollgate history` entries of the commits on the branch after `since` (or from the
    /// first commit), oldest first; without `includeAll`, only those that changed a stack, a
    /// policy or the settings.
    ///
    /// - Throws: ``HistoryError`` when `since` is not on the branch, and whatever the scan throws.
    public func historyEntries(since: String? = nil, includeAll: Bool = false) async throws -> [HistoryEntry] {
        try await historyEntries(since: since, includeAll: includeAll) { $0 }
    }

    /// What `render` makes of each entry ``historyEntries(since:includeAll:)`` returns, in the same
    /// order: a long history is held only in its rendered form, which takes far less memory than
    /// the entries' many small strings.
    ///
    /// - Throws: as ``historyEntries(since:includeAll:)``.
    public func historyEntries<Rendered: Sendable>(
        since: String? = nil, includeAll: Bool = false, rendering render: @escaping @Sendable (HistoryEntry) -> Rendered
    ) async throws -> [Rendered] {
        try await read { try $0.historyEntries(since: since, includeAll: includeAll, rendering: render) }
    }

    /// The commits on the branch after `since`, as ``historyEntries(since:includeAll:)`` keeps them.
    func history(since: String? = nil, includeAll: Bool = false) async throws -> [ScannedCommit] {
        try await read { try $0.history(since: since, includeAll: includeAll) }
    }

    /// The `tollgate history` entry of a scanned commit.
    func entry(for scanned: ScannedCommit) async throws -> HistoryEntry {
        try await read { try $0.entry(for: scanned) }
    }
}

/// The open libgit2 repository with the settings in force: what ``ManagedRepository/read(_:)``
/// hands its work. It is not Sendable, so it never leaves that work.
struct OpenRepository {
    /// The open repository.
    let repository: Repository
    /// The settings in force.
    let settings: RepositorySettings
    /// The branch followed.
    let branch: String
    /// The commit at the tip of the branch.
    let tip: ObjectID

    init(path: String, settingsFile: String?, branch: String?, settingsCommit: String?) throws {
        let repository = try Repository(at: path)
        self.repository = repository
        if settingsFile == nil, let settingsCommit {
            let id = try repository.resolveCommit(settingsCommit)
            let settings = try Self.settings(in: repository, at: id)
            self.settings = settings
            self.branch = branch ?? settings.branch
            tip = try repository.branchTip(named: self.branch)
            return
        }
        if let settingsFile {
            let text = try Self.readSettingsFile(settingsFile)
            let settings = try RepositorySettings.parse(text, file: settingsFile)
            self.settings = settings
            self.branch = branch ?? settings.branch
            tip = try repository.branchTip(named: self.branch)
            return
        }
        // The branch named in the settings decides where the settings in force are read, so read
        // them first at HEAD (or the branch given), then again at the tip if that differs.
        let start = try branch.map { name throws(GitError) in try repository.branchTip(named: name) }
            ?? (try? repository.resolveCommit("HEAD"))
        let first = try start.map { try Self.settings(in: repository, at: $0) } ?? .standard
        let chosen = branch ?? first.branch
        let tip = try repository.branchTip(named: chosen)
        self.tip = tip
        self.branch = chosen
        settings = tip == start ? first : try Self.settings(in: repository, at: tip)
    }

    /// The settings in the `tollgate.yaml` of commit `id`, or the standard ones when it has none.
    private static func settings(in repository: Repository, at id: ObjectID) throws -> RepositorySettings {
        let tree = try repository.commit(id).tree()
        guard let blob = try tree.blobID(atPath: StackLayout.settingsFile) else { return .standard }
        let bytes = try repository.blobContents(blob, neededBy: "\(StackLayout.settingsFile) at commit \(id.short)")
        guard let text = String(validating: bytes, as: UTF8.self) else {
            throw LayoutError.malformedSettings(file: "\(StackLayout.settingsFile) at commit \(id.short)", line: 1, column: 1, problem: "the file is not UTF-8")
        }
        return try RepositorySettings.parse(text, file: "\(StackLayout.settingsFile) at commit \(id.short)")
    }

    private static func readSettingsFile(_ path: String) throws -> String {
        guard let data = FileManager.default.contents(atPath: path) else {
            let exists = FileManager.default.fileExists(atPath: path)
            throw HistoryError.unreadableSettings(path: path, reason: exists ? "it cannot be read" : "no such file")
        }
        guard let text = String(data: data, encoding: .utf8) else {
            throw HistoryError.unreadableSettings(path: path, reason: "it is not UTF-8")
        }
        return text
    }

    /// The commits on the branch after `since` (or from the first commit), oldest first; without
    /// `includeAll`, only those that changed a stack, a policy or the settings.
    ///
    /// - Throws: ``HistoryError`` when `since` is not on the branch, and whatever the scan throws.
    func history(since: String? = nil, includeAll: Bool = false) throws -> [ScannedCommit] {
        try walk(since: since, includeAll: includeAll) { scanned, _ in scanned }
    }

    /// What `render` makes of the `tollgate history` entry of each commit ``history(since:includeAll:)``
    /// returns, made while the scan holds each commit, so that no commit is read twice.
    ///
    /// - Throws: as ``history(since:includeAll:)``.
    func historyEntries<Rendered>(
        since: String? = nil, includeAll: Bool = false, rendering render: (HistoryEntry) -> Rendered
    ) throws -> [Rendered] {
        try walk(since: since, includeAll: includeAll) { scanned, commit in render(Self.entry(for: scanned, commit: commit)) }
    }

    /// Scans the branch from its tip back to `since` and keeps what `make` makes of each commit
    /// that is kept, oldest first.
    private func walk<Result>(since: String?, includeAll: Bool, _ make: (ScannedCommit, Commit) -> Result) throws -> [Result] {
        var results: [Result] = []
        try scan(since: since) { scanned, commit in
            if includeAll || scanned.isRelevant { results.append(make(scanned, commit)) }
        }
        // In place: a copy would hold a long history twice.
        results.reverse()
        return results
    }

    /// Hands `body` every commit on the branch from its tip back to `since` (excluded), newest
    /// first, as it is scanned, so that a caller keeps only what it needs of a long history.
    ///
    /// - Throws: ``HistoryError/notAnAncestor(revision:branch:)`` when `since` is not on the branch.
    func scan(since: String?, _ body: (ScannedCommit, Commit) throws -> Void) throws {
        var stop: (id: ObjectID, revision: String, branch: String)?
        if let since {
            let id = try repository.resolveCommit(since)
            if id == tip { return }
            guard try repository.isAncestor(id, of: tip) else {
                throw HistoryError.notAnAncestor(revision: since, branch: branch)
            }
            stop = (id, since, branch)
        }
        try HistoryScanner(repository: repository, layout: settings.layout).scan(from: tip, stoppingBefore: stop, body)
    }

    /// The files inside `paths` (folders end in `/`) at `commit`, in git's path order, each with its
    /// blob id as ``TreeChange/newID``.
    func files(within paths: [String], at commit: ObjectID) throws -> [TreeChange] {
        let treeID = try repository.commit(commit).treeID
        let comparer = TreeComparer(repository: repository, scope: PathScope(paths: paths))
        return try comparer.compare(oldTree: nil, newTree: treeID, commit: commit).changes
    }

    /// The `tollgate history` entry of a scanned commit, with its author, committer and summary.
    func entry(for scanned: ScannedCommit) throws -> HistoryEntry {
        Self.entry(for: scanned, commit: try repository.commit(scanned.id))
    }

    private static func entry(for scanned: ScannedCommit, commit: Commit) -> HistoryEntry {
        let author = commit.author
        let committer = commit.committer
        return HistoryEntry(
            commit: scanned.id.hex,
            parent: scanned.parent?.hex,
            author: .init(name: author.name, email: author.email, seconds: author.time, offsetMinutes: author.offsetMinutes),
            committer: .init(name: committer.name, email: committer.email, seconds: committer.time, offsetMinutes: committer.offsetMinutes),
            summary: commit.summary,
            stacks: scanned.stacks,
            policies: !scanned.policyFiles.isEmpty,
            settings: scanned.changedSettings
        )
    }
}
