import Foundation
import Testing
import TollgateCore
import TollgateEngine
import TollgateStore
import TollgateTestSupport

/// With `commit-signatures: required`, who wrote a commit is proven by its SSH signature; a
/// commit nobody listed signed counts as written by an unknown person.
@Suite("Review: signed commits")
struct CommitSignatureTests {
    /// The review fixture whose approvals.yaml requires commit signatures, trusted, with `web`
    /// applied at the first commit.
    private static func start(required: Bool) async throws -> TrustedReview {
        let fixture = try ReviewFixture()
        if required {
            try fixture.git.write("Policies/approvals.yaml", "commit-signatures: required\n" + ReviewFixture.approvals)
            try fixture.git.commit("require signed commits", author: ReviewFixture.outsider)
        }
        let store = try await fixture.openStore()
        let repository = try fixture.repository()
        _ = try await PolicyInForce.trust(commit: try await repository.commit(nil), repository: repository, store: store, actor: "lead")
        let review = TrustedReview(fixture: fixture, store: store, service: ReviewService(store: store, clock: fixture.clock), repository: repository)
        try await fixture.recordStackApplied(at: fixture.git.git("rev-parse", "HEAD").trimmingCharacters(in: .whitespacesAndNewlines), in: store)
        return review
    }

    /// Commits the working tree, signed with `signer`'s SSH key when one is given.
    private static func commit(_ review: TrustedReview, _ message: String, signer: String?) throws -> String {
        let git = review.fixture.git
        _ = try git.git("add", "-A")
        var arguments = ["-c", "gpg.format=ssh", "commit", "-q", "-m", message, "--author", ReviewFixture.outsider]
        if let signer, let key = review.fixture.keys[signer] {
            arguments = ["-c", "user.signingkey=\(key.privateKeyPath)"] + arguments + ["-S"]
        }
        _ = try git.git(arguments, environment: ["GIT_COMMITTER_NAME": "Carol Outsider", "GIT_COMMITTER_EMAIL": "carol@example.com"])
        return try git.git("rev-parse", "HEAD").trimmingCharacters(in: .whitespacesAndNewlines)
    }

    private static func grow(_ review: TrustedReview, bucket: String) throws {
        try review.fixture.git.write(
            "Stacks/web/template.yaml", ReviewFixture.template(bucket: "web-assets") + "  \(bucket):\n    Type: AWS::S3::Bucket\n")
    }

    @Test("an unsigned commit needs one more approval from the rule's own reviewers, and explain says so")
    func unsignedNeedsMore() async throws {
        let review = try await Self.start(required: true)
        try Self.grow(review, bucket: "Logs")
        let commit = try Self.commit(review, "add logs", signer: nil)
        let record = try await review.fixture.createStackChangeSet(commits: [commit], in: review.store)
        #expect(try await review.review(record, as: "amara").changeSet.status == .pending)
        let explained = try await review.service.explain(changeSetID: record.id, repository: review.repository)
        let title = try #require(explained.verdict.rules.first { if case .unprovenCommits = $0.kind { true } else { false } }?.title)
        #expect(title.contains(String(commit.prefix(7))), "\(title)")
        #expect(title.contains("commit-signatures is required"), "\(title)")
        #expect(try await review.review(record, as: "bastien").changeSet.status == .approved)
        try await review.store.close()
    }

    @Test("a commit signed by a listed key proves its author: one approval is enough, and the signer cannot give it")
    func signedByListedKey() async throws {
        let review = try await Self.start(required: true)
        try Self.grow(review, bucket: "Logs")
        let commit = try Self.commit(review, "add logs", signer: "dana")
        let record = try await review.fixture.createStackChangeSet(commits: [commit], in: review.store)
        #expect(try await review.review(record, as: "amara").changeSet.status == .approved)

        try Self.grow(review, bucket: "Cache")
        let second = try Self.commit(review, "add cache", signer: "amara")
        try await review.fixture.recordStackApplied(at: commit, in: review.store)
        let next = try await review.fixture.createStackChangeSet(commits: [second], in: review.store)
        await review.expectRefusal(["'amara' authored or committed", "the signer of commit \(second.prefix(7))"]) {
            try await review.review(next, as: "amara")
        }
        try await review.store.close()
    }

    @Test("a commit signed by a key nobody lists counts as unsigned")
    func signedByUnlistedKey() async throws {
        let review = try await Self.start(required: true)
        try Self.grow(review, bucket: "Logs")
        let commit = try Self.commit(review, "add logs", signer: "mallory")
        let record = try await review.fixture.createStackChangeSet(commits: [commit], in: review.store)
        #expect(try await review.review(record, as: "amara").changeSet.status == .pending)
        try await review.store.close()
    }

    @Test("without the rule, an unsigned commit needs no extra approval")
    func optional() async throws {
        let review = try await Self.start(required: false)
        try Self.grow(review, bucket: "Logs")
        let commit = try Self.commit(review, "add logs", signer: nil)
        let record = try await review.fixture.createStackChangeSet(commits: [commit], in: review.store)
        #expect(try await review.review(record, as: "amara").changeSet.status == .approved)
        try await review.store.close()
    }
}
