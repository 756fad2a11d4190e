import Foundation
import Testing
import TollgateCore

/// Before anything is executed, CloudFormation's own change set is compared with the approved
/// one: an addition, removal or replacement reviewers were not shown stops the apply.
@Suite("Provider change check")
struct ProviderChangeCheckTests {
    private func plan(_ old: String, _ new: String) throws -> ChangeSet {
        func snapshot(_ text: String) throws -> StackSnapshot {
            try StackSnapshot(
                template: try TemplateParser.parse(text, fileName: "template.yaml"),
                configuration: TemplateConfiguration(parameters: [:], tags: [:], fileName: "config.json"))
        }
        return try ChangePlanner().plan(stackName: "web", commit: "c0ffee1", base: try snapshot(old), target: try snapshot(new))
    }

    private let before = "Resources:\n  Assets:\n    Type: AWS::S3::Bucket\n    Properties:\n      Tags: [{Key: a, Value: b}]\n"
    private let after = "Resources:\n  Assets:\n    Type: AWS::S3::Bucket\n    Properties:\n      Tags: [{Key: a, Value: c}]\n  Queue:\n    Type: AWS::SQS::Queue\n"

    @Test("CloudFormation doing what was approved passes")
    func same() throws {
        let approved = try plan(before, after)
        #expect(approved.unapproved([
            ProviderChange(action: "Add", logicalID: "Queue", resourceType: "AWS::SQS::Queue", replacement: nil),
            ProviderChange(action: "Modify", logicalID: "Assets", resourceType: "AWS::S3::Bucket", replacement: "False"),
        ]).isEmpty)
    }

    @Test("a replacement, removal or addition reviewers were not shown is named", arguments: [
        ProviderChange(action: "Modify", logicalID: "Assets", resourceType: "AWS::S3::Bucket", replacement: "True"),
        ProviderChange(action: "Modify", logicalID: "Assets", resourceType: "AWS::S3::Bucket", replacement: "Conditional"),
        ProviderChange(action: "Remove", logicalID: "Assets", resourceType: "AWS::S3::Bucket", replacement: nil),
        ProviderChange(action: "Add", logicalID: "Topic", resourceType: "AWS::SNS::Topic", replacement: nil),
    ])
    func unapproved(change: ProviderChange) throws {
        let approved = try plan(before, after)
        let found = approved.unapproved([change])
        #expect(found.map(\.change) == [change])
        #expect(found.first?.description.contains(change.logicalID) == true)
    }

    @Test("a macro's expanded resources are accepted, since the approved change set says it may change anything")
    func transform() throws {
        let macro = "Transform: AWS::Serverless-2016-10-31\n" + after
        let approved = try plan("Transform: AWS::Serverless-2016-10-31\n" + before, macro)
        #expect(approved.unapproved([
            ProviderChange(action: "Add", logicalID: "QueueRole", resourceType: "AWS::IAM::Role", replacement: nil),
        ]).isEmpty)
        #expect(!approved.unapproved([
            ProviderChange(action: "Remove", logicalID: "Assets", resourceType: "AWS::S3::Bucket", replacement: nil),
        ]).isEmpty)
    }
}
