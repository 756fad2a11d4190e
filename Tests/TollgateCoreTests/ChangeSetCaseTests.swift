import Foundation
import Testing
import TollgateCore

/// The table of template pairs with the change set CloudFormation gives for each, from
/// CloudFormation's documentation of which property updates require replacement.
@Suite("Change set cases")
struct ChangeSetCaseTests {
    /// The parts of a CloudFormation change set the cases pin down; values are left out.
    struct Expected: Decodable, Equatable {
        struct Resource: Decodable, Equatable {
            var LogicalResourceId: String
            var ResourceType: String
            var Action: String
            var Replacement: String?
            var Scope: [String]
            var PolicyAction: String?
            var Details: [Detail]
        }

        struct Detail: Decodable, Equatable {
            var Attribute: String
            var Name: String?
            var RequiresRecreation: String?
            var Evaluation: String
            var ChangeSource: String
            var CausingEntity: String?
        }

        struct Section: Decodable, Equatable {
            var Section: String
            var Name: String
            var Action: String
        }

        var ChangeSetType: String
        var Changes: [Resource]
        var TemplateChanges: [Section]?
    }

    static let cases = [
        "s3-bucket-rename", "ec2-image-id", "tags-only", "tags-reordered", "rds-instance-class", "rds-engine",
        "rds-db-name", "parameter-create-only", "replaced-referenced", "condition-flip", "retained-removed",
        "json-vs-yaml", "new-stack",
    ]

    @Test("CloudFormation's change set for the pair", arguments: cases)
    func changeSet(for name: String) throws {
        let folder = try Fixtures.changeSetFolder(name)
        let base = try Fixtures.snapshot(in: folder, prefix: "old")
        let target = try #require(try Fixtures.snapshot(in: folder, prefix: "new"))
        let changeSet = try ChangePlanner().plan(stackName: name, commit: "abc1234", base: base, target: target)
        let expected = try JSONDecoder().decode(Expected.self, from: Data(contentsOf: folder.appendingPathComponent("expected.json")))

        #expect(changeSet.changeSetType.rawValue == expected.ChangeSetType)
        let actual = changeSet.resourceChanges.map { change in
            Expected.Resource(
                LogicalResourceId: change.logicalResourceId, ResourceType: change.resourceType,
                Action: change.action.rawValue, Replacement: change.replacement?.rawValue,
                Scope: change.scope.map(\.rawValue), PolicyAction: change.policyAction?.rawValue,
                Details: change.details.map { detail in
                    Expected.Detail(
                        Attribute: detail.target.attribute.rawValue, Name: detail.target.name,
                        RequiresRecreation: detail.target.requiresRecreation?.rawValue,
                        Evaluation: detail.evaluation.rawValue, ChangeSource: detail.changeSource.rawValue,
                        CausingEntity: detail.causingEntity)
                })
        }
        #expect(actual == expected.Changes)
        if let sections = expected.TemplateChanges {
            let actualSections = changeSet.templateChanges.map {
                Expected.Section(Section: $0.section, Name: $0.name, Action: $0.action.rawValue)
            }
            #expect(actualSections == sections)
        }
    }
}

/// Loads the fixture folders under `Fixtures/changesets`.
enum Fixtures {
    static func changeSetFolder(_ name: String) throws -> URL {
        let root = try #require(Bundle.module.url(forResource: "Fixtures", withExtension: nil))
        return root.appendingPathComponent("changesets").appendingPathComponent(name)
    }

    static func text(_ url: URL) throws -> String {
        try String(contentsOf: url, encoding: .utf8)
    }

    /// The snapshot from `<prefix>.yaml` or `<prefix>.json` and an optional `<prefix>-config.json`.
    static func snapshot(in folder: URL, prefix: String) throws -> StackSnapshot? {
        let manager = FileManager.default
        let candidates = ["yaml", "json"].map { folder.appendingPathComponent("\(prefix).\($0)") }
        guard let templateURL = candidates.first(where: { manager.fileExists(atPath: $0.path) }) else { return nil }
        let template = try TemplateParser.parse(try text(templateURL), fileName: templateURL.lastPathComponent)
        let configURL = folder.appendingPathComponent("\(prefix)-config.json")
        let configuration = manager.fileExists(atPath: configURL.path)
            ? try TemplateConfiguration.parse(try text(configURL), fileName: configURL.lastPathComponent)
            : TemplateConfiguration()
        return try StackSnapshot(template: template, configuration: configuration)
    }
}
