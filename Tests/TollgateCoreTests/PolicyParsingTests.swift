import Foundation
import Testing
import TollgateCore

/// Reading reviewers.yaml, approvals.yaml and a whole Policies/ revision, and the errors that
/// must name file, line, column and field.
@Suite("Policy files")
struct PolicyParsingTests {
    static let key = "ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIBe2G+y5RfIT73GXqqC5mztcRrnzq5Yz9rfgkmWbturn x"
    static let reviewers = """
    people:
      - id: alice
        name: Alice Example
        emails: [alice@example.com]
        keys:
          - \(key)
      - id: bob
        name: Bob Example
        emails: bob@example.com
    groups:
      owners: [alice, bob]
    """
    static let approvals = """
    policy-changes:
      - count: 1
        from: owners
    rules:
      - name: all
        stacks: ["*"]
        require:
          - count: 1
            from: owners
    """

    @Test("A valid reviewers.yaml resolves people, keys and groups")
    func reviewersParse() throws {
        let directory = try ReviewerDirectory.parse(Self.reviewers)
        #expect(directory.people.map(\.id) == ["alice", "bob"])
        #expect(directory.groups["owners"] == ["alice", "bob"])
        #expect(directory.person(withEmail: "Bob@Example.com")?.id == "bob")
        let key = try SSHPublicKey(authorizedKeysLine: Self.key)
        #expect(directory.person(holding: key)?.id == "alice")
        #expect(directory.person(withFingerprint: key.fingerprint)?.id == "alice")
    }

    @Test("Errors in reviewers.yaml", arguments: [
        ("people:\n  - id: alice\n    name: A\n    emails: [a@example.com]\n    emial: x\n", "Policies/reviewers.yaml:5:5: people[0].emial is not a known field"),
        ("people:\n  - id: alice\n    name: A\n    emails: [a@example.com]\ngroups:\n  owners: [alice, zed]\n", "Policies/reviewers.yaml:6:19: groups.owners[1] names 'zed', who is not listed under people"),
        ("people:\n  - id: alice\n    name: A\n    emails: [a@example.com]\n  - id: alice\n    name: B\n    emails: [b@example.com]\n", "Policies/reviewers.yaml:5:9: people[1].id 'alice' is already used by another person"),
        ("people:\n  - id: a\n    name: A\n    emails: [x@example.com]\n  - id: b\n    name: B\n    emails: [X@example.com]\n", "people[1].emails[0] 'x@example.com' is already listed for 'a'"),
        ("people:\n  - id: a\n    name: A\n    emails: [a@example.com]\n    keys: [\(key)]\n  - id: b\n    name: B\n    emails: [b@example.com]\n    keys: [\(key)]\n", "people[1].keys[0] (SHA256:"),
        ("people:\n  - id: a\n    name: A\n    emails: [a@example.com]\n    keys: [ssh-rsa AAAAB3NzaC1yc2EAAAADAQABAAABAQC7 x]\n", "Policies/reviewers.yaml:5:12: people[0].keys[0] is not a usable SSH public key: unsupported SSH key type 'ssh-rsa'"),
        ("people:\n  - id: a\n    name: A\n", "Policies/reviewers.yaml:2:5: people[0].emails is required"),
        ("people: [\n", "Policies/reviewers.yaml:2:1: is not valid YAML"),
        ("", "Policies/reviewers.yaml: is empty"),
    ])
    func reviewerErrors(text: String, expected: String) {
        let error = #expect(throws: PolicyError.self) { try ReviewerDirectory.parse(text) }
        #expect(error?.description.hasPrefix(expected) == true || error?.description.contains(expected) == true, "\(String(describing: error))")
    }

    @Test("Errors in approvals.yaml", arguments: [
        ("policy-changes:\n  - count: 1\n    from: owners\nrules:\n  - name: all\n    stacks: [x]\n    require:\n      - count: 0\n        from: owners\n", "Policies/approvals.yaml:8:16: rules[0].require[0].count must be a positive whole number"),
        ("policy-changes:\n  - count: 1\n    from: owners\nrules:\n  - name: all\n    stacks: [x]\n    require:\n      - count: 3\n        from: owners\n", "Policies/approvals.yaml:8:16: rules[0].require[0].count asks for 3 approvals but owners has only 2 people"),
        ("policy-changes:\n  - count: 1\n    from: ownres\nrules: []\n", "Policies/approvals.yaml:3:11: policy-changes[0].from names 'ownres', which is neither a person nor a group"),
        ("policy-changes:\n  - count: 1\n    from: owners\nrules:\n  - name: all\n    stack: [x]\n    require: []\n", "Policies/approvals.yaml:6:5: rules[0].stack is not a known field"),
        ("rules: []\n", "Policies/approvals.yaml:1:1: policy-changes is required"),
        ("policy-changes: []\nrules: []\n", "policy-changes must list at least one requirement"),
        ("policy-changes:\n  - count: 1\n    from: owners\nwindows:\n  - days: [mon, fry]\n    from: \"09:00\"\n    to: \"17:00\"\n    time-zone: UTC\nrules: []\n", "Policies/approvals.yaml:5:17: windows[0].days[1] 'fry' is not a day"),
        ("policy-changes:\n  - count: 1\n    from: owners\nwindows:\n  - days: [mon]\n    from: \"9am\"\n    to: \"17:00\"\n    time-zone: UTC\nrules: []\n", "windows[0].from '9am' is not a time"),
        ("policy-changes:\n  - count: 1\n    from: owners\nwindows:\n  - days: [mon]\n    from: \"09:00\"\n    to: \"17:00\"\n    time-zone: Mars/Olympus\nrules: []\n", "windows[0].time-zone 'Mars/Olympus' is not a time zone"),
        ("policy-changes:\n  - count: 1\n    from: owners\nwindows:\n  - days: [mon]\n    from: \"09:00\"\n    to: \"17:00\"\nrules: []\n", "windows[0] needs a time-zone"),
        ("policy-changes:\n  - count: 1\n    from: owners\nfreezes:\n  - from: 2026-02-30\n    to: 2026-03-02\n    time-zone: UTC\nrules: []\n", "freezes[0].from '2026-02-30' is not a date"),
        ("policy-changes:\n  - count: 1\n    from: owners\nrules:\n  - name: a\n    stacks: [x]\n    require: [{count: 1, from: owners}]\n    automatic: yes\n", "rules[0].automatic must be true or false"),
        ("policy-changes:\n  - count: 1\n    from: owners\nrules:\n  - name: a\n    stacks: [\"net/*\"]\n    require: [{count: 1, from: owners}]\n", "rules[0].stacks[0] 'net/*' is not a stack name pattern"),
    ])
    func approvalErrors(text: String, expected: String) throws {
        let directory = try ReviewerDirectory.parse(Self.reviewers)
        let error = #expect(throws: PolicyError.self) { try ApprovalPolicy.parse(text, directory: directory) }
        #expect(error?.description.contains(expected) == true, "\(String(describing: error))")
    }

    @Test("A whole revision: missing and unknown files are errors, other files are ignored")
    func policySetFiles() throws {
        let valid = ["Policies/reviewers.yaml": Self.reviewers, "Policies/approvals.yaml": Self.approvals, "Policies/README.md": "# notes", "Stacks/network/template.yaml": "x"]
        #expect(PolicySet.problems(in: valid).isEmpty)

        var withTypo = valid
        withTypo["Policies/aprovals.yaml"] = Self.approvals
        withTypo["Policies/approvals.yaml"] = nil
        #expect(PolicySet.problems(in: withTypo).map(\.description) == [
            "Policies/aprovals.yaml: is not a known policy file; expected reviewers.yaml, approvals.yaml, deployments.yaml, notifications.yaml, stack-policies/<stack>.json or guards/",
            "Policies/approvals.yaml: is missing; every policy needs its approval rules",
        ])

        var badStackPolicy = valid
        badStackPolicy["Policies/stack-policies/database.json"] = "{}"
        #expect(throws: PolicyError(file: "Policies/stack-policies/database.json", line: 1, column: 1, field: "Statement", message: "is required")) {
            try PolicySet.parse(files: badStackPolicy)
        }
    }

    @Test("The project's example Policies/ parse and protect the database")
    func examplePolicies() throws {
        let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
        var files: [String: String] = [:]
        for path in ["Policies/reviewers.yaml", "Policies/approvals.yaml", "Policies/stack-policies/database.json"] {
            files[path] = try String(contentsOf: root.appendingPathComponent(path), encoding: .utf8)
        }
        let policy = try PolicySet.parse(files: files)
        #expect(policy.approvals.rules.map(\.name) == ["network", "database", "services"])
        #expect(policy.approvals.rules(forStack: "service").map(\.name) == ["services"])
        let decision = try #require(policy.stackPolicies["database"]).evaluate(GuardedChange(logicalID: "Database", resourceType: "AWS::RDS::DBInstance", action: .replace))
        #expect(decision.isDenied)
    }
}
