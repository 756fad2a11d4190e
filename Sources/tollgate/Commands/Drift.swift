import ArgumentParser
import Foundation
import TollgateCore
import TollgateEngine

/// `tollgate drift [STACK]`: whether what the providers hold is still what Tollgate recorded.
struct Drift: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "drift",
        abstract: "Compare the recorded state of applied stacks with what their provider holds.",
        discussion: """
            For every stack with a recorded state (or STACK), asks the provider that \
            Policies/deployments.yaml of the policy in force names. cloudformation: the stack's \
            original template (GetTemplate), parameters and tags (DescribeStacks), shown as the \
            change set that would turn the recorded state into them, and CloudFormation's own \
            resource drift detection where the endpoint offers it. A record stack's recorded state \
            is its target, and a command cannot be asked what it deployed: both are listed, not \
            compared. Exit status 0 when nothing drifted, 2 when a stack drifted, 1 when a check \
            failed (credentials, an unreachable endpoint, an unknown STACK), so a timer can alert.
            """
    )

    @Argument(help: "One applied stack to check (default: every stack with a recorded state).")
    var stack: String?

    @OptionGroup var repository: RepositoryOptions
    @OptionGroup var store: StoreOptions
    @OptionGroup var output: OutputOptions

    func run() async throws {
        let report = try await store.withStore(repository: repository.repo, readOnly: true) { store in
            let managed = try await ManagedRepository.open(
                path: repository.repo, settingsFile: repository.config, branch: repository.branch, store: store)
            return try await DriftCheck(store: store).check(stack: stack, repository: managed)
        }
        var standardOutput = StandardOutput()
        if output.json {
            standardOutput.write(try CommandOutput.json(report) + "\n")
        } else {
            standardOutput.write(TerminalText.sanitize(DriftText(style: TextStyle(enabled: output.usesColor)).render(report)))
        }
        standardOutput.flush()
        if report.hasErrors { throw ExitCode.failure }
        if report.hasDrift { throw ExitCode(2) }
    }
}

/// `tollgate drift` for a person: one block per stack, the template drift as a change set, the
/// resources CloudFormation found changed, and a count at the end.
struct DriftText {
    let style: TextStyle

    func render(_ report: DriftReport) -> String {
        guard !report.stacks.isEmpty else {
            return "No stack has a recorded state yet: nothing to compare.\n"
        }
        var lines: [String] = []
        for stack in report.stacks {
            lines += block(stack)
        }
        let count = { (status: StackDrift.Status) in report.stacks.filter { $0.status == status }.count }
        let notCompared = count(.recordOnly) + count(.notCheckable)
        lines.append("")
        lines.append(style.bold(
            "\(report.stacks.count) stack\(report.stacks.count == 1 ? "" : "s"): \(count(.drifted)) drifted, \(count(.inSync)) in sync, "
                + "\(notCompared) not compared, \(count(.error)) error\(count(.error) == 1 ? "" : "s")."))
        return lines.joined(separator: "\n") + "\n"
    }

    private func block(_ stack: StackDrift) -> [String] {
        var location = stack.provider
        if let name = stack.providerStackName {
            location += " stack \(TerminalText.escape(name))"
            if let status = stack.providerStackStatus { location += ", \(TerminalText.escape(status))" }
        }
        let recorded = stack.recordedAsRemoved ? "recorded as removed" : "recorded state version \(stack.stateVersion)"
        var lines = [
            "\(style.bold(TerminalText.escape(stack.stack))): \(verdict(stack.status)) (\(location); \(recorded), commit \(stack.commit.prefix(7)))",
            "  " + TerminalText.escape(stack.detail),
        ]
        if let changeSet = stack.changeSet, !changeSet.isEmpty {
            var renderer = ChangeSetRenderer(style: style)
            renderer.digestShown = false
            lines += renderer.render(changeSet).split(separator: "\n", omittingEmptySubsequences: false).dropLast()
                .map { $0.isEmpty ? "" : "    " + $0 }
        }
        if let resources = stack.resourceDrift, !resources.resources.isEmpty {
            lines.append("  Resources CloudFormation's drift detection reports (\(TerminalText.escape(resources.stackDriftStatus ?? "?"))):")
            for resource in resources.resources {
                let line = "    \(TerminalText.escape(resource.logicalResourceId)) (\(TerminalText.escape(resource.resourceType))) "
                    + TerminalText.escape(resource.stackResourceDriftStatus)
                lines.append(resource.isDrift ? style.yellow(line) : style.dim(line))
                for difference in resource.propertyDifferences {
                    lines.append(
                        "        \(TerminalText.escape(difference.propertyPath)) \(TerminalText.escape(difference.differenceType)): "
                            + style.red(short(difference.expectedValue)) + " -> " + style.green(short(difference.actualValue)))
                }
            }
        }
        return lines
    }

    private func verdict(_ status: StackDrift.Status) -> String {
        switch status {
        case .inSync: return style.green("in sync")
        case .drifted: return style.boldRed("DRIFTED")
        case .recordOnly: return style.dim("not compared")
        case .notCheckable: return style.dim("not checkable")
        case .error: return style.red("ERROR")
        }
    }

    /// Long values are cut so that one difference stays on one line, then escaped.
    private func short(_ text: String) -> String {
        TerminalText.escape(text.count > 120 ? String(text.prefix(117)) + "..." : text)
    }
}
