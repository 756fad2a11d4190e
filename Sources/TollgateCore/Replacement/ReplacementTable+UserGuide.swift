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
    /// Where the schemas from which the generated table comes and the user guide disagree,
    /// found by checking the resource types of the example stacks and of the conformance
    /// corpus against the user guide's "Update requires" lines. Kept by hand beside the
    /// generated table; regenerating the table does not touch it.
    public static let userGuideDisagreements: [ReplacementDisagreement] = [
        ReplacementDisagreement(
            resourceType: "AWS::EC2::EIP", property: "Domain", schema: .never, userGuide: .always,
            source: "https://docs.aws.amazon.com/AWSCloudFormation/latest/UserGuide/aws-properties-ec2-eip.html#cfn-ec2-eip-domain"),
    ]

    /// The disagreement recorded for a property, if any.
    public func disagreement(type: String, property: String) -> ReplacementDisagreement? {
        disagreements[type]?[property]
    }
}
