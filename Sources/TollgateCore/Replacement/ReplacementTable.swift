/// Which property changes make CloudFormation replace a resource, per resource type.
///
/// The data are the `createOnlyProperties` of CloudFormation's resource provider schemas,
/// generated into ``generatedSource`` by `scripts/generate-replacement-table.py`. A type the
/// table does not know is treated as conditionally replaced, since nothing proves otherwise.
public struct ReplacementTable: Sendable {
    /// What the table knows about one resource type.
    public struct Entry: Sendable, Equatable {
        /// Create-only property paths: `BucketName`, or nested `Foo/Bar` and `List/*/Item`.
        public var createOnlyProperties: [String]
        /// Whether the type takes tags, so that stack tag changes reach it.
        public var taggable: Bool
    }

    /// Entries by resource type name.
    public let entries: [String: Entry]
    /// Schema and user guide disagreements by type and property.
    let disagreements: [String: [String: ReplacementDisagreement]]

    /// The table generated from the schemas, with the SAM types and the user guide's
    /// disagreements, parsed once on first use.
    public static let shared = ReplacementTable(
        source: generatedSource + "\n" + serverlessSource, disagreements: userGuideDisagreements)

    /// Parses a table in the generated format: per line, type, tab, `1`/`0` taggable, tab,
    /// comma-separated create-only paths. Lines that do not have that shape are skipped.
    public init(source: String, disagreements: [ReplacementDisagreement] = []) {
        var entries: [String: Entry] = [:]
        for line in source.split(separator: "\n") {
            let fields = line.split(separator: "\t", omittingEmptySubsequences: false)
            guard fields.count == 3 else { continue }
            let paths = fields[2].split(separator: ",").map(String.init)
            entries[String(fields[0])] = Entry(createOnlyProperties: paths, taggable: fields[1] == "1")
        }
        self.entries = entries
        var byType: [String: [String: ReplacementDisagreement]] = [:]
        for disagreement in disagreements {
            byType[disagreement.resourceType, default: [:]][disagreement.property] = disagreement
        }
        self.disagreements = byType
    }

    /// The entry for a type, or nil when the schemas do not describe it.
    public func entry(for type: String) -> Entry? {
        entries[type]
    }

    /// Whether a resource of this type receives stack-level tags.
    public func isTaggable(_ type: String) -> Bool {
        entries[type]?.taggable ?? false
    }

    /// Whether a change of one top-level property from `before` to `after` recreates the resource.
    ///
    /// A top-level create-only property is `Always`. For a nested path only the nested value
    /// counts, so a change elsewhere in the same property is `Never`. Unknown types, and
    /// nested paths that run through values only known at deploy time, are `Conditionally`.
    public func requiresRecreation(
        type: String, property: String, before: TemplateValue?, after: TemplateValue?
    ) -> RequiresRecreation {
        guard let entry = entries[type] else { return .conditionally }
        var result = disagreements[type]?[property].map { max($0.schema, $0.userGuide) } ?? .never
        for path in entry.createOnlyProperties {
            let segments = path.split(separator: "/").map(String.init)
            guard segments.first == property else { continue }
            if segments.count == 1 { return .always }
            result = max(result, Self.compare(Array(segments.dropFirst()), before, after))
        }
        return result
    }

    private static func compare(_ path: [String], _ before: TemplateValue?, _ after: TemplateValue?) -> RequiresRecreation {
        guard let segment = path.first else { return before == after ? .never : .always }
        let rest = Array(path.dropFirst())
        switch (before, after) {
        case (nil, nil):
            return .never
        case (.function, _), (_, .function):
            return .conditionally
        case (.list(let left), .list(let right)) where segment == "*":
            guard left.count == right.count else { return .always }
            return zip(left, right).map { compare(rest, $0, $1) }.max() ?? .never
        case (.map(let left), .map(let right)):
            return compare(rest, left[segment], right[segment])
        case (.map(let left), nil):
            return compare(rest, left[segment], nil)
        case (nil, .map(let right)):
            return compare(rest, nil, right[segment])
        default:
            return before == after ? .never : .always
        }
    }
}
