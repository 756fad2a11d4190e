public import TollgateAWS
public import TollgateCore
public import TollgateStore

/// Compares each applied stack's recorded state (template, resolved parameters, tags) with what
/// its provider holds: `tollgate drift`, meant to run from a timer.
///
/// The provider comes from `Policies/deployments.yaml` of the policy in force. A `cloudformation`
/// stack is compared through `GetTemplate`, `DescribeStacks` and CloudFormation's own resource
/// drift detection; a `record` stack's recorded state is its target, and a `command` cannot be
/// asked what it deployed, so neither is compared. Nothing is written to the store.
public struct DriftCheck: Sendable {
    /// The store whose recorded states are compared.
    public let store: any StateStore
    /// Makes the CloudFormation client of a deployment entry.
    public let clients: CloudFormationClients
    /// How CloudFormation's drift detection is waited for.
    public let detection: DriftDetectionPolling

    /// Creates the use case.
    public init(store: any StateStore, clients: CloudFormationClients = .standard, detection: DriftDetectionPolling = DriftDetectionPolling()) {
        self.store = store
        self.clients = clients
        self.detection = detection
    }

    /// Checks `stack`, or every stack with a recorded state when `stack` is nil, in name order.
    ///
    /// A stack whose check fails (credentials missing or refused, an endpoint that cannot be
    /// reached, a template that cannot be read) is reported as ``StackDrift/Status/error`` and
    /// the others are still checked.
    /// - Throws: ``DriftError/unknownStack(_:known:)`` when `stack` has no recorded state,
    ///   ``ReviewError`` when no policy is in force, ``StoreError`` when the store fails.
    public func check(stack: String? = nil, repository: ManagedRepository) async throws -> DriftReport {
        let policy = try await PolicyInForce.load(from: store, repository: repository)
        var states = try await store.stackStates().sorted { $0.stack < $1.stack }
        if let stack {
            guard let state = states.first(where: { $0.stack == stack }) else {
                throw DriftError.unknownStack(stack, known: states.filter { !$0.isRemoved }.map(\.stack))
            }
            states = [state]
        }
        var checked: [StackDrift] = []
        for state in states {
            checked.append(await check(state, target: policy.policy.deployments.deployment(for: state.stack).target))
        }
        return DriftReport(stacks: checked)
    }

    private func check(_ state: StackStateRecord, target: DeploymentTarget) async -> StackDrift {
        let entry = StackDrift(
            stack: state.stack, provider: target.providerName, status: .recordOnly, detail: "", stateVersion: state.stateVersion,
            commit: state.commit, recordedAsRemoved: state.isRemoved)
        switch target {
        case .record:
            var recorded = entry
            recorded.detail = "Provider record: the recorded state is the target, so there is nothing else to compare."
            return recorded
        case .command:
            var command = entry
            command.status = .notCheckable
            command.detail = "Provider command: a deploy command cannot be asked what it deployed, so this stack is not checked."
            return command
        case .cloudFormation(let deployment):
            var checked = entry
            checked.providerStackName = deployment.stackName(for: state.stack)
            do {
                let client = try clients.make(deployment)
                return try await CloudFormationDriftComparison(client: client, deployment: deployment, detection: detection)
                    .compare(state, entry: checked)
            } catch {
                checked.status = .error
                checked.detail = "\(error)"
                return checked
            }
        }
    }
}

/// Makes the CloudFormation client for a deployment entry of `Policies/deployments.yaml`.
public struct CloudFormationClients: Sendable {
    /// Turns an entry into a client; throws when it cannot be made (no credentials, a bad endpoint).
    public let make: @Sendable (CloudFormationDeployment) throws -> any CloudFormationClient

    /// Creates a factory.
    public init(make: @escaping @Sendable (CloudFormationDeployment) throws -> any CloudFormationClient) {
        self.make = make
    }

    /// Live clients with AWS credentials from the process's environment and `~/.aws`.
    public static let standard = CloudFormationClients.reading(credentials: AWSCredentialChain())

    /// Live clients with AWS credentials from `credentials`, the deployment's `role-arn` assumed
    /// through STS, sending through `transport` and retrying as `retry` says.
    public static func reading(
        credentials: AWSCredentialChain, transport: any AWSTransport = HTTPClientTransport(), retry: AWSRetryPolicy = AWSRetryPolicy()
    ) -> CloudFormationClients {
        CloudFormationClients { deployment in
            try LiveCloudFormationClient.forDeployment(
                region: deployment.region, endpointURL: deployment.endpointURL, roleARN: deployment.roleARN, sessionName: "tollgate-drift",
                credentialChain: credentials, transport: transport, retry: retry)
        }
    }
}

/// How long CloudFormation's drift detection, which takes seconds to minutes, is waited for.
public struct DriftDetectionPolling: Sendable {
    /// The wait between two looks at the detection's status.
    public var pollInterval: Duration
    /// How many looks before giving up on one stack.
    public var maximumLooks: Int
    /// Waits; tests pass one that returns at once.
    public var sleep: @Sendable (Duration) async throws -> Void

    /// Creates a policy; the defaults look every 5 seconds for up to 10 minutes.
    public init(
        pollInterval: Duration = .seconds(5), maximumLooks: Int = 120,
        sleep: @escaping @Sendable (Duration) async throws -> Void = { try await Task.sleep(for: $0) }
    ) {
        self.pollInterval = pollInterval
        self.maximumLooks = max(1, maximumLooks)
        self.sleep = sleep
    }
}
