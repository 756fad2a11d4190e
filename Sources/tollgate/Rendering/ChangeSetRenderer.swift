import TollgateCore

/// Writes a change set for a person: grouped by action, replacements impossible to miss,
/// before and after values of changed properties, and a summary line at the end.
struct ChangeSetRenderer {
    /// Whether to use ANSI colours (a terminal, not a pipe).
    var useColor: Bool

    private enum Style: String {
        case green = "32", yellow = "33", red = "31", boldRed = "1;31", bold = "1", dim = "2"
    }

    private func paint(_ text: String, _ style: Style) -> String {
        useColor ? "\u{1B}[\(style.rawValue)m\(text)\u{1B}[0m" : text
    }

    func render(_ changeSet: ChangeSet) -> String {
        var lines: [String] = []
        let kind = changeSet.changeSetType == .create ? "new stack" : "update"
        lines.append(paint("Change set for \(changeSet.stackName) (\(kind))", .bold))
        let changes = changeSet.resourceChanges
        let replaced = changes.filter { $0.action == .modify && $0.replacement != .false }
        let modified = changes.filter { $0.action == .modify && $0.replacement == .false }
        let added = changes.filter { $0.action == .add }
        let removed = changes.filter { $0.action == .remove }

        if !replaced.isEmpty {
            lines.append("")
            lines.append(paint("REPLACE — these resources are destroyed and created again:", .boldRed))
            for change in replaced { lines += resource(change) }
        }
        if !removed.isEmpty {
            lines.append("")
            lines.append(paint("Remove:", .red))
            for change in removed { lines += resource(change) }
        }
        if !modified.isEmpty {
            lines.append("")
            lines.append(paint("Modify:", .yellow))
            for change in modified { lines += resource(change) }
        }
        if !added.isEmpty {
            lines.append("")
            lines.append(paint("Add:", .green))
            for change in added { lines += resource(change) }
        }
        if !changeSet.templateChanges.isEmpty {
            lines.append("")
            lines.append(paint("Template:", .bold))
            for change in changeSet.templateChanges {
                lines.append("  \(symbol(change.action)) \(change.section).\(change.name)\(values(change.before, change.after))")
            }
        }
        lines.append("")
        if changeSet.isEmpty {
            lines.append("No changes.")
        }
        let summary = changeSet.summary.line
        lines.append(changeSet.summary.replaced + changeSet.summary.conditionallyReplaced + changeSet.summary.removed > 0
            ? paint(summary, .boldRed) : paint(summary, .bold))
        lines.append(paint("Digest: \(changeSet.digest)", .dim))
        return lines.joined(separator: "\n") + "\n"
    }

    private func symbol(_ action: ChangeAction) -> String {
        switch action {
        case .add: return paint("+", .green)
        case .modify: return paint("~", .yellow)
        case .remove: return paint("-", .red)
        }
    }

    private func resource(_ change: ResourceChange) -> [String] {
        var head = "  \(change.action == .modify && change.replacement != .false ? paint("±", .boldRed) : symbol(change.action)) "
            + "\(change.logicalResourceId) (\(change.resourceType))"
        switch change.replacement {
        case .true: head += " " + paint("[REPLACEMENT]", .boldRed)
        case .conditional: head += " " + paint("[MAY BE REPLACED]", .red)
        default: break
        }
        if let policy = change.policyAction {
            head += paint(policy.keepsResource ? "  policy: \(policy.rawValue), the old resource is kept" : "  policy: \(policy.rawValue)", .dim)
        }
        var lines = [head]
        for detail in change.details {
            let name = detail.target.name.map { "\(detail.target.attribute.rawValue).\($0)" } ?? detail.target.attribute.rawValue
            var line = "      \(name)"
            if let recreation = detail.target.requiresRecreation, recreation != .never {
                line += " " + paint("(recreation: \(recreation.rawValue))", .red)
            }
            switch detail.changeSource {
            case .directModification: break
            default:
                let cause = detail.causingEntity.map { " \($0)" } ?? ""
                line += paint("  via \(detail.changeSource.rawValue)\(cause), \(detail.evaluation.rawValue)", .dim)
            }
            line += values(detail.target.beforeValue, detail.target.afterValue)
            lines.append(line)
        }
        if let note = change.note { lines.append("      " + paint("note: \(note)", .dim)) }
        return lines
    }

    private func values(_ before: String?, _ after: String?) -> String {
        guard before != nil || after != nil else { return "" }
        return ": " + paint(short(before ?? "(none)"), .red) + " -> " + paint(short(after ?? "(none)"), .green)
    }

    /// Long JSON values are cut so that one change stays on one line.
    private func short(_ text: String) -> String {
        text.count > 120 ? String(text.prefix(117)) + "..." : text
    }
}
