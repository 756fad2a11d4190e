/// The policy files read together from one revision of `Policies/`.
///
/// The engine reads the files of the revision last applied (never those of the change under
/// review) and passes their text here, so this type knows nothing of git and can be fed any
/// revision, including a proposed one whose problems must block its own approval.
public struct PolicySet: Sendable, Hashable {
    /// People and groups.
    public let reviewers: ReviewerDirectory
    /// Approval rules, windows and freezes.
    public let approvals: ApprovalPolicy
    /// Stack policies by stack name.
    public let stackPolicies: [String: StackPolicy]
    /// Where and how each stack is deployed.
    public let deployments: DeploymentPolicy
    /// The Guard rules of `Policies/guards/`, where they apply and their waivers.
    public let guards: GuardPolicy
    /// Who is told when a change set changes status.
    public let notifications: NotificationPolicy

    /// The folder all policy files live in, relative to the repository root.
    public static let folder = "Policies/"

    /// Creates a set from parts already parsed.
    public init(
        reviewers: ReviewerDirectory, approvals: ApprovalPolicy, stackPolicies: [String: StackPolicy],
        guards: GuardPolicy = .empty, deployments: DeploymentPolicy = .recordOnly, notifications: NotificationPolicy = .none
    ) {
        self.notifications = notifications
        self.reviewers = reviewers
        self.approvals = approvals
        self.stackPolicies = stackPolicies
        self.guards = guards
        self.deployments = deployments
    }

    /// Parses a revision of `Policies/` given as repository path to file text; paths outside
    /// `Policies/` are ignored, as are files that are not YAML or JSON (a README, say).
    ///
    /// - Throws: the first ``PolicyError`` found; ``problems(in:)`` lists them all.
    public static func parse(files: [String: String]) throws(PolicyError) -> PolicySet {
        let outcome = read(files)
        if let first = outcome.problems.first {
            throw first
        }
        guard let set = outcome.set else {
            throw PolicyError(file: folder, line: nil, column: nil, field: "", message: "could not be read")
        }
        return set
    }

    /// Every problem in a revision of `Policies/`, at most one per file, so that a policy change
    /// set can show all of them at once; empty when ``parse(files:)`` would succeed.
    public static func problems(in files: [String: String]) -> [PolicyError] {
        read(files).problems
    }

    private static func read(_ files: [String: String]) -> (set: PolicySet?, problems: [PolicyError]) {
        var problems: [PolicyError] = []
        var stackPolicies: [String: StackPolicy] = [:]
        let guards = GuardPolicy.read(files)
        problems += guards.problems
        for path in files.keys.sorted() where path.hasPrefix(folder) && !GuardPolicy.isGuardFile(path) {
            let relative = String(path.dropFirst(folder.count))
            let isData = relative.hasSuffix(".yaml") || relative.hasSuffix(".yml") || relative.hasSuffix(".json")
            if relative == "reviewers.yaml" || relative == "approvals.yaml" || relative == "deployments.yaml"
                || relative == "notifications.yaml" || !isData {
                continue
            }
            let stackFolder = StackPolicy.folder.dropFirst(folder.count)
            guard relative.hasPrefix(stackFolder) else {
                problems.append(PolicyError(file: path, line: nil, column: nil, field: "", message: "is not a known policy file; expected reviewers.yaml, approvals.yaml, deployments.yaml, notifications.yaml, stack-policies/<stack>.json or guards/"))
                continue
            }
            let name = String(relative.dropFirst(stackFolder.count))
            let stack = String(name.dropLast(".json".count))
            guard name.hasSuffix(".json"), !stack.isEmpty,
                  stack.allSatisfy({ $0.isASCII && ($0.isLetter || $0.isNumber || $0 == "-" || $0 == "_" || $0 == ".") })
            else {
                problems.append(PolicyError(file: path, line: nil, column: nil, field: "", message: "is not named stack-policies/<stack>.json with a plain stack name"))
                continue
            }
            do {
                stackPolicies[stack] = try StackPolicy.parse(files[path] ?? "", stack: stack, file: path)
            } catch {
                problems.append(error)
            }
        }
        var reviewers: ReviewerDirectory?
        if let text = files[ReviewerDirectory.path] {
            do {
                reviewers = try ReviewerDirectory.parse(text)
            } catch {
                problems.append(error)
            }
        } else {
            problems.append(PolicyError(file: ReviewerDirectory.path, line: nil, column: nil, field: "", message: "is missing; every policy needs its reviewers"))
        }
        var approvals: ApprovalPolicy?
        if let text = files[ApprovalPolicy.path] {
            if let reviewers {
                do {
                    approvals = try ApprovalPolicy.parse(text, directory: reviewers)
                } catch {
                    problems.append(error)
                }
            }
        } else {
            problems.append(PolicyError(file: ApprovalPolicy.path, line: nil, column: nil, field: "", message: "is missing; every policy needs its approval rules"))
        }
        var deployments = DeploymentPolicy.recordOnly
        if let text = files[DeploymentPolicy.path] {
            do {
                deployments = try DeploymentPolicy.parse(text)
            } catch {
                problems.append(error)
            }
        }
        var notifications = NotificationPolicy.none
        if let text = files[NotificationPolicy.path] {
            do {
                notifications = try NotificationPolicy.parse(text)
            } catch {
                problems.append(error)
            }
        }
        guard let reviewers, let approvals, let guardPolicy = guards.policy, problems.isEmpty else {
            return (nil, problems)
        }
        return (PolicySet(
            reviewers: reviewers, approvals: approvals, stackPolicies: stackPolicies, guards: guardPolicy, deployments: deployments,
            notifications: notifications), [])
    }
}
