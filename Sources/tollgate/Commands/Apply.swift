import ArgumentParser
import Foundation
import TollgateCore
import TollgateEngine
import TollgateStore

/// `tollgate apply ID`: deploy an approved change set through the provider the policy names.
struct Apply: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "apply",
        abstract: "Apply an approved change set.",
        discussion: """
            Checks again, at the moment it runs: the change set is APPROVED, its approvals still \
            satisfy the policy in force, planning it again gives the digest approved, the stack's \
            state is the one it was planned against (otherwise it becomes SUPERSEDED), and a change \
            window is open. Then it takes the stack's lock and runs the provider that \
            Policies/deployments.yaml names (record by default), printing its progress, and records \
            the outcome and the new state in one transaction. Exit status 0 when applied, 1 when \
            refused or failed.

            With --resume, finishes the apply of an APPLYING change set whose process died, once \
            its lock has lapsed: the record provider records again; a command cannot tell how far \
            it got, so the apply ends FAILED unless --mark-applied says it finished.
            """
    )

    @Argument(help: "The change set's id, such as cs-3f9a0c1e.")
    var id: String?

    @Flag(help: "Apply every approved change set whose rules say automatic: true and whose window is open (never a stack's first creation), oldest first, exporting stacks before those importing from them; for a timer.")
    var due = false

    @Flag(help: "Finish the apply of an APPLYING change set whose process died.")
    var resume = false

    @Flag(help: "With --resume: record that the deployment finished although its process died (audited).")
    var markApplied = false

    @OptionGroup var actor: OperatorOptions
    @OptionGroup var repository: RepositoryOptions
    @OptionGroup var store: StoreOptions
    @OptionGroup var output: OutputOptions

    func validate() throws {
        if (id == nil) == !due {
            throw ValidationError("Name one change set to apply, or pass --due to apply every change set that is due; not both.")
        }
        if due && resume {
            throw ValidationError("--resume finishes one change set; name it instead of --due.")
        }
        if markApplied && !resume {
            throw ValidationError("--mark-applied only goes with --resume.")
        }
    }

    func run() async throws {
        if due { return try await runDue() }
        let id = id ?? ""
        let actor = actor.name ?? ""
        let json = output.json
        let report = try await store.withStore(repository: repository.repo) { store in
            let managed = try await ManagedRepository.open(
                path: repository.repo, settingsFile: repository.config, branch: repository.branch, store: store)
            let application = ChangeSetApplication(store: store)
            let progress = ProgressLines(quiet: json).receiver()
            if resume {
                return try await application.resume(changeSetID: id, actor: actor, repository: managed, markApplied: markApplied, progress: progress)
            }
            return try await application.apply(changeSetID: id, actor: actor, repository: managed, progress: progress)
        }
        let shown = ApplyJSON(report)
        if json {
            print(try CommandOutput.json(shown))
        } else {
            print(TerminalText.sanitize(shown.text), terminator: "")
        }
        if report.changeSet.status != .applied { throw ExitCode.failure }
    }
}

extension Apply {
    /// `apply --due`: one line per change set taken up; exit 1 when any was refused or failed.
    func runDue() async throws {
        let actor = actor.name ?? ""
        let json = output.json
        let results = try await store.withStore(repository: repository.repo) { store in
            let managed = try await ManagedRepository.open(
                path: repository.repo, settingsFile: repository.config, branch: repository.branch, store: store)
            return try await ChangeSetApplication(store: store).applyDue(actor: actor, repository: managed, progress: ProgressLines(quiet: json).receiver())
        }
        let shown = results.map { result in
            DueJSON(
                changeSet: result.changeSetID, stack: result.stack, applied: result.report.map(ApplyJSON.init),
                refusal: result.cause.map(CommandLineError.message(for:)) ?? result.refusal)
        }
        if json {
            print(try CommandOutput.json(shown))
        } else if shown.isEmpty {
            print("No change set is due: none is approved with automatic: true in an open window.")
        } else {
            for item in shown {
                if let applied = item.applied {
                    print(TerminalText.sanitize(applied.text), terminator: "")
                } else {
                    print("Change set \(TerminalText.escape(item.changeSet)) on stack \(TerminalText.escape(item.stack)) was not applied: \(TerminalText.escape(item.refusal ?? ""))")
                }
            }
        }
        if shown.contains(where: { $0.applied?.status != .applied }) { throw ExitCode.failure }
    }
}

extension ApplyJSON {
    /// One line for a person.
    var text: String {
        let target = stack == StackLayout.policiesFolder ? "Policies/" : "stack \(TerminalText.escape(stack))"
        var line = "Change set \(TerminalText.escape(changeSet)) \(status.rawValue) on \(target) (execution \(TerminalText.escape(execution)))"
        if let stateVersion {
            line += stack == StackLayout.policiesFolder ? ", policy revision \(stateVersion) in force" : ", state version \(stateVersion)"
        }
        if status != .applied {
            line += ": " + TerminalText.escape(output.split(separator: "\n").suffix(3).joined(separator: " / "))
        }
        return line + "\n"
    }
}

/// `tollgate execution ID`: one apply with the provider's output.
struct Execution: AsyncParsableCommand {
    static let configuration = CommandConfiguration(commandName: "execution", abstract: "Show one execution: its change set, start, end, result and the provider's output.")

    @Argument(help: "The execution's id, such as ex-0b41d2aa.")
    var id: String

    @OptionGroup var repository: RepositoryOptions
    @OptionGroup var store: StoreOptions
    @OptionGroup var output: OutputOptions

    func run() async throws {
        let (execution, lock) = try await store.withStore(repository: repository.repo, readOnly: true) { store in
            let execution = try await store.execution(id: id)
            return (execution, try await store.stackLock(execution.stack))
        }
        let shown = ExecutionJSON(
            id: execution.id, changeSet: execution.changeSetID, stack: execution.stack, startedAt: execution.startedAt,
            finishedAt: execution.finishedAt, result: execution.result, providerOutput: execution.providerOutput,
            lockExpiresAt: lock?.executionID == execution.id ? lock?.expiresAt : nil)
        if output.json {
            print(try CommandOutput.json(shown))
            return
        }
        var text = "Execution \(TerminalText.escape(shown.id)) of change set \(TerminalText.escape(shown.changeSet)) on stack \(TerminalText.escape(shown.stack))\n"
        text += "Started \(CommandOutput.timestamp(shown.startedAt)), "
        if let finished = shown.finishedAt {
            text += "\(TerminalText.escape(shown.result?.rawValue ?? "?")) at \(CommandOutput.timestamp(finished))\n"
        } else if let expires = shown.lockExpiresAt {
            text += "running; its lock lasts until \(CommandOutput.timestamp(expires)) unless renewed\n"
        } else {
            text += "not finished and holding no lock: its process died; run tollgate apply \(TerminalText.escape(shown.changeSet)) --resume\n"
        }
        text += "Provider output:\n" + (shown.providerOutput ?? "(none)").split(separator: "\n", omittingEmptySubsequences: false)
            .map { "  " + TerminalText.escape(String($0)) }.joined(separator: "\n") + "\n"
        print(TerminalText.sanitize(text), terminator: "")
    }
}
