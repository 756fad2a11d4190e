import Foundation
import HTTPTypes
import Hummingbird
import NIOCore
import Logging
import TollgateEngine

/// `POST /hooks/github`, `/hooks/gitlab` and `/hooks/bitbucket`: a verified push to the followed
/// branch asks for a sync; anything else is refused or ignored with a reason, and changes nothing.
struct WebhookController {
    let secrets: WebhookSecrets
    let branch: @Sendable () async throws -> String
    let deliveries: WebhookDeliveries
    let coalescer: SyncCoalescer
    /// The largest body taken, 1 MiB: GitHub caps push payloads at 25 MB, but a push of the
    /// followed branch needs only its `ref`, and a large body is an attack or a mistake.
    let bodyLimit: Int

    func register(on router: Router<ServerRequestContext>) {
        let hooks = router.group("hooks")
        for host in GitHost.allCases {
            hooks.post(RouterPath(host.rawValue)) { request, context in
                try await receive(request, context: context, from: host)
            }
        }
    }

    /// The order matters: nothing is read from a delivery before its signature is checked, and
    /// nothing is recorded before it parses.
    func receive(_ request: Request, context: ServerRequestContext, from host: GitHost) async throws -> Response {
        guard let secret = host.secret(in: secrets) else {
            // 403, not 401: no credential could make this delivery acceptable, since the operator
            // turned the endpoint off by configuring no secret; 401 would invite retrying with one.
            throw ServerError(.forbidden, code: "webhook_disabled", message: "The \(host.displayName) webhook is off: no secret is configured (\(host.variable) or \(host.fileOption)), so every delivery is refused.")
        }
        var request = request
        let body: ByteBuffer
        do {
            body = try await request.collectBody(upTo: bodyLimit)
        } catch is NIOTooManyBytesError {
            throw ServerError(.contentTooLarge, code: "body_too_large", message: "The delivery body is larger than \(bodyLimit) bytes, the most a webhook may send here.")
        }
        let bytes = Array(body.readableBytesView)
        guard host.verify(request: request, body: bytes, secret: secret) else {
            throw ServerError(.unauthorized, code: "invalid_signature", message: "The delivery's \(host.signatureHeader) header is missing or does not match the configured secret; nothing was done.")
        }
        guard let type = request.headers[.contentType], type.lowercased().hasPrefix("application/json") else {
            throw ServerError(.unsupportedMediaType, code: "unsupported_media_type", message: "The delivery's Content-Type is \(request.headers[.contentType] ?? "missing"); configure the \(host.displayName) webhook to send application/json.")
        }
        let event = request.headers[host.eventHeader] ?? ""
        guard event == host.pushEvent else {
            return try accepted(.ignored, reason: "event \(event.isEmpty ? "(none)" : event) is not a push; only pushes are synced", delivery: nil, context: context)
        }
        guard let delivery = request.headers[host.deliveryHeader], !delivery.isEmpty, delivery.count <= 200 else {
            throw ServerError(.badRequest, code: "missing_delivery_id", message: "The delivery has no \(host.deliveryHeader) header (or one over 200 characters); it names each delivery so that a redelivery is handled once.")
        }
        let pushed: [String]
        do {
            pushed = try host.pushedBranches(bytes)
        } catch {
            throw ServerError(.badRequest, code: "malformed_payload", message: "The \(host.displayName) push payload is not the JSON a push sends: \(Self.describe(error)).")
        }
        let followed = try await branch()
        guard pushed.contains(followed) else {
            let names = pushed.isEmpty ? "no branch" : pushed.map { "'\($0)'" }.joined(separator: ", ")
            return try accepted(.ignored, reason: "the push changed \(names), not the followed branch '\(followed)'", delivery: delivery, context: context)
        }
        guard try await deliveries.claim(host: host.rawValue, id: delivery) else {
            return try accepted(.duplicate, reason: "delivery \(delivery) was handled before; nothing changed", delivery: delivery, context: context)
        }
        let outcome = await coalescer.request(reason: "\(host.rawValue) delivery \(delivery) (request \(context.id))")
        let reason = outcome == .started ? "a sync of '\(followed)' started" : "a sync is running; another follows it"
        return try accepted(.accepted, reason: reason, delivery: delivery, context: context)
    }

    /// 202 for what was accepted or ignored, 200 for a redelivery, which is done already.
    private func accepted(_ disposition: WebhookDisposition, reason: String, delivery: String?, context: ServerRequestContext) throws -> Response {
        context.logger.info("webhook \(disposition.rawValue): \(reason)")
        let body = try WireJSON.encoder().encode(WebhookAnswerJSON(status: disposition, reason: reason, delivery: delivery))
        return Response(
            status: disposition == .duplicate ? .ok : .accepted, headers: [.contentType: "application/json; charset=utf-8"],
            body: ResponseBody(byteBuffer: ByteBuffer(bytes: body)))
    }

    private static func describe(_ error: any Error) -> String {
        switch error {
        case DecodingError.keyNotFound(let key, let context):
            return "field \((context.codingPath + [key]).map(\.stringValue).joined(separator: ".")) is missing"
        case DecodingError.typeMismatch(_, let context), DecodingError.valueNotFound(_, let context):
            return "field \(context.codingPath.map(\.stringValue).joined(separator: ".")) has the wrong type"
        default:
            return "it does not parse as JSON"
        }
    }
}
