import Foundation
import Testing
import TollgateTestSupport

/// The built binary, given inputs written to exhaust it, under an address-space limit the test
/// sets itself: it must refuse them with a clear message, never crash or print a backtrace.
@Suite("Hostile input through the binary")
struct HostileInputCommandTests {
    /// The address space the binary gets, in KiB: room for the Swift runtime and its threads,
    /// far less than any of the inputs below would take if they were expanded.
    static let addressSpaceKiB = 1_048_576

    /// Runs `tollgate` with `ulimit -v` set, so that unbounded memory use ends the process.
    private func runLimited(_ arguments: [String]) throws -> CommandResult {
        try CommandResult.run(["sh", "-c", "ulimit -v \(Self.addressSpaceKiB) && exec \"$0\" \"$@\"", try TollgateBinary.path()] + arguments)
    }

    /// A clean refusal: a non-zero exit the program chose, not a signal, and no crash report.
    private func expectCleanRefusal(_ result: CommandResult, mentions: [String], sourceLocation: SourceLocation = #_sourceLocation) {
        #expect(result.status != 0 && result.status < 128, "exit status \(result.status): \(result.standardError)", sourceLocation: sourceLocation)
        for crash in ["Fatal error", "Backtrace", "Stack dump", "Segmentation", "Aborted"] {
            #expect(!result.standardError.contains(crash), "\(result.standardError)", sourceLocation: sourceLocation)
        }
        for text in mentions {
            #expect(result.standardError.contains(text), "stderr was: \(result.standardError)", sourceLocation: sourceLocation)
        }
    }


    private static let topic = "Resources:\n  T:\n    Type: AWS::SNS::Topic\n"

    @Test("diff refuses the alias bomb, naming the file and the limit, within the memory limit")
    func aliasBomb() throws {
        let folder = try TemporaryDirectory()
        let old = folder.appending("old.yaml")
        let bomb = folder.appending("bomb.yaml")
        try Self.topic.write(toFile: old, atomically: true, encoding: .utf8)
        try HostileInput.aliasBomb.write(toFile: bomb, atomically: true, encoding: .utf8)
        expectCleanRefusal(try runLimited(["diff", old, bomb]), mentions: ["bomb.yaml:", "expand to more than 1048576 bytes"])
    }

    @Test("diff refuses 100,000 nested brackets without overflowing the stack")
    func deepNesting() throws {
        let folder = try TemporaryDirectory()
        let old = folder.appending("old.yaml")
        let deep = folder.appending("deep.json")
        try Self.topic.write(toFile: old, atomically: true, encoding: .utf8)
        try (String(repeating: "[", count: 100_000) + String(repeating: "]", count: 100_000))
            .write(toFile: deep, atomically: true, encoding: .utf8)
        expectCleanRefusal(try runLimited(["diff", old, deep]), mentions: ["deep.json:1:", "nested more than"])
    }

    @Test("diff refuses a Join over 60,000 references to a 200 KB parameter at the parameter")
    func joinAmplification() throws {
        let folder = try TemporaryDirectory()
        let template = folder.appending("template.yaml")
        let config = folder.appending("config.json")
        let references = Array(repeating: "!Ref P", count: 60_000).joined(separator: ", ")
        try ("Parameters:\n  P: {Type: String}\n" + Self.topic + "    Properties:\n      TopicName: !Join ['', [\(references)]]\n")
            .write(toFile: template, atomically: true, encoding: .utf8)
        try #"{"Parameters": {"P": "\#(String(repeating: "x", count: 200_000))"}}"#.write(toFile: config, atomically: true, encoding: .utf8)
        expectCleanRefusal(
            try runLimited(["diff", template, template, "--old-config", config, "--new-config", config]),
            mentions: ["config.json:1:", "parameter 'P'", "4096 bytes"])
    }

    @Test("diff refuses a template over 1 MB from its size")
    func oversizedTemplate() throws {
        let folder = try TemporaryDirectory()
        let old = folder.appending("old.yaml")
        let big = folder.appending("big.yaml")
        try Self.topic.write(toFile: old, atomically: true, encoding: .utf8)
        try (Self.topic + String(repeating: "# padding\n", count: 110_000)).write(toFile: big, atomically: true, encoding: .utf8)
        expectCleanRefusal(try runLimited(["diff", old, big]), mentions: ["big.yaml", "over the limit of 1048576 bytes"])
    }

    @Test("sync and plan of a repository holding the alias bomb stay within the memory limit")
    func syncAndPlan() throws {
        let git = try GitFixture()
        try git.write("Stacks/bomb/template.yaml", HostileInput.aliasBomb)
        try git.write("Stacks/healthy/template.yaml", Self.topic)
        try git.commit("add a bomb")
        let state = try TemporaryDirectory()
        let options = ["--repo", git.path, "--state", state.appending("state.db")]

        let plan = try runLimited(["plan", "bomb"] + options)
        expectCleanRefusal(plan, mentions: ["Stacks/bomb/template.yaml:", "expand to more than"])

        // Whether sync stops at the broken stack or records it as failed, it must end by itself.
        let sync = try runLimited(["sync"] + options)
        #expect(sync.status < 128, "exit status \(sync.status): \(sync.standardError)")
        #expect(!sync.standardError.contains("Fatal error") && !sync.standardError.contains("Backtrace"), "\(sync.standardError)")
        if sync.status != 0 {
            #expect(sync.standardError.contains("expand to more than"), "\(sync.standardError)")
        }
    }
}
