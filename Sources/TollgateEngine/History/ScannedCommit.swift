import TollgateCore
import TollgateGit

/// What one commit on the branch changed, as far as Tollgate is concerned.
struct ScannedCommit: Sendable {
    /// The commit.
    let id: ObjectID
    /// Its first parent, the state of the branch before it; `nil` for the first commit.
    let parent: ObjectID?
    /// The stacks it added, modified or deleted, sorted by name.
    let stacks: [StackChange]
    /// The files under `Policies/` it changed, sorted.
    let policyFiles: [String]
    /// Whether it changed `tollgate.yaml`.
    let changedSettings: Bool
    /// For each stack, the paths it has at this commit that are not UTF-8 or that git refuses:
    /// such a stack cannot be read back, so its change set fails for this commit only.
    var unreadablePaths: [String: [String]] = [:]

    /// Whether the commit matters to Tollgate at all.
    var isRelevant: Bool {
        !stacks.isEmpty || !policyFiles.isEmpty || changedSettings
    }
}
