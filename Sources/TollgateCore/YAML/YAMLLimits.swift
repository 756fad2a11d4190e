// Yams offers no event API, and its composer hashes every mapping key with aliases expanded
// before it returns, so the bounds run over the events of the same libyaml copy Yams parses with;
// the template composer (`YAMLComposer`) reads the same events and checks them on the way.
internal import CYaml

/// The bounds every YAML document read by Tollgate must keep (templates, configuration, policy
/// and settings files), checked before Yams composes it, or as a template is composed, so that no
/// document can exhaust memory, time or stack: a billion-laughs alias bomb is refused after a few
/// thousand events.
///
/// JSON is read by the same composer, so the bounds hold for JSON files too.
public enum YAMLLimits {
    /// The largest document, in bytes; templates have CloudFormation's smaller limit on top.
    public static let maximumBytes = 4 * 1_048_576
    /// How many aliases (`*name`) one document may use.
    public static let maximumAliases = 10_000
    /// How much aliases may add to a document, counted as the bytes of the scalars they repeat
    /// plus one per node: CloudFormation's 1 MB template limit, so that aliases can never make a
    /// document bigger than one CloudFormation would accept written out.
    public static let maximumAliasExpansion = 1_048_576
    /// How deeply collections may nest, aliases included; CloudFormation templates rarely pass 20.
    public static let maximumDepth = 128

    /// Checks the text against every bound, stopping at the first event that breaks one.
    ///
    /// A syntax error ends the check quietly: the composer reports it with its own position.
    /// - Throws: ``YAMLLimitExceeded`` naming the line and column and the bound broken.
    public static func check(_ text: String) throws(YAMLLimitExceeded) {
        if case .exceeded(let exceeded) = YAMLEventReader.read(text, { _ in }) { throw exceeded }
    }
}

/// The one loop over libyaml's parser: hands every event of a text to a reader, after checking
/// it against ``YAMLLimits``, until the stream ends, a bound is broken or the text cannot be read.
enum YAMLEventReader {
    /// How reading ended.
    enum Ending {
        /// After the last event.
        case ended
        /// At the event, or the size, that broke a bound; the reader did not get the event.
        case exceeded(YAMLLimitExceeded)
        /// At libyaml's error: its problem, with its context when it gives one, worded as Yams
        /// words it (a reader error has no position worth showing).
        case unreadable(line: Int, column: Int, problem: String)
    }

    static func read(_ text: String, _ body: (yaml_event_t) -> Void) -> Ending {
        let bytes = text.utf8.count
        guard bytes <= YAMLLimits.maximumBytes else {
            return .exceeded(YAMLLimitExceeded(line: 1, column: 1, limit: .size(bytes: bytes)))
        }
        var text = text
        return text.withUTF8 { buffer -> Ending in
            var parser = yaml_parser_t()
            guard yaml_parser_initialize(&parser) == 1 else { return .unreadable(line: 1, column: 1, problem: "libyaml could not start") }
            defer { yaml_parser_delete(&parser) }
            yaml_parser_set_encoding(&parser, YAML_UTF8_ENCODING)
            yaml_parser_set_input_string(&parser, buffer.baseAddress, buffer.count)
            var counter = YAMLLimitCounter()
            var event = yaml_event_t()
            while yaml_parser_parse(&parser, &event) == 1 {
                defer { yaml_event_delete(&event) }
                if let exceeded = counter.count(event) { return .exceeded(exceeded) }
                body(event)
                if event.type == YAML_STREAM_END_EVENT { return .ended }
            }
            let problem = parser.problem.map { String(cString: $0) } ?? "the text cannot be read"
            let mark = parser.problem_mark
            // libyaml's scanner reads ahead through flow collections (`[[[[...`) and stops at its
            // own nesting limit before the events reach ours: that is the same bound broken.
            if problem.hasPrefix("Maximum nesting level") {
                return .exceeded(YAMLLimitExceeded(line: Int(mark.line) + 1, column: Int(mark.column) + 1, limit: .depth))
            }
            guard parser.error == YAML_SCANNER_ERROR || parser.error == YAML_PARSER_ERROR else {
                return .unreadable(line: 1, column: 1, problem: problem)
            }
            let detail = parser.context.map { "\(problem) (\(String(cString: $0)))" } ?? problem
            return .unreadable(line: Int(mark.line) + 1, column: Int(mark.column) + 1, problem: detail)
        }
    }
}

/// A YAML document broke one of the ``YAMLLimits``.
public struct YAMLLimitExceeded: Error, Sendable, Equatable, CustomStringConvertible {
    /// Which bound was broken.
    public enum Limit: Sendable, Equatable {
        case size(bytes: Int)
        case aliases
        case aliasExpansion(alias: String)
        case depth
        case selfReference(alias: String)
    }

    /// 1-based line of the node that broke the bound.
    public let line: Int
    /// 1-based column of that node.
    public let column: Int
    /// The bound broken.
    public let limit: Limit

    /// What was exceeded and what to do, without the file (each reader adds its own location).
    public var description: String {
        switch limit {
        case .size(let bytes):
            return "the file is \(bytes) bytes, over Tollgate's limit of \(YAMLLimits.maximumBytes) bytes for a YAML or JSON file"
        case .aliases:
            return "the document uses more than \(YAMLLimits.maximumAliases) YAML aliases; write the values out instead"
        case .aliasExpansion(let alias):
            return "the alias '*\(alias)' makes the YAML aliases expand to more than "
                + "\(YAMLLimits.maximumAliasExpansion) bytes, more than any template CloudFormation accepts; "
                + "write the values out instead"
        case .depth:
            return "values are nested more than \(YAMLLimits.maximumDepth) levels deep; flatten the structure"
        case .selfReference(let alias):
            return "the alias '*\(alias)' refers to a node that contains it; an alias must name a finished node"
        }
    }
}

/// Tracks nesting and the size each anchor stands for while the events stream past.
struct YAMLLimitCounter {
    /// A collection being read: where its size count started, and its anchor.
    private struct Open {
        var anchor: String?
        var start: Int
        var height: Int
    }

    /// The size (scalar bytes plus one per node) and height of each anchored node, latest
    /// definition first, as YAML lets an anchor be redefined.
    private var anchors: [String: (size: Int, height: Int)] = [:]
    private var open: [Open] = []
    private var size = 0
    private var aliases = 0
    private var expansion = 0

    /// The bound the event breaks, if any.
    mutating func count(_ event: yaml_event_t) -> YAMLLimitExceeded? {
        let line = Int(event.start_mark.line) + 1
        let column = Int(event.start_mark.column) + 1
        switch event.type {
        case YAML_SCALAR_EVENT:
            let scalarSize = Int(event.data.scalar.length) + 1
            size += scalarSize
            finish(anchor: Self.name(event.data.scalar.anchor), size: scalarSize, height: 0)
        case YAML_SEQUENCE_START_EVENT, YAML_MAPPING_START_EVENT:
            let anchor = Self.name(
                event.type == YAML_SEQUENCE_START_EVENT ? event.data.sequence_start.anchor : event.data.mapping_start.anchor)
            size += 1
            open.append(Open(anchor: anchor, start: size - 1, height: 0))
            guard open.count <= YAMLLimits.maximumDepth else {
                return YAMLLimitExceeded(line: line, column: column, limit: .depth)
            }
        case YAML_SEQUENCE_END_EVENT, YAML_MAPPING_END_EVENT:
            guard let closed = open.popLast() else { return nil }
            finish(anchor: closed.anchor, size: size - closed.start, height: closed.height + 1)
        case YAML_ALIAS_EVENT:
            let alias = Self.name(event.data.alias.anchor) ?? ""
            if open.contains(where: { $0.anchor == alias }) && anchors[alias] == nil {
                return YAMLLimitExceeded(line: line, column: column, limit: .selfReference(alias: alias))
            }
            // An undefined alias is the composer's error to report, with its own message.
            guard let anchored = anchors[alias] else { return nil }
            aliases += 1
            guard aliases <= YAMLLimits.maximumAliases else {
                return YAMLLimitExceeded(line: line, column: column, limit: .aliases)
            }
            expansion += anchored.size
            guard expansion <= YAMLLimits.maximumAliasExpansion else {
                return YAMLLimitExceeded(line: line, column: column, limit: .aliasExpansion(alias: alias))
            }
            guard open.count + anchored.height <= YAMLLimits.maximumDepth else {
                return YAMLLimitExceeded(line: line, column: column, limit: .depth)
            }
            size += anchored.size
            finish(anchor: nil, size: anchored.size, height: anchored.height)
        default:
            break
        }
        return nil
    }

    /// Records a finished node: its anchor's size, and its height in the enclosing collection.
    private mutating func finish(anchor: String?, size nodeSize: Int, height: Int) {
        if let anchor { anchors[anchor] = (nodeSize, height) }
        if let last = open.indices.last { open[last].height = max(open[last].height, height) }
    }

    private static func name(_ pointer: UnsafeMutablePointer<yaml_char_t>?) -> String? {
        guard let pointer else { return nil }
        return String(cString: pointer)
    }
}
