import ArgumentParser
import TollgateEngine

/// `tollgate explain ID`: why a change set can or cannot be applied now.
struct Explain: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "explain",
        abstract: "Explain why a change set can or cannot be applied now.",
        discussion: """
            Under the policy in force: each rule that applies, the approvals it has and still \
            needs and from whom, why an approval does not count, the stack policy's verdict per \
            resource, and whether the change window is open.
            """
    )

    @Argument(help: "The change set's id, such as cs-3f9a0c1e.")
    var id: String

    @OptionGroup var repository: RepositoryOptions
    @OptionGroup var store: StoreOptions
    @OptionGroup var output: OutputOptions

    func run() async throws {
        let managed = try await ManagedRepository.open(path: repository.repo, settingsFile: repository.config, branch: repository.branch)
        let evaluation = try await store.withStore(repository: repository.repo, readOnly: true) { store in
            try await ReviewService(store: store).explain(changeSetID: id, repository: managed)
        }
        try ReviewOutput.write(evaluation, headline: nil, output: output)
    }
}
