import Foundation
import Testing
import TollgateTestSupport

/// Runs the built `tollgate` binary, since `diff` is about exit codes and what reaches the terminal.
@Suite("tollgate diff")
struct DiffCommandTests {
    private func run(_ arguments: [String]) throws -> (status: Int32, output: String, error: String) {
        let result = try TollgateBinary.run(arguments)
        return (result.status, result.standardOutput, result.standardError)
    }

    @Test("Bad input exits non-zero and names the file and line")
    func badInput() throws {
        let folder = try TemporaryDirectory()
        let good = URL(fileURLWithPath: folder.appending("good.yaml"))
        let bad = URL(fileURLWithPath: folder.appending("bad.yaml"))
        try "Resources:\n  A:\n    Type: AWS::SNS::Topic\n".write(to: good, atomically: true, encoding: .utf8)
        try "Resources:\n  A:\n    Type: AWS::SNS::Topic\n    Properties:\n      X: !Ref Missing\n"
            .write(to: bad, atomically: true, encoding: .utf8)
        let result = try run(["diff", good.path, bad.path])
        #expect(result.status != 0)
        #expect(result.error.contains("bad.yaml:5:"), "stderr was: \(result.error)")
        #expect(result.error.contains("Missing"))
    }

    @Test("A replacement shows in the text and the JSON, without colour in a pipe")
    func replacement() throws {
        let folder = try TemporaryDirectory()
        let old = URL(fileURLWithPath: folder.appending("old.yaml"))
        let new = URL(fileURLWithPath: folder.appending("new.json"))
        try "Resources:\n  Logs:\n    Type: AWS::S3::Bucket\n    Properties: {BucketName: a}\n".write(to: old, atomically: true, encoding: .utf8)
        try #"{"Resources": {"Logs": {"Type": "AWS::S3::Bucket", "Properties": {"BucketName": "b"}}}}"#
            .write(to: new, atomically: true, encoding: .utf8)
        let text = try run(["diff", old.path, new.path])
        #expect(text.status == 0)
        #expect(text.output.contains("REPLACE"))
        #expect(text.output.contains("Plan: 0 to add, 1 to modify (1 replacement), 0 to remove"))
        #expect(!text.output.contains("\u{1B}["))
        let json = try run(["diff", old.path, new.path, "--json"])
        let object = try JSONSerialization.jsonObject(with: Data(json.output.utf8)) as? [String: Any]
        #expect(object?["ChangeSetType"] as? String == "UPDATE")
        #expect((object?["Changes"] as? [Any])?.count == 1)
    }

    @Test("A parameter without a value is unknown in diff: the change is Dynamic, and the macro is named")
    func unknownParameterAndMacro() throws {
        let folder = try TemporaryDirectory()
        let old = URL(fileURLWithPath: folder.appending("old.yaml"))
        let new = URL(fileURLWithPath: folder.appending("new.yaml"))
        let template = "Parameters:\n  Name: {Type: String}\nResources:\n  Logs:\n    Type: AWS::S3::Bucket\n    Properties: {BucketName: !Ref Name}\n"
        try template.write(to: old, atomically: true, encoding: .utf8)
        try ("Transform: SomeMacro\n" + template.replacingOccurrences(of: "!Ref Name", with: "!Sub '${Name}-v2'"))
            .write(to: new, atomically: true, encoding: .utf8)
        let text = try run(["diff", old.path, new.path])
        #expect(text.status == 0, "stderr was: \(text.error)")
        #expect(text.output.contains("MAY BE REPLACED"))
        #expect(text.output.contains("SomeMacro is a macro"))
        let json = try run(["diff", old.path, new.path, "--json"])
        #expect(json.output.contains("\"Evaluation\":\"Dynamic\"") || json.output.contains("\"Evaluation\" : \"Dynamic\""))
        #expect(json.output.contains("\"MayChangeAnything\""))
    }

    @Test("A resource governed by a condition on a parameter without a value is shown with the note, not dropped")
    func unknownCondition() throws {
        let folder = try TemporaryDirectory()
        let old = URL(fileURLWithPath: folder.appending("old.yaml"))
        let new = URL(fileURLWithPath: folder.appending("new.yaml"))
        try "Parameters:\n  Env: {Type: String}\nResources:\n  Alarm: {Type: AWS::SNS::Topic}\n"
            .write(to: old, atomically: true, encoding: .utf8)
        try "Parameters:\n  Env: {Type: String}\nConditions:\n  IsProd: !Equals [!Ref Env, prod]\nResources:\n  Alarm: {Type: AWS::SNS::Topic, Condition: IsProd}\n"
            .write(to: new, atomically: true, encoding: .utf8)
        let text = try run(["diff", old.path, new.path])
        #expect(text.status == 0, "stderr was: \(text.error)")
        #expect(text.output.contains("Alarm") && text.output.contains("MAY BE REPLACED"))
        #expect(text.output.contains("CloudFormation decides at apply time"))
        #expect(text.output.contains("unknown until apply"))
    }
}
