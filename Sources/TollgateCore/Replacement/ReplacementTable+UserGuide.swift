/// A property for which the resource schema and the CloudFormation user guide's
/// "Update requires" disagree; Tollgate predicts the more destructive answer and says so.
public struct ReplacementDisagreement: Sendable, Equatable {
    /// The resource type.
    public var resourceType: String
    /// The top-level property.
    public var property: String
    /// What the resource schema says.
    public var schema: RequiresRecreation
    /// What the user guide says.
    public var userGuide: RequiresRecreation
    /// Where the user guide says it.
    public var source: String

    /// One sentence for the change's note.
    public var note: String {
        "\(resourceType).\(property): the resource schema (cfn-lint \(ReplacementTable.generatedFromCfnLint)) says "
            + "\(schema.rawValue), CloudFormation's user guide says \(userGuide.rawValue) (\(source)); "
            + "Tollgate predicts \(max(schema, userGuide).rawValue)."
    }
}

extension ReplacementTable {
    /// Where the schemas from which the generated table comes and the user guide disagree about a
    /// top-level property, found by checking every property of the resource types of the example
    /// stacks and of the 42 types most used in the conformance corpus (see docs/change-sets.md)
    /// against the user guide's "Update requires" lines. Both directions are kept: where the guide
    /// says replacement, Tollgate predicts it; where only the schema does, the prediction stays and
    /// the note tells the reviewer the guide says otherwise. Kept by hand beside the generated
    /// table; regenerating the table does not touch it.
    public static let userGuideDisagreements: [ReplacementDisagreement] = [
        ReplacementDisagreement(
            resourceType: "AWS::DynamoDB::Table", property: "KeySchema", schema: .never, userGuide: .always,
            source: "https://docs.aws.amazon.com/AWSCloudFormation/latest/UserGuide/aws-resource-dynamodb-table.html#cfn-dynamodb-table-keyschema"),
        ReplacementDisagreement(
            resourceType: "AWS::EC2::EIP", property: "Domain", schema: .never, userGuide: .always,
            source: "https://docs.aws.amazon.com/AWSCloudFormation/latest/UserGuide/aws-properties-ec2-eip.html#cfn-ec2-eip-domain"),
        ReplacementDisagreement(
            resourceType: "AWS::EC2::VPCGatewayAttachment", property: "VpcId", schema: .always, userGuide: .never,
            source: "https://docs.aws.amazon.com/AWSCloudFormation/latest/UserGuide/aws-resource-ec2-vpc-gateway-attachment.html#cfn-ec2-vpcgatewayattachment-vpcid"),
        ReplacementDisagreement(
            resourceType: "AWS::ECS::Service", property: "DeploymentController", schema: .never, userGuide: .always,
            source: "https://docs.aws.amazon.com/AWSCloudFormation/latest/UserGuide/aws-resource-ecs-service.html#cfn-ecs-service-deploymentcontroller"),
        ReplacementDisagreement(
            resourceType: "AWS::ECS::Service", property: "LaunchType", schema: .never, userGuide: .always,
            source: "https://docs.aws.amazon.com/AWSCloudFormation/latest/UserGuide/aws-resource-ecs-service.html#cfn-ecs-service-launchtype"),
        ReplacementDisagreement(
            resourceType: "AWS::Lambda::Function", property: "PackageType", schema: .always, userGuide: .never,
            source: "https://docs.aws.amazon.com/AWSCloudFormation/latest/UserGuide/aws-resource-lambda-function.html#cfn-lambda-function-packagetype"),
        ReplacementDisagreement(
            resourceType: "AWS::RDS::DBInstance", property: "PerformanceInsightsKMSKeyId", schema: .never, userGuide: .always,
            source: "https://docs.aws.amazon.com/AWSCloudFormation/latest/UserGuide/aws-resource-rds-dbinstance.html#cfn-rds-dbinstance-performanceinsightskmskeyid"),
        ReplacementDisagreement(
            resourceType: "AWS::RDS::DBInstance", property: "Port", schema: .never, userGuide: .always,
            source: "https://docs.aws.amazon.com/AWSCloudFormation/latest/UserGuide/aws-resource-rds-dbinstance.html#cfn-rds-dbinstance-port"),
        ReplacementDisagreement(
            resourceType: "AWS::S3::Bucket", property: "ObjectLockEnabled", schema: .never, userGuide: .always,
            source: "https://docs.aws.amazon.com/AWSCloudFormation/latest/UserGuide/aws-properties-s3-bucket.html#cfn-s3-bucket-objectlockenabled"),
    ]

    /// The disagreement recorded for a property, if any.
    public func disagreement(type: String, property: String) -> ReplacementDisagreement? {
        disagreements[type]?[property]
    }
}
