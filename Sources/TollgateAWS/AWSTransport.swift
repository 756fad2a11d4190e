import AsyncHTTPClient
import NIOCore
import NIOHTTP1

/// A signed request ready to send.
public struct AWSHTTPRequest: Sendable {
    /// `GET`, `POST`, `PUT`, ...
    public var method: String
    /// The absolute URL, path and query already encoded.
    public var url: String
    /// The headers, `Authorization` included.
    public var headers: [HTTPHeader]
    /// The body's bytes.
    public var body: [UInt8]

    /// Creates a request.
    public init(method: String, url: String, headers: [HTTPHeader], body: [UInt8]) {
        self.method = method
        self.url = url
        self.headers = headers
        self.body = body
    }

    /// The value of the first header called `name`, in any case.
    public func header(_ name: String) -> String? {
        headers.first { $0.name.lowercased() == name.lowercased() }?.value
    }
}

/// An answer from AWS, its body read in full.
public struct AWSHTTPResponse: Sendable {
    /// The HTTP status code.
    public var status: Int
    /// The headers.
    public var headers: [HTTPHeader]
    /// The body's bytes.
    public var body: [UInt8]

    /// Creates a response.
    public init(status: Int, headers: [HTTPHeader] = [], body: [UInt8]) {
        self.status = status
        self.headers = headers
        self.body = body
    }
}

/// Sends one HTTP request and returns the whole answer.
///
/// The seam between the AWS clients and the network: ``HTTPClientTransport`` in production, a
/// transport answering recorded responses in tests where the emulator lacks an API.
public protocol AWSTransport: Sendable {
    /// Sends `request`.
    ///
    /// - Throws: any error when no answer came (refused connection, timeout, broken connection);
    ///   an answer with an error status is returned, not thrown.
    func send(_ request: AWSHTTPRequest) async throws -> AWSHTTPResponse
}

/// The HTTP client every ``HTTPClientTransport`` shares, for the life of the process (so it is
/// never shut down). It does not retry a failed connection by itself, as async-http-client does by
/// default until the request's deadline: ``AWSRetryPolicy`` decides, so an unreachable endpoint
/// fails in seconds, and redirects are refused, since a signed request must not go elsewhere.
private let awsHTTPClient: HTTPClient = {
    var configuration = HTTPClient.Configuration()
    configuration.timeout = HTTPClient.Configuration.Timeout(connect: .seconds(10))
    configuration.connectionPool.retryConnectionEstablishment = false
    configuration.redirectConfiguration = .disallow
    return HTTPClient(eventLoopGroup: HTTPClient.defaultEventLoopGroup, configuration: configuration)
}()

/// ``AWSTransport`` over async-http-client.
public struct HTTPClientTransport: AWSTransport {
    /// How long one request may take, from connecting to the last byte of the answer.
    public let timeout: Duration
    /// The largest answer read; AWS's documents are far smaller.
    public let maximumResponseBytes: Int

    /// Creates a transport; all of them share one client, which needs no shutdown.
    public init(timeout: Duration = .seconds(60), maximumResponseBytes: Int = 64 << 20) {
        self.timeout = timeout
        self.maximumResponseBytes = maximumResponseBytes
    }

    public func send(_ request: AWSHTTPRequest) async throws -> AWSHTTPResponse {
        var outgoing = HTTPClientRequest(url: request.url)
        outgoing.method = HTTPMethod(rawValue: request.method)
        for header in request.headers {
            outgoing.headers.add(name: header.name, value: header.value)
        }
        if !request.body.isEmpty || request.method == "PUT" || request.method == "POST" {
            outgoing.body = .bytes(request.body)
        }
        let (seconds, attoseconds) = timeout.components
        let amount = TimeAmount.nanoseconds(seconds * 1_000_000_000 + attoseconds / 1_000_000_000)
        let response = try await awsHTTPClient.execute(outgoing, timeout: amount)
        let body = try await response.body.collect(upTo: maximumResponseBytes)
        return AWSHTTPResponse(
            status: Int(response.status.code),
            headers: response.headers.map { HTTPHeader($0.name, $0.value) },
            body: Array(buffer: body)
        )
    }
}
