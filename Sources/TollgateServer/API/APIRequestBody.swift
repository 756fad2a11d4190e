import Foundation
import HTTPTypes
import Hummingbird
import NIOCore

/// Reads a JSON request body: `Content-Type: application/json` or 415, at most `limit` bytes or
/// 413, JSON text or 400, and the fields the endpoint takes or 422 naming the field at fault.
enum APIRequestBody {
    /// The largest body a write endpoint takes; an armored signature is well under 2 KiB.
    static let limit = 64 * 1024

    static func decode<Body: Decodable>(_ type: Body.Type, from request: Request, limit: Int = limit) async throws -> Body {
        let mediaType = request.headers[.contentType]?.split(separator: ";").first?.trimmingCharacters(in: .whitespaces).lowercased()
        guard mediaType == "application/json" else {
            throw ServerError(
                .unsupportedMediaType, code: "unsupported_media_type",
                message: "The body must be JSON sent with Content-Type: application/json, not \(mediaType.map { String($0.prefix(80)) } ?? "no Content-Type").")
        }
        let buffer = try await request.body.collect(upTo: limit)
        let data = Data(buffer.readableBytesView)
        guard (try? JSONSerialization.jsonObject(with: data)) is [String: Any] else {
            throw ServerError(.badRequest, code: "invalid_json", message: "The body is not a JSON object; send one such as {\"verdict\": \"approve\", \"signature\": \"...\"}.")
        }
        do {
            return try JSONDecoder().decode(Body.self, from: data)
        } catch let error as DecodingError {
            throw ServerError(.unprocessableContent, code: "invalid_body", message: describe(error))
        }
    }

    /// Which field is missing or of the wrong type.
    private static func describe(_ error: DecodingError) -> String {
        func path(_ keys: [any CodingKey]) -> String {
            keys.map(\.stringValue).joined(separator: ".")
        }
        switch error {
        case .keyNotFound(let key, let context):
            let field = path(context.codingPath + [key])
            return "The body has no field \(field), which this endpoint needs."
        case .typeMismatch(_, let context), .valueNotFound(_, let context):
            return "The body's field \(path(context.codingPath)) is not of the type this endpoint takes: \(context.debugDescription)"
        case .dataCorrupted(let context):
            return "The body's field \(path(context.codingPath)) is not valid: \(context.debugDescription)"
        @unknown default:
            return "The body is not what this endpoint takes."
        }
    }
}

/// `POST /api/change-sets/{id}/approvals`: a verdict and its signature as `ssh-keygen -Y sign` wrote it.
struct VerdictRequest: Decodable {
    var verdict: String
    var signature: String
    var reason: String?
}

/// `POST /api/change-sets/{id}/cancel`: why, and the operator's signature when the policy asks for one.
struct CancelRequest: Decodable {
    var reason: String
    var signature: String?
}

/// The answer of `POST /api/change-sets/{id}/apply`: the execution started and where to follow it.
struct ApplyStarted: Encodable {
    var changeSet: String
    var stack: String
    var execution: String
    var status: String
    var startedAt: Date
    /// The path of the execution, which shows its result once it ends.
    var location: String
}
