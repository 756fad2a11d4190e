/// ``CloudFormationClient`` over the CloudFormation Query API (`Version=2010-05-15`).
public struct LiveCloudFormationClient: CloudFormationClient {
    /// The Query protocol client.
    public let query: AWSQueryClient
    /// Uploads templates too large to send inline.
    public let s3: S3Client
    /// How often a change set or a drift detection is looked at while CloudFormation works.
    public let pollInterval: Duration
    /// How many looks before waiting gives up (with the interval, a bound on the wait).
    public let maximumPolls: Int

    /// Creates a client.
    ///
    /// - Parameters:
    ///   - connection: signs and sends; its service must be `cloudformation`.
    ///   - s3: the S3 client for the artifact bucket, in the same account and region.
    public init(connection: AWSServiceConnection, s3: S3Client, pollInterval: Duration = .seconds(2), maximumPolls: Int = 900) {
        query = AWSQueryClient(connection: connection, version: "2010-05-15")
        self.s3 = s3
        self.pollInterval = pollInterval
        self.maximumPolls = maximumPolls
    }

    /// A client for `region`, with its S3 client, sharing credentials, endpoint, transport and
    /// retry policy.
    public static func make(
        region: String, credentials: any AWSCredentialProvider, endpoint: AWSEndpoint? = nil,
        transport: any AWSTransport = HTTPClientTransport(), retry: AWSRetryPolicy = AWSRetryPolicy(),
        pollInterval: Duration = .seconds(2)
    ) -> LiveCloudFormationClient {
        let cloudFormation = AWSServiceConnection(
            service: "cloudformation", region: region, endpoint: endpoint, credentials: credentials,
            transport: transport, retry: retry
        )
        let s3 = AWSServiceConnection(
            service: "s3", region: region, endpoint: endpoint, credentials: credentials, transport: transport,
            retry: retry, signing: S3Client.signingOptions
        )
        return LiveCloudFormationClient(connection: cloudFormation, s3: S3Client(connection: s3), pollInterval: pollInterval)
    }

    /// The client for one deployment: credentials from ``AWSCredentialChain`` (the environment,
    /// then the profile files), and, when `roleARN` is given, that role assumed through STS and
    /// renewed before it expires.
    ///
    /// - Parameters:
    ///   - endpointURL: the deployment's `endpoint-url`, used for CloudFormation, STS and S3 alike.
    ///   - sessionName: how the assumed role's session shows in the target account's CloudTrail.
    /// - Throws: ``AWSError`` when no credentials are found or the endpoint URL is unusable;
    ///   nothing is sent to AWS until the first call.
    public static func forDeployment(
        region: String, endpointURL: String? = nil, roleARN: String? = nil, sessionName: String = "tollgate",
        credentialChain: AWSCredentialChain = AWSCredentialChain(), transport: any AWSTransport = HTTPClientTransport(),
        retry: AWSRetryPolicy = AWSRetryPolicy(), pollInterval: Duration = .seconds(2)
    ) throws(AWSError) -> LiveCloudFormationClient {
        let endpoint = try endpointURL.map { url throws(AWSError) in try AWSEndpoint(url: url) }
        var credentials: any AWSCredentialProvider = StaticCredentialProvider(try credentialChain.resolve())
        if let roleARN {
            let sts = STSClient(connection: AWSServiceConnection(
                service: "sts", region: region, endpoint: endpoint, credentials: credentials, transport: transport,
                retry: retry
            ))
            credentials = AssumedRoleCredentialProvider(roleARN: roleARN, sessionName: sessionName, sts: sts)
        }
        return make(
            region: region, credentials: credentials, endpoint: endpoint, transport: transport, retry: retry,
            pollInterval: pollInterval
        )
    }

    public func createChangeSet(_ request: ChangeSetRequest) async throws(AWSError) -> ChangeSetReference {
        var parameters = [
            QueryItem("StackName", request.stackName), QueryItem("ChangeSetName", request.changeSetName),
            QueryItem("ChangeSetType", request.type.rawValue),
        ]
        let template = Array(request.templateBody.utf8)
        var templateURL: String?
        if template.count > CloudFormationLimits.inlineTemplateBytes {
            guard let bucket = request.artifactBucket else {
                throw .templateTooLarge(
                    stackName: request.stackName, bytes: template.count, limit: CloudFormationLimits.inlineTemplateBytes
                )
            }
            let key = S3Client.templateKey(stackName: request.stackName, template: template)
            let url = try await s3.putObject(bucket: bucket, key: key, body: template, contentType: "text/plain")
            templateURL = url
            parameters.append(QueryItem("TemplateURL", url))
        } else {
            parameters.append(QueryItem("TemplateBody", request.templateBody))
        }
        parameters += QueryParameters.pairs("Parameters", request.parameters, key: "ParameterKey", value: "ParameterValue")
        parameters += QueryParameters.pairs("Tags", request.tags, key: "Key", value: "Value")
        parameters += QueryParameters.list("Capabilities", request.capabilities)
        if let description = request.description { parameters.append(QueryItem("Description", description)) }
        if let role = request.serviceRoleARN { parameters.append(QueryItem("RoleARN", role)) }
        if let token = request.clientToken { parameters.append(QueryItem("ClientToken", token)) }

        let result = try await query.call("CreateChangeSet", parameters)
        guard let id = result.text("Id"), let stackID = result.text("StackId") else {
            throw .unexpectedResponse(action: "CreateChangeSet", httpStatus: 200, detail: "the answer has no Id")
        }
        return ChangeSetReference(id: id, stackID: stackID, templateURL: templateURL)
    }

    public func waitForChangeSet(id: String, stackName: String) async throws(AWSError) -> ChangeSetOutcome {
        for poll in 1...maximumPolls {
            let description = try await describeChangeSet(id: id, stackName: stackName)
            switch description.status {
            case "CREATE_COMPLETE":
                return .ready(description)
            case "FAILED":
                let reason = description.statusReason ?? "CloudFormation gave no reason"
                return Self.meansNoChanges(reason) ? .noChanges(reason: reason) : .failed(reason: reason)
            default:
                if poll < maximumPolls { try await pause("DescribeChangeSet") }
            }
        }
        return .failed(reason: "the change set was still being created after \(maximumPolls) looks")
    }

    /// CloudFormation says "The submitted information didn't contain changes…" or, for a template
    /// that only changes outputs of a stack it cannot update, "No updates are to be performed".
    static func meansNoChanges(_ reason: String) -> Bool {
        reason.contains("didn't contain changes") || reason.contains("No updates are to be performed")
    }

    public func describeChangeSet(id: String, stackName: String) async throws(AWSError) -> ChangeSetDescription {
        var changes: [ResourceChangeSummary] = []
        var nextToken: String?
        var first: XMLNode?
        repeat {
            var parameters = [QueryItem("ChangeSetName", id), QueryItem("StackName", stackName)]
            if let nextToken { parameters.append(QueryItem("NextToken", nextToken)) }
            let page = try await query.call("DescribeChangeSet", parameters)
            if first == nil { first = page }
            changes += page.members("Changes").compactMap { change in
                guard let resource = change["ResourceChange"] else { return nil }
                return ResourceChangeSummary(
                    action: resource.text("Action") ?? "",
                    logicalID: resource.text("LogicalResourceId") ?? "",
                    physicalID: resource.text("PhysicalResourceId"),
                    resourceType: resource.text("ResourceType") ?? "",
                    replacement: resource.text("Replacement"),
                    scope: resource.members("Scope").map(\.text)
                )
            }
            nextToken = page.text("NextToken").flatMap { $0.isEmpty ? nil : $0 }
        } while nextToken != nil
        let head = first ?? XMLNode(name: "", text: "", children: [])
        return ChangeSetDescription(
            id: head.text("ChangeSetId") ?? id, name: head.text("ChangeSetName") ?? "",
            stackID: head.text("StackId") ?? "", status: head.text("Status") ?? "",
            executionStatus: head.text("ExecutionStatus") ?? "", statusReason: head.text("StatusReason"),
            changes: changes
        )
    }

    public func executeChangeSet(id: String, stackName: String, clientToken: String?) async throws(AWSError) {
        var parameters = [QueryItem("ChangeSetName", id), QueryItem("StackName", stackName)]
        if let clientToken { parameters.append(QueryItem("ClientRequestToken", clientToken)) }
        _ = try await query.call("ExecuteChangeSet", parameters)
    }

    public func deleteChangeSet(id: String, stackName: String) async throws(AWSError) {
        _ = try await query.call("DeleteChangeSet", [QueryItem("ChangeSetName", id), QueryItem("StackName", stackName)])
    }

    public func describeStack(name: String) async throws(AWSError) -> StackDescription? {
        let result: XMLNode
        do {
            result = try await query.call("DescribeStacks", [QueryItem("StackName", name)])
        } catch {
            // CloudFormation answers a missing stack with a plain ValidationError; its message is
            // the only thing that tells it from a malformed request.
            if case .service(let fault, _) = error, fault.code == "ValidationError", fault.message.contains("does not exist") {
                return nil
            }
            throw error
        }
        guard let stack = result.members("Stacks").first else { return nil }
        return StackDescription(
            id: stack.text("StackId") ?? "",
            name: stack.text("StackName") ?? name,
            status: StackStatus(rawValue: stack.text("StackStatus") ?? ""),
            statusReason: stack.text("StackStatusReason"),
            outputs: stack.members("Outputs").map { output in
                StackOutput(
                    key: output.text("OutputKey") ?? "", value: output.text("OutputValue") ?? "",
                    description: output.text("Description"), exportName: output.text("ExportName")
                )
            },
            parameters: Dictionary(
                stack.members("Parameters").map { ($0.text("ParameterKey") ?? "", $0.text("ParameterValue") ?? "") },
                uniquingKeysWith: { _, last in last }
            ),
            tags: Dictionary(
                stack.members("Tags").map { ($0.text("Key") ?? "", $0.text("Value") ?? "") },
                uniquingKeysWith: { _, last in last }
            ),
            creationTime: stack.date("CreationTime"),
            lastUpdatedTime: stack.date("LastUpdatedTime")
        )
    }

    public func stackEvents(stackName: String, after eventID: String?) async throws(AWSError) -> [StackEvent] {
        var newestFirst: [StackEvent] = []
        var nextToken: String?
        pages: repeat {
            var parameters = [QueryItem("StackName", stackName)]
            if let nextToken { parameters.append(QueryItem("NextToken", nextToken)) }
            let page = try await query.call("DescribeStackEvents", parameters)
            for member in page.members("StackEvents") {
                let event = StackEvent(
                    id: member.text("EventId") ?? "",
                    logicalID: member.text("LogicalResourceId") ?? "",
                    physicalID: member.text("PhysicalResourceId").flatMap { $0.isEmpty ? nil : $0 },
                    resourceType: member.text("ResourceType") ?? "",
                    timestamp: member.date("Timestamp"),
                    status: member.text("ResourceStatus") ?? "",
                    reason: member.text("ResourceStatusReason")
                )
                if let eventID, event.id == eventID { break pages }
                newestFirst.append(event)
            }
            nextToken = page.text("NextToken").flatMap { $0.isEmpty ? nil : $0 }
        } while nextToken != nil
        return newestFirst.reversed()
    }

    public func deleteStack(name: String, clientToken: String?) async throws(AWSError) {
        var parameters = [QueryItem("StackName", name)]
        if let clientToken { parameters.append(QueryItem("ClientRequestToken", clientToken)) }
        _ = try await query.call("DeleteStack", parameters)
    }

    public func cancelUpdateStack(name: String) async throws(AWSError) {
        _ = try await query.call("CancelUpdateStack", [QueryItem("StackName", name)])
    }

    public func originalTemplate(stackName: String) async throws(AWSError) -> String {
        let result = try await query.call(
            "GetTemplate", [QueryItem("StackName", stackName), QueryItem("TemplateStage", "Original")]
        )
        guard let body = result["TemplateBody"] else {
            throw .unexpectedResponse(action: "GetTemplate", httpStatus: 200, detail: "the answer has no TemplateBody")
        }
        return body.text
    }

    public func detectStackDrift(stackName: String) async throws(AWSError) -> String {
        let result = try await query.call("DetectStackDrift", [QueryItem("StackName", stackName)])
        guard let id = result.text("StackDriftDetectionId") else {
            throw .unexpectedResponse(
                action: "DetectStackDrift", httpStatus: 200, detail: "the answer has no StackDriftDetectionId"
            )
        }
        return id
    }

    public func driftDetectionStatus(id: String) async throws(AWSError) -> DriftDetectionStatus {
        let result = try await query.call(
            "DescribeStackDriftDetectionStatus", [QueryItem("StackDriftDetectionId", id)]
        )
        return DriftDetectionStatus(
            id: result.text("StackDriftDetectionId") ?? id,
            detectionStatus: result.text("DetectionStatus") ?? "",
            stackDriftStatus: result.text("StackDriftStatus"),
            driftedResourceCount: result.text("DriftedStackResourceCount").flatMap { Int($0) },
            reason: result.text("DetectionStatusReason")
        )
    }

    public func resourceDrifts(stackName: String) async throws(AWSError) -> [ResourceDrift] {
        var drifts: [ResourceDrift] = []
        var nextToken: String?
        repeat {
            var parameters = [QueryItem("StackName", stackName)]
            if let nextToken { parameters.append(QueryItem("NextToken", nextToken)) }
            let page = try await query.call("DescribeStackResourceDrifts", parameters)
            drifts += page.members("StackResourceDrifts").map { member in
                ResourceDrift(
                    logicalID: member.text("LogicalResourceId") ?? "",
                    physicalID: member.text("PhysicalResourceId"),
                    resourceType: member.text("ResourceType") ?? "",
                    status: member.text("StackResourceDriftStatus") ?? "",
                    differences: member.members("PropertyDifferences").map { difference in
                        PropertyDifference(
                            path: difference.text("PropertyPath") ?? "",
                            expected: difference.text("ExpectedValue") ?? "",
                            actual: difference.text("ActualValue") ?? "",
                            differenceType: difference.text("DifferenceType") ?? ""
                        )
                    }
                )
            }
            nextToken = page.text("NextToken").flatMap { $0.isEmpty ? nil : $0 }
        } while nextToken != nil
        return drifts
    }

    /// Waits one poll interval through the retry policy's injected sleep.
    private func pause(_ action: String) async throws(AWSError) {
        do {
            try await query.connection.retry.sleep(pollInterval)
        } catch {
            throw .cancelled(action: action)
        }
    }
}
