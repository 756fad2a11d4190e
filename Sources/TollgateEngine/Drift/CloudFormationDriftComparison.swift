import TollgateAWS
import TollgateCore
import TollgateStore

/// One `cloudformation` stack's recorded state against CloudFormation: the stack's existence, its
/// original template, parameters and tags as a change set from the recorded state, and
/// CloudFormation's own resource drift detection.
struct CloudFormationDriftComparison {
    let client: any CloudFormationClient
    let deployment: CloudFormationDeployment
    let detection: DriftDetectionPolling

    /// Error codes by which an endpoint says it does not offer an action at all.
    static let unsupportedCodes: Set<String> = [
        "NotImplemented", "NotImplementedException", "InvalidAction", "UnsupportedOperation",
        "UnsupportedOperationException", "UnknownOperationException",
    ]

    func compare(_ state: StackStateRecord, entry: StackDrift) async throws -> StackDrift {
        var result = entry
        let name = deployment.stackName(for: state.stack)
        // DescribeStacks by name still answers for a stack being created by an unexecuted change
        // set (REVIEW_IN_PROGRESS); neither that nor a deleted stack holds anything.
        let stack = try await client.describeStack(name: name).flatMap {
            $0.status == .reviewInProgress || $0.status == .deleteComplete ? nil : $0
        }
        result.providerStackStatus = stack?.status.rawValue
        if state.isRemoved {
            if let stack {
                result.status = .drifted
                result.detail = "The stack is recorded as removed, but CloudFormation still has stack \(name) (\(stack.status))."
            } else {
                result.status = .inSync
                result.detail = "The stack is recorded as removed, and CloudFormation has no stack \(name)."
            }
            return result
        }
        guard let stack else {
            result.status = .drifted
            result.detail = "CloudFormation has no stack \(name): it was deleted outside Tollgate."
            return result
        }

        var findings: [String] = []
        var maskedNote = ""
        switch try await templateChanges(state, stack: stack, name: name) {
        case .changeSet(let changeSet, let maskedParameters):
            result.changeSet = changeSet
            if !changeSet.isEmpty {
                findings.append(
                    "its template, parameters or tags differ from the recorded state (\(changeSet.changes.count) resource "
                        + "change\(changeSet.changes.count == 1 ? "" : "s"), \(changeSet.templateChanges.count) other)")
            }
            if !maskedParameters.isEmpty {
                maskedNote = " NoEcho parameters \(maskedParameters.joined(separator: ", ")) are masked by CloudFormation and were not compared."
            }
        case .typeChanged(let reason):
            findings.append("its template changes resource types: \(reason)")
        }
        let resources = try await resourceDrift(name: name, stack: stack)
        result.resourceDrift = resources
        let drifted = resources.resources.filter(\.isDrift)
        if !drifted.isEmpty {
            findings.append(
                "CloudFormation's drift detection finds \(drifted.count) resource\(drifted.count == 1 ? "" : "s") changed "
                    + "outside it (\(drifted.map(\.logicalResourceId).joined(separator: ", ")))")
        }
        if findings.isEmpty {
            result.status = .inSync
            result.detail = "CloudFormation stack \(name) holds the recorded template, parameters and tags"
                + (resources.checked ? ", and no resource has drifted." : "; resource drift could not be checked: \(resources.note ?? "").")
        } else {
            result.status = .drifted
            result.detail = "CloudFormation stack \(name) has drifted: " + findings.joined(separator: "; ") + "."
            if !resources.checked { result.detail += " Resource drift could not be checked: \(resources.note ?? "")." }
        }
        result.detail += maskedNote
        return result
    }

    private enum TemplateComparisonResult {
        case changeSet(ChangeSet, maskedParameters: [String])
        case typeChanged(String)
    }

    /// The change set from the recorded state to CloudFormation's original template with the
    /// stack's parameters and tags: the planner's own comparison, so drift reads like a review.
    private func templateChanges(_ state: StackStateRecord, stack: StackDescription, name: String) async throws -> TemplateComparisonResult {
        let recorded = try state.snapshot()
        let body = try await client.originalTemplate(stackName: name)
        let template = try TemplateParser.parse(body, fileName: "the template CloudFormation holds for stack \(name)")
        // CloudFormation answers `****` for a NoEcho value: the recorded value stands in for it,
        // since a masked value can be neither compared nor shown.
        let noEcho = Set((recorded.template.parameters + template.parameters).filter(\.noEcho).map(\.name))
        var parameters = stack.parameters
        var masked: [String] = []
        for parameter in noEcho.sorted() where parameters[parameter] == ResolvedParameters.mask {
            parameters[parameter] = recorded.parameters.values[parameter]
            masked.append(parameter)
        }
        let deployed = StackSnapshot(template: template, parameters: ResolvedParameters(values: parameters), tags: stack.tags)
        do {
            let changeSet = try ChangePlanner().plan(stackName: state.stack, commit: state.commit, base: recorded, target: deployed)
            return .changeSet(changeSet, maskedParameters: masked)
        } catch ChangePlanError.resourceTypeChanged(let changes) {
            return .typeChanged(ChangePlanError.resourceTypeChanged(changes).description)
        }
    }

    /// CloudFormation's resource drift detection: `DetectStackDrift`, its status until it is
    /// done, then `DescribeStackResourceDrifts`. An endpoint without it (an emulator answering
    /// 5xx or "not implemented") gives an unchecked result rather than an error.
    private func resourceDrift(name: String, stack: StackDescription) async throws -> ResourceDriftCheck {
        if stack.status.isInProgress {
            return ResourceDriftCheck(checked: false, note: "stack \(name) is \(stack.status); check again once it is done")
        }
        let detectionID: String
        do {
            detectionID = try await client.detectStackDrift(stackName: name)
        } catch {
            guard Self.meansUnsupported(error) else { throw error }
            return ResourceDriftCheck(checked: false, note: "this endpoint does not offer drift detection (\(Self.clause("\(error)")))")
        }
        var status = try await client.driftDetectionStatus(id: detectionID)
        var looks = 1
        while !status.isFinished {
            guard looks < detection.maximumLooks else { throw DriftError.detectionUnfinished(providerStackName: name, looks: looks) }
            do {
                try await detection.sleep(detection.pollInterval)
            } catch {
                throw DriftError.cancelled(stack: name)
            }
            status = try await client.driftDetectionStatus(id: detectionID)
            looks += 1
        }
        let drifts = try await client.resourceDrifts(stackName: name)
        // DETECTION_FAILED still has results for the resources CloudFormation could check.
        let note = status.detectionStatus == "DETECTION_FAILED"
            ? "CloudFormation could not check every resource: \(status.reason.map(Self.clause) ?? "no reason given")" : nil
        return ResourceDriftCheck(
            checked: true, stackDriftStatus: status.stackDriftStatus, note: note,
            resources: drifts.filter { $0.status != "IN_SYNC" }.map { drift in
                ResourceDriftEntry(
                    logicalResourceId: drift.logicalID, physicalResourceId: drift.physicalID, resourceType: drift.resourceType,
                    stackResourceDriftStatus: drift.status,
                    propertyDifferences: drift.differences.map {
                        PropertyDrift(propertyPath: $0.path, expectedValue: $0.expected, actualValue: $0.actual, differenceType: $0.differenceType)
                    })
            })
    }

    /// A sentence without its full stop, to quote inside another.
    static func clause(_ text: String) -> String {
        text.hasSuffix(".") ? String(text.dropLast()) : text
    }

    /// Whether `error` says the endpoint has no drift detection: a 5xx answer (moto answers
    /// DetectStackDrift with 500) or an error code meaning the action is not implemented.
    static func meansUnsupported(_ error: AWSError) -> Bool {
        guard case .service(let fault, _) = error else { return false }
        return fault.httpStatus >= 500 || unsupportedCodes.contains(fault.code)
    }
}
