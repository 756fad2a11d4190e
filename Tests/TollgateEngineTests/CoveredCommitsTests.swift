import Foundation
import Testing
import TollgateCore
import TollgateEngine
import TollgateStore
import TollgateTestSupport

/// A change set covers every commit that changed its stack since the last apply, so that nobody
/// who wrote part of it can approve it: merged branches, commits that planned no change, and the
/// commits of rejected predecessors.
@Suite("Sync: complete authorship of change sets")
struct CoveredCommitsTests {
    /// The trusted review fixture with `web` applied at the first commit and the cursor there.
    private static func start() async throws -> TrustedReview {
        let review = try await TrustedReview.make()
        try await review.fixture.recordStackApplied(at: review.fixture.firstCommit, in: review.store)
        try await sync(review)
        return review
    }

    @discardableResult
    private static func sync(_ review: TrustedReview) async throws -> SyncReport {
        try await ChangeSetSynchronizer(repository: try review.fixture.repository(), store: review.store, actor: "tollgate").sync()
    }

    private static func openChangeSet(_ review: TrustedReview) async throws -> ChangeSetRecord {
        try #require(try await review.store.changeSets(ChangeSetFilter(stack: "web", statuses: [.pending])).first)
    }

    private static let amara = "Amara Okafor <amara@example.com>"

    @Test("a merge bot's --no-ff merge does not hide the branch's author")
    func mergeBot() async throws {
        let review = try await Self.start()
        let git = review.fixture.git
        _ = try git.git("checkout", "-q", "-b", "feature")
        try git.write("Stacks/web/template.yaml", ReviewFixture.template(bucket: "web-assets") + "  Logs:\n    Type: AWS::S3::Bucket\n")
        let branchCommit = try git.commit("add a log bucket", author: Self.amara)
        _ = try git.git("checkout", "-q", "main")
        _ = try git.git(
            ["-c", "user.name=Merge Bot", "-c", "user.email=bot@example.com", "merge", "-q", "--no-ff", "-m", "Merge feature", "feature"],
            environment: ["GIT_AUTHOR_NAME": "Merge Bot", "GIT_AUTHOR_EMAIL": "bot@example.com",
                          "GIT_COMMITTER_NAME": "Merge Bot", "GIT_COMMITTER_EMAIL": "bot@example.com"])
        let merge = try git.git("rev-parse", "HEAD").trimmingCharacters(in: .whitespacesAndNewlines)
        try await Self.sync(review)
        let record = try await Self.openChangeSet(review)
        #expect(record.commits == [branchCommit, merge])
        let attributed = try await review.store.stackCommits(stack: "web")
        #expect(attributed.contains(StackCommit(commit: branchCommit, mergedBy: merge)))
        await review.expectRefusal(["'amara' authored or committed"]) { try await review.review(record, as: "amara") }
        #expect(try await review.review(record, as: "bastien").changeSet.status == .approved)
        try await review.store.close()
    }

    @Test("after a rejection, the next change set still covers the rejected commits")
    func afterRejection() async throws {
        let review = try await Self.start()
        let git = review.fixture.git
        try git.write("Stacks/web/template.yaml", ReviewFixture.template(bucket: "web-assets") + "  Logs:\n    Type: AWS::S3::Bucket\n")
        let amarasCommit = try git.commit("add a log bucket", author: Self.amara)
        try await Self.sync(review)
        let first = try await Self.openChangeSet(review)
        #expect(try await review.review(first, as: "bastien", .reject, reason: "no").changeSet.status == .rejected)
        try git.write(
            "Stacks/web/template.yaml",
            ReviewFixture.template(bucket: "web-assets") + "  Logs:\n    Type: AWS::S3::Bucket\n  Cache:\n    Type: AWS::S3::Bucket\n")
        let carolsCommit = try git.commit("add a cache bucket", author: ReviewFixture.outsider)
        try await Self.sync(review)
        let second = try await Self.openChangeSet(review)
        #expect(second.commits == [amarasCommit, carolsCommit])
        await review.expectRefusal(["'amara' authored or committed"]) { try await review.review(second, as: "amara") }
        try await review.store.close()
    }

    @Test("a commit that planned no change is covered by the stack's next change set")
    func commitWithoutChangeSet() async throws {
        let review = try await Self.start()
        let git = review.fixture.git
        try git.write("Stacks/web/template.yaml", "# only a comment\n" + ReviewFixture.template(bucket: "web-assets"))
        let quiet = try git.commit("reformat", author: Self.amara)
        let report = try await Self.sync(review)
        #expect(report.created.isEmpty)
        #expect(report.unchanged == ["web"])
        try git.write("Stacks/web/template.yaml", "# only a comment\n" + ReviewFixture.template(bucket: "web-assets") + "  Logs:\n    Type: AWS::S3::Bucket\n")
        let loud = try git.commit("add a log bucket", author: ReviewFixture.outsider)
        try await Self.sync(review)
        let record = try await Self.openChangeSet(review)
        #expect(record.commits == [quiet, loud])
        await review.expectRefusal(["'amara' authored or committed"]) { try await review.review(record, as: "amara") }
        try await review.store.close()
    }

    @Test("one stack that cannot be planned fails alone; the others sync and a fix plans again")
    func oneBrokenStack() async throws {
        let review = try await Self.start()
        let git = review.fixture.git
        try git.write("Stacks/api/template.yaml", "Resources:\n  Queue:\n    Type: AWS::SQS::Queue\n    Properties: [unclosed\n")
        try git.write("Stacks/web/template.yaml", ReviewFixture.template(bucket: "web-assets") + "  Logs:\n    Type: AWS::S3::Bucket\n")
        let broken = try git.commit("break api, grow web", author: ReviewFixture.outsider)
        let report = try await Self.sync(review)
        let byStack = Dictionary(uniqueKeysWithValues: report.created.map { ($0.stack, $0) })
        #expect(byStack["web"]?.status == .pending)
        let failed = try #require(byStack["api"])
        #expect(failed.status == .failed)
        let record = try await review.store.changeSet(id: failed.id)
        #expect(record.status == .failed)
        let reason = try #require(record.planFailure?.reason)
        #expect(reason.contains("Stacks/api/template.yaml"), "\(reason)")
        #expect(reason.contains("\(broken.prefix(7))"), "\(reason)")
        #expect(try await review.store.scanCursor(branch: "main") == broken)
        let statuses = try await StatusReader(store: review.store).report(repository: try review.fixture.repository(), matching: nil).stacks
        #expect(statuses.first { $0.stack == "api" }?.status == .planFailed)
        #expect(statuses.first { $0.stack == "api" }?.failedChangeSet == failed.id)

        try git.write("Stacks/api/template.yaml", "Resources:\n  Queue:\n    Type: AWS::SQS::Queue\n")
        let fix = try git.commit("fix api", author: ReviewFixture.outsider)
        let next = try await Self.sync(review)
        let fixed = try #require(next.created.first { $0.stack == "api" })
        #expect(fixed.status == .pending)
        #expect(fixed.commits == [broken, fix])
        try await review.store.close()
    }
}
