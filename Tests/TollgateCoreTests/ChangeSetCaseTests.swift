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
            var logicalResourceId: String
            var resourceType: String
            var action: String
            var replacement: String?
            var scope: [String]
            var policyAction: String?
            var details: [Detail]
        }

        struct Detail: Decodable, Equatable {
            var attribute: String
            var name: String?
            var requiresRecreation: String?
            var evaluation: String
            var changeSource: String
            var causingEntity: String?
        }

        struct Section: Decodable, Equatable {
            var section: String
            var name: String
            var action: String
        }

        var changeSetType: String
        var changes: [Resource]
        var templateChanges: [Section]?
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
        let decoder = JSONDecoder()
        decoder.keyDecodingStrategy = .custom { path in
            // The fixtures use CloudFormation's PascalCase keys; the test types use Swift's camelCase.
            let key = path.last?.stringValue ?? ""
            return CamelCaseKey(stringValue: key.prefix(1).lowercased() + key.dropFirst())
        }
        let expected = try decoder.decode(Expected.self, from: Data(contentsOf: folder.appendingPathComponent("expected.json")))

        #expect(changeSet.changeSetType.rawValue == expected.changeSetType)
        let actual = changeSet.resourceChanges.map { change in
            Expected.Resource(
                logicalResourceId: change.logicalResourceId, resourceType: change.resourceType,
                action: change.action.rawValue, replacement: change.replacement?.rawValue,
                scope: change.scope.map(\.rawValue), policyAction: change.policyAction?.rawValue,
                details: change.details.map { detail in
                    Expected.Detail(
                        attribute: detail.target.attribute.rawValue, name: detail.target.name,
                        requiresRecreation: detail.target.requiresRecreation?.rawValue,
                        evaluation: detail.evaluation.rawValue, changeSource: detail.changeSource.rawValue,
                        causingEntity: detail.causingEntity)
                })
        }
        #expect(actual == expected.changes)
        if let sections = expected.templateChanges {
            let actualSections = changeSet.templateChanges.map {
                Expected.Section(section: $0.section, name: $0.name, action: $0.action.rawValue)
            }
            #expect(actualSections == sections)
        }
    }
}

/// A decoding key renamed from CloudFormation's spelling.
struct CamelCaseKey: CodingKey {
    var stringValue: String
    var intValue: Int? { nil }

    init(stringValue: String) {
        self.stringValue = stringValue
    }

    init?(intValue: Int) {
        nil
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
