/// What a reviewer says about a change set.
public enum ApprovalVerdict: String, Sendable, Codable, CaseIterable {
    /// The reviewer approves the change set.
    case approve
    /// The reviewer rejects the change set; it will not be applied.
    case reject
}

/// What a reviewed change set changes: one stack, or the repository's `Policies/` folder.
public enum ReviewTarget: Sendable, Hashable, Codable, CustomStringConvertible {
    /// A stack under `Stacks/<name>/`.
    case stack(String)
    /// The policy files themselves; such a change set is reviewed under the policy in force.
    case policies

    /// How messages name the target: `stack network` or `Policies/`.
    public var description: String {
        switch self {
        case let .stack(name): return "stack \(name)"
        case .policies: return "Policies/"
        }
    }
}

/// The exact text a reviewer signs, so that a signature names one change set, one target, one
/// content digest and one verdict, and cannot be replayed for anything else.
public enum ApprovalText {
    /// Builds the text to sign; the same inputs always give the same bytes, ending in a newline.
    ///
    /// `tollgate show ID --approval-text` prints it unchanged, so that a reviewer who signs the
    /// printed text with `ssh-keygen -Y sign -n tollgate` signs exactly these bytes.
    public static func make(changeSetID: String, target: ReviewTarget, digest: String, verdict: ApprovalVerdict) -> String {
        let targetLine: String = switch target {
        case let .stack(name): "stack: \(escaped(name))"
        case .policies: "policies: Policies/"
        }
        return [
            "tollgate change set review v1",
            "verdict: \(verdict.rawValue)",
            "change-set: \(escaped(changeSetID))",
            targetLine,
            "digest: \(escaped(digest))",
        ].joined(separator: "\n") + "\n"
    }

    /// The text for a stack's change set; see ``make(changeSetID:target:digest:verdict:)``.
    public static func make(changeSetID: String, stack: String, digest: String, verdict: ApprovalVerdict) -> String {
        make(changeSetID: changeSetID, target: .stack(stack), digest: digest, verdict: verdict)
    }

    /// Control characters are written as `\u{..}` so that no value can add a line of its own
    /// and make two different change sets read as the same text.
    private static func escaped(_ value: String) -> String {
        var result = ""
        for scalar in value.unicodeScalars {
            if scalar.properties.generalCategory == .control || scalar == "\\" {
                result += "\\u{\(String(scalar.value, radix: 16))}"
            } else {
                result.unicodeScalars.append(scalar)
            }
        }
        return result
    }
}
