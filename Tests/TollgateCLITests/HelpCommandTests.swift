import Testing
import TollgateTestSupport

/// Runs the built `tollgate` binary: help is what a user reads first, on standard output, with a
/// zero exit status.
@Suite("tollgate --help")
struct HelpCommandTests {
    @Test("--help prints every command on standard output and exits zero")
    func rootHelp() throws {
        let result = try TollgateBinary.run(["--help"])
        #expect(result.status == 0, "stderr was: \(result.standardError)")
        #expect(result.standardOutput.contains("USAGE: tollgate <subcommand>"))
        for command in ["history", "sync", "status", "approve", "audit"] {
            #expect(result.standardOutput.contains(command))
        }
        #expect(result.standardError.isEmpty)
    }

    @Test("help COMMAND and COMMAND --help print that command's options")
    func commandHelp() throws {
        for arguments in [["help", "history"], ["history", "--help"]] {
            let result = try TollgateBinary.run(arguments)
            #expect(result.status == 0, "\(arguments): stderr was: \(result.standardError)")
            #expect(result.standardOutput.contains("USAGE: tollgate history"), "\(arguments)")
            #expect(result.standardOutput.contains("--since"), "\(arguments)")
        }
    }
}
