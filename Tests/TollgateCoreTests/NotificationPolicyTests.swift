import Testing
import TollgateCore

/// `Policies/notifications.yaml`: who is told about which change sets; every mistake names file,
/// line and field.
@Suite("Notification policy")
struct NotificationPolicyTests {
    static let sample = """
        notifications:
          - url: https://hooks.slack.com/services/T000/B000/XXXX
            events: [pending, approved, rejected, applied, failed, cancelled]
            stacks: ["payments-*"]
          - url: http://127.0.0.1:9000/hook
            events: failed

        """

    @Test("receivers are chosen by event and stack pattern; events and stacks default to all")
    func matching() throws {
        let policy = try NotificationPolicy.parse(Self.sample)
        #expect(policy.receivers(for: .approved, stack: "payments-eu").map(\.url) == ["https://hooks.slack.com/services/T000/B000/XXXX"])
        #expect(policy.receivers(for: .approved, stack: "web").isEmpty)
        #expect(policy.receivers(for: .failed, stack: "web").map(\.url) == ["http://127.0.0.1:9000/hook"])
        #expect(policy.receivers(for: .failed, stack: "payments-eu").count == 2)
        let everything = try NotificationPolicy.parse("notifications:\n  - url: https://example.com/hook\n")
        #expect(everything.receivers.first?.events == Set(NotificationEvent.allCases))
        #expect(everything.receivers(for: .cancelled, stack: StackLayout.policiesFolder).count == 1, "policy change sets too")
        #expect(everything.receivers.first?.redactedURL == "https://example.com/…", "the secret in a webhook URL's path is not shown")
    }

    @Test("mistakes name the file, line and field", arguments: [
        ("notifications:\n  - url: https://example.com/hook\n    channel: ops\n", 3, "notifications[0].channel is not a known field"),
        ("notification:\n  - url: https://example.com/hook\n", 1, "notification is not a known field"),
        ("notifications:\n  - events: [pending]\n", 2, "notifications[0].url is required"),
        ("notifications:\n  - url: ftp://example.com/hook\n", 2, "notifications[0].url 'ftp://example.com/…' is not an http or https URL with a host"),
        ("notifications:\n  - url: https:///hook\n", 2, "is not an http or https URL with a host"),
        ("notifications:\n  - url: hooks.slack.com/services/x\n", 2, "is not an http or https URL with a host"),
        ("notifications:\n  - url: https://hooks.slаck.com/services/x\n", 2, "notifications[0].url holds U+0430, which is not printable ASCII"),
        ("notifications:\n  - url: \"https://example.com/\\u0007hook\"\n", 2, "holds U+0007"),
        ("notifications:\n  - url: \"https://example.com/\\u202Ehook\"\n", 2, "holds U+202E"),
        ("notifications:\n  - url: https://example.com/hook\n    events: [merged]\n", 3, "'merged' is not an event; write one of pending, approved"),
        ("notifications:\n  - url: https://example.com/hook\n    events: []\n", 3, "must list at least one event"),
        ("notifications:\n  - url: https://example.com/hook\n    stacks: [\"pay ments\"]\n", 3, "is not a stack name pattern"),
    ])
    func mistakes(text: String, line: Int, message: String) {
        do {
            _ = try NotificationPolicy.parse(text)
            Issue.record("accepted: \(text)")
        } catch {
            #expect(error.file == NotificationPolicy.path)
            #expect(error.line == line, "\(error)")
            #expect("\(error)".contains(message), "\(error)")
        }
    }

    @Test("notifications.yaml is part of the policy set; a malformed one makes the whole policy unusable")
    func inPolicySet() throws {
        let problems = PolicySet.problems(in: [NotificationPolicy.path: "notifications: 3\n"])
        #expect(problems.contains { $0.file == NotificationPolicy.path && $0.field == "notifications" })
        #expect(!problems.contains { $0.message.contains("is not a known policy file") })
    }
}
