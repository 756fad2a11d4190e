extension ReplacementTable {
    /// The AWS SAM resource types, in the generated table's format, kept by hand: SAM has no
    /// resource schema, so each line lists the SAM properties that SAM's documentation maps onto
    /// a create-only property of the resource it generates (for example a function's
    /// `FunctionName` onto `AWS::Lambda::Function.FunctionName`, a table's `PrimaryKey` onto
    /// `AWS::DynamoDB::Table.KeySchema`, and every property of a layer version, which Lambda
    /// never updates in place). Sources: the AWS SAM developer guide, "AWS SAM resources and
    /// properties", and the create-only properties of the generated types in this table.
    static let serverlessSource = """
        AWS::Serverless::Api\t1\t
        AWS::Serverless::Application\t1\t
        AWS::Serverless::Connector\t0\t
        AWS::Serverless::Function\t1\tFunctionName,PackageType
        AWS::Serverless::GraphQLApi\t1\t
        AWS::Serverless::HttpApi\t1\t
        AWS::Serverless::LayerVersion\t0\tCompatibleArchitectures,CompatibleRuntimes,ContentUri,Description,LayerName,LicenseInfo
        AWS::Serverless::SimpleTable\t1\tPrimaryKey,TableName
        AWS::Serverless::StateMachine\t1\tName,Type
        """
}
