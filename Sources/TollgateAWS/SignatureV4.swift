public import Foundation
import Crypto

/// One HTTP header as sent, in order; AWS signs repeated headers as one comma-joined value.
public struct HTTPHeader: Sendable, Hashable {
    /// The header's name, in any case.
    public var name: String
    /// The header's value, as sent.
    public var value: String

    /// Creates a header.
    public init(_ name: String, _ value: String) {
        self.name = name
        self.value = value
    }
}

/// One query parameter, not yet percent-encoded.
public struct QueryItem: Sendable, Hashable {
    /// The parameter's name.
    public var name: String
    /// The parameter's value (empty for `?name`).
    public var value: String

    /// Creates a query parameter.
    public init(_ name: String, _ value: String) {
        self.name = name
        self.value = value
    }
}

/// An HTTP request before it is signed: what Signature Version 4 reads.
///
/// The path and the query are given decoded; the signer and ``SignableRequest/encodedPathAndQuery``
/// percent-encode them once, the same way, so that what is signed is what is sent.
public struct SignableRequest: Sendable {
    /// `GET`, `POST`, `PUT`, ...
    public var method: String
    /// The decoded path, starting with `/`.
    public var path: String
    /// The query parameters, in the order they are sent.
    public var query: [QueryItem]
    /// The headers, `Host` included, in the order they are sent.
    public var headers: [HTTPHeader]
    /// The body's bytes.
    public var body: [UInt8]

    /// Creates a request.
    public init(method: String, path: String, query: [QueryItem] = [], headers: [HTTPHeader], body: [UInt8] = []) {
        self.method = method
        self.path = path
        self.query = query
        self.headers = headers
        self.body = body
    }

    /// The path and query as they go on the request line, encoded as the signer encodes them.
    public var encodedPathAndQuery: String {
        let path = SignatureV4.encodePath(self.path.isEmpty ? "/" : self.path)
        guard !query.isEmpty else { return path }
        return path + "?" + query.map { SignatureV4.encode($0.name) + "=" + SignatureV4.encode($0.value) }
            .joined(separator: "&")
    }
}

/// What signing produced: the request to send and the intermediate texts, kept so that tests can
/// compare each one with AWS's published test vectors.
public struct SignedRequest: Sendable {
    /// The request with `X-Amz-Date`, the session token, the payload hash if asked, and
    /// `Authorization` added.
    public var request: SignableRequest
    /// The canonical request that was hashed.
    public var canonicalRequest: String
    /// The string whose HMAC is the signature.
    public var stringToSign: String
    /// The signature, in lower-case hex.
    public var signature: String
    /// The `Authorization` header's value.
    public var authorization: String
}

/// AWS Signature Version 4 for the `Authorization` header.
///
/// Written here by hand because no AWS SDK for Swift can be had on this project's machines; it
/// follows AWS's published algorithm and is tested byte for byte against the aws-c-auth test
/// vectors and against botocore's signer.
public struct SignatureV4: Sendable {
    /// How a request is prepared before it is signed.
    public struct Options: Sendable {
        /// Removes `.` and `..` segments and repeated slashes from the path before signing. S3
        /// signs the path as sent, so it turns this off.
        public var normalizesPath: Bool
        /// Adds and signs `x-amz-content-sha256` (S3 requires it).
        public var signsPayloadHeader: Bool
        /// Signs `X-Amz-Security-Token`; when false the token is added after signing, as a few
        /// services expect.
        public var signsSessionToken: Bool

        /// Creates options; the defaults suit the Query protocol services.
        public init(normalizesPath: Bool = true, signsPayloadHeader: Bool = false, signsSessionToken: Bool = true) {
            self.normalizesPath = normalizesPath
            self.signsPayloadHeader = signsPayloadHeader
            self.signsSessionToken = signsSessionToken
        }
    }

    /// The signing name of the service: `cloudformation`, `sts`, `s3`, ...
    public let service: String
    /// The region the request is signed for.
    public let region: String
    /// How requests are prepared.
    public let options: Options

    /// Creates a signer for one service in one region.
    public init(service: String, region: String, options: Options = Options()) {
        self.service = service
        self.region = region
        self.options = options
    }

    /// Signs `request` at `date` with `credentials`.
    ///
    /// Any `Authorization`, `X-Amz-Date` or `X-Amz-Security-Token` already present is replaced.
    public func sign(_ request: SignableRequest, credentials: AWSCredentials, date: Date) -> SignedRequest {
        let (day, timestamp) = Self.timestamps(date)
        var prepared = request
        let replaced: Set<String> = ["authorization", "x-amz-date", "x-amz-security-token", "x-amz-content-sha256"]
        prepared.headers.removeAll { replaced.contains($0.name.lowercased()) }
        prepared.headers.append(HTTPHeader("X-Amz-Date", timestamp))
        if let token = credentials.sessionToken, options.signsSessionToken {
            prepared.headers.append(HTTPHeader("X-Amz-Security-Token", token))
        }
        let payloadHash = Self.hex(SHA256.hash(data: request.body))
        if options.signsPayloadHeader {
            prepared.headers.append(HTTPHeader("x-amz-content-sha256", payloadHash))
        }

        let (canonicalHeaders, signedHeaders) = Self.canonicalHeaders(prepared.headers)
        let canonicalRequest = [
            prepared.method.uppercased(),
            canonicalPath(prepared.path),
            Self.canonicalQuery(prepared.query),
            canonicalHeaders,
            signedHeaders,
            payloadHash,
        ].joined(separator: "\n")
        let scope = "\(day)/\(region)/\(service)/aws4_request"
        let stringToSign = [
            "AWS4-HMAC-SHA256",
            timestamp,
            scope,
            Self.hex(SHA256.hash(data: Array(canonicalRequest.utf8))),
        ].joined(separator: "\n")

        var key = SymmetricKey(data: Array(("AWS4" + credentials.secretAccessKey).utf8))
        for part in [day, region, service, "aws4_request"] {
            key = SymmetricKey(data: Data(HMAC<SHA256>.authenticationCode(for: Array(part.utf8), using: key)))
        }
        let signature = Self.hex(HMAC<SHA256>.authenticationCode(for: Array(stringToSign.utf8), using: key))
        let authorization = "AWS4-HMAC-SHA256 Credential=\(credentials.accessKeyID)/\(scope), "
            + "SignedHeaders=\(signedHeaders), Signature=\(signature)"

        if let token = credentials.sessionToken, !options.signsSessionToken {
            prepared.headers.append(HTTPHeader("X-Amz-Security-Token", token))
        }
        prepared.headers.append(HTTPHeader("Authorization", authorization))
        return SignedRequest(
            request: prepared, canonicalRequest: canonicalRequest, stringToSign: stringToSign,
            signature: signature, authorization: authorization
        )
    }

    private func canonicalPath(_ path: String) -> String {
        let path = path.isEmpty ? "/" : path
        guard options.normalizesPath else { return Self.encodePath(path) }
        var segments: [Substring] = []
        for segment in path.split(separator: "/", omittingEmptySubsequences: true) {
            switch segment {
            case ".": continue
            case "..": _ = segments.popLast()
            default: segments.append(segment)
            }
        }
        let endsInFolder = path.hasSuffix("/") || path.hasSuffix("/.") || path.hasSuffix("/..")
        var normalized = "/" + segments.joined(separator: "/")
        if endsInFolder && !segments.isEmpty { normalized += "/" }
        return Self.encodePath(normalized)
    }

    /// Headers lower-cased and sorted; repeated ones joined with commas in the order sent, each
    /// value trimmed and its runs of white space (folded lines included) made one space.
    private static func canonicalHeaders(_ headers: [HTTPHeader]) -> (String, String) {
        var values: [String: [String]] = [:]
        for header in headers {
            let value = header.value.split(whereSeparator: { $0.isWhitespace }).joined(separator: " ")
            values[header.name.lowercased(), default: []].append(value)
        }
        let names = values.keys.sorted { Array($0.utf8).lexicographicallyPrecedes(Array($1.utf8)) }
        let lines = names.map { "\($0):\(values[$0, default: []].joined(separator: ","))\n" }
        return (lines.joined(), names.joined(separator: ";"))
    }

    private static func canonicalQuery(_ query: [QueryItem]) -> String {
        query.map { (encode($0.name), encode($0.value)) }
            .sorted { left, right in
                left.0 == right.0
                    ? Array(left.1.utf8).lexicographicallyPrecedes(Array(right.1.utf8))
                    : Array(left.0.utf8).lexicographicallyPrecedes(Array(right.0.utf8))
            }
            .map { "\($0.0)=\($0.1)" }
            .joined(separator: "&")
    }

    /// Percent-encodes every byte of the UTF-8 form except the unreserved characters
    /// `A-Z a-z 0-9 - . _ ~`, with upper-case hex, as SigV4 requires.
    static func encode(_ text: String) -> String {
        var encoded = ""
        encoded.reserveCapacity(text.utf8.count)
        for byte in text.utf8 {
            switch byte {
            case UInt8(ascii: "A")...UInt8(ascii: "Z"), UInt8(ascii: "a")...UInt8(ascii: "z"),
                UInt8(ascii: "0")...UInt8(ascii: "9"), UInt8(ascii: "-"), UInt8(ascii: "."),
                UInt8(ascii: "_"), UInt8(ascii: "~"):
                encoded.unicodeScalars.append(Unicode.Scalar(byte))
            default:
                encoded += "%" + hexDigits[Int(byte >> 4)] + hexDigits[Int(byte & 0x0f)]
            }
        }
        return encoded
    }

    /// Encodes each segment of a path, keeping its slashes.
    static func encodePath(_ path: String) -> String {
        path.split(separator: "/", omittingEmptySubsequences: false).map { encode(String($0)) }
            .joined(separator: "/")
    }

    private static let hexDigits = ["0", "1", "2", "3", "4", "5", "6", "7", "8", "9", "A", "B", "C", "D", "E", "F"]

    static func hex<Bytes: Sequence>(_ bytes: Bytes) -> String where Bytes.Element == UInt8 {
        bytes.map { byte in
            let text = String(byte, radix: 16)
            return byte < 16 ? "0" + text : text
        }.joined()
    }

    /// `20150830` and `20150830T123600Z` for `date`, in UTC.
    static func timestamps(_ date: Date) -> (day: String, timestamp: String) {
        var calendar = Calendar(identifier: .gregorian)
        calendar.timeZone = TimeZone(identifier: "UTC") ?? calendar.timeZone
        let parts = calendar.dateComponents([.year, .month, .day, .hour, .minute, .second], from: date)
        func two(_ value: Int?) -> String {
            let value = value ?? 0
            return value < 10 ? "0\(value)" : "\(value)"
        }
        let year = String(parts.year ?? 1970)
        let day = year + two(parts.month) + two(parts.day)
        return (day, day + "T" + two(parts.hour) + two(parts.minute) + two(parts.second) + "Z")
    }
}
