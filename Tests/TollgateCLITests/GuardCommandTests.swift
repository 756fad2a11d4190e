import Foundation
import Testing
import TollgateTestSupport

/// Runs the built `tollgate` binary: `guard test` is about exit codes and what a CI log shows.
@Suite("tollgate guard test")
struct GuardCommandTests {
    private static let rules = """
        let buckets = Resources.*[ Type == 'AWS::S3::Bucket' ]
        rule S3_VERSIONED when %buckets !empty {
            %buckets.Properties.VersioningConfiguration.Status == 'Enabled'
        }
        """

    private static let tests = """
        - name: no buckets
          input:
            Resources: {}
          expectations:
            rules:
              S3_VERSIONED: SKIP
        - name: versioned bucket
          input:
            Resources:
              Logs:
                Type: AWS::S3::Bucket
                Properties:
                  VersioningConfiguration:
                    Status: Enabled
          expectations:
            rules:
              S3_VERSIONED: PASS
        """

    private func write(_ text: String, _ name: String, in folder: TemporaryDirectory) throws -> String {
        let path = folder.appending(name)
        try text.write(toFile: path, atomically: true, encoding: .utf8)
        return path
    }

    @Test("a passing pair exits 0, positionally and with the cfn-guard options")
    func passingPair() throws {
        let folder = try TemporaryDirectory()
        let rules = try write(Self.rules, "s3.guard", in: folder)
        let tests = try write(Self.tests, "s3_tests.yml", in: folder)
        let positional = try TollgateBinary.run(["guard", "test", rules, tests])
        #expect(positional.status == 0, "stderr: \(positional.standardError)")
        #expect(positional.standardOutput.contains("2 of 2 expectations hold"))
        let options = try TollgateBinary.run(["guard", "test", "--rules-file", rules, "--test-data", tests])
        #expect(options.status == 0, "stderr: \(options.standardError)")
    }

    @Test("a failing pair exits non-zero naming the test and the rule")
    func failingPair() throws {
        let folder = try TemporaryDirectory()
        let rules = try write(Self.rules, "s3.guard", in: folder)
        let wrong = Self.tests.replacingOccurrences(of: "S3_VERSIONED: PASS", with: "S3_VERSIONED: FAIL")
        let tests = try write(wrong, "s3_tests.yml", in: folder)
        let result = try TollgateBinary.run(["guard", "test", rules, tests])
        #expect(result.status == 7)
        #expect(result.standardOutput.contains("FAIL  versioned bucket: S3_VERSIONED expected FAIL, evaluated PASS"))
        #expect(result.standardOutput.contains("1 of 2 expectations hold"))
    }

    @Test("a rule file that does not parse is an error naming file, line and column")
    func brokenRules() throws {
        let folder = try TemporaryDirectory()
        let rules = try write("rule r {\n  Resources.*.Type ==\n}\n", "broken.guard", in: folder)
        let tests = try write(Self.tests, "s3_tests.yml", in: folder)
        let result = try TollgateBinary.run(["guard", "test", rules, tests])
        #expect(result.status != 0)
        #expect(result.standardError.contains("broken.guard:3:1"), "stderr: \(result.standardError)")
    }
}
