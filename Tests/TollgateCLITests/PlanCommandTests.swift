import Foundation
import Testing
import TollgateTestSupport

@Suite("tollgate plan")
struct PlanCommandTests {
    private func repository() throws -> (GitFixture, first: String, second: String) {
        let fixture = try GitFixture()
        try fixture.write("Stacks/storage/template.yaml", """
            Parameters:
              BucketName: {Type: String}
            Resources:
              Bucket:
                Type: AWS::S3::Bucket
                Properties:
                  BucketName: !Ref BucketName
            """)
        try fixture.write("Stacks/storage/config.json", #"{"Parameters": {"BucketName": "invoices"}}"#)
        let first = try fixture.commit("add storage")
        try fixture.write("Stacks/storage/config.json", #"{"Parameters": {"BucketName": "invoices-v2"}}"#)
        let second = try fixture.commit("rename bucket")
        return (fixture, first, second)
    }

    @Test("a new stack plans as CREATE at the tip, in CloudFormation's JSON shape with its digest")
    func createAtTip() throws {
        let (fixture, _, second) = try repository()
        let result = try TollgateBinary.run(["plan", "storage", "--repo", fixture.path, "--json"])
        #expect(result.status == 0, "\(result.standardError)")
        let json = try #require(JSONSerialization.jsonObject(with: Data(result.standardOutput.utf8)) as? [String: Any])
        #expect(json["ChangeSetType"] as? String == "CREATE")
        #expect(json["Stack"] as? String == "storage")
        #expect(json["Commit"] as? String == second)
        #expect((json["Digest"] as? String)?.count == 64)
        let changes = try #require(json["Changes"] as? [[String: Any]])
        let resource = try #require(changes.first?["ResourceChange"] as? [String: Any])
        #expect(resource["LogicalResourceId"] as? String == "Bucket")
        #expect(resource["Action"] as? String == "Add")
    }

    @Test("--commit plans an earlier commit, and the digest follows the content")
    func earlierCommit() throws {
        let (fixture, first, _) = try repository()
        let older = try TollgateBinary.run(["plan", "storage", "--repo", fixture.path, "--commit", first, "--json"])
        let newer = try TollgateBinary.run(["plan", "storage", "--repo", fixture.path, "--json"])
        let olderDigest = try #require(JSONSerialization.jsonObject(with: Data(older.standardOutput.utf8)) as? [String: Any])["Digest"] as? String
        let newerDigest = try #require(JSONSerialization.jsonObject(with: Data(newer.standardOutput.utf8)) as? [String: Any])["Digest"] as? String
        #expect(olderDigest != nil)
        #expect(olderDigest != newerDigest)
    }

    @Test("the text output ends with the summary line")
    func text() throws {
        let (fixture, _, _) = try repository()
        let result = try TollgateBinary.run(["plan", "storage", "--repo", fixture.path])
        #expect(result.status == 0)
        #expect(result.standardOutput.contains("Plan: 1 to add, 0 to modify, 0 to remove"))
    }

    @Test("an unknown stack lists the stacks there are")
    func unknownStack() throws {
        let (fixture, _, _) = try repository()
        let result = try TollgateBinary.run(["plan", "storgae", "--repo", fixture.path])
        #expect(result.status != 0)
        #expect(result.standardError.contains("No stack 'storgae'"))
        #expect(result.standardError.contains("stacks there: storage"))
    }

    @Test("a broken template is named by commit, path, line and logical id")
    func brokenTemplate() throws {
        let (fixture, _, _) = try repository()
        try fixture.write("Stacks/storage/template.yaml", """
            Resources:
              Bucket:
                Type: AWS::S3::Bucket
                Properties:
                  BucketName: !Ref Missing
            """)
        let id = try fixture.commit("break it")
        let result = try TollgateBinary.run(["plan", "storage", "--repo", fixture.path])
        #expect(result.status != 0)
        #expect(result.standardError.contains("\(id.prefix(7)):Stacks/storage/template.yaml:5:"), "\(result.standardError)")
        #expect(result.standardError.contains("Missing"))
        #expect(result.standardOutput.isEmpty)
    }

    @Test("a configuration value outside AllowedValues is refused, naming the file")
    func badParameter() throws {
        let fixture = try GitFixture()
        try fixture.write("Stacks/app/template.yaml", """
            Parameters:
              Size: {Type: String, AllowedValues: [small, large]}
            Resources:
              Queue: {Type: AWS::SQS::Queue}
            """)
        try fixture.write("Stacks/app/config.json", #"{"Parameters": {"Size": "huge"}}"#)
        let id = try fixture.commit("app")
        let result = try TollgateBinary.run(["plan", "app", "--repo", fixture.path])
        #expect(result.status != 0)
        #expect(result.standardError.contains("\(id.prefix(7)):Stacks/app/config.json"), "\(result.standardError)")
        #expect(result.standardError.contains("huge"))
    }

    @Test("plan Policies/ says that policies are not a stack", arguments: ["Policies/", "Policies/approvals.yaml"])
    func policies(name: String) throws {
        let fixture = try GitFixture()
        try fixture.write("Stacks/network/template.yaml", "Resources:\n  Vpc:\n    Type: AWS::EC2::VPC\n")
        try fixture.commit("add network")
        let setup = try CLIRepository(fixture)
        let result = try TollgateBinary.run(["plan", name] + setup.store)
        #expect(result.status != 0)
        #expect(result.standardError.contains("Policies/ is not a stack"), "\(result.standardError)")
    }
}
