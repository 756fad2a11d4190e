public import Foundation
public import TollgateAWS
public import TollgateCore

/// `provider: cloudformation`: the AWS CloudFormation API, through a CloudFormation change set
/// that is compared with the approved one before anything is executed.
public struct CloudFormationProvider: Provider {
    let client: any CloudFormationClient
    let deployment: CloudFormationDeployment
    let pollInterval: Duration

    /// Creates the provider over `client`, looking at a running operation every `pollInterval`.
    public init(client: any CloudFormationClient, deployment: CloudFormationDeployment, pollInterval: Duration) {
        self.client = client
        self.deployment = deployment
        self.pollInterval = pollInterval
    }

    public func apply(_ request: DeploymentRequest, progress: ProviderProgress) async throws -> ProviderOutcome {
        let name = deployment.stackName(for: request.stack)
        let log = EventLog(progress: progress)
        if request.removesStack {
            guard let stack = try await client.describeStack(name: name) else {
                return ProviderOutcome(succeeded: true, output: "CloudFormation stack \(name) does not exist; nothing to delete")
            }
            await log.say("deleting CloudFormation stack \(name)")
            return try await delete(stack, log: log)
        }
        let approved = try JSONDecoder().decode(ChangeSet.self, from: Data(request.changeSetJSON.utf8))
        // The recorded state says whether the stack exists, which spares a DescribeStacks on the
        // usual path. CloudFormation refuses a change set whose type does not fit the stack (one
        // deleted or made outside Tollgate, or left in ROLLBACK_COMPLETE by a failed creation):
        // the apply then looks at the stack and goes on from what it finds.
        var type: TollgateAWS.ChangeSetType = approved.changeSetType == .create ? .create : .update
        let reference: ChangeSetReference?
        do {
            reference = try await createChangeSet(request, name: name, type: type, clientToken: request.executionID)
        } catch let refusal as AWSError where refusal.kind == .rejected {
            var existing = try await client.describeStack(name: name)
            var deleted = false
            if let stack = existing, stack.status == .rollbackComplete {
                await log.say("CloudFormation stack \(name) was left in ROLLBACK_COMPLETE by a failed creation; deleting it before creating it again")
                let deletion = try await delete(stack, log: log)
                guard deletion.succeeded else { return deletion }
                existing = nil
                deleted = true
            }
            let fitting = TollgateAWS.ChangeSetType.for(existing: existing)
            guard fitting != type || deleted else { throw refusal }
            type = fitting
            // A token of its own: AWS may remember the refused request by the first one.
            reference = try await createChangeSet(request, name: name, type: type, clientToken: request.executionID + "-" + type.rawValue.lowercased())
        }
        guard let reference else {
            return ProviderOutcome(succeeded: true, output: "CloudFormation has nothing to change on stack \(name)")
        }
        // Where an updated stack's new events will start, read while CloudFormation makes its
        // change set (which adds no stack events), so that executing waits for no round trip of
        // its own. A stack being created has a new id, and every event of that id is new.
        let client = client
        async let eventsBefore = type == .update ? client.stackEvents(stackName: reference.stackID, after: nil) : []
        switch try await client.waitForChangeSet(id: reference.id, stackName: name) {
        case .noChanges(let reason):
            try? await client.deleteChangeSet(id: reference.id, stackName: name)
            return ProviderOutcome(succeeded: true, output: "CloudFormation has nothing to change on stack \(name): \(reason)")
        case .failed(let reason):
            return ProviderOutcome(succeeded: false, output: "CloudFormation could not make its change set for stack \(name): \(reason)")
        case .ready(let description):
            let differences = approved.unapproved(description.changes.map {
                ProviderChange(action: $0.action, logicalID: $0.logicalID, resourceType: $0.resourceType, replacement: $0.replacement)
            })
            if !differences.isEmpty {
                try? await client.deleteChangeSet(id: reference.id, stackName: name)
                return ProviderOutcome(
                    succeeded: false,
                    output: "stopped before executing anything: CloudFormation's change set differs from the approved one:\n"
                        + differences.map { "  " + $0.description }.joined(separator: "\n")
                        + "\nits change set was deleted",
                    unapprovedChanges: differences.map(\.change))
            }
            await log.say("CloudFormation's change set \(description.name) matches the approved one (\(description.changes.count) changes); executing")
        }
        let last = try await eventsBefore.last?.id
        if Task.isCancelled {
            try? await client.deleteChangeSet(id: reference.id, stackName: name)
            return ProviderOutcome(succeeded: false, output: await log.text(then: "cancelled before anything was executed; CloudFormation's change set was deleted"))
        }
        try await client.executeChangeSet(id: reference.id, stackName: name, clientToken: request.executionID)
        let result = try await follow(reference.stackID, after: last, describingAtEnd: request.mayHaveOutputs, log: log, cancellable: type == .update)
        return await outcome(result, name: name, log: log)
    }

    /// Follows the stack's operation to its end. A cancel of the apply meanwhile asks
    /// CloudFormation to cancel an update (it rolls back) and keeps following until the rollback
    /// ends; a creation cannot be cancelled and runs to its end.
    private func follow(
        _ stackID: String, after last: String?, describingAtEnd: Bool, log: EventLog, cancellable: Bool
    ) async throws -> StackOperationResult {
        let client = client
        let pollInterval = pollInterval
        // Unstructured so that the apply's cancel does not cut the following short.
        let following = Task { () async throws(AWSError) -> StackOperationResult in
            try await client.followStackOperation(
                stackName: stackID, after: last, describingAtEnd: describingAtEnd, pollInterval: pollInterval,
                onEvent: { event in await log.say(Self.line(event)) })
        }
        return try await withTaskCancellationHandler {
            try await following.value
        } onCancel: {
            Task {
                guard cancellable else {
                    await log.say("cancel asked: CloudFormation cannot cancel a stack creation; it runs to its end")
                    return
                }
                await log.say("cancel asked: CancelUpdateStack on \(stackID)")
                do {
                    try await client.cancelUpdateStack(name: stackID)
                } catch {
                    await log.say("CloudFormation refused to cancel: \(error)")
                }
            }
        }
    }

    /// Asks CloudFormation where the stack stands: an operation still running is followed to its
    /// end; events since the execution started tell whether its change set was executed at all.
    public func resume(_ request: DeploymentRequest, startedAt: Date, progress: ProviderProgress) async throws -> ProviderOutcome? {
        let name = deployment.stackName(for: request.stack)
        let log = EventLog(progress: progress)
        guard let stack = try await client.describeStack(name: name) else {
            if request.removesStack {
                return ProviderOutcome(succeeded: true, output: "CloudFormation stack \(name) no longer exists: it was deleted")
            }
            return ProviderOutcome(succeeded: false, output: "CloudFormation stack \(name) does not exist: the apply never created it")
        }
        let events = try await client.stackEvents(stackName: stack.id, after: nil)
        let since = events.filter { ($0.timestamp ?? .distantPast) >= startedAt.addingTimeInterval(-1) }
        for event in since { await log.say(Self.line(event)) }
        guard !since.isEmpty || stack.status.isInProgress else {
            return ProviderOutcome(
                succeeded: false,
                output: await log.text(then: "CloudFormation stack \(name) is \(stack.status.rawValue) with no event since the apply started: its change set was never executed"))
        }
        guard stack.status.isInProgress else {
            return await outcome(StackOperationResult(stack: stack, events: since, isFinished: true), name: name, log: log)
        }
        await log.say("CloudFormation stack \(name) is \(stack.status.rawValue); following it to its end")
        let result = try await client.followStackOperation(stackName: stack.id, after: events.last?.id, pollInterval: pollInterval, onEvent: { event in
            await log.say(Self.line(event))
        })
        return await outcome(result, name: name, log: log)
    }

    /// Creates CloudFormation's change set; nil when CloudFormation refuses it for having nothing
    /// to change (moto does so at creation, AWS when it is created).
    private func createChangeSet(
        _ request: DeploymentRequest, name: String, type: TollgateAWS.ChangeSetType, clientToken: String
    ) async throws -> ChangeSetReference? {
        let changeSet = ChangeSetRequest(
            stackName: name, changeSetName: "tollgate-\(request.executionID)", type: type,
            templateBody: request.template, parameters: request.parameters, tags: request.tags,
            capabilities: deployment.capabilities ?? Self.capabilities(of: request.template), artifactBucket: deployment.artifactBucket,
            description: "Tollgate change set \(request.changeSetID) at commit \(request.targetCommit.prefix(12))",
            clientToken: clientToken)
        let created: Result<ChangeSetReference, AWSError>
        do {
            created = .success(try await client.createChangeSet(changeSet))
        } catch {
            created = .failure(error)
        }
        switch created {
        case .success(let reference): return reference
        case .failure(let error) where error.meansNoChanges: return nil
        case .failure(let error): throw error
        }
    }

    private func delete(_ stack: StackDescription, log: EventLog) async throws -> ProviderOutcome {
        let last = try await client.stackEvents(stackName: stack.id, after: nil).last?.id
        try await client.deleteStack(name: stack.id, clientToken: nil)
        let result = try await client.followStackOperation(stackName: stack.id, after: last, describingAtEnd: false, pollInterval: pollInterval, onEvent: { event in
            await log.say(Self.line(event))
        })
        return await outcome(result, name: stack.name, log: log)
    }

    private func outcome(_ result: StackOperationResult, name: String, log: EventLog) async -> ProviderOutcome {
        let status = result.stack?.status.rawValue ?? "DELETE_COMPLETE"
        if result.succeeded {
            let outputs = Dictionary((result.stack?.outputs ?? []).map { ($0.key, $0.value) }, uniquingKeysWith: { first, _ in first })
            return ProviderOutcome(succeeded: true, output: await log.text(then: "CloudFormation stack \(name) is \(status)"), outputs: outputs)
        }
        let reason = result.firstFailureReason ?? result.stack?.statusReason ?? (result.isFinished ? status : "it did not finish in time")
        return ProviderOutcome(succeeded: false, output: await log.text(then: "CloudFormation stack \(name) is \(status): \(reason)"))
    }

    static func line(_ event: StackEvent) -> String {
        "\(event.logicalID) \(event.resourceType) \(event.status)" + (event.reason.map { ": \($0)" } ?? "")
    }

    /// The capabilities CloudFormation asks to be acknowledged, worked out from the template:
    /// IAM resources need CAPABILITY_NAMED_IAM (which covers CAPABILITY_IAM), macros need
    /// CAPABILITY_AUTO_EXPAND.
    static func capabilities(of template: String) -> [String] {
        var result: [String] = []
        if template.contains("AWS::IAM::") { result += ["CAPABILITY_IAM", "CAPABILITY_NAMED_IAM"] }
        if template.contains("Transform") { result.append("CAPABILITY_AUTO_EXPAND") }
        return result
    }
}

/// The lines a CloudFormation apply reports, kept for the execution's record as they are shown.
private actor EventLog {
    private let progress: ProviderProgress
    private var lines: [String] = []

    init(progress: ProviderProgress) {
        self.progress = progress
    }

    func say(_ line: String) async {
        lines.append(line)
        await progress(line)
    }

    /// Every line so far, then `last`.
    func text(then last: String) -> String {
        (lines + [last]).joined(separator: "\n")
    }
}
