import Foundation
public import Hummingbird
import TollgateEngine

/// An error the server answers with: its HTTP status and a JSON body naming what was wrong,
/// `{"error": {"code": ..., "message": ..., "status": ...}}`.
public struct ServerError: HTTPResponseError, CustomStringConvertible {
    /// The HTTP status.
    public let status: HTTPResponse.Status
    /// A short machine-readable code, such as `invalid_signature`.
    public let code: String
    /// One sentence for a person: what was wrong and how to fix it.
    public let message: String

    /// Creates an error.
    public init(_ status: HTTPResponse.Status, code: String, message: String) {
        self.status = status
        self.code = code
        self.message = message
    }

    public var description: String { "\(status.code) \(code): \(message)" }

    /// The JSON body, with `WWW-Authenticate` on a 401 as RFC 6750 asks.
    public func response(from request: Request, context: some RequestContext) throws -> Response {
        var headers: HTTPFields = [.contentType: "application/json; charset=utf-8"]
        if status == .unauthorized, request.uri.path.hasPrefix("/api/") {
            headers[.wwwAuthenticate] = "Bearer"
        }
        let body = APIErrorJSON(code: code, message: message, status: Int(status.code))
        return Response(status: status, headers: headers, body: ResponseBody(byteBuffer: ByteBuffer(bytes: try WireJSON.encoder().encode(body))))
    }
}
