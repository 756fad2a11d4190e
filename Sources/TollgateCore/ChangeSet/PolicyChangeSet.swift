import Foundation

/// A change to the files under `Policies/`, reviewed as a change set of its own.
///
/// The content of a policy change is its files, so the change set lists each changed file with
/// the blob it had before the covered commits and the blob it has at the target commit; the
/// reviewers read the files themselves from git at ``commit``. ``digest`` binds approvals to
/// exactly these blobs at exactly this commit, as a stack change set's digest does.
public struct PolicyChangeSet: Sendable, Codable, Equatable {
    /// Always `Policy`, so that a reader of stored change sets can tell the two kinds apart.
    public var kind: String
    /// The target commit, whose `Policies/` files the change set would put in force.
    public var commit: String
    /// The changed files, sorted by path.
    public var files: [PolicyFileChange]
    /// Hex SHA-256 over the canonical encoding of ``commit`` and each file's path and blobs.
    public var digest: String

    enum CodingKeys: String, CodingKey {
        case kind = "Kind"
        case commit = "Commit"
        case files = "Files"
        case digest = "Digest"
    }

    /// The change set for `files` at `commit`, sorted by path and digested.
    public init(commit: String, files: [PolicyFileChange]) {
        kind = "Policy"
        self.commit = commit
        self.files = files.sorted { $0.path < $1.path }
        digest = Self.digest(commit: commit, files: self.files)
    }

    /// Whether no policy file differs from its state before the covered commits.
    public var isEmpty: Bool { files.isEmpty }

    /// The digest of `files` at `commit`: one line per item, `commit`, then `path`, `before`,
    /// `after` for each file, where a missing blob is written as `-`; paths cannot hold a line
    /// break, so the encoding is unambiguous.
    static func digest(commit: String, files: [PolicyFileChange]) -> String {
        var lines = ["tollgate-policy-change-set-v1", commit]
        for file in files {
            lines += [file.path, file.blobBefore ?? "-", file.blobAfter ?? "-"]
        }
        return CanonicalEncoding.sha256Hex(Data(lines.joined(separator: "\n").utf8))
    }
}

/// One file under `Policies/` that a policy change set changes.
public struct PolicyFileChange: Sendable, Codable, Equatable {
    /// The file's path in the repository, such as `Policies/approvals.yaml`.
    public var path: String
    /// Whether the file appears, changes or disappears.
    public var change: StackChangeKind
    /// The file's blob id before the covered commits; nil when it did not exist.
    public var blobBefore: String?
    /// The file's blob id at the target commit; nil when it was deleted.
    public var blobAfter: String?

    enum CodingKeys: String, CodingKey {
        case path = "Path"
        case change = "Change"
        case blobBefore = "BlobBefore"
        case blobAfter = "BlobAfter"
    }

    /// The change of `path` from `blobBefore` to `blobAfter`, or nil when both are the same blob
    /// (a change reverted within the covered commits).
    public init?(path: String, blobBefore: String?, blobAfter: String?) {
        switch (blobBefore, blobAfter) {
        case (nil, nil): return nil
        case (nil, _): change = .added
        case (_, nil): change = .deleted
        case (let before?, let after?):
            if before == after { return nil }
            change = .modified
        }
        self.path = path
        self.blobBefore = blobBefore
        self.blobAfter = blobAfter
    }
}
