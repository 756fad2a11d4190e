import Foundation
import TollgateAWS
import TollgateCore

/// `provider: cloudformation`: the AWS CloudFormation API, through a CloudFormation change set
/// that is compared with the approved one before anything is executed.
struct CloudFormationProvider: Provider {
    let client: any CloudFormationClient
    let deployment: CloudFormationDeployment
    let pollInterval: Duration

    func apply(_ request: DeploymentRequest, progress: ProviderProgress) async throws -> ProviderOutcome {
        let name = deployment.stackName(for: request.stack)
        var existing = try await client.describeStack(name: name)
        var log: [String] = []
        func say(_ line: String) async {
            log.append(line)
            await progress(line)
        }
        if request.removesStack {
            guard let stack = existing else {
                return ProviderOutcome(succeeded: true, output: "CloudFormation stack \(name) does not exist; nothing to delete")
            }
            await say("deleting CloudFormation stack \(name)")
            return try await delete(stack, say: say, log: { log })
        }
        if let stack = existing, stack.status == .rollbackComplete {
            await say("CloudFormation stack \(name) was left in ROLLBACK_COMPLETE by a failed creation; deleting it before creating it again")
            let deleted = try await delete(stack, say: say, log: { log })
            guard deleted.succeeded else { return deleted }
            existing = nil
        }
        let reference = try await createChangeSet(request, name: name, existing: existing)
        guard let reference else {
            return ProviderOutcome(succeeded: true, output: "CloudFormation has nothing to change on stack \(name)")
        }
        switch try await client.waitForChangeSet(id: reference.id, stackName: name) {
        case .noChanges(let reason):
            try? await client.deleteChangeSet(id: reference.id, stackName: name)
            return ProviderOutcome(succeeded: true, output: "CloudFormation has nothing to change on stack \(name): \(reason)")
        case .failed(let reason):
            return ProviderOutcome(succeeded: false, output: "CloudFormation could not make its change set for stack \(name): \(reason)")
        case .ready(let description):
            let approved = try JSONDecoder().decode(ChangeSet.self, from: Data(request.changeSetJSON.utf8))
            let differences = approved.unapproved(description.changes.map {
                ProviderChange(action: $0.action, logicalID: $0.logicalID, resourceType: $0.resourceType, replacement: $0.replacement)
            })
            if !differences.isEmpty {
                try? await client.deleteChangeSet(id: reference.id, stackName: name)
                return ProviderOutcome(
                    succeeded: false,
                    output: "stopped before executing anything: CloudFormation's change set differs from the approved one:\n"
                        + differences.map { "  " + $0.description }.joined(separator: "\n")
                        + "\nits change set was deleted; plan the stack again for review")
            }
            await say("CloudFormation's change set \(description.name) matches the approved one (\(description.changes.count) changes); executing")
        }
        let last = try await client.stackEvents(stackName: reference.stackID, after: nil).last?.id
        try await client.executeChangeSet(id: reference.id, stackName: name, clientToken: request.executionID)
        let result = try await client.followStackOperation(stackName: reference.stackID, after: last, pollInterval: pollInterval, onEvent: { event in
            await say(Self.line(event))
        })
        return outcome(result, name: name, log: log)
    }

    /// Creates CloudFormation's change set; nil when CloudFormation refuses it for having nothing
    /// to change (moto does so at creation, AWS when it is created).
    private func createChangeSet(_ request: DeploymentRequest, name: String, existing: StackDescription?) async throws -> ChangeSetReference? {
        let changeSet = ChangeSetRequest(
            stackName: name, changeSetName: "tollgate-\(request.executionID)", type: .for(existing: existing),
            templateBody: request.template, parameters: request.parameters, tags: request.tags,
            capabilities: deployment.capabilities ?? Self.capabilities(of: request.template), artifactBucket: deployment.artifactBucket,
            description: "Tollgate change set \(request.changeSetID) at commit \(request.targetCommit.prefix(12))",
            clientToken: request.executionID)
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

    private func delete(_ stack: StackDescription, say: (String) async -> Void, log: () -> [String]) async throws -> ProviderOutcome {
        let last = try await client.stackEvents(stackName: stack.id, after: nil).last?.id
        try await client.deleteStack(name: stack.id, clientToken: nil)
        let result = try await client.followStackOperation(stackName: stack.id, after: last, pollInterval: pollInterval, onEvent: { event in
            await say(Self.line(event))
        })
        return outcome(result, name: stack.name, log: log())
    }

    private func outcome(_ result: StackOperationResult, name: String, log: [String]) -> ProviderOutcome {
        let status = result.stack?.status.rawValue ?? "DELETE_COMPLETE"
        if result.succeeded {
            return ProviderOutcome(succeeded: true, output: (log + ["CloudFormation stack \(name) is \(status)"]).joined(separator: "\n"))
        }
        let reason = result.firstFailureReason ?? result.stack?.statusReason ?? (result.isFinished ? status : "it did not finish in time")
        return ProviderOutcome(succeeded: false, output: (log + ["CloudFormation stack \(name) is \(status): \(reason)"]).joined(separator: "\n"))
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
