import Foundation
import Testing
import TollgateAWS
import TollgateCore
import TollgateEngine
import TollgateStore
import TollgateTestSupport

/// `tollgate apply` through the cloudformation provider, end to end against moto, the AWS emulator
/// the test set-up starts on 127.0.0.1: what the stack made is checked through S3.
@Suite("Apply through CloudFormation (moto)")
struct ApplyCloudFormationTests {
    static let credentials = AWSCredentialChain(
        environment: ["AWS_ACCESS_KEY_ID": "AKIDTOLLGATETEST", "AWS_SECRET_ACCESS_KEY": "not-a-real-secret"], homeDirectory: "/nonexistent")

    static func bucketExists(_ bucket: String, server: MotoServer) async throws -> Bool {
        let connection = AWSServiceConnection(
            service: "s3", region: "eu-west-1", endpoint: try AWSEndpoint(url: server.endpoint),
            credentials: StaticCredentialProvider(try credentials.resolve()), signing: S3Client.signingOptions)
        return try await S3Client(connection: connection).bucketExists(bucket)
    }

    @Test("a new stack is created, its bucket renamed (a replacement) and the stack deleted, each only once approved")
    func createRenameDelete() async throws {
        let server = try MotoServer.shared()
        let suffix = MotoServer.uniqueName("tg")
        let deployments = """
            deployments:
              - stacks: [web]
                provider: cloudformation
                region: eu-west-1
                stack-name: "\(suffix)-{name}"
                endpoint-url: \(server.endpoint)

            """
        let review = try await TrustedReview.make(extraFiles: ["Policies/deployments.yaml": deployments])
        let fixture = review.fixture
        let application = ChangeSetApplication(store: review.store, clock: fixture.clock, holder: "test pid 1")
        let providers = ProviderFactory.reading(credentials: Self.credentials, pollInterval: .milliseconds(100))

        let first = "\(suffix)-assets"
        try fixture.git.write("Stacks/web/template.yaml", ReviewFixture.template(bucket: first))
        let create = try fixture.git.commit("name the bucket", author: ReviewFixture.outsider)
        let created = try await fixture.createStackChangeSet(commits: [fixture.firstCommit, create], in: review.store)
        try await review.review(created, as: "amara")
        let lines = LineCollector()
        let applied = try await application.apply(
            changeSetID: created.id, actor: "amara", repository: try fixture.repository(), providers: providers,
            progress: ProviderProgress { await lines.add($0) })
        #expect(applied.changeSet.status == .applied, "\(applied.output)")
        #expect(try await Self.bucketExists(first, server: server))
        let progress = await lines.all
        #expect(progress.contains { $0.contains("\(suffix)-web AWS::CloudFormation::Stack CREATE_COMPLETE") }, "\(progress)")

        let second = "\(suffix)-assets-v2"
        try fixture.git.write("Stacks/web/template.yaml", ReviewFixture.template(bucket: second))
        let rename = try fixture.git.commit("rename the bucket", author: ReviewFixture.outsider)
        let renamed = try await fixture.createStackChangeSet(commits: [rename], in: review.store)
        try await review.review(renamed, as: "amara")
        try await review.review(renamed, as: "bastien")
        let replaced = try await application.apply(changeSetID: renamed.id, actor: "bastien", repository: try fixture.repository(), providers: providers)
        #expect(replaced.changeSet.status == .applied, "\(replaced.output)")
        #expect(try await Self.bucketExists(second, server: server))
        #expect(try await review.store.stackState("web")?.stateVersion == 2)

        try fixture.git.remove("Stacks/web/template.yaml")
        let remove = try fixture.git.commit("retire the web stack", author: ReviewFixture.outsider)
        let removal = try await fixture.createStackChangeSet(commits: [remove], in: review.store)
        try await review.review(removal, as: "amara")
        try await review.review(removal, as: "bastien")
        let deleted = try await application.apply(changeSetID: removal.id, actor: "amara", repository: try fixture.repository(), providers: providers)
        #expect(deleted.changeSet.status == .applied, "\(deleted.output)")
        #expect(try await Self.bucketExists(second, server: server) == false)
        #expect(try await review.store.stackState("web")?.isRemoved == true)
        #expect(try await review.store.verifyTables() == nil)
        try await review.store.close()
    }

    @Test("missing credentials end the apply FAILED with a message that names them; nothing is recorded as applied")
    func missingCredentials() async throws {
        let server = try MotoServer.shared()
        let deployments = "deployments:\n  - stacks: [web]\n    provider: cloudformation\n    region: eu-west-1\n    endpoint-url: \(server.endpoint)\n"
        let (review, record) = try await ApplyTests.approvedWeb(extraFiles: ["Policies/deployments.yaml": deployments])
        let providers = ProviderFactory.reading(credentials: AWSCredentialChain(environment: [:], homeDirectory: "/nonexistent"))
        let report = try await ChangeSetApplication(store: review.store, clock: review.fixture.clock, holder: "test pid 1").apply(
            changeSetID: record.id, actor: "amara", repository: try review.fixture.repository(), providers: providers)
        #expect(report.changeSet.status == .failed)
        #expect(report.output.contains("AWS_ACCESS_KEY_ID"), "\(report.output)")
        #expect(try await review.store.stackState("web") == nil)
        #expect(try await review.store.stackLock("web") == nil)
        try await review.store.close()
    }
}
