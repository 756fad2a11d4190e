import Foundation
import Testing
import TollgateTestSupport

/// `bench/audit-verify.sh` and `bench/all.sh` measure `audit verify` on a trail their own
/// generator writes straight into the tables; a migration that adds a column must not leave the
/// benchmark broken or measuring a trail the verifier refuses.
@Suite("The audit benchmark's generated trail")
struct AuditBenchGeneratorTests {
    @Test("the generator writes into a store of today's schema a trail and tables that audit verify finds intact")
    func generatedTrailVerifies() throws {
        let directory = try TemporaryDirectory(prefix: "tollgate-audit-generated")
        let state = directory.appending("state.db")
        let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
        let created = try TollgateBinary.run(["audit", "head", "--state", state])
        #expect(created.status == 0, "\(created.standardError)")
        let head = try GitFixture.run(["python3", root.appendingPathComponent("bench/generate-audit-trail.py").path, state, "199"])
            .trimmingCharacters(in: .whitespacesAndNewlines)
        let verified = try TollgateBinary.run(["audit", "verify", "--state", state, "--head", head])
        #expect(verified.status == 0, "\(verified.standardError)")
        #expect(verified.standardOutput.contains("200 entries verified"), "\(verified.standardOutput)")
        #expect(verified.standardOutput.contains("every table agrees with it"), "\(verified.standardOutput)")
    }
}
