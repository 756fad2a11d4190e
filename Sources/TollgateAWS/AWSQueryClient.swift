/// A client of an AWS service that speaks the Query protocol: a form-encoded POST of `Action`,
/// `Version` and flattened parameters, answered by an XML document.
///
/// CloudFormation (`2010-05-15`), STS (`2011-06-15`) and SQS (`2012-11-05`) all speak it.
public struct AWSQueryClient: Sendable {
    /// Signs, sends and retries.
    public let connection: AWSServiceConnection
    /// The API version sent with every action.
    public let version: String

    /// Creates a client sending through `connection` with API `version`.
    public init(connection: AWSServiceConnection, version: String) {
        self.connection = connection
        self.version = version
    }

    /// Calls `action` with `parameters` (already flattened: `Parameters.member.1.ParameterKey`)
    /// and returns the answer's `<ActionResult>` element (empty for actions that return nothing).
    ///
    /// - Throws: what ``AWSServiceConnection/send(action:method:path:query:headers:body:host:)``
    ///   throws, and ``AWSError/unexpectedResponse(action:httpStatus:detail:)`` for an answer that
    ///   is not XML.
    func call(_ action: String, _ parameters: [QueryItem] = []) async throws(AWSError) -> XMLNode {
        let items = [QueryItem("Action", action), QueryItem("Version", version)] + parameters
        let body = items.map { SignatureV4.encode($0.name) + "=" + SignatureV4.encode($0.value) }
            .joined(separator: "&")
        let response = try await connection.send(
            action: action, method: "POST",
            headers: [HTTPHeader("Content-Type", "application/x-www-form-urlencoded; charset=utf-8")],
            body: Array(body.utf8)
        )
        guard let root = XMLNode.parse(response.body) else {
            throw .unexpectedResponse(action: action, httpStatus: response.status, detail: "the body is not XML")
        }
        return root[action + "Result"] ?? XMLNode(name: action + "Result", text: "", children: [])
    }

    /// Calls `action` and returns its `<ActionResult>` as lines of `Element: text`, depth first,
    /// for services this module has no typed client for (tests ask SQS this way whether a queue
    /// exists).
    public func callForText(_ action: String, _ parameters: [QueryItem] = []) async throws(AWSError) -> String {
        try await call(action, parameters).renderedText
    }
}

extension XMLNode {
    /// The element's text and, depth first, its children's, each on its own line as `Name: text`.
    var renderedText: String {
        var lines: [String] = []
        func walk(_ node: XMLNode) {
            if !node.text.isEmpty { lines.append("\(node.name): \(node.text)") }
            node.children.forEach(walk)
        }
        walk(self)
        return lines.joined(separator: "\n")
    }
}

/// Flattens lists and maps the way the Query protocol names them.
enum QueryParameters {
    /// `Prefix.member.N` for each value, N from 1.
    static func list(_ prefix: String, _ values: [String]) -> [QueryItem] {
        values.enumerated().map { QueryItem("\(prefix).member.\($0.offset + 1)", $0.element) }
    }

    /// `Prefix.member.N.KeyName` and `Prefix.member.N.ValueName` for each pair, sorted by key.
    static func pairs(_ prefix: String, _ values: [String: String], key: String, value: String) -> [QueryItem] {
        values.sorted { $0.key < $1.key }.enumerated().flatMap { index, pair in
            [
                QueryItem("\(prefix).member.\(index + 1).\(key)", pair.key),
                QueryItem("\(prefix).member.\(index + 1).\(value)", pair.value),
            ]
        }
    }
}
