import Foundation
import Testing
import TollgateCore

@Suite("Stack layout and settings")
struct StackLayoutTests {
    @Test("the standard layout finds Stacks/<name>/template.{yaml,yml,json} and config.json", arguments: [
        ("Stacks/network/template.yaml", "network", StackLayout.FileRole.template),
        ("Stacks/network/template.yml", "network", .template),
        ("Stacks/db/template.json", "db", .template),
        ("Stacks/db/config.json", "db", .config),
        ("Stacks/team/app/template.yaml", "team/app", .template),
    ])
    func standardMatches(path: String, stack: String, role: StackLayout.FileRole) {
        let matches = StackLayout.standard.matches(for: path)
        #expect(!matches.isEmpty)
        #expect(matches.allSatisfy { $0.stack == stack && $0.role == role })
    }

    @Test("other files, the policies and the settings file are never stack files", arguments: [
        "Stacks/network/README.md", "Stacks/template.yaml", "src/template.yaml", "Policies/reviewers.yaml", "tollgate.yaml",
    ])
    func nonStackFiles(path: String) throws {
        #expect(StackLayout.standard.matches(for: path).isEmpty)
        let anywhere = StackLayout(rules: [.init(template: try StackPattern("{name}.yaml"), config: nil)])
        if path == "Policies/reviewers.yaml" || path == "tollgate.yaml" {
            #expect(anywhere.matches(for: path).isEmpty)
        }
    }

    @Test("patterns need exactly one {name} and a path inside the repository", arguments: [
        ("Stacks/template.yaml", "no {name} placeholder"),
        ("{name}/{name}.yaml", "more than one {name} placeholder"),
        ("/abs/{name}.yaml", "relative to the repository root"),
        ("../{name}.yaml", "'.' or '..'"),
    ])
    func invalidPatterns(text: String, reason: String) {
        #expect {
            _ = try StackPattern(text)
        } throws: { error in
            "\(error)".contains(reason) && "\(error)".contains(text)
        }
    }

    @Test("a pattern gives the stack name and the path back")
    func patternRoundTrip() throws {
        let pattern = try StackPattern("infra/stacks-{name}/main.yaml")
        #expect(pattern.name(in: "infra/stacks-payments/main.yaml") == "payments")
        #expect(pattern.name(in: "infra/stacks-/main.yaml") == nil)
        #expect(pattern.path(for: "payments") == "infra/stacks-payments/main.yaml")
        #expect(pattern.enclosingFolder == "infra/")
        #expect(try StackPattern("{name}.yaml").enclosingFolder == "")
    }

    @Test("tollgate.yaml sets the branch and the discovery rules")
    func parseSettings() throws {
        let settings = try RepositorySettings.parse("""
            branch: trunk
            stacks:
              - template: "cfn/{name}.yaml"
                config: "cfn/{name}.json"
              - template: "legacy/{name}/stack.json"
            """, file: "tollgate.yaml")
        #expect(settings.branch == "trunk")
        #expect(settings.layout.rules.count == 2)
        #expect(settings.layout.rules[1].config == nil)
        #expect(settings.layout.watchedPaths == ["Policies/", "cfn/", "legacy/", "tollgate.yaml"])
        #expect(try RepositorySettings.parse("", file: "tollgate.yaml") == .standard)
    }

    @Test("a bad tollgate.yaml is named with line, column and field", arguments: [
        ("branch: [main]\n", "tollgate.yaml:1:9: branch must be a string"),
        ("brnach: main\n", "tollgate.yaml:1:9: brnach is not a known setting"),
        ("stacks: []\n", "tollgate.yaml:1:9: stacks must list at least one entry"),
        ("stacks:\n  - config: \"{name}.json\"\n", "tollgate.yaml:2:5: stacks[0].template is required"),
        ("stacks:\n  - template: \"{name}.yaml\"\n    extra: x\n", "tollgate.yaml:3:12: stacks[0].extra"),
        ("branch: main\n  bad: [\n", "tollgate.yaml:2:6: not valid YAML"),
        ("branch: a\nbranch: b\n", "duplicate keys branch"),
    ])
    func badSettings(text: String, message: String) {
        #expect {
            _ = try RepositorySettings.parse(text, file: "tollgate.yaml")
        } throws: { error in
            "\(error)".contains(message)
        }
    }
}

@Suite("History entries")
struct HistoryEntryTests {
    @Test("git times print in ISO 8601 at the writer's offset", arguments: [
        (Int64(0), 0, "1970-01-01T00:00:00+00:00"),
        (1_700_000_000, 60, "2023-11-14T23:13:20+01:00"),
        (1_700_000_000, -330, "2023-11-14T16:43:20-05:30"),
        (951_782_400, 0, "2000-02-29T00:00:00+00:00"),
        (-1, 0, "1969-12-31T23:59:59+00:00"),
    ])
    func isoTimes(seconds: Int64, offset: Int, expected: String) {
        #expect(GitTime.iso8601(seconds: seconds, offsetMinutes: offset) == expected)
    }

    @Test("the hand-written JSON line is what JSONEncoder writes, escapes and all")
    func jsonLineMatchesEncoder() throws {
        let person = HistoryEntry.Person(name: "Zoë \"Z\" O'Neil\\", email: "z@example.com", seconds: 1_700_000_000, offsetMinutes: 60)
        let entries = [
            HistoryEntry(commit: String(repeating: "a", count: 40), parent: nil, author: person, committer: person,
                         summary: "tab\there \u{01} nl\n cr\r ff\u{0C} bs\u{08} slash/ emoji 🚀",
                         stacks: [StackChange(name: "team/app", change: .added, files: ["Stacks/team/app/config.json", "Stacks/team/app/template.yaml"])],
                         policies: true, settings: false),
            HistoryEntry(commit: String(repeating: "b", count: 40), parent: String(repeating: "a", count: 40), author: person, committer: person,
                         summary: "", stacks: [], policies: false, settings: true),
        ]
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
        for entry in entries {
            let expected = String(decoding: try encoder.encode(entry), as: UTF8.self) + "\n"
            #expect(entry.jsonLine == expected)
            #expect(try JSONDecoder().decode(HistoryEntry.self, from: Data(entry.jsonLine.utf8)) == entry)
        }
    }
}
