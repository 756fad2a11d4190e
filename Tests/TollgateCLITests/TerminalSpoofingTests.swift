import Foundation
import Testing
import TollgateCore
import TollgateTestSupport

/// Values written to take over the terminal: erase a line, move the cursor up, return to the
/// start of the line, reverse the text, hide characters, fake a row. Every text command must show
/// them as visible escapes.
@Suite("Terminal spoofing")
struct TerminalSpoofingTests {
    /// Every spoofing sequence at once, between two markers.
    static let spoof = "«\u{1B}[2K\u{1B}[1A\r\u{202E}\u{200B}\u{2066}\u{FEFF}\u{9B}2J»"
    /// How ``spoof`` must be shown.
    static let shown = "«\\u{1B}[2K\\u{1B}[1A\\r\\u{202E}\\u{200B}\\u{2066}\\u{FEFF}\\u{9B}2J»"
    /// A value that tries to fake a row of its own.
    static let fakeRow = "x\nweb  APPLIED  -"

    /// Checks that `text` holds no raw control, bidirectional or invisible character (line breaks
    /// aside) and shows the spoof as escapes.
    static func expectSafe(_ text: String, shows: Bool = true, _ command: String, sourceLocation: Testing.SourceLocation = #_sourceLocation) {
        let raw = text.unicodeScalars.filter { $0 != "\n" && TerminalText.needsEscape($0) }
        #expect(raw.isEmpty, "\(command) printed raw \(raw.map { "U+" + String($0.value, radix: 16, uppercase: true) })", sourceLocation: sourceLocation)
        if shows {
            #expect(text.contains(shown), "\(command) did not show the escapes: \(text)", sourceLocation: sourceLocation)
        }
    }

    /// A trusted policy whose rule covers every stack, and a stack whose folder, logical id,
    /// parameter value, author and commit message all carry the spoof.
    private func hostileRepository() throws -> (fixture: ReviewFixture, options: [String], stack: String) {
        let fixture = try ReviewFixture()
        try fixture.git.write("Policies/approvals.yaml", ReviewFixture.approvals.replacingOccurrences(of: "stacks: [web]", with: "stacks: [\"*\"]"))
        try fixture.git.commit("every stack needs an owner", author: ReviewFixture.outsider)
        let options = ["--repo", fixture.git.path, "--state", fixture.statePath]
        let initialized = try TollgateBinary.run(["init", "--actor", "lead"] + options)
        #expect(initialized.status == 0, "\(initialized.standardError)")

        let stack = "evil\(Self.spoof)"
        try fixture.git.write("Stacks/\(stack)/template.yaml", """
            Parameters:
              Name: {Type: String}
            Resources:
              "Topic\\e[2K\\r\\u202E\\u200B":
                Type: AWS::SNS::Topic
                Properties:
                  TopicName: !Ref Name

            """)
        // JSON escapes, since a YAML or JSON reader refuses raw control characters in a file.
        let value = (Self.spoof + Self.fakeRow).unicodeScalars.map { $0.isASCII && $0.value >= 0x20 ? String($0) : String(format: "\\u%04x", $0.value) }.joined()
        try fixture.git.write("Stacks/\(stack)/config.json", #"{"Parameters": {"Name": "\#(value)"}}"#)
        try fixture.git.commit("Add the stack \(Self.spoof)", author: "Eve \(Self.spoof) <eve@example.com>")
        return (fixture, options, stack)
    }

    @Test("sync, status, history, show, explain, reject, audit and plan never print a raw control character")
    func everyTextCommand() throws {
        let (fixture, options, stack) = try hostileRepository()
        let sync = try TollgateBinary.run(["sync"] + options)
        #expect(sync.status == 0, "\(sync.standardError)")
        Self.expectSafe(sync.standardOutput + sync.standardError, "sync")

        let statusJSON = try TollgateBinary.run(["status", "--json"] + options)
        let report = try #require(try JSONSerialization.jsonObject(with: Data(statusJSON.standardOutput.utf8)) as? [String: Any])
        let rows = try #require(report["stacks"] as? [[String: Any]])
        let row = try #require(rows.first { $0["stack"] as? String == stack }, "status --json keeps the stack name as it is")
        let id = try #require(row["pendingChangeSet"] as? String)

        let key = try #require(fixture.keys["amara"]).privateKeyPath
        let reject = try TollgateBinary.run(["reject", id, "--key", key, "--reason", "no \(Self.spoof) \(Self.fakeRow)"] + options)
        #expect(reject.status == 0, "\(reject.standardError)")
        Self.expectSafe(reject.standardOutput + reject.standardError, "reject")

        for command in [["status"], ["history"], ["show", id], ["explain", id], ["audit", "list"], ["plan", stack]] {
            let result = try TollgateBinary.run(command == ["history"] ? command + ["--repo", fixture.git.path] : command + options)
            #expect(result.status == 0, "\(command): \(result.standardError)")
            Self.expectSafe(result.standardOutput + result.standardError, command.joined(separator: " "))
            #expect(!result.standardOutput.contains("\nweb  APPLIED"), "\(command) let a value fake a row")
        }
        let shown = try TollgateBinary.run(["show", id] + options).standardOutput
        #expect(shown.contains("Eve \(Self.shown) <eve@example.com> Add the stack \(Self.shown)"), "\(shown)")
        #expect(shown.contains("(\"no \(Self.shown) x\\nweb  APPLIED  -\")"), "\(shown)")
        #expect(shown.contains("Topic\\u{1B}[2K\\r\\u{202E}\\u{200B}"), "\(shown)")
    }

    @Test("--json keeps the values exactly, escaped the JSON way")
    func jsonUnaffected() throws {
        let (fixture, options, stack) = try hostileRepository()
        defer { withExtendedLifetime(fixture) {} }
        let sync = try TollgateBinary.run(["sync", "--json"] + options)
        #expect(sync.status == 0, "\(sync.standardError)")
        #expect(!sync.standardOutput.unicodeScalars.contains { $0.value < 0x20 && $0 != "\n" && $0 != " " })
        let created = try #require(try JSONSerialization.jsonObject(with: Data(sync.standardOutput.utf8)) as? [String: Any])
        let stacks = (created["created"] as? [[String: Any]])?.compactMap { $0["stack"] as? String } ?? []
        #expect(stacks.contains(stack))
    }

    @Test("Errors a command throws are escaped too")
    func errors() throws {
        let (fixture, options, _) = try hostileRepository()
        defer { withExtendedLifetime(fixture) {} }
        for command in [["show", "cs-\(Self.spoof)"], ["plan", "missing\(Self.spoof)"]] {
            let result = try TollgateBinary.run(command + options)
            #expect(result.status != 0)
            Self.expectSafe(result.standardError, command.joined(separator: " "))
        }
    }

    @Test("diff escapes logical ids, values and file names")
    func diff() throws {
        let folder = try TemporaryDirectory()
        let old = folder.appending("old.yaml")
        let new = folder.appending("new\(Self.spoof).yaml")
        let template = { (name: String) in
            "Resources:\n  \"Topic\\e[2K\\u202E\":\n    Type: AWS::SNS::Topic\n    Properties:\n      TopicName: \"\(name)\"\n"
        }
        try template("a").write(toFile: old, atomically: true, encoding: .utf8)
        try template("b\\e[1A\\r\\u202E\\n").write(toFile: new, atomically: true, encoding: .utf8)
        let result = try TollgateBinary.run(["diff", old, new])
        #expect(result.status == 0, "\(result.standardError)")
        Self.expectSafe(result.standardOutput, shows: false, "diff")
        #expect(result.standardOutput.contains("Topic\\u{1B}[2K\\u{202E}"), "\(result.standardOutput)")
        #expect(result.standardOutput.contains("b\\u{1B}[1A\\r\\u{202E}\\n"), "\(result.standardOutput)")

        try "Resources: [".write(toFile: new, atomically: true, encoding: .utf8)
        let broken = try TollgateBinary.run(["diff", old, new])
        #expect(broken.status != 0)
        Self.expectSafe(broken.standardError, "diff with a syntax error")
    }
}
