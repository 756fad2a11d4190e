import Foundation
public import TollgateCore
public import TollgateEngine
public import TollgateStore
import TollgateGit

/// A repository with a policy naming reviewers who hold real ssh-keygen keys, a stack `web`,
/// and an SQLite state file, for review tests at engine and command-line level.
///
/// The owners are `amara` and `bastien`; `dana` is in `ops`. Stack `web` needs one owner, or two
/// for destructive changes; a change to `Policies/` needs two owners. Commits are written by
/// Carol, who reviews nothing, unless a test says otherwise. `mallory` has a key nobody lists.
public final class ReviewFixture: Sendable {
    /// The repository.
    public let git: GitFixture
    /// Where keys, signatures and the state file live.
    public let folder: TemporaryDirectory
    /// The ssh-keygen runner.
    public let keygen: SSHKeygen
    /// Key pairs by person id.
    public let keys: [String: SSHKeygen.KeyPair]
    /// The SQLite state file that `--state` names.
    public let statePath: String
    /// The commit that holds the first policy and stack.
    public let firstCommit: String
    /// The clock the stores opened by ``openStore()`` write with: 2026-01-05, a Monday, 10:00 UTC.
    public let clock: SteppingClock

    /// The author of commits that no reviewer wrote.
    public static let outsider = "Carol Outsider <carol@example.com>"

    /// Creates the repository with its first commit, holding `extraFiles` too (repository path to
    /// text), such as a Policies/deployments.yaml.
    public init(extraFiles: [String: String] = [:]) throws {
        git = try GitFixture()
        folder = try TemporaryDirectory(prefix: "tollgate-review")
        keygen = try SSHKeygen()
        var keys: [String: SSHKeygen.KeyPair] = [:]
        for (index, person) in ["amara", "bastien", "dana", "mallory"].enumerated() {
            keys[person] = try keygen.generateKey(type: index % 2 == 0 ? "ed25519" : "ecdsa", in: folder, name: person, comment: "\(person)@laptop")
        }
        self.keys = keys
        statePath = folder.appending("state.db")
        clock = SteppingClock(start: Date(timeIntervalSince1970: 1_767_607_200))
        try git.write("Policies/reviewers.yaml", Self.reviewers(keys: keys))
        try git.write("Policies/approvals.yaml", Self.approvals)
        try git.write("Stacks/web/template.yaml", Self.template(bucket: "web-assets"))
        for (path, text) in extraFiles.sorted(by: { $0.key < $1.key }) {
            try git.write(path, text)
        }
        firstCommit = try git.commit("policies and the web stack", author: Self.outsider)
    }

    /// reviewers.yaml listing amara, bastien and dana, and any `extra` people as YAML list items.
    public static func reviewers(keys: [String: SSHKeygen.KeyPair], extra: String = "") -> String {
        func person(_ id: String, _ name: String) -> String {
            """
              - id: \(id)
                name: \(name)
                emails: [\(id)@example.com]
                keys: ["\(keys[id]?.publicKeyLine ?? "")"]

            """
        }
        return "people:\n" + person("amara", "Amara Okafor") + person("bastien", "Bastien Roux") + person("dana", "Dana Ito") + extra
            + "groups:\n  owners: [amara, bastien]\n  ops: [dana]\n"
    }

    /// The approval rules described on the type.
    public static let approvals = """
        policy-changes:
          - count: 2
            from: owners
        rules:
          - name: web
            stacks: [web]
            require:
              - count: 1
                from: owners
            destructive:
              - count: 2
                from: owners

        """

    /// A template with one bucket whose name is a create-only property, so renaming replaces it.
    public static func template(bucket: String) -> String {
        """
        Resources:
          Assets:
            Type: AWS::S3::Bucket
            Properties:
              BucketName: \(bucket)

        """
    }

    /// Opens the fixture's SQLite store.
    public func openStore() async throws -> any StateStore {
        try await StoreLocation.sqlite(path: statePath).open(clock: clock)
    }

    /// Opens a store in a new database of the shared test PostgreSQL server, on the same clock.
    public func openPostgresStore() async throws -> any StateStore {
        let server = try PostgresServer.shared()
        return try await StoreLocation.postgres(url: server.url(database: try server.makeDatabase())).open(clock: clock)
    }

    /// Opens the repository as the engine does.
    public func repository() throws -> ManagedRepository {
        try ManagedRepository(path: git.path)
    }

    /// Plans stack `stack` at the last of `commits` against its recorded state (its removal, when
    /// the commit no longer has it) and stores the change set as sync will.
    public func createStackChangeSet(_ stack: String = "web", commits: [String], in store: any StateStore) async throws -> ChangeSetRecord {
        let managed = try repository()
        let target = try await managed.commit(commits.last)
        let state = try await store.stackState(stack)
        guard let changeSet = try await managed.changeSet(for: stack, at: target, against: try state?.snapshot()) else {
            throw PlanError.stackNotFound(name: stack, commit: String(target.prefix(7)), known: try await managed.stackNames(at: target))
        }
        let json = String(decoding: try JSONEncoder().encode(changeSet), as: UTF8.self)
        let record = ChangeSetRecord(
            id: ChangeSetRecord.newID(), kind: .stack, stack: stack, commits: commits, baseStateVersion: state?.stateVersion ?? 0,
            targetCommit: target, digest: changeSet.digest, json: json)
        return try await store.transaction { try await $0.createChangeSet(record, actor: "tollgate") }.changeSet
    }

    /// Records stack `stack` as applied at `commit`, so that later change sets are planned
    /// against it (a renamed bucket then replaces the bucket, which is destructive).
    public func recordStackApplied(_ stack: String = "web", at commit: String, in store: any StateStore) async throws {
        let managed = try repository()
        let id = try await managed.commit(commit)
        guard let source = try await managed.stackSource(stack, at: id) else {
            throw PlanError.stackNotFound(name: stack, commit: String(id.prefix(7)), known: try await managed.stackNames(at: id))
        }
        let parameters = try source.snapshot().parameters.values
        let template = String(decoding: source.template, as: UTF8.self)
        _ = try await store.transaction { tx in
            try await tx.recordStackState(stack: stack, template: template, parameters: parameters, tags: [:], commit: id, actor: "tollgate")
        }
    }

    /// Stores a change set proposing the `Policies/` of the last of `commits`.
    public func createPolicyChangeSet(commits: [String], in store: any StateStore) async throws -> ChangeSetRecord {
        let target = commits.last ?? firstCommit
        let body = PolicyChangeSet(commit: target, files: [])
        let revision = try await store.policyInForce()?.revision ?? 0
        let record = ChangeSetRecord(
            id: ChangeSetRecord.newID(), kind: .policy, stack: StackLayout.policiesFolder, commits: commits, baseStateVersion: revision,
            targetCommit: target, digest: body.digest, json: String(decoding: try JSONEncoder().encode(body), as: UTF8.self))
        return try await store.transaction { try await $0.createChangeSet(record, actor: "tollgate") }.changeSet
    }

    /// `person`'s signature of the text to give `verdict` on `record`, made by ssh-keygen.
    public func sign(_ record: ChangeSetRecord, as person: String, verdict: ApprovalVerdict = .approve, namespace: String = "tollgate") throws -> SSHSignature {
        try SSHSignature(armored: try signatureText(of: record.approvalText(for: verdict), as: person, namespace: namespace))
    }

    /// `person`'s armored ssh-keygen signature of `text`.
    public func signatureText(of text: String, as person: String, namespace: String = "tollgate") throws -> String {
        guard let key = keys[person] else { throw GitFixtureError(command: "sign as \(person)", status: 1, standardError: "no key for \(person)") }
        return try keygen.sign(text, key: key, namespace: namespace, in: folder)
    }
}
