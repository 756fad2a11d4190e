import Foundation
import Testing
import TollgateCore
import TollgateTestSupport
import TollgateStore

/// A repository whose first policy, trusted by `tollgate init`, has guard rules.
struct GuardRepository {
    let fixture: ReviewFixture
    var options: [String] { ["--repo", fixture.git.path, "--state", fixture.statePath] }

    static let versioning = """
        rule S3_BUCKET_VERSIONING_ENABLED {
            Resources.*[ Type == 'AWS::S3::Bucket' ].Properties.VersioningConfiguration.Status == 'Enabled'
            << Buckets keep old versions >>
        }

        """

    /// The fixture's policy with `guards` (name to text) in Policies/guards/, trusted.
    static func make(_ guards: [String: String]) throws -> GuardRepository {
        let fixture = try ReviewFixture()
        for (name, text) in guards { try fixture.git.write("Policies/guards/\(name)", text) }
        try fixture.git.write("Stacks/api/template.yaml", "Resources:\n  Jobs:\n    Type: AWS::SQS::Queue\n")
        try fixture.git.commit("guard rules and the api stack", author: ReviewFixture.outsider)
        let trusted = try TollgateBinary.run(["init", "--actor", "lead"] + ["--repo", fixture.git.path, "--state", fixture.statePath])
        #expect(trusted.status == 0, "\(trusted.standardError)")
        return GuardRepository(fixture: fixture)
    }

    func run(_ arguments: [String]) throws -> CommandResult {
        try TollgateBinary.run(arguments + options)
    }
}

@Suite("tollgate check and tollgate guard report")
struct CheckCommandTests {
    @Test("check exits 2 when an enforced rule fails and names rule, resource, path and line; 0 for a stack that passes")
    func text() throws {
        let repository = try GuardRepository.make(["s3.guard": GuardRepository.versioning])
        let result = try repository.run(["check"])
        #expect(result.status == 2, "\(result.standardError)")
        #expect(result.standardOutput.contains(
            "guard rule S3_BUCKET_VERSIONING_ENABLED (Policies/guards/s3.guard) fails on Assets at /Resources/Assets/Properties (template line 4): Buckets keep old versions"),
            "\(result.standardOutput)")
        #expect(result.standardOutput.contains("[blocks approval]"))
        #expect(result.standardOutput.contains("Blocked: web."), "\(result.standardOutput)")
        let api = try repository.run(["check", "api"])
        #expect(api.status == 0, "\(api.standardOutput)\(api.standardError)")
        #expect(api.standardOutput.contains("Nothing blocks."))
        let missing = try repository.run(["check", "nosuch"])
        #expect(missing.status == 1)
        #expect(missing.standardError.contains("No stack 'nosuch'"), "\(missing.standardError)")
    }

    @Test("check --format json gives every report; plan, show, explain and approve see the same failure")
    func json() async throws {
        let repository = try GuardRepository.make(["s3.guard": GuardRepository.versioning])
        let result = try repository.run(["check", "web", "--format", "json"])
        #expect(result.status == 2)
        let object = try #require(try JSONSerialization.jsonObject(with: Data(result.standardOutput.utf8)) as? [String: Any])
        #expect(object["blocks"] as? Bool == true)
        let reports = try #require(object["reports"] as? [[String: Any]])
        let findings = try #require(reports.first?["findings"] as? [[String: Any]])
        #expect(findings.first?["resource"] as? String == "Assets")
        #expect(findings.first?["line"] as? Int == 4)

        let plan = try repository.run(["plan", "web"])
        #expect(plan.status == 0, "\(plan.standardError)")
        #expect(plan.standardOutput.contains("Guard rules (Policies/ of commit"), "\(plan.standardOutput)")
        #expect(plan.standardOutput.contains("the change set could not be approved"))
        let planJSON = try repository.run(["plan", "web", "--json"])
        let planned = try #require(try JSONSerialization.jsonObject(with: Data(planJSON.standardOutput.utf8)) as? [String: Any])
        #expect(planned["Changes"] != nil && planned["Guards"] != nil, "\(planJSON.standardOutput)")

        let store = try await repository.fixture.openStore()
        let record = try await repository.fixture.createStackChangeSet(commits: [repository.fixture.firstCommit], in: store)
        try await store.close()
        let explained = try repository.run(["explain", record.id])
        #expect(explained.standardOutput.contains("Status: UNAPPROVABLE"), "\(explained.standardOutput)")
        #expect(explained.standardOutput.contains("cannot be approved: guard rule S3_BUCKET_VERSIONING_ENABLED"), "\(explained.standardOutput)")
        let shown = try repository.run(["show", record.id])
        #expect(shown.standardOutput.contains("Guard rules: 1 apply, 1 failure"), "\(shown.standardOutput)")
        #expect(shown.standardOutput.contains("fails on Assets at /Resources/Assets/Properties (template line 4)"), "\(shown.standardOutput)")
        let key = try #require(repository.fixture.keys["amara"]).privateKeyPath
        let approved = try repository.run(["approve", record.id, "--key", key])
        #expect(!approved.standardOutput.contains("it is APPROVED"), "\(approved.standardOutput)")
        #expect(approved.standardOutput.contains("Status: UNAPPROVABLE"), "\(approved.standardOutput)")
    }

    @Test("check --format sarif is valid SARIF 2.1.0 (checked with jsonschema against its required fields)")
    func sarif() throws {
        let waivers = """
            waivers:
              - stack: web
                resource: Other
                rule: S3_BUCKET_VERSIONING_ENABLED
                reason: "scratch <data> & \\"logs\\""
                requested-by: dana
                expires: 2999-01-01

            """
        let repository = try GuardRepository.make(["s3.guard": GuardRepository.versioning, "waivers.yaml": waivers])
        try repository.fixture.git.write("Stacks/web/template.yaml", ReviewFixture.template(bucket: "web-assets") + "  Other:\n    Type: AWS::S3::Bucket\n")
        try repository.fixture.git.commit("another bucket", author: ReviewFixture.outsider)
        let result = try repository.run(["check", "--format", "sarif"])
        #expect(result.status == 2)
        let folder = try TemporaryDirectory(prefix: "tollgate-sarif")
        let document = folder.appending("check.sarif")
        let schema = folder.appending("sarif-schema.json")
        try Data(result.standardOutput.utf8).write(to: URL(fileURLWithPath: document))
        try Data(Self.sarifSchema.utf8).write(to: URL(fileURLWithPath: schema))
        let script = """
            import json, sys, jsonschema
            schema = json.load(open(sys.argv[1]))
            log = json.load(open(sys.argv[2]))
            jsonschema.validate(log, schema, format_checker=jsonschema.FormatChecker())
            results = log["runs"][0]["results"]
            print(len(results), sum(1 for r in results if r.get("suppressions")), results[0]["locations"][0]["physicalLocation"]["artifactLocation"]["uri"])
            """
        let validated = try CommandResult.run(["python3", "-c", script, schema, document])
        #expect(validated.status == 0, "\(validated.standardError)")
        #expect(validated.standardOutput == "2 1 Stacks/web/template.yaml\n", "\(validated.standardOutput)")
    }

    @Test("check --format junit is JUnit XML: one suite per stack, a failure for the blocking rule")
    func junit() throws {
        let repository = try GuardRepository.make(["s3.guard": GuardRepository.versioning])
        let result = try repository.run(["check", "--format", "junit"])
        #expect(result.status == 2)
        let script = """
            import sys, xml.etree.ElementTree as ET
            root = ET.fromstring(sys.stdin.read())
            for suite in root.iter("testsuite"):
                print(suite.get("name"), suite.get("tests"), suite.get("failures"), suite.get("skipped"),
                      [case.get("name") + ":" + ("failure" if case.find("failure") is not None else "skipped" if case.find("skipped") is not None else "pass") for case in suite.iter("testcase")])
            """
        let parsed = try CommandResult.run(["python3", "-c", script], input: result.standardOutput)
        #expect(parsed.status == 0, "\(parsed.standardError)")
        #expect(parsed.standardOutput == "api 1 0 1 ['S3_BUCKET_VERSIONING_ENABLED:skipped']\nweb 1 1 0 ['S3_BUCKET_VERSIONING_ENABLED:failure']\n",
                "\(parsed.standardOutput)")
    }

    @Test("An observed rule blocks nothing, and guard report lists the stacks it would block")
    func observe() throws {
        let config = "rules:\n  - files: ['*.guard']\n    mode: observe\nstacks:\n  - stacks: [api]\n    denied-types: ['AWS::SQS::*']\n"
        let repository = try GuardRepository.make(["s3.guard": GuardRepository.versioning, "config.yaml": config])
        let check = try repository.run(["check", "web"])
        #expect(check.status == 0, "\(check.standardOutput)")
        #expect(check.standardOutput.contains("[observed: would block]"), "\(check.standardOutput)")
        let report = try repository.run(["guard", "report"])
        #expect(report.status == 0, "\(report.standardError)")
        #expect(report.standardOutput.contains("S3_BUCKET_VERSIONING_ENABLED (Policies/guards/s3.guard, error, observe): would block web"), "\(report.standardOutput)")
        #expect(report.standardOutput.contains("denied-types (Policies/guards/config.yaml, error, enforce): blocks api"), "\(report.standardOutput)")
        let json = try repository.run(["guard", "report", "--json"])
        #expect(json.standardOutput.contains("\"wouldBlock\" : [\n        \"web\""), "\(json.standardOutput)")
    }

    @Test("Before init there is no policy in force to check against, and check says so")
    func noPolicy() throws {
        let fixture = try ReviewFixture()
        let result = try TollgateBinary.run(["check", "--repo", fixture.git.path, "--state", fixture.statePath])
        #expect(result.status == 1)
        #expect(result.standardError.contains("init"), "\(result.standardError)")
    }

    @Test("init refuses to trust a malformed guard file, naming file, line and rule; nothing is written")
    func malformedAtInit() throws {
        let fixture = try ReviewFixture()
        try fixture.git.write("Policies/guards/loop.guard", "rule A { B }\nrule B { A }\n")
        try fixture.git.write("Policies/guards/bad.guard", "rule OK {\n  Resources.*.Type == \n}\n")
        try fixture.git.commit("hostile guard files", author: ReviewFixture.outsider)
        let result = try TollgateBinary.run(["init", "--actor", "lead", "--repo", fixture.git.path, "--state", fixture.statePath])
        #expect(result.status == 1)
        #expect(result.standardError.contains("Policies/guards/bad.guard:3:1"), "\(result.standardError)")
        let check = try TollgateBinary.run(["check", "--repo", fixture.git.path, "--state", fixture.statePath])
        #expect(check.status == 1, "no policy was put in force: \(check.standardOutput)")
    }

    /// The parts of the SARIF 2.1.0 schema (sarif-schema-2.1.0.json, OASIS) that a log with
    /// results, rules, locations and suppressions must satisfy: required fields and enumerations.
    static let sarifSchema = #"""
        {
          "$schema": "http://json-schema.org/draft-07/schema#",
          "type": "object",
          "required": ["version", "runs"],
          "properties": {
            "$schema": {"type": "string", "format": "uri"},
            "version": {"enum": ["2.1.0"]},
            "runs": {"type": ["array", "null"], "items": {"$ref": "#/definitions/run"}}
          },
          "definitions": {
            "message": {"type": "object", "anyOf": [{"required": ["text"]}, {"required": ["id"]}],
                        "properties": {"text": {"type": "string"}}},
            "level": {"enum": ["none", "note", "warning", "error"]},
            "run": {
              "type": "object", "required": ["tool"],
              "properties": {
                "tool": {"type": "object", "required": ["driver"], "properties": {"driver": {"$ref": "#/definitions/driver"}}},
                "results": {"type": ["array", "null"], "items": {"$ref": "#/definitions/result"}}
              }
            },
            "driver": {
              "type": "object", "required": ["name"],
              "properties": {
                "name": {"type": "string"},
                "informationUri": {"type": "string", "format": "uri"},
                "rules": {"type": "array", "uniqueItems": true, "items": {
                  "type": "object", "required": ["id"],
                  "properties": {
                    "id": {"type": "string"},
                    "shortDescription": {"$ref": "#/definitions/message"},
                    "defaultConfiguration": {"type": "object", "properties": {"level": {"$ref": "#/definitions/level"}}}
                  }
                }}
              }
            },
            "result": {
              "type": "object", "required": ["message"],
              "properties": {
                "ruleId": {"type": "string"},
                "level": {"$ref": "#/definitions/level"},
                "message": {"$ref": "#/definitions/message"},
                "locations": {"type": "array", "items": {
                  "type": "object",
                  "properties": {
                    "physicalLocation": {
                      "type": "object", "anyOf": [{"required": ["address"]}, {"required": ["artifactLocation"]}],
                      "properties": {
                        "artifactLocation": {"type": "object", "properties": {"uri": {"type": "string", "format": "uri-reference"}}},
                        "region": {"type": "object", "properties": {"startLine": {"type": "integer", "minimum": 1}}}
                      }
                    },
                    "logicalLocations": {"type": "array", "items": {"type": "object", "properties": {
                      "name": {"type": "string"}, "fullyQualifiedName": {"type": "string"}, "kind": {"type": "string"}}}}
                  }
                }},
                "suppressions": {"type": "array", "uniqueItems": true, "items": {
                  "type": "object", "required": ["kind"],
                  "properties": {
                    "kind": {"enum": ["inSource", "external"]},
                    "status": {"enum": ["accepted", "underReview", "rejected"]},
                    "justification": {"type": "string"}
                  }
                }},
                "properties": {"type": "object"}
              }
            }
          }
        }
        """#
}
