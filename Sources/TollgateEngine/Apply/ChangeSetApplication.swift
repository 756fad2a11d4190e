import Foundation
public import TollgateCore
public import TollgateStore
public import TollgateAWS
import TollgateGit
import SystemPackage

/// Applies approved change sets: re-checks everything at the moment it runs, takes the stack's
/// lock, runs the provider the policy in force names, and records the outcome, the new state and
/// the audit entries in one transaction.
public struct ChangeSetApplication: Sendable {
    /// The store that holds change sets, executions, states and locks.
    public let store: any StateStore
    /// The clock that decides change windows.
    public let clock: any WallClock
    /// Who holds a lock taken here: host and process id.
    public let holder: String
    /// How long a lock lasts unless renewed; the applying process renews it at a third of this.
    public let leaseSeconds: Int
    /// How often the applying process looks for an operator's cancel request.
    public let cancelPollInterval: Duration

    /// Creates the use case.
    public init(
        store: any StateStore, clock: any WallClock = SystemWallClock(), holder: String = ChangeSetApplication.processHolder,
        leaseSeconds: Int = 60, cancelPollInterval: Duration = .seconds(1)
    ) {
        self.store = store
        self.clock = clock
        self.holder = holder
        self.leaseSeconds = leaseSeconds
        self.cancelPollInterval = cancelPollInterval
    }

    /// This process as a lock holder: `host pid N`.
    public static var processHolder: String {
        "\(ProcessInfo.processInfo.hostName) pid \(ProcessInfo.processInfo.processIdentifier)"
    }

    /// Applies `changeSetID` after checking, in order: it is APPROVED; its approvals satisfy the
    /// policy in force; planning it again gives the digest approved; the stack's state is the one
    /// it was planned against (otherwise it is marked SUPERSEDED); a change window is open; no
    /// other execution of the stack is unfinished or holds its lock.
    ///
    /// - Parameter providers: makes the provider for a deployment entry; tests pass their own.
    /// - Parameter started: told of the execution once every check has passed and the stack's lock
    ///   is taken, before the provider runs; a server answers its caller from here.
    /// - Returns: the execution and the change set as they ended. A provider failure is not an
    ///   error: the execution and the change set end FAILED with the provider's message.
    /// - Throws: ``ApplyError`` when a check fails, ``StoreError`` when the store does.
    public func apply(
        changeSetID: String, actor: String, repository: ManagedRepository, providers: ProviderFactory = .standard,
        progress: ProviderProgress = .ignored, started: @Sendable (ExecutionRecord) async -> Void = { _ in }
    ) async throws -> ApplyReport {
        let record = try await store.checkedChangeSet(id: changeSetID)
        guard record.status == .approved else { throw ApplyError.notApproved(changeSetID: record.id, status: record.status) }
        let policy = try await PolicyInForce.load(from: store, repository: repository)
        let verdict = try await ReviewService(store: store, clock: clock).currentVerdict(of: record, policy: policy, repository: repository)
        guard verdict.status == .approved else {
            throw ApplyError.approvalsNoLongerHold(changeSetID: record.id, status: verdict.status.rawValue, blockers: verdict.blockers)
        }
        let request = try await checkedRequest(record, repository: repository, executionID: ExecutionRecord.newID())
        guard verdict.window.isOpen else { throw ApplyError.windowClosed(changeSetID: record.id, reasons: verdict.window.reasons) }
        let lockName = record.stack
        let clock = clock
        let holder = holder
        let leaseSeconds = leaseSeconds
        let execution = try await store.transaction { tx in
            if let running = try await tx.unfinishedExecutions().first(where: { $0.stack == record.stack }) {
                // A live holder is named; an execution whose holder is gone needs --resume first.
                if let lock = try await tx.stackLock(record.stack), lock.executionID == running.id, lock.isLive(at: clock.now()) {
                    throw ApplyError.lockStillHeld(lock)
                }
                throw ApplyError.unfinishedExecution(stack: record.stack, executionID: running.id, startedAt: running.startedAt)
            }
            _ = try await tx.lockStack(lockName, executionID: request.executionID, holder: holder, leaseSeconds: leaseSeconds, takeOver: nil)
            return try await tx.startExecution(id: request.executionID, changeSetID: record.id, actor: actor)
        }
        await started(execution)
        // A provider that cannot be made (credentials missing, a script gone) fails the execution,
        // so that the attempt is on record like any other failure.
        let provider: any Provider
        do {
            provider = try await providerFor(record, policy: policy, repository: repository, providers: providers)
        } catch {
            return try await finish(request, record: record, actor: actor, repository: repository, outcome: ProviderOutcome(succeeded: false, output: "\(error)"))
        }
        return try await run(provider, request: request, record: record, actor: actor, repository: repository, progress: progress)
    }

    /// Applies every APPROVED change set that is due now: its rules all say `automatic: true` and
    /// a change window is open. Never the first creation of a stack, which always waits for an
    /// explicit apply. Oldest first, one per stack, except that a stack whose template imports an
    /// export goes after the stack that exports it. A change set that is refused or fails does not
    /// stop the others.
    public func applyDue(
        actor: String, repository: ManagedRepository, providers: ProviderFactory = .standard, progress: ProviderProgress = .ignored
    ) async throws -> [DueApply] {
        let policy = try await PolicyInForce.load(from: store, repository: repository)
        let review = ReviewService(store: store, clock: clock)
        var due: [(record: ChangeSetRecord, snapshot: StackSnapshot?)] = []
        var seen: Set<String> = []
        for record in try await store.changeSets(ChangeSetFilter(statuses: [.approved])).sorted(by: { $0.createdAt < $1.createdAt }) {
            guard record.kind == .stack, seen.insert(record.stack).inserted else { continue }
            guard try await store.disagreement(of: record) == nil else { continue }
            let verdict = try await review.currentVerdict(of: record, policy: policy, repository: repository)
            guard verdict.appliesAutomatically, verdict.canApplyNow else { continue }
            let target = try objectID(record.targetCommit, changeSetID: record.id)
            due.append((record, try await repository.read { try $0.stackSource(record.stack, at: target) }?.snapshot()))
        }
        let byStack = Dictionary(due.map { ($0.record.stack, $0.record) }, uniquingKeysWith: { first, _ in first })
        var results: [DueApply] = []
        for stack in ExportUsage.applyOrder(due.map { ($0.record.stack, $0.snapshot) }) {
            guard let record = byStack[stack] else { continue }
            do {
                let report = try await apply(changeSetID: record.id, actor: actor, repository: repository, providers: providers, progress: progress)
                results.append(DueApply(changeSetID: record.id, stack: stack, report: report, refusal: nil))
            } catch let error as ApplyError {
                results.append(DueApply(changeSetID: record.id, stack: stack, report: nil, refusal: error.description, cause: error))
            } catch let error as StoreError {
                results.append(DueApply(changeSetID: record.id, stack: stack, report: nil, refusal: error.description, cause: error))
            }
        }
        return results
    }

    /// Finishes the apply of an APPLYING change set whose process died: takes over its lock once
    /// the lease has lapsed (or at once when its holder was a process of this host that is gone),
    /// then asks the provider how it ended: the record provider records again, CloudFormation
    /// reports the stack and its events since the start (following an operation still running),
    /// and the command provider, which cannot know how far the command got, ends FAILED unless the
    /// operator says it was applied (`markApplied`).
    ///
    /// - Throws: ``ApplyError/nothingToResume(changeSetID:status:)``,
    ///   ``ApplyError/lockStillHeld(_:)`` while the holder may still be at work.
    public func resume(
        changeSetID: String, actor: String, repository: ManagedRepository, markApplied: Bool = false,
        providers: ProviderFactory = .standard, progress: ProviderProgress = .ignored
    ) async throws -> ApplyReport {
        let record = try await store.checkedChangeSet(id: changeSetID)
        guard record.status == .applying else { throw ApplyError.nothingToResume(changeSetID: record.id, status: record.status) }
        guard let execution = try await store.executions(changeSetID: record.id).last(where: { $0.finishedAt == nil }) else {
            throw ApplyError.nothingToResume(changeSetID: record.id, status: record.status)
        }
        let policy = try await PolicyInForce.load(from: store, repository: repository)
        let request = try await targetRequest(record, repository: repository, executionID: execution.id)
        let holder = holder
        let leaseSeconds = leaseSeconds
        let now = clock.now()
        try await store.transaction { tx in
            if let lock = try await tx.stackLock(record.stack), lock.executionID != execution.id || lock.isLive(at: now) {
                throw ApplyError.lockStillHeld(lock)
            }
            _ = try await tx.lockStack(record.stack, executionID: execution.id, holder: holder, leaseSeconds: leaseSeconds, takeOver: execution.id)
        }
        let deployment = record.kind == .policy ? Deployment(stackPatterns: ["*"], target: .record) : policy.policy.deployments.deployment(for: record.stack)
        if markApplied {
            return try await finish(request, record: record, actor: actor, repository: repository, outcome: ProviderOutcome(
                succeeded: true, output: "marked applied by \(actor) after the deploying process died"))
        }
        let provider: any Provider
        do {
            provider = try await providerFor(record, policy: policy, repository: repository, providers: providers)
        } catch {
            return try await finish(request, record: record, actor: actor, repository: repository, outcome: ProviderOutcome(succeeded: false, output: "\(error)"))
        }
        let outcome: ProviderOutcome?
        do {
            outcome = try await provider.resume(request, startedAt: execution.startedAt, progress: progress)
        } catch {
            outcome = ProviderOutcome(succeeded: false, output: "the deploying process died, and asking \(deployment.target.providerName) where it stands failed: \(error)")
        }
        return try await finish(request, record: record, actor: actor, repository: repository, outcome: outcome ?? ProviderOutcome(
            succeeded: false,
            output: "the deploying process died; provider \(deployment.target.providerName) cannot tell how far it got (pass --mark-applied if it finished)"))
    }

    /// Runs `provider` under the lock, renewing the lease meanwhile and stopping the provider when
    /// an operator asks to cancel, then records the outcome.
    private func run(
        _ provider: any Provider, request: DeploymentRequest, record: ChangeSetRecord, actor: String, repository: ManagedRepository,
        progress: ProviderProgress
    ) async throws -> ApplyReport {
        let transcript = ProgressTranscript()
        let progress = progress.copying(into: transcript)
        let running = Task {
            do {
                return try await provider.apply(request, progress: progress)
            } catch {
                return ProviderOutcome(succeeded: false, output: "\(error)")
            }
        }
        let watching = Task { await watch(request, stack: record.stack, provider: running, progress: progress, transcript: transcript) }
        let outcome = await running.value
        watching.cancel()
        // Its last write, if one is under way, ends before the outcome's.
        await watching.value
        do {
            return try await finish(request, record: record, actor: actor, repository: repository, outcome: outcome)
        } catch {
            return try await recordingFailed(error, request: request, record: record, actor: actor, outcome: outcome)
        }
    }

    /// After the outcome could not be recorded (a full disk, a lost connection): a provider that
    /// failed still ends FAILED with its own message when a smaller write gets through; one that
    /// reached its target is left to `apply --resume`, which asks the provider again, so the record
    /// never says less was done than was.
    private func recordingFailed(
        _ cause: any Error, request: DeploymentRequest, record: ChangeSetRecord, actor: String, outcome: ProviderOutcome
    ) async throws -> ApplyReport {
        if case StoreError.lockLost = cause { throw cause }
        let reason = String(describing: cause)
        if !outcome.succeeded {
            let output = outcome.output + "\nrecording this outcome in full failed: \(reason)"
            let report = try? await store.transaction { tx in
                guard try await tx.stackLock(record.stack)?.executionID == request.executionID else {
                    throw StoreError.lockLost(stack: record.stack, executionID: request.executionID)
                }
                let result: ExecutionResult = try await tx.execution(id: request.executionID).cancelRequest == nil ? .failed : .cancelled
                let execution = try await tx.finishExecution(id: request.executionID, result: result, providerOutput: output, actor: actor)
                try await tx.unlockStack(record.stack, executionID: request.executionID)
                return ApplyReport(changeSet: try await tx.changeSet(id: record.id), execution: execution, stateVersion: nil, output: output)
            }
            if let report { return report }
        }
        throw ApplyError.outcomeNotRecorded(
            changeSetID: record.id, executionID: request.executionID, providerSucceeded: outcome.succeeded, cause: reason)
    }

    /// While `provider` runs, every `cancelPollInterval`: puts the lines it reported since on the
    /// execution (one write per interval, however many lines), renews the stack's lease at a
    /// third of its length, and cancels the provider once an operator's cancel request appears.
    private func watch(
        _ request: DeploymentRequest, stack: String, provider: Task<ProviderOutcome, Never>, progress: ProviderProgress,
        transcript: ProgressTranscript
    ) async {
        let renewEvery = Duration.seconds(max(1, leaseSeconds / 3))
        var sinceRenewal = Duration.zero
        var cancelSeen = false
        while !Task.isCancelled {
            try? await Task.sleep(for: cancelPollInterval)
            if Task.isCancelled { return }
            sinceRenewal += cancelPollInterval
            if let text = await transcript.takeChanged() {
                // A store that cannot take the lines does not stop the apply; its end records them all.
                try? await store.transaction { try await $0.recordProviderOutput(executionID: request.executionID, output: text) }
            }
            if sinceRenewal >= renewEvery {
                sinceRenewal = .zero
                try? await store.transaction { [leaseSeconds] in
                    try await $0.renewStackLock(stack, executionID: request.executionID, leaseSeconds: leaseSeconds)
                }
            }
            if !cancelSeen, let cancel = try? await store.execution(id: request.executionID).cancelRequest {
                cancelSeen = true
                await progress("cancel requested by \(cancel.actor): \(cancel.reason); stopping the provider")
                provider.cancel()
            }
        }
    }

    /// Records the end in one transaction: the execution's result, the change set's status, the new
    /// state (or policy revision) on success, the audit entries, and the lock released. A provider
    /// that stopped short after an operator's cancel request ends CANCELLED; one that had reached
    /// the target before it saw the request ends APPLIED, and its output says so.
    private func finish(
        _ request: DeploymentRequest, record: ChangeSetRecord, actor: String, repository: ManagedRepository, outcome: ProviderOutcome
    ) async throws -> ApplyReport {
        try await store.transaction { tx in
            guard try await tx.stackLock(record.stack)?.executionID == request.executionID else {
                throw StoreError.lockLost(stack: record.stack, executionID: request.executionID)
            }
            var output = outcome.output
            var result: ExecutionResult = outcome.succeeded ? .succeeded : .failed
            if let cancel = try await tx.execution(id: request.executionID).cancelRequest {
                if outcome.succeeded {
                    output += "\nthe cancel \(cancel.actor) asked for came after the provider had finished"
                } else {
                    result = .cancelled
                }
            }
            let replanned = try await replan(record, after: outcome, repository: repository, in: tx, actor: actor)
            if let replanned {
                output += "\nchange set \(replanned.id) plans the same commit with CloudFormation's changes, for review"
            }
            let execution = try await tx.finishExecution(id: request.executionID, result: result, providerOutput: output, actor: actor)
            var stateVersion: Int64?
            if outcome.succeeded {
                switch record.kind {
                case .policy:
                    stateVersion = try await PolicyInForce.recordApplied(try await tx.changeSet(id: record.id), actor: actor, in: tx).revision
                case .stack where request.removesStack:
                    stateVersion = try await tx.recordStackRemoval(stack: record.stack, commit: request.targetCommit, actor: actor).stateVersion
                case .stack:
                    stateVersion = try await tx.recordStackState(
                        stack: record.stack, template: request.template, parameters: request.parameters, tags: request.tags,
                        outputs: outcome.outputs, commit: request.targetCommit, actor: actor).stateVersion
                }
            }
            try await tx.unlockStack(record.stack, executionID: request.executionID)
            return ApplyReport(
                changeSet: try await tx.changeSet(id: record.id), execution: execution, stateVersion: stateVersion, output: output,
                replannedChangeSet: replanned?.id)
        }
    }

    /// After CloudFormation showed changes the approved change set did not, plans the same commit
    /// again with them listed, so that reviewers see and approve what CloudFormation will do.
    private func replan(
        _ record: ChangeSetRecord, after outcome: ProviderOutcome, repository: ManagedRepository, in tx: any StoreTransaction, actor: String
    ) async throws -> ChangeSetRecord? {
        guard !outcome.succeeded, !outcome.unapprovedChanges.isEmpty, record.kind == .stack else { return nil }
        let approved = try JSONDecoder().decode(ChangeSet.self, from: Data(record.json.utf8))
        let state = try await tx.stackState(record.stack)
        let target = try objectID(record.targetCommit, changeSetID: record.id)
        var listed = approved.providerChanges
        for change in outcome.unapprovedChanges where !listed.contains(change) { listed.append(change) }
        let base = try state?.snapshot()
        guard let changeSet = try await repository.read({ [listed] in
            try $0.changeSet(for: record.stack, at: target, against: base, providerChanges: listed)
        }) else {
            return nil
        }
        let next = ChangeSetRecord(
            id: ChangeSetRecord.newID(), kind: .stack, stack: record.stack, commits: record.commits,
            baseStateVersion: record.baseStateVersion, targetCommit: record.targetCommit, digest: changeSet.digest,
            json: try ChangeSetSynchronizer.json(changeSet), status: .pending, statusReason: nil)
        return try await tx.createChangeSet(next, actor: actor).changeSet
    }

    /// The deployment the change set would make, after checking that its base is current and that
    /// planning it again gives the digest approved; a stale change set is marked SUPERSEDED.
    private func checkedRequest(_ record: ChangeSetRecord, repository: ManagedRepository, executionID: String) async throws -> DeploymentRequest {
        var request = Self.request(record, executionID: executionID)
        let current: Int64
        var planned = ""
        switch record.kind {
        case .policy:
            current = try await store.policyInForce()?.revision ?? 0
            let body = try JSONDecoder().decode(PolicyChangeSet.self, from: Data(record.json.utf8))
            planned = PolicyChangeSet(commit: body.commit, files: body.files).digest
        case .stack:
            let state = try await store.stackState(record.stack)
            current = state?.stateVersion ?? 0
            if current == record.baseStateVersion {
                let target = try objectID(record.targetCommit, changeSetID: record.id)
                // CloudFormation's changes listed by an earlier attempt are part of what was approved.
                let listed = (try? JSONDecoder().decode(ListedProviderChanges.self, from: Data(record.json.utf8)))?.changes ?? []
                let base = try state?.snapshot()
                // The template deployed is the one planned here, read and parsed once.
                (planned, request) = try await repository.read { [request] git in
                    let stack = try git.plannedStack(record.stack, at: target, against: base, providerChanges: listed)
                    return (stack.changeSet?.digest ?? "", request.deploying(stack.source, snapshot: stack.snapshot))
                }
            }
        }
        guard current == record.baseStateVersion else {
            _ = try await store.transaction { tx in
                try await tx.transition(
                    changeSetID: record.id, to: .superseded, actor: "tollgate",
                    reason: "stale: planned against state version \(record.baseStateVersion), the stack is at \(current)")
            }
            throw ApplyError.stale(changeSetID: record.id, stack: record.stack, planned: record.baseStateVersion, current: current)
        }
        guard planned == record.digest else {
            throw ApplyError.digestChanged(changeSetID: record.id, approved: record.digest, planned: planned)
        }
        return request
    }

    /// The template, parameters and tags at the change set's target commit.
    private func targetRequest(_ record: ChangeSetRecord, repository: ManagedRepository, executionID: String) async throws -> DeploymentRequest {
        let request = Self.request(record, executionID: executionID)
        guard record.kind == .stack else { return request }
        let target = try objectID(record.targetCommit, changeSetID: record.id)
        let source = try await repository.read { try $0.stackSource(record.stack, at: target) }
        return request.deploying(source, snapshot: try source?.snapshot())
    }

    /// The request for `record` before its stack's files are read.
    private static func request(_ record: ChangeSetRecord, executionID: String) -> DeploymentRequest {
        DeploymentRequest(
            stack: record.stack, changeSetID: record.id, executionID: executionID, targetCommit: record.targetCommit,
            template: "", parameters: [:], tags: [:], removesStack: false, changeSetJSON: record.json)
    }

    /// The provider of the stack's deployment entry in the policy in force; policy change sets
    /// always go through the record step.
    private func providerFor(
        _ record: ChangeSetRecord, policy: PolicyInForce, repository: ManagedRepository, providers: ProviderFactory
    ) async throws -> any Provider {
        guard record.kind == .stack else { return RecordProvider() }
        let deployment = policy.policy.deployments.deployment(for: record.stack)
        var script: PolicyScript?
        if case .command(let command) = deployment.target, let program = command.arguments.first, program.hasPrefix(PolicySet.folder) {
            let commit = policy.commit
            script = try await repository.read { try CommandScript.read(program, at: commit, in: $0) }
        }
        return try providers.make(deployment.target, ProviderContext(stack: record.stack, policyCommit: policy.commit, policyScript: script))
    }

}

/// The one field of a stored change set that planning again needs, read without decoding the rest.
private struct ListedProviderChanges: Decodable {
    let changes: [ProviderChange]

    private enum CodingKeys: String, CodingKey {
        case changes = "ProviderChanges"
    }

    init(from decoder: any Decoder) throws {
        changes = try decoder.container(keyedBy: CodingKeys.self).decodeIfPresent([ProviderChange].self, forKey: .changes) ?? []
    }
}

extension StackLock {
    /// Whether the lock's holder may still be at work at `now`: its lease has not lapsed and it is
    /// not a process of this host that no longer runs.
    func isLive(at now: Date) -> Bool {
        expiresAt > now && !isHeldByDeadLocalProcess
    }

    /// Whether the holder names a process of this host that no longer runs.
    private var isHeldByDeadLocalProcess: Bool {
        let prefix = "\(ProcessInfo.processInfo.hostName) pid "
        guard holder.hasPrefix(prefix), let pid = Int32(holder.dropFirst(prefix.count)) else { return false }
        return kill(pid, 0) != 0 && errno == ESRCH
    }
}

/// How an apply ended.
public struct ApplyReport: Sendable {
    /// The change set as it ended: APPLIED or FAILED.
    public let changeSet: ChangeSetRecord
    /// The execution, with its result and the provider's output.
    public let execution: ExecutionRecord
    /// The stack's new state version, or the new policy revision; nil when it failed.
    public let stateVersion: Int64?
    /// The provider's account of what it did.
    public let output: String
    /// The change set planned again with CloudFormation's own changes after they differed from
    /// the approved ones; nil otherwise.
    public var replannedChangeSet: String? = nil
}

/// One change set `apply --due` took up: its report, or why it was refused.
public struct DueApply: Sendable {
    public let changeSetID: String
    public let stack: String
    /// How the apply ended; nil when it was refused before it started.
    public let report: ApplyReport?
    /// Why it was refused (a stale state, a lock held); nil when it ran.
    public let refusal: String?
    /// The refusal as an error, for a front end to add its own remedy; nil when it ran.
    public var cause: (any TollgateError)? = nil
}

/// What a provider may need to know beyond the deployment entry.
public struct ProviderContext {
    /// The stack deployed.
    public let stack: String
    /// The commit of the policy in force, whose `Policies/` scripts a command may name.
    public let policyCommit: String
    /// The `Policies/` program a command deployment names, as the policy in force holds it.
    let policyScript: PolicyScript?
}

/// A program kept under `Policies/`, read from the policy in force.
struct PolicyScript: Sendable {
    /// Its path in the repository.
    let path: String
    /// Its bytes.
    let bytes: [UInt8]
}

/// Makes the provider for a deployment entry.
public struct ProviderFactory: Sendable {
    /// Turns an entry into a provider.
    public let make: @Sendable (DeploymentTarget, ProviderContext) throws -> any Provider

    /// Creates a factory.
    public init(make: @escaping @Sendable (DeploymentTarget, ProviderContext) throws -> any Provider) {
        self.make = make
    }

    /// The record, command and CloudFormation providers, with AWS credentials from the process's
    /// environment and `~/.aws`.
    public static let standard = ProviderFactory.reading(credentials: AWSCredentialChain())

    /// The standard providers, with AWS credentials from `credentials`. A command under
    /// `Policies/` is written out from the policy in force into a private folder, so that the
    /// commit under review cannot change its own deployer.
    public static func reading(credentials: AWSCredentialChain, pollInterval: Duration = .seconds(2)) -> ProviderFactory {
        ProviderFactory { target, context in
        switch target {
        case .record:
            return RecordProvider()
        case .command(let command):
            let folder = try CommandScript.privateFolder()
            var arguments = command.arguments
            if let script = context.policyScript {
                arguments[0] = try CommandScript.writeOut(script, into: folder)
            }
            return CommandProvider(arguments: arguments, timeoutSeconds: command.timeoutSeconds, workFolder: folder)
        case .cloudFormation(let deployment):
            let client = try LiveCloudFormationClient.forDeployment(
                region: deployment.region, endpointURL: deployment.endpointURL, roleARN: deployment.roleARN,
                credentialChain: credentials, pollInterval: pollInterval)
            return CloudFormationProvider(client: client, deployment: deployment, pollInterval: pollInterval)
        }
        }
    }
}

/// A deploy script kept under `Policies/`, written out from the policy in force to run it.
enum CommandScript {
    /// A fresh folder only this user can read, for the script and the files given to it.
    static func privateFolder() throws -> String {
        let path = FileManager.default.temporaryDirectory.appendingPathComponent("tollgate-apply-\(UUID().uuidString)").path
        try FileManager.default.createDirectory(atPath: path, withIntermediateDirectories: true, attributes: [.posixPermissions: 0o700])
        return path
    }

    /// `path` as the policy commit holds it.
    static func read(_ path: String, at commit: String, in git: OpenRepository) throws -> PolicyScript {
        let id = try objectID(commit, changeSetID: nil)
        guard let blob = try git.repository.commit(id).tree().blobID(atPath: path) else {
            throw CommandProviderError.cannotRun(program: path, reason: "the policy in force (commit \(id.short)) has no such file")
        }
        return PolicyScript(path: path, bytes: try git.repository.blobContents(blob, neededBy: "\(id.short):\(path)"))
    }

    /// Writes `script` into `folder`, executable, and returns where.
    static func writeOut(_ script: PolicyScript, into folder: String) throws -> String {
        let path = script.path
        let bytes = script.bytes
        let destination = folder + "/" + (path.split(separator: "/").last.map(String.init) ?? "deploy")
        // Close-on-exec: a program another apply of this process starts meanwhile must not inherit
        // the script open for writing, or running the script fails with "Text file busy".
        let file = try FileDescriptor.open(
            FilePath(destination), .writeOnly, options: [.create, .exclusiveCreate, .closeOnExec], permissions: .ownerReadWriteExecute)
        try file.closeAfter { _ = try file.writeAll(bytes) }
        return destination
    }
}

extension DeploymentRequest {
    /// This request deploying the stack's files `source`, parsed as `snapshot`; removing the stack
    /// when it has no files at the target commit.
    fileprivate func deploying(_ source: StackSource?, snapshot: StackSnapshot?) -> DeploymentRequest {
        var request = self
        if let source, let snapshot {
            request.template = String(decoding: source.template, as: UTF8.self)
            request.parameters = snapshot.parameters.values
            request.tags = snapshot.tags
            let template = snapshot.template
            request.mayHaveOutputs = !template.outputs.isEmpty || !template.loops.isEmpty || template.transform != nil || !template.inlineTransforms.isEmpty
        } else {
            request.removesStack = true
            request.mayHaveOutputs = false
        }
        return request
    }
}
