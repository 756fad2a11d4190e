import HTTPTypes
import Hummingbird
import TollgateCore
import TollgateEngine
import TollgateStore

/// The one place that turns an engine error into an HTTP status and a message a browser may see.
///
/// Engine errors map by their ``ErrorKind``: not found 404, conflict 409, invalid input 422 (the
/// request was well formed but names something unusable; a malformed body is 400 before the engine
/// sees it), unavailable 503. A refusal is 403 when it is about the caller's own proof (a
/// signature that does not verify, is another reviewer's, or gives a verdict that would not count)
/// and 409 when it is about the change set's state or the time (an apply whose approvals no longer
/// hold, a closed change window, a tampered record): asking again as someone else would not help
/// there, while asking later may. Unavailable errors and anything unforeseen answer a generic
/// message naming the request id, so database and libgit2 text never reaches the client; the
/// server log keeps the cause.
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
        case ReviewError.noPolicyInForce:
            return ServerError(.conflict, code: "no_policy", message: "No policy is in force yet; an operator runs tollgate init first.")
        case let error as any TollgateError:
            return serverError(for: error, requestID: requestID)
        case let error as any HTTPResponseError:
            return ServerError(error.status, code: code(for: error.status), message: message(for: error.status))
        default:
            return ServerError(.internalServerError, code: "internal", message: "The server failed; the server log has the cause under request \(requestID).")
        }
    }

    /// The status of an engine error, from its kind.
    private static func serverError(for error: any TollgateError, requestID: String) -> ServerError {
        switch error.kind {
        case .notFound:
            return ServerError(.notFound, code: "not_found", message: error.description)
        case .conflict:
            return ServerError(.conflict, code: "conflict", message: error.description)
        case .invalidInput:
            return ServerError(.unprocessableContent, code: "invalid_input", message: error.description)
        case .refused where error is ReviewError:
            return ServerError(.forbidden, code: "refused", message: error.description)
        case .refused:
            return ServerError(.conflict, code: "refused", message: error.description)
        case .unavailable:
            return ServerError(
                .serviceUnavailable, code: "unavailable",
                message: "A resource the server depends on (the state store, the repository or a provider) failed or is unreachable; try again, and the server log has the cause under request \(requestID).")
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
