import Foundation
import SWXMLHash

/// An element of an AWS XML answer, copied out of SWXMLHash's tree into a plain value so that it
/// can be read with short paths and crosses no thread with a parser's classes.
struct XMLNode: Sendable {
    var name: String
    /// The element's own text, trimmed.
    var text: String
    var children: [XMLNode]

    /// Parses `bytes`; `nil` when they are not well-formed XML.
    static func parse(_ bytes: [UInt8]) -> XMLNode? {
        let indexer = XMLHash.config { $0.detectParsingErrors = true }.parse(Data(bytes))
        if case .parsingError = indexer { return nil }
        guard let root = indexer.children.first?.element else { return nil }
        return XMLNode(root)
    }

    /// The first child called `name`.
    subscript(_ name: String) -> XMLNode? {
        children.first { $0.name == name }
    }

    /// The text at a path of child names; `nil` when an element is missing.
    func text(_ path: String...) -> String? {
        var node: XMLNode? = self
        for name in path { node = node?[name] }
        return node?.text
    }

    /// The `member` elements of the list at a path, as the Query protocol writes lists.
    func members(_ path: String...) -> [XMLNode] {
        var node: XMLNode? = self
        for name in path { node = node?[name] }
        return node?.children.filter { $0.name == "member" } ?? []
    }

    /// The first element called `name` at any depth, this one included.
    func first(named name: String) -> XMLNode? {
        if self.name == name { return self }
        for child in children {
            if let found = child.first(named: name) { return found }
        }
        return nil
    }
}

extension XMLNode {
    fileprivate init(_ element: SWXMLHash.XMLElement) {
        self.init(
            name: element.name,
            text: element.text.trimmingCharacters(in: .whitespacesAndNewlines),
            children: element.children.compactMap { $0 as? SWXMLHash.XMLElement }.map(XMLNode.init)
        )
    }
}

/// Reads AWS error documents: the Query protocol's `<ErrorResponse><Error>…` and S3's `<Error>…`.
enum AWSErrorDocument {
    static func fault(in response: AWSHTTPResponse, action: String, service: String) -> AWSServiceFault {
        let requestID = response.headers.first {
            ["x-amzn-requestid", "x-amz-request-id"].contains($0.name.lowercased())
        }?.value
        guard let root = XMLNode.parse(response.body), let error = root.first(named: "Error"),
            let code = error.text("Code"), !code.isEmpty
        else {
            return AWSServiceFault(
                action: action, service: service, code: fallbackCode(response.status),
                message: "the service answered HTTP \(response.status) without an AWS error document",
                requestID: requestID, httpStatus: response.status
            )
        }
        return AWSServiceFault(
            action: action, service: service, code: code, message: error.text("Message") ?? "",
            requestID: root.first(named: "RequestId")?.text ?? requestID, httpStatus: response.status
        )
    }

    private static func fallbackCode(_ status: Int) -> String {
        switch status {
        case 400: return "BadRequest"
        case 403: return "Forbidden"
        case 404: return "NotFound"
        case 429: return "TooManyRequestsException"
        case 500: return "InternalFailure"
        case 503: return "ServiceUnavailable"
        default: return "HTTP\(status)"
        }
    }
}
