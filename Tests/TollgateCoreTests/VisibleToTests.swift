import Testing
import TollgateCore

/// `visible-to:` in approvals.yaml: which reviewers see a stack through the server.
@Suite("visible-to in approvals.yaml")
struct VisibleToTests {
    static let directory = ReviewerDirectory(
        people: [], groups: ["owners": ["alice", "bob"], "dba": ["carol"], "security": ["bob", "dave"]])

    static func approvals(_ rules: String) -> String {
        """
        policy-changes:
          - count: 1
            from: owners
        rules:
        \(rules)
        """
    }

    @Test("a stack limited to groups is visible to their members only; restrictions of several rules add up")
    func visibility() throws {
        let policy = try ApprovalPolicy.parse(Self.approvals("""
              - name: database
                stacks: [database, "db-*"]
                require:
                  - count: 1
                    from: dba
                visible-to: [dba, owners]
              - name: secrets
                stacks: [db-secrets]
                require:
                  - count: 1
                    from: security
                visible-to: security
              - name: web
                stacks: [web]
                require:
                  - count: 1
                    from: owners
            """), directory: Self.directory)
        #expect(policy.rules.map(\.visibleTo) == [["dba", "owners"], ["security"], []])
        let cases: [(String, String, Bool)] = [
            ("database", "carol", true), ("database", "alice", true), ("database", "dave", false),
            ("db-secrets", "bob", true), ("db-secrets", "alice", false), ("db-secrets", "dave", false),
            ("web", "dave", true), ("unruled", "dave", true),
        ]
        for (stack, reviewer, visible) in cases {
            #expect(policy.isVisible(stack: stack, to: reviewer, in: Self.directory) == visible, "\(stack) to \(reviewer)")
        }
    }

    @Test("an unknown group, a person instead of a group and an empty list are errors naming file, line and field", arguments: [
        ("visible-to: [dba, auditors]", "'auditors'", "visible-to"),
        ("visible-to: alice", "'alice'", "visible-to"),
        ("visible-to: []", "at least one group", "visible-to"),
        ("visible_to: [dba]", "visible_to", "visible_to"),
    ])
    func errors(line: String, words: String, field: String) throws {
        let text = Self.approvals("""
              - name: database
                stacks: [database]
                require:
                  - count: 1
                    from: dba
                \(line)
            """)
        do {
            _ = try ApprovalPolicy.parse(text, directory: ReviewerDirectory(people: [], groups: ["dba": ["alice"], "owners": ["alice"]]))
            Issue.record("\(line) was accepted")
        } catch {
            #expect(error.file == "Policies/approvals.yaml")
            #expect(error.line == 10)
            #expect(error.field.contains(field), "\(error.field)")
            #expect(error.description.contains(words), "\(error.description)")
        }
    }
}
