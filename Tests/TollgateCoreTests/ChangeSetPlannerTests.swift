import Foundation
import Testing
import TollgateCore

@Suite("Change planner")
struct ChangeSetPlannerTests {
    private func snapshot(_ text: String, parameters: [String: String] = [:], tags: [String: String] = [:]) throws -> StackSnapshot {
        let template = try TemplateParser.parse(text, fileName: "template.yaml")
        return try StackSnapshot(
            template: template, configuration: TemplateConfiguration(parameters: parameters, tags: tags, fileName: "config.json"))
    }

    private func plan(_ old: String?, _ new: String, oldParameters: [String: String] = [:], newParameters: [String: String] = [:],
                      oldTags: [String: String] = [:], newTags: [String: String] = [:], commit: String = "c0ffee1") throws -> ChangeSet {
        let base = try old.map { try snapshot($0, parameters: oldParameters, tags: oldTags) }
        return try ChangePlanner().plan(
            stackName: "orders", commit: commit, base: base, target: try snapshot(new, parameters: newParameters, tags: newTags))
    }

    @Test("A type change under the same logical id is refused, naming the resource")
    func typeChangeRefused() throws {
        let error = #expect(throws: ChangePlanError.self) {
            try plan("Resources:\n  Store:\n    Type: AWS::S3::Bucket\n", "Resources:\n  Store:\n    Type: AWS::DynamoDB::Table\n")
        }
        let message = error.map { "\($0)" } ?? ""
        #expect(message.contains("Update of resource type is not permitted"))
        #expect(message.contains("'Store'") && message.contains("template.yaml:2:3") && message.contains("new logical id"))
    }

    @Test("A type missing from the table is Conditional with a note")
    func unknownType() throws {
        let changeSet = try plan(
            "Resources:\n  Thing:\n    Type: Custom::Widget\n    Properties: {ServiceToken: arn, Size: 1}\n",
            "Resources:\n  Thing:\n    Type: Custom::Widget\n    Properties: {ServiceToken: arn, Size: 2}\n")
        let change = try #require(changeSet.resourceChanges.first)
        #expect(change.replacement == .conditional)
        #expect(change.details.first?.target.requiresRecreation == .conditionally)
        #expect(change.note?.contains("Custom::Widget") == true)
        #expect(changeSet.isDestructive)
    }

    @Test("Stack tag changes reach taggable resources with Scope Tags")
    func stackTags() throws {
        let template = "Resources:\n  Queue:\n    Type: AWS::SQS::Queue\n  Perm:\n    Type: AWS::Lambda::Permission\n    Properties: {Action: x, FunctionName: f, Principal: p}\n"
        let changeSet = try plan(template, template, oldTags: ["team": "a"], newTags: ["team": "b"])
        #expect(changeSet.resourceChanges.map(\.logicalResourceId) == ["Queue"])
        #expect(changeSet.resourceChanges.first?.scope == [.tags])
        #expect(changeSet.templateChanges.map(\.section) == ["Tags"])
        #expect(!changeSet.isDestructive)
    }

    @Test("Summary line counts adds, modifications, replacements and removals")
    func summary() throws {
        let changeSet = try plan(
            "Resources:\n  A: {Type: AWS::S3::Bucket, Properties: {BucketName: a}}\n  B: {Type: AWS::SQS::Queue, Properties: {DelaySeconds: 1}}\n  C: {Type: AWS::SNS::Topic}\n",
            "Resources:\n  A: {Type: AWS::S3::Bucket, Properties: {BucketName: b}}\n  B: {Type: AWS::SQS::Queue, Properties: {DelaySeconds: 2}}\n  D: {Type: AWS::SNS::Topic}\n  E: {Type: AWS::SNS::Topic}\n")
        #expect(changeSet.summary.line == "Plan: 2 to add, 2 to modify (1 replacement), 1 to remove")
        #expect(changeSet.isDestructive)
    }

    @Test("The digest is stable, and binds the commit and the content")
    func digest() throws {
        let old = "Resources:\n  A: {Type: AWS::SQS::Queue, Properties: {DelaySeconds: 1}}\n"
        let new = "Resources:\n  A: {Type: AWS::SQS::Queue, Properties: {DelaySeconds: 2}}\n"
        let first = try plan(old, new)
        let again = try plan(old, new)
        let otherCommit = try plan(old, new, commit: "deadbee")
        let otherContent = try plan(old, "Resources:\n  A: {Type: AWS::SQS::Queue, Properties: {DelaySeconds: 3}}\n")
        #expect(first.digest == again.digest)
        #expect(first.digest.count == 64)
        #expect(first.digest != otherCommit.digest)
        #expect(first.digest != otherContent.digest)
    }

    @Test("NoEcho values never appear in the change set or its JSON")
    func noEchoMasked() throws {
        let template = """
            Parameters:
              Password: {Type: String, NoEcho: true}
            Resources:
              Db:
                Type: AWS::RDS::DBInstance
                Properties: {DBInstanceClass: db.t3.micro, Engine: postgres, MasterUserPassword: !Ref Password}
            """
        let changeSet = try plan(template, template, oldParameters: ["Password": "old-secret"], newParameters: ["Password": "new-secret"])
        let json = String(decoding: try JSONEncoder().encode(changeSet), as: UTF8.self)
        #expect(!json.contains("old-secret") && !json.contains("new-secret"))
        #expect(changeSet.parameters == [ParameterValue(parameterKey: "Password", parameterValue: "****")])
        let detail = try #require(changeSet.resourceChanges.first?.details.first)
        #expect(detail.changeSource == .parameterReference && detail.causingEntity == "Password")
    }

    @Test("JSON has CloudFormation's DescribeChangeSet shape and round-trips")
    func jsonShape() throws {
        let changeSet = try plan(
            "Resources:\n  A: {Type: AWS::S3::Bucket, Properties: {BucketName: a}}\n",
            "Resources:\n  A: {Type: AWS::S3::Bucket, Properties: {BucketName: b}}\n")
        let data = try JSONEncoder().encode(changeSet)
        let object = try #require(try JSONSerialization.jsonObject(with: data) as? [String: Any])
        #expect(object["ChangeSetType"] as? String == "UPDATE")
        #expect(object["Stack"] as? String == "orders" && object["Commit"] as? String == "c0ffee1")
        #expect((object["Digest"] as? String)?.count == 64)
        let change = try #require((object["Changes"] as? [[String: Any]])?.first)
        #expect(change["Type"] as? String == "Resource")
        let resource = try #require(change["ResourceChange"] as? [String: Any])
        #expect(resource["Action"] as? String == "Modify" && resource["Replacement"] as? String == "True")
        let detail = try #require((resource["Details"] as? [[String: Any]])?.first)
        let target = try #require(detail["Target"] as? [String: Any])
        #expect(target["Name"] as? String == "BucketName" && target["RequiresRecreation"] as? String == "Always")
        #expect(target["BeforeValue"] as? String == "a" && target["AfterValue"] as? String == "b")
        #expect(try JSONDecoder().decode(ChangeSet.self, from: data) == changeSet)
    }

    @Test("Outputs and mappings changes are listed")
    func sectionChanges() throws {
        let changeSet = try plan(
            "Mappings:\n  M: {a: {b: '1'}}\nResources:\n  A: {Type: AWS::SNS::Topic}\nOutputs:\n  O: {Value: !Ref A}\n",
            "Mappings:\n  M: {a: {b: '2'}}\nResources:\n  A: {Type: AWS::SNS::Topic}\nOutputs:\n  P: {Value: !Ref A}\n")
        let listed = changeSet.templateChanges.map { "\($0.section).\($0.name):\($0.action.rawValue)" }
        #expect(listed == ["Outputs.O:Remove", "Outputs.P:Add", "Mappings.M:Modify"])
        #expect(changeSet.changes.isEmpty && !changeSet.isEmpty)
    }

    @Test("A Ref to a resource modified in place is no change; an attribute read is Dynamic")
    func inPlaceModification() throws {
        let template = { (delay: Int) in
            """
            Resources:
              Queue: {Type: AWS::SQS::Queue, Properties: {DelaySeconds: \(delay)}}
              ByRef: {Type: AWS::SSM::Parameter, Properties: {Type: String, Value: !Ref Queue}}
              ByAttribute: {Type: AWS::SSM::Parameter, Properties: {Type: String, Value: !GetAtt Queue.Arn}}
            """
        }
        let changeSet = try plan(template(1), template(2))
        #expect(changeSet.resourceChanges.map(\.logicalResourceId) == ["Queue", "ByAttribute"])
        let detail = try #require(changeSet.resourceChanges.last?.details.first)
        #expect(detail.evaluation == .dynamic && detail.changeSource == .resourceAttribute && detail.causingEntity == "Queue.Arn")
    }

    @Test("Replacement propagates along a chain of references, as Conditional")
    func chain() throws {
        let template = { (name: String) in
            """
            Resources:
              Vpc: {Type: AWS::EC2::VPC, Properties: {CidrBlock: \(name)}}
              Subnet: {Type: AWS::EC2::Subnet, Properties: {VpcId: !Ref Vpc, CidrBlock: 10.0.0.0/24}}
              Host: {Type: AWS::EC2::Instance, Properties: {ImageId: ami-0abcdef1234567890, SubnetId: !Ref Subnet}}
            """
        }
        let changeSet = try plan(template("10.0.0.0/16"), template("10.1.0.0/16"))
        let replacements = changeSet.resourceChanges.map { "\($0.logicalResourceId):\($0.replacement?.rawValue ?? "")" }
        #expect(replacements == ["Vpc:True", "Subnet:Conditional", "Host:Conditional"])
    }

    @Test("Fn::If with AWS::NoValue removes a property when its condition flips")
    func noValue() throws {
        let template = """
            Parameters:
              Encrypt: {Type: String, AllowedValues: ["yes", "no"]}
            Conditions:
              Encrypted: !Equals [!Ref Encrypt, "yes"]
            Resources:
              Topic:
                Type: AWS::SNS::Topic
                Properties:
                  KmsMasterKeyId: !If [Encrypted, alias/aws/sns, !Ref "AWS::NoValue"]
            """
        let changeSet = try plan(template, template, oldParameters: ["Encrypt": "yes"], newParameters: ["Encrypt": "no"])
        let detail = try #require(changeSet.resourceChanges.first?.details.first)
        #expect(detail.target.name == "KmsMasterKeyId")
        #expect(detail.target.beforeValue == "alias/aws/sns" && detail.target.afterValue == nil)
        #expect(detail.changeSource == .parameterReference && detail.causingEntity == "Encrypt")
    }

    @Test("A recorded state's NoEcho values stay masked even when the record does not say NoEcho")
    func recordedStateMasked() throws {
        let text = "Parameters:\n  Token: {Type: String, NoEcho: true}\nResources:\n  A: {Type: AWS::SNS::Topic}\n"
        let template = try TemplateParser.parse(Array(text.utf8), fileName: "template.yaml")
        let base = StackSnapshot(template: template, parameters: ResolvedParameters(values: ["Token": "recorded-secret"]))
        let target = StackSnapshot(template: template, parameters: ResolvedParameters(values: ["Token": "new-secret"]))
        let changeSet = try ChangePlanner().plan(stackName: "s", commit: "c", base: base, target: target)
        let json = String(decoding: try JSONEncoder().encode(changeSet), as: UTF8.self)
        #expect(!json.contains("secret"))
        #expect(changeSet.templateChanges.first?.before == "****")
    }

    /// Approvals are bound to digests across processes and releases, so the digest must not
    /// depend on hashing seeds or dictionary order: this value was computed by another run.
    @Test("The digest is the same in every process")
    func goldenDigest() throws {
        let folder = try Fixtures.changeSetFolder("replaced-referenced")
        let changeSet = try ChangePlanner().plan(
            stackName: "s", commit: "", base: try Fixtures.snapshot(in: folder, prefix: "old"),
            target: try #require(try Fixtures.snapshot(in: folder, prefix: "new")))
        #expect(changeSet.digest == "55cdd3a9ebb2e37e1ae98572b3128e7432b1ea39b9b67558f430e6c63dd8c6c5")
    }
}
