import Testing
import TollgateCore

/// CloudFormation stack policy semantics: implicit deny, Deny wins, NotAction, NotResource,
/// wildcards and resource type conditions.
@Suite("Stack policies")
struct StackPolicyTests {
    static func decide(_ json: String, _ logicalID: String, _ type: String, _ action: ResourceAction) throws -> StackPolicyDecision.Outcome {
        try StackPolicy.parse(json, stack: "database", file: "Policies/stack-policies/database.json")
            .evaluate(GuardedChange(logicalID: logicalID, resourceType: type, action: action)).outcome
    }

    static let allowAll = #"{"Statement":[{"Effect":"Allow","Action":"Update:*","Principal":"*","Resource":"*"}]}"#
    static let protectDatabase = """
    {
      "Statement": [
        {"Effect": "Allow", "Action": "Update:*", "Principal": "*", "Resource": "*"},
        {"Effect": "Deny", "Action": ["Update:Replace", "Update:Delete"], "Principal": "*", "Resource": "LogicalResourceId/Prod*"}
      ]
    }
    """
    static let modifyOnly = #"{"Statement":[{"Effect":"Allow","Action":"Update:Modify","Principal":"*","Resource":"*"}]}"#
    static let notAction = #"{"Statement":[{"Effect":"Allow","NotAction":"Update:Delete","Principal":"*","Resource":"*"}]}"#
    static let notResource = #"{"Statement":[{"Effect":"Allow","Action":"Update:*","Principal":"*","NotResource":"LogicalResourceId/Vault"}]}"#
    static let byType = """
    {"Statement": [
      {"Effect": "Allow", "Action": "Update:*", "Principal": "*", "Resource": "*"},
      {"Effect": "Deny", "Action": "Update:*", "Principal": "*", "Resource": "*",
       "Condition": {"StringEquals": {"ResourceType": ["AWS::EC2::VPC"]}}},
      {"Effect": "Deny", "Action": "Update:Replace", "Principal": "*", "Resource": "*",
       "Condition": {"StringLike": {"ResourceType": ["AWS::RDS::*"]}}}
    ]}
    """

    @Test("Decisions per resource", arguments: [
        (allowAll, "Anything", "AWS::S3::Bucket", ResourceAction.remove, true),
        (protectDatabase, "ProdDB", "AWS::RDS::DBInstance", .modify, true),
        (protectDatabase, "ProdDB", "AWS::RDS::DBInstance", .replace, false),
        (protectDatabase, "ProdDB", "AWS::RDS::DBInstance", .conditionalReplace, false),
        (protectDatabase, "ProdDB", "AWS::RDS::DBInstance", .remove, false),
        (protectDatabase, "StagingDB", "AWS::RDS::DBInstance", .remove, true),
        (modifyOnly, "Queue", "AWS::SQS::Queue", .modify, true),
        (modifyOnly, "Queue", "AWS::SQS::Queue", .replace, false),
        (modifyOnly, "Queue", "AWS::SQS::Queue", .conditionalReplace, false),
        (notAction, "Queue", "AWS::SQS::Queue", .replace, true),
        (notAction, "Queue", "AWS::SQS::Queue", .remove, false),
        (notResource, "Vault", "AWS::KMS::Key", .modify, false),
        (notResource, "Bucket", "AWS::S3::Bucket", .modify, true),
        (byType, "Vpc", "AWS::EC2::VPC", .modify, false),
        (byType, "Subnet", "AWS::EC2::Subnet", .modify, true),
        (byType, "Db", "AWS::RDS::DBCluster", .replace, false),
        (byType, "Db", "AWS::RDS::DBCluster", .modify, true),
    ])
    func decisions(policy: String, logicalID: String, type: String, action: ResourceAction, allowed: Bool) throws {
        let outcome = try Self.decide(policy, logicalID, type, action)
        #expect((outcome == .allowed) == allowed, "\(outcome)")
    }

    @Test("New resources are not governed, as in CloudFormation")
    func additions() throws {
        #expect(try Self.decide(Self.modifyOnly, "New", "AWS::S3::Bucket", .add) == .notGoverned)
    }

    @Test("Denials say which statement or that nothing allowed it")
    func reasons() throws {
        #expect(try Self.decide(Self.protectDatabase, "ProdDB", "AWS::RDS::DBInstance", .remove) == .denied(reason: "Statement[1] denies Update:Delete"))
        #expect(try Self.decide(Self.modifyOnly, "Queue", "AWS::SQS::Queue", .remove) == .denied(reason: "no statement allows Update:Delete, and a stack policy denies what it does not allow"))
    }

    @Test("Malformed stack policies name file, line, column and field", arguments: [
        ("{\"Statement\": [}", "Policies/stack-policies/database.json:1:16: is not valid JSON"),
        (#"{"Statements": []}"#, "Policies/stack-policies/database.json:1:2: Statements is not a known field"),
        ("{\"Statement\": [\n  {\"Effect\": \"Allow\", \"Action\": \"Update:Create\", \"Resource\": \"*\"}\n]}", "Policies/stack-policies/database.json:2:33: Statement[0].Action[0] 'Update:Create' is not a stack policy action"),
        (#"{"Statement": [{"Effect": "Permit", "Action": "Update:*", "Resource": "*"}]}"#, "Statement[0].Effect must be \"Allow\" or \"Deny\""),
        (#"{"Statement": [{"Effect": "Allow", "Action": "Update:*", "Resource": "Database"}]}"#, "Statement[0].Resource[0] 'Database' must be \"*\" or \"LogicalResourceId/<logical id>\""),
        (#"{"Statement": [{"Effect": "Allow", "Action": "Update:*", "NotAction": "Update:Delete", "Resource": "*"}]}"#, "Statement[0] must have Action or NotAction, not both"),
        (#"{"Statement": [{"Effect": "Allow", "Action": "Update:*", "Resource": "*", "Principal": "arn:aws:iam::1:root"}]}"#, "Statement[0].Principal must be \"*\""),
        (#"{"Statement": [{"Effect": "Allow", "Action": "Update:*", "Resource": "*", "Condition": {"StringEquals": {"LogicalId": "x"}}}]}"#, "Statement[0].Condition.StringEquals.LogicalId is not a known field"),
        (#"{"Statement": [{"Effect": "Allow", "Effect": "Deny", "Action": "Update:*", "Resource": "*"}]}"#, "Statement[0].Effect appears twice"),
    ])
    func malformed(json: String, expected: String) {
        let error = #expect(throws: PolicyError.self) {
            try StackPolicy.parse(json, stack: "database", file: "Policies/stack-policies/database.json")
        }
        #expect(error?.description.contains(expected) == true, "\(String(describing: error))")
    }
}
