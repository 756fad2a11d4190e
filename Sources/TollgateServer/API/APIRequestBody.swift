import Foundation
import HTTPTypes
import Hummingbird
import NIOCore
import TollgateEngine

/// Reads a JSON request body: `Content-Type: application/json` or 415, at most `limit` bytes or
/// 413, JSON text or 400, the fields the endpoint takes or 422 naming the field at fault, and a
/// word its closed set holds (``WireValueError``) or 400 naming the field.
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
        } catch let error as WireValueError {
            throw ServerError(.badRequest, code: "invalid_\(error.field)", message: error.description)
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
