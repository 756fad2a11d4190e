import ArgumentParser
import TollgateCore
import TollgateEngine
import TollgateStore

/// `tollgate approve ID`: a signed approval of one change set's digest.
struct Approve: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "approve",
        abstract: "Approve a change set with your SSH key.",
        discussion: """
            The approval is an SSH signature over the text that tollgate show ID --approval-text \
            prints, which names the change set, its stack and its digest. Tollgate verifies it \
            against the keys the policy in force lists; the key's holder is the reviewer. When \
            every rule that applies is met, the change set becomes APPROVED.
            """
    )

    @Argument(help: "The change set's id, such as cs-3f9a0c1e.")
    var id: String

    @OptionGroup var signing: SignatureOptions
    @OptionGroup var repository: RepositoryOptions
    @OptionGroup var store: StoreOptions
    @OptionGroup var output: OutputOptions

    func run() async throws {
        try await ReviewVerdictCommand.run(.approve, id: id, reason: nil, signing: signing, repository: repository, store: store, output: output)
    }
}

/// What `approve` and `reject` share: sign or read the signature, record it, show the outcome.
enum ReviewVerdictCommand {
    static func run(
        _ verdict: ApprovalVerdict, id: String, reason: String?, signing: SignatureOptions,
        repository: RepositoryOptions, store: StoreOptions, output: OutputOptions
    ) async throws {
        let managed = try await ManagedRepository.open(path: repository.repo, settingsFile: repository.config, branch: repository.branch)
        let evaluation = try await store.withStore(repository: repository.repo) { store in
            let review = ReviewService(store: store)
            let signature = try signing.signature(for: try await review.approvalText(changeSetID: id, verdict: verdict))
            return try await review.record(verdict, changeSetID: id, signature: signature, reason: reason, repository: managed)
        }
        let reviewer = evaluation.verdict.claims.last?.reviewerID ?? "unknown"
        let action = verdict == .approve ? "Approved" : "Rejected"
        try ReviewOutput.write(
            evaluation, headline: "\(action) change set \(id) as \(reviewer); it is \(evaluation.changeSet.status.rawValue).",
            reviewer: reviewer, output: output)
    }
}
