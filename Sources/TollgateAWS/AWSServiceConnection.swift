public import Foundation

/// Signs, sends and retries the requests of one AWS service in one region.
///
/// Every client in this module (Query protocol, S3) sends through one of these, so that signing,
/// the retry rules and the reading of AWS error documents live in one place.
public struct AWSServiceConnection: Sendable {
    /// Signs each try afresh, since the signature covers the time.
    public let signer: SignatureV4
    /// Where requests go.
    public let endpoint: AWSEndpoint
    /// Where credentials come from for each try.
    public let credentials: any AWSCredentialProvider
    /// Sends the bytes.
    public let transport: any AWSTransport
    /// When to try again.
    public let retry: AWSRetryPolicy
    /// The time requests are signed at.
    public let now: @Sendable () -> Date

    /// Creates a connection for `service` (its signing name) in `region`.
    ///
    /// - Parameter endpoint: an override (`endpoint-url`); `nil` for AWS's regional endpoint.
    public init(
        service: String,
        region: String,
        endpoint: AWSEndpoint? = nil,
        credentials: any AWSCredentialProvider,
        transport: any AWSTransport = HTTPClientTransport(),
        retry: AWSRetryPolicy = AWSRetryPolicy(),
        signing: SignatureV4.Options = SignatureV4.Options(),
        now: @escaping @Sendable () -> Date = { Date() }
    ) {
        signer = SignatureV4(service: service, region: region, options: signing)
        self.endpoint = endpoint ?? AWSEndpoint.aws(service: service, region: region)
        self.credentials = credentials
        self.transport = transport
        self.retry = retry
        self.now = now
    }

    /// Sends a request for `action` and returns the answer once it has a 2xx status.
    ///
    /// Tries again, waiting as ``retry`` says, on 5xx, throttling and no answer at all.
    ///
    /// - Parameter host: another host than the endpoint's, for S3's virtual-hosted buckets.
    /// - Throws: ``AWSError/service(_:attempts:)`` with AWS's code and message,
    ///   ``AWSError/unreachable(action:endpoint:attempts:cause:)`` when no answer came, a credentials
    ///   error from the provider, or ``AWSError/cancelled(action:)``.
    public func send(
        action: String, method: String, path: String = "/", query: [QueryItem] = [],
        headers: [HTTPHeader] = [], body: [UInt8] = [], host: String? = nil
    ) async throws(AWSError) -> AWSHTTPResponse {
        let target = host.map { endpoint.withHost($0) } ?? endpoint
        let unsigned = SignableRequest(
            method: method, path: path, query: query,
            headers: [HTTPHeader("Host", target.hostHeader)] + headers, body: body
        )
        let url = target.url(unsigned.encodedPathAndQuery)
        var attempt = 0
        while true {
            attempt += 1
            if Task.isCancelled { throw .cancelled(action: action) }
            let signed = signer.sign(unsigned, credentials: try await credentials.credentials(), date: now())
            let request = AWSHTTPRequest(method: method, url: url, headers: signed.request.headers, body: body)
            let failure: AWSError
            switch try await sendOnce(request, action: action, endpoint: target, attempt: attempt) {
            case .success(let response): return response
            case .failure(let retryable): failure = retryable
            }
            guard attempt < retry.maximumAttempts else { throw failure }
            do {
                try await retry.sleep(retry.delay(afterAttempt: attempt))
            } catch {
                throw .cancelled(action: action)
            }
        }
    }

    /// One try: the answer when it is a success, the error when another try may go through, and
    /// a thrown error when it may not.
    private func sendOnce(
        _ request: AWSHTTPRequest, action: String, endpoint: AWSEndpoint, attempt: Int
    ) async throws(AWSError) -> Result<AWSHTTPResponse, AWSError> {
        let response: AWSHTTPResponse
        do {
            response = try await transport.send(request)
        } catch is CancellationError {
            throw .cancelled(action: action)
        } catch {
            return .failure(.unreachable(action: action, endpoint: endpoint.description, attempts: attempt, cause: error))
        }
        if (200..<300).contains(response.status) { return .success(response) }
        let fault = AWSErrorDocument.fault(in: response, action: action, service: signer.service)
        guard retry.isRetryable(status: response.status, code: fault.code) else {
            throw .service(fault, attempts: attempt)
        }
        return .failure(.service(fault, attempts: attempt))
    }
}
