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

    /// The table's text, one line per type.
    private let source: String
    /// Where each line's type name starts and ends, and where the line ends, in the UTF-8 bytes of
    /// ``source``, sorted by type name so that a lookup is a binary search.
    private let lines: [Line]

    private struct Line: Sendable {
        let typeStart: Int32
        /// The first tab, after the type name.
        let typeEnd: Int32
        /// The second tab, after the taggable flag.
        let flagEnd: Int32
        let lineEnd: Int32
    }

    /// The number of resource types the table knows.
    public var count: Int { lines.count }

    /// Schema and user guide disagreements by type and property.
    let disagreements: [String: [String: ReplacementDisagreement]]

    /// The table generated from the schemas, with the SAM types and the user guide's
    /// disagreements, indexed once on first use.
    public static let shared = ReplacementTable(
        source: generatedSource + "\n" + serverlessSource, disagreements: userGuideDisagreements)

    /// Reads a table in the generated format: per line, type, tab, `1`/`0` taggable, tab,
    /// comma-separated create-only paths. Lines that do not have that shape are skipped.
    ///
    /// Only the line boundaries are found here, in one pass over the bytes; an entry is parsed
    /// when it is looked up, so a diff that touches a few types pays for those alone.
    public init(source: String, disagreements: [ReplacementDisagreement] = []) {
        var byType: [String: [String: ReplacementDisagreement]] = [:]
        for disagreement in disagreements {
            byType[disagreement.resourceType, default: [:]][disagreement.property] = disagreement
        }
        self.disagreements = byType
        var text = source
        text.makeContiguousUTF8()
        var lines: [Line] = []
        text.utf8.withContiguousStorageIfAvailable { bytes in
            var start = 0
            while start < bytes.count {
                var end = start
                var tabs: [Int] = []
                while end < bytes.count, bytes[end] != UInt8(ascii: "\n") {
                    if bytes[end] == UInt8(ascii: "\t") { tabs.append(end) }
                    end += 1
                }
                if tabs.count == 2 {
                    lines.append(Line(typeStart: Int32(start), typeEnd: Int32(tabs[0]), flagEnd: Int32(tabs[1]), lineEnd: Int32(end)))
                }
                start = end + 1
            }
            // The generated table is sorted already; a hand-written one may not be. The last line
            // of a type named twice wins, as it did when the table was a dictionary.
            func name(_ line: Line) -> UnsafeBufferPointer<UInt8> {
                UnsafeBufferPointer(rebasing: bytes[Int(line.typeStart)..<Int(line.typeEnd)])
            }
            let sorted = zip(lines, lines.dropFirst()).allSatisfy { name($0).lexicographicallyPrecedes(name($1)) }
            if !sorted {
                let ordered = lines.enumerated().sorted { left, right in
                    let (a, b) = (name(left.element), name(right.element))
                    return a.elementsEqual(b) ? left.offset > right.offset : a.lexicographicallyPrecedes(b)
                }
                lines = []
                for (_, line) in ordered where lines.last.map({ !name($0).elementsEqual(name(line)) }) ?? true {
                    lines.append(line)
                }
            }
        }
        self.source = text
        self.lines = lines
    }

    /// The entry for a type, or nil when the schemas do not describe it.
    public func entry(for type: String) -> Entry? {
        var type = type
        return type.withUTF8 { wanted in
            source.utf8.withContiguousStorageIfAvailable { bytes -> Entry? in
                var low = 0
                var high = lines.count
                while low < high {
                    let middle = (low + high) / 2
                    let line = lines[middle]
                    let name = UnsafeBufferPointer(rebasing: bytes[Int(line.typeStart)..<Int(line.typeEnd)])
                    if name.elementsEqual(wanted) { return Self.entry(line, in: bytes) }
                    if name.lexicographicallyPrecedes(wanted) { low = middle + 1 } else { high = middle }
                }
                return nil
            } ?? nil
        }
    }

    /// Parses the taggable flag and the paths of one line.
    private static func entry(_ line: Line, in bytes: UnsafeBufferPointer<UInt8>) -> Entry {
        let flag = bytes[(Int(line.typeEnd) + 1)..<Int(line.flagEnd)]
        let paths = bytes[(Int(line.flagEnd) + 1)..<Int(line.lineEnd)].split(separator: UInt8(ascii: ","))
            .map { String(decoding: $0, as: UTF8.self) }
        return Entry(createOnlyProperties: paths, taggable: flag.elementsEqual([UInt8(ascii: "1")]))
    }

    /// Whether a resource of this type receives stack-level tags.
    public func isTaggable(_ type: String) -> Bool {
        entry(for: type)?.taggable ?? false
    }

    /// Whether a change of one top-level property from `before` to `after` recreates the resource.
    ///
    /// A top-level create-only property is `Always`. For a nested path only the nested value
    /// counts, so a change elsewhere in the same property is `Never`. Unknown types, and
    /// nested paths that run through values only known at deploy time, are `Conditionally`.
    public func requiresRecreation(
        type: String, property: String, before: TemplateValue?, after: TemplateValue?
    ) -> RequiresRecreation {
        guard let entry = entry(for: type) else { return .conditionally }
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
