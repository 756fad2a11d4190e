// Templates are composed here from libyaml's events rather than by Yams: reading one through
// Yams parsed it twice (once for the bounds, as Yams exposes no events) and hashed every key of
// every mapping through Yams' tag objects, which was most of the time `tollgate diff` spent. This
// reads the events once, checks the bounds and the keys as they pass, and keeps no more per node
// than the template reader uses.
internal import CYaml

/// A node of a template's YAML or JSON document: its value, its tag as written, and where it starts.
struct YAMLNode: Sendable {
    enum Content: Sendable {
        /// A scalar's text, and whether it was written plain (unquoted), which makes `123` a number.
        case scalar(String, isPlain: Bool)
        case sequence([YAMLNode])
        case mapping([(key: YAMLNode, value: YAMLNode)])
    }

    var content: Content
    /// The tag written on the node (`!Ref`, `tag:yaml.org,2002:int`); `tag:yaml.org,2002:str` for
    /// a quoted scalar, as libyaml reports it; empty for none.
    var tag: String
    /// 1-based line.
    var line: Int
    /// 1-based column, in Unicode scalars.
    var column: Int

    /// The scalar's text, or nil for a collection.
    var string: String? {
        if case .scalar(let text, _) = content { return text }
        return nil
    }
}

/// Composes the one document of a text into ``YAMLNode``s, checking ``YAMLLimits`` and refusing
/// duplicate keys on the way, with the verdicts Yams' composer gives after `YAMLLimits.check`:
/// a bound broken anywhere before a syntax error comes first; then the first of a syntax error,
/// a duplicate key, an undefined alias and a second document, in the order of the text.
enum YAMLComposer {
    /// What stops a document from being composed.
    enum Failure: Error {
        /// A bound of ``YAMLLimits``.
        case limit(YAMLLimitExceeded)
        /// libyaml's error: its problem, with its context when it gives one, at a 1-based position.
        case syntax(line: Int, column: Int, problem: String)
        /// The smallest of the keys a mapping names twice, where it is first written.
        case duplicateKey(line: Int, column: Int, key: String)
    }

    /// The root node, or nil for a text without a document.
    static func compose(_ text: String) throws(Failure) -> YAMLNode? {
        var composition = Composition()
        let ending = YAMLEventReader.read(text) { event in
            if composition.failure == nil { composition.take(event) }
        }
        switch ending {
        case .exceeded(let exceeded): throw .limit(exceeded)
        case .unreadable(let line, let column, let problem): throw composition.failure ?? .syntax(line: line, column: column, problem: problem)
        case .ended:
            if let failure = composition.failure { throw failure }
            return composition.root
        }
    }
}

/// The state of one composition: the collections still open, the anchors defined, the root.
private struct Composition {
    /// A collection being read, with what it holds so far (a mapping's keys and values in turn).
    struct Open {
        var tag: String
        var anchor: String?
        var line: Int
        var column: Int
        var items: [YAMLNode] = []
    }

    var failure: YAMLComposer.Failure?
    var root: YAMLNode?
    private var open: [Open] = []
    private var anchors: [String: YAMLNode] = [:]
    private var documents = 0

    mutating func take(_ event: yaml_event_t) {
        let line = Int(event.start_mark.line) + 1
        let column = Int(event.start_mark.column) + 1
        switch event.type {
        case YAML_DOCUMENT_START_EVENT:
            documents += 1
            if documents > 1 {
                failure = .syntax(line: line, column: column, problem: "but found another document (expected a single document in the stream)")
            }
        case YAML_SCALAR_EVENT:
            let scalar = event.data.scalar
            let text = String(decoding: UnsafeBufferPointer(start: scalar.value, count: scalar.length), as: UTF8.self)
            let tag = scalar.quoted_implicit == 1 ? "tag:yaml.org,2002:str" : Self.text(scalar.tag) ?? ""
            finish(YAMLNode(content: .scalar(text, isPlain: scalar.style == YAML_PLAIN_SCALAR_STYLE), tag: tag, line: line, column: column),
                   anchor: Self.text(scalar.anchor))
        case YAML_SEQUENCE_START_EVENT:
            let start = event.data.sequence_start
            open.append(Open(tag: start.implicit != 0 ? "" : Self.text(start.tag) ?? "", anchor: Self.text(start.anchor), line: line, column: column))
        case YAML_MAPPING_START_EVENT:
            let start = event.data.mapping_start
            open.append(Open(tag: start.implicit != 0 ? "" : Self.text(start.tag) ?? "", anchor: Self.text(start.anchor), line: line, column: column))
        case YAML_SEQUENCE_END_EVENT:
            guard let closed = open.popLast() else { return }
            finish(YAMLNode(content: .sequence(closed.items), tag: closed.tag, line: closed.line, column: closed.column), anchor: closed.anchor)
        case YAML_MAPPING_END_EVENT:
            guard let closed = open.popLast() else { return }
            var pairs: [(key: YAMLNode, value: YAMLNode)] = []
            pairs.reserveCapacity(closed.items.count / 2)
            for index in stride(from: 0, to: closed.items.count - 1, by: 2) {
                pairs.append((closed.items[index], closed.items[index + 1]))
            }
            if let duplicate = Self.duplicateKey(in: pairs) {
                failure = duplicate
                return
            }
            finish(YAMLNode(content: .mapping(pairs), tag: closed.tag, line: closed.line, column: closed.column), anchor: closed.anchor)
        case YAML_ALIAS_EVENT:
            let name = Self.text(event.data.alias.anchor) ?? ""
            guard let node = anchors[name] else {
                failure = .syntax(line: line, column: column, problem: "found undefined alias")
                return
            }
            finish(node, anchor: nil)
        default:
            break
        }
    }

    /// Hands a finished node to the collection that holds it, or makes it the root.
    private mutating func finish(_ node: YAMLNode, anchor: String?) {
        if let anchor { anchors[anchor] = node }
        if open.isEmpty {
            root = node
        } else {
            open[open.count - 1].items.append(node)
        }
    }

    /// Keys are the same when their text and resolved tag are: an untagged or quoted key is a
    /// string, so `a`, `'a'` and `!!str a` are one key and `!Ref a` another. Keys that are
    /// collections are left to the reader, which refuses them.
    private static func duplicateKey(in pairs: [(key: YAMLNode, value: YAMLNode)]) -> YAMLComposer.Failure? {
        guard pairs.count > 1 else { return nil }
        var first: [KeyIdentity: YAMLNode] = [:]
        var smallest: (key: YAMLNode, text: String)?
        for pair in pairs {
            guard case .scalar(let text, _) = pair.key.content else { continue }
            let tag = pair.key.tag
            let identity = KeyIdentity(text: text, tag: tag.isEmpty || tag == "!" ? "tag:yaml.org,2002:str" : tag)
            guard let earlier = first[identity] else {
                first[identity] = pair.key
                continue
            }
            if smallest.map({ text < $0.text }) ?? true { smallest = (earlier, text) }
        }
        return smallest.map { .duplicateKey(line: $0.key.line, column: $0.key.column, key: $0.text) }
    }

    private struct KeyIdentity: Hashable {
        var text: String
        var tag: String
    }

    private static func text(_ pointer: UnsafeMutablePointer<yaml_char_t>?) -> String? {
        pointer.map { String(cString: $0) }
    }
}
