import Hummingbird
import TollgateEngine
import TollgateStore

/// The one place that turns an engine error into an HTTP status and a message a browser may see.
///
/// Database and libgit2 text never reaches the client: those become a generic 503 or 500 naming
/// the request id, and the server log keeps the cause. When the engine's errors carry a kind (not
/// found, conflict, invalid input, refused, unavailable), this switch becomes a switch on it.
enum ErrorMapping {
    static func serverError(for error: any Error, requestID: String) -> ServerError {
        switch error {
        case let error as ServerError:
            return error
        case let error as AccessTokenError:
            switch error {
            case .unknownReviewer: return ServerError(.badRequest, code: "unknown_reviewer", message: error.description)
            case .unknownToken, .expired, .revoked: return ServerError(.unauthorized, code: "invalid_token", message: error.description)
            }
        case StoreError.unknownChangeSet(let id):
            return ServerError(.notFound, code: "not_found", message: "No change set has the id \(id).")
        case StoreError.unknownExecution(let id):
            return ServerError(.notFound, code: "not_found", message: "No execution has the id \(id).")
        case StoreError.busy, StoreError.unreachable:
            return ServerError(.serviceUnavailable, code: "store_unavailable", message: "The state store is busy or unreachable; try again (request \(requestID)).")
        case is StoreError:
            return ServerError(.internalServerError, code: "store_failed", message: "The state store failed; the server log has the cause under request \(requestID).")
        case ReviewError.noPolicyInForce:
            return ServerError(.conflict, code: "no_policy", message: "No policy is in force yet; an operator runs tollgate init first.")
        case let error as any HTTPResponseError:
            return ServerError(error.status, code: code(for: error.status), message: message(for: error.status))
        default:
            return ServerError(.internalServerError, code: "internal", message: "The server failed; the server log has the cause under request \(requestID).")
        }
    }

    private static func code(for status: HTTPResponse.Status) -> String {
        switch status {
        case .notFound: "not_found"
        case .contentTooLarge: "body_too_large"
        case .methodNotAllowed: "method_not_allowed"
        case .badRequest: "bad_request"
        default: "http_\(status.code)"
        }
    }

    private static func message(for status: HTTPResponse.Status) -> String {
        switch status {
        case .notFound: "There is nothing at this path; the API is under /api/, the webhooks under /hooks/."
        case .contentTooLarge: "The request body is larger than this endpoint takes."
        case .methodNotAllowed: "This path does not take this method."
        default: status.reasonPhrase
        }
    }
}
