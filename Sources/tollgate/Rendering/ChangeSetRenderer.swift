import TollgateCore

/// Writes a change set for a person: grouped by action, replacements impossible to miss,
/// before and after values of changed properties, and a summary line at the end.
struct ChangeSetRenderer {
    /// Colours on a terminal, plain text in a pipe.
    let style: TextStyle
    /// Whether the digest closes the text; a drift report's change set binds no approval.
    var digestShown = true

    func render(_ changeSet: ChangeSet) -> String {
        var lines: [String] = []
        let kind = changeSet.changeSetType == .create ? "new stack" : "update"
        lines.append(style.bold("Change set for \(TerminalText.escape(changeSet.stackName)) (\(kind))"))
        let changes = changeSet.resourceChanges
        let replaced = changes.filter { $0.action == .modify && $0.replacement != .false }
        let modified = changes.filter { $0.action == .modify && $0.replacement == .false }
        let added = changes.filter { $0.action == .add }
        let removed = changes.filter { $0.action == .remove }

        if !changeSet.transforms.isEmpty {
            lines.append("")
            lines.append(style.bold("Transforms:"))
            for transform in changeSet.transforms {
                let line = "  \(transform.name): \(transform.note)"
                lines.append(transform.mayChangeAnything ? style.boldRed(line) : line)
            }
        }
        if !changeSet.providerChanges.isEmpty {
            lines.append("")
            lines.append(style.boldRed("CloudFormation's own change set also does this, which the offline plan does not show:"))
            for change in changeSet.providerChanges {
                let what = change.action == "Modify" ? "replace (Replacement: \(change.replacement ?? "?"))" : change.action.lowercased()
                lines.append(style.boldRed(TerminalText.escape("  \(what) \(change.logicalID) (\(change.resourceType))")))
            }
        }
        if !replaced.isEmpty {
            lines.append("")
            lines.append(style.boldRed("REPLACE — these resources are destroyed and created again:"))
            for change in replaced { lines += resource(change) }
        }
        if !removed.isEmpty {
            lines.append("")
            lines.append(style.red("Remove:"))
            for change in removed { lines += resource(change) }
        }
        if !modified.isEmpty {
            lines.append("")
            lines.append(style.yellow("Modify:"))
            for change in modified { lines += resource(change) }
        }
        if !added.isEmpty {
            lines.append("")
            lines.append(style.green("Add:"))
            for change in added { lines += resource(change) }
        }
        if !changeSet.templateChanges.isEmpty {
            lines.append("")
            lines.append(style.bold("Template:"))
            for change in changeSet.templateChanges {
                lines.append(
                    "  \(symbol(change.action)) \(TerminalText.escape(change.section)).\(TerminalText.escape(change.name))"
                        + values(change.before, change.after))
            }
        }
        lines.append("")
        if changeSet.isEmpty {
            lines.append("No changes.")
        }
        let summary = changeSet.summary.line
        lines.append(changeSet.summary.replaced + changeSet.summary.conditionallyReplaced + changeSet.summary.removed > 0
            ? style.boldRed(summary) : style.bold(summary))
        if digestShown { lines.append(style.dim("Digest: \(changeSet.digest)")) }
        return lines.joined(separator: "\n") + "\n"
    }

    private func symbol(_ action: ChangeAction) -> String {
        switch action {
        case .add: return style.green("+")
        case .modify: return style.yellow("~")
        case .remove: return style.red("-")
        }
    }

    private func resource(_ change: ResourceChange) -> [String] {
        var head = "  \(change.action == .modify && change.replacement != .false ? style.boldRed("±") : symbol(change.action)) "
            + "\(TerminalText.escape(change.logicalResourceId)) (\(TerminalText.escape(change.resourceType)))"
        switch change.replacement {
        case .true: head += " " + style.boldRed("[REPLACEMENT]")
        case .conditional: head += " " + style.red("[MAY BE REPLACED]")
        default: break
        }
        if let policy = change.policyAction {
            head += style.dim(policy.keepsResource ? "  policy: \(policy.rawValue), the old resource is kept" : "  policy: \(policy.rawValue)")
        }
        var lines = [head]
        for detail in change.details {
            let name = detail.target.name.map { "\(detail.target.attribute.rawValue).\(TerminalText.escape($0))" }
                ?? detail.target.attribute.rawValue
            var line = "      \(name)"
            if let recreation = detail.target.requiresRecreation, recreation != .never {
                line += " " + style.red("(recreation: \(recreation.rawValue))")
            }
            switch detail.changeSource {
            case .directModification: break
            default:
                let cause = detail.causingEntity.map { " \(TerminalText.escape($0))" } ?? ""
                line += style.dim("  via \(detail.changeSource.rawValue)\(cause), \(detail.evaluation.rawValue)")
            }
            line += values(detail.target.beforeValue, detail.target.afterValue)
            lines.append(line)
        }
        if let note = change.note { lines.append("      " + style.dim("note: \(TerminalText.escape(note))")) }
        return lines
    }

    private func values(_ before: String?, _ after: String?) -> String {
        guard before != nil || after != nil else { return "" }
        return ": " + style.red(short(before ?? "(none)")) + " -> " + style.green(short(after ?? "(none)"))
    }

    /// Long JSON values are cut so that one change stays on one line, then escaped.
    private func short(_ text: String) -> String {
        TerminalText.escape(text.count > 120 ? String(text.prefix(117)) + "..." : text)
    }
}
