import Foundation
import Testing
@testable import TollgateCore
import Yams

/// Templates are composed from libyaml's events by ``YAMLComposer``. Yams' composer after
/// ``YAMLLimits/check(_:)``, which read them before, is the reference: the same tree, tags and
/// positions for every template of the conformance corpus and for hostile texts, and the same
/// verdict, at the same place, where either refuses one.
@Suite("YAML composer against Yams")
struct YAMLComposerTests {
    /// A tree as text: kind, tag, position, plain or quoted, and the scalars' text.
    ///
    /// Yams resolves a key's tag in place when it checks keys for duplicates (an untagged or
    /// quoted key becomes `!!str`), so keys are compared with that resolution on both sides. The
    /// same change shows through an alias of a key (`&k a: *k`) and inside a key that is a
    /// collection, which the template reader refuses; neither is compared here.
    static func render(_ node: YAMLNode, isKey: Bool = false) -> String {
        let tag = isKey && (node.tag.isEmpty || node.tag == "!") ? "tag:yaml.org,2002:str" : node.tag
        let head = "\(tag)@\(node.line):\(node.column)"
        switch node.content {
        case .scalar(let text, let isPlain): return "S[\(head)\(isPlain ? "" : " quoted")]\(text.debugDescription)"
        case .sequence(let items): return "L[\(head)](" + items.map { render($0) }.joined(separator: ", ") + ")"
        case .mapping(let pairs):
            return "M[\(head)](" + pairs.map { render($0.key, isKey: true) + ": " + render($0.value) }.joined(separator: ", ") + ")"
        }
    }

    /// The tags as stored, as the template reader read them: `Node.tag` resolves them.
    static func render(_ node: Yams.Node, isKey: Bool = false) -> String {
        let raw: String
        switch node {
        case .scalar(let scalar): raw = scalar.tag.rawValue
        case .sequence(let sequence): raw = sequence.tag.rawValue
        case .mapping(let mapping): raw = mapping.tag.rawValue
        case .alias: raw = ""
        }
        let tag = isKey && (raw.isEmpty || raw == "!") ? "tag:yaml.org,2002:str" : raw
        let head = "\(tag)@\(node.mark?.line ?? 0):\(node.mark?.column ?? 0)"
        switch node {
        case .scalar(let scalar): return "S[\(head)\(scalar.style == .plain ? "" : " quoted")]\(scalar.string.debugDescription)"
        case .sequence(let sequence): return "L[\(head)](" + sequence.map { render($0) }.joined(separator: ", ") + ")"
        case .mapping(let mapping):
            return "M[\(head)](" + mapping.map { render($0.key, isKey: true) + ": " + render($0.value) }.joined(separator: ", ") + ")"
        case .alias: return "alias"
        }
    }

    static func composed(_ text: String) -> String {
        do {
            return try YAMLComposer.compose(text).map { render($0) } ?? "empty"
        } catch {
            switch error {
            case .limit(let exceeded): return "limit \(exceeded.line):\(exceeded.column) \(exceeded.description)"
            case .syntax(let line, let column, let problem): return "syntax \(line):\(column) \(problem)"
            case .duplicateKey(let line, let column, let key): return "duplicate \(line):\(column) \(key)"
            }
        }
    }

    /// The verdict templates had before: the bounds checked first, then Yams' composer, its
    /// errors worded as `TemplateParser` worded them.
    static func reference(_ text: String) -> String {
        do {
            try YAMLLimits.check(text)
        } catch {
            return "limit \(error.line):\(error.column) \(error.description)"
        }
        do {
            return try Yams.compose(yaml: text, .basic, .default, .utf8).map { render($0) } ?? "empty"
        } catch let error as YamlError {
            switch error {
            case .scanner(let context, let problem, let mark, _), .parser(let context, let problem, let mark, _),
                .composer(let context, let problem, let mark, _):
                return "syntax \(mark.line):\(mark.column) " + (context.map { "\(problem) (\($0.text))" } ?? problem)
            case .duplicatedKeysInMapping(let duplicates, let context):
                return "duplicate \(context.mark.line):\(context.mark.column) \(duplicates.first ?? "")"
            case .reader(let problem, _, _, _): return "syntax 1:1 \(problem)"
            default: return "syntax 1:1 \(error)"
            }
        } catch {
            return "unexpected \(error)"
        }
    }

    @Test("every template of the conformance corpus composes as Yams composed it")
    func corpus() throws {
        let root = ConformanceCorpusTests.corpus
        let files = try #require(FileManager.default.enumerator(atPath: root.path)).compactMap { $0 as? String }
            .filter { ["yaml", "yml", "json"].contains(($0 as NSString).pathExtension) }.sorted()
        try #require(files.count > 700, "the corpus at \(root.path) is missing")
        var differing: [String] = []
        for file in files {
            let data = try Data(contentsOf: root.appendingPathComponent(file))
            guard let text = String(data: data, encoding: .utf8) else { continue }
            if Self.composed(text) != Self.reference(text) { differing.append(file) }
        }
        let first = differing.prefix(3).joined(separator: ", ")
        #expect(differing.count == 0, "\(files.count) templates, these compose differently: \(first)")
    }

    static let hostile: [String] = [
        "a: 1\na: 2\n",
        "b: 1\na: 1\nb: 2\na: 2\nc: 3\n",
        "'a': 1\na: 2\n",
        "!!str a: 1\na: 2\n",
        "!Ref a: 1\na: 2\n",
        "{\"a\": 1, \"b\": {\"c\": 1, \"c\": 2}, \"a\": 2}",
        "x: {a: 1, a: 2}\ny: [\n",
        "x: [\n",
        "a: *b\n",
        "a: {x: 1, x: 2}\nb: *nope\n",
        "a: &x [1, *x]\n",
        "--- a\n--- b\n",
        "--- a\n--- {c: 1, c: 2}\n",
        "a: &x 1\nb: *x\nc: !GetAtt x.y\nd: !Sub '${x}'\ne: !Ref\n",
        "a: &a [x, x, x, x, x, x, x, x, x, x]\nb: &b [*a, *a, *a, *a, *a, *a, *a, *a, *a, *a]\nc: &c [*b, *b, *b, *b, *b, *b, *b, *b, *b, *b]\n"
            + "d: &d [*c, *c, *c, *c, *c, *c, *c, *c, *c, *c]\ne: &e [*d, *d, *d, *d, *d, *d, *d, *d, *d, *d]\n"
            + "f: [*e, *e, *e, *e, *e, *e, *e, *e, *e, *e]\n",
        String(repeating: "[", count: 200) + String(repeating: "]", count: 200),
        String(repeating: "- ", count: 150) + "x\n",
        "a: {x: 1, x: 2}\nb: " + String(repeating: "[", count: 200) + String(repeating: "]", count: 200) + "\n",
        "", "# only a comment\n", "---\n", "---\n...\n",
        "a: \u{0}b\n", "\u{FEFF}a: 1\n", "a: 'x\\ny'\nb: \"\\u0041\\x41\\e[31m\"\n",
        "\u{FF21}: 1\nA: 2\n", "a: 1\n\u{202E}b: 2\n", "a:\t1\n", "\ta: 1\n",
        "a: !!int 12\nb: !!float 1.5\nc: !!bool yes\nd: !!null ''\ne: !!str 12\nf: ! 12\n",
        "a: |\n  line\n  line\nb: >\n  folded\n  text\n",
        "a: \"unterminated\n",
        "a: 1\n b: 2\n",
        "!<tag:example.com,2026:x> a: 1\n",
        "%TAG !e! tag:example.com,2026:\n---\na: !e!thing 1\n",
        "a: " + String(repeating: "x", count: 200_000) + "\n",
    ]

    @Test("hostile texts compose, or are refused at the same place, as Yams did", arguments: hostile.indices)
    func hostileText(index: Int) {
        let text = Self.hostile[index]
        #expect(Self.composed(text) == Self.reference(text))
    }

    /// Yams compares keys that are collections whole; the composer leaves them to the template
    /// reader, which refuses any key that is not a string. Either way the template is refused.
    @Test("a template whose keys are collections is refused, named at the key")
    func collectionKeys() {
        for text in ["? [a]\n: 1\n", "? [a]\n: 1\n? [a]\n: 2\n"] {
            #expect(throws: TemplateError.self) { try TemplateParser.parse(text, fileName: "t.yaml") }
        }
    }
}
