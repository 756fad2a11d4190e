import Foundation
import HTTPTypes
import Hummingbird
import Logging
import TollgateEngine
import TollgateStore

/// Answers every error as JSON through ``ErrorMapping``, tags every response with its request id,
/// logs one line per request and counts it; outermost, so it sees the router's own 404s too.
struct ErrorMiddleware: RouterMiddleware {
    typealias Context = ServerRequestContext
    let metrics: ServerMetrics

    func handle(_ request: Request, context: Context, next: (Request, Context) async throws -> Response) async throws -> Response {
        let clock = ContinuousClock()
        let start = clock.now
        var response: Response
        do {
            response = try await next(request, context)
        } catch {
            let mapped = ErrorMapping.serverError(for: error, requestID: context.id)
            // The cause of a failure the server did not foresee stays here, never in the response.
            if mapped.status.code >= 500, !(error is ServerError) {
                context.logger.error("request failed", metadata: ["error": "\(String(reflecting: error))"])
            }
            response = try mapped.response(from: request, context: context)
        }
        response.headers[.requestID] = context.id
        context.logger.info("\(request.method) \(request.uri.path) \(response.status.code)")
        metrics.requestFinished(
            method: request.method.rawValue, route: ServerMetrics.route(of: request.uri.path), status: response.status.code,
            duration: clock.now - start)
        return response
    }
}

/// Refuses a path that tries to climb out of its folder (`..`, encoded slashes or backslashes, NUL)
/// before any route sees it: no route serves files, but no handler should have to think about it.
struct PathGuardMiddleware: RouterMiddleware {
    typealias Context = ServerRequestContext

    func handle(_ request: Request, context: Context, next: (Request, Context) async throws -> Response) async throws -> Response {
        let raw = (request.head.path ?? "").split(separator: "?", maxSplits: 1).first.map(String.init) ?? ""
        let lowered = raw.lowercased()
        let segments = lowered.split(separator: "/", omittingEmptySubsequences: false)
        let hostile = segments.contains { $0 == ".." || $0 == "." || $0.contains("%2e%2e") || $0 == "%2e" }
            || lowered.contains("%2f") || lowered.contains("%5c") || lowered.contains("\\") || lowered.contains("%00")
        guard !hostile else {
            throw ServerError(.badRequest, code: "bad_path", message: "The path \(raw.prefix(200)) climbs out of its folder or hides a separator; ask for a path without '..', '.', encoded slashes or backslashes.")
        }
        return try await next(request, context)
    }
}

/// Lets a request in only with `Authorization: Bearer TOKEN` naming a token that works now, and
/// records its reviewer, and the store's version it was checked at, in the context: a token acts
/// only as its own reviewer.
struct BearerAuthMiddleware: RouterMiddleware {
    typealias Context = ServerRequestContext
    let server: TollgateServer

    func handle(_ request: Request, context: Context, next: (Request, Context) async throws -> Response) async throws -> Response {
        guard let header = request.headers[.authorization] else {
            throw ServerError(.unauthorized, code: "missing_token", message: "This endpoint needs an Authorization: Bearer TOKEN header; tollgate token issue REVIEWER makes a token.")
        }
        let parts = header.split(separator: " ", maxSplits: 1)
        guard parts.count == 2, parts[0].lowercased() == "bearer" else {
            throw ServerError(.unauthorized, code: "missing_token", message: "The Authorization header is not 'Bearer TOKEN'.")
        }
        let (record, version) = try await server.authenticate(String(parts[1]).trimmingCharacters(in: .whitespaces))
        var context = context
        context.token = record
        context.storeVersion = version
        context.logger[metadataKey: "reviewer"] = .string(record.reviewer)
        return try await next(request, context)
    }
}

extension HTTPField.Name {
    /// The id Hummingbird gave the request, which every log line of the request carries too.
    static let requestID = HTTPField.Name("X-Request-Id")!
}
