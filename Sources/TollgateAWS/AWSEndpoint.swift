import Foundation

/// Where requests for one service go: AWS's regional endpoint, or an `endpoint-url` override (an
/// emulator such as moto, or a VPC endpoint) that then serves every service.
public struct AWSEndpoint: Sendable, Equatable, CustomStringConvertible {
    /// `https` or `http`.
    public let scheme: String
    /// The host name or address.
    public let host: String
    /// The port, when the URL names one.
    public let port: Int?
    /// True for an override: S3 is then addressed path-style (`/bucket/key`), since an emulator or
    /// a VPC endpoint has no per-bucket host names.
    public let isOverride: Bool

    /// The endpoint given as `endpoint-url`.
    ///
    /// - Throws: ``AWSError/invalidEndpoint(_:)`` unless `url` is `http` or `https` with a host and
    ///   no path, query or credentials.
    public init(url: String) throws(AWSError) {
        guard let components = URLComponents(string: url),
            let scheme = components.scheme?.lowercased(), scheme == "http" || scheme == "https",
            let host = components.host, !host.isEmpty,
            components.path.isEmpty || components.path == "/",
            components.query == nil, components.user == nil, components.password == nil
        else {
            throw .invalidEndpoint(url)
        }
        self.scheme = scheme
        self.host = host
        self.port = components.port
        self.isOverride = true
    }

    /// AWS's own HTTPS endpoint of `service` in `region`, as `cloudformation.eu-west-1.amazonaws.com`.
    public static func aws(service: String, region: String) -> AWSEndpoint {
        let domain = region.hasPrefix("cn-") ? "amazonaws.com.cn" : "amazonaws.com"
        return AWSEndpoint(scheme: "https", host: "\(service).\(region).\(domain)", port: nil, isOverride: false)
    }

    private init(scheme: String, host: String, port: Int?, isOverride: Bool) {
        self.scheme = scheme
        self.host = host
        self.port = port
        self.isOverride = isOverride
    }

    /// This endpoint with another host, for S3's virtual-hosted buckets.
    func withHost(_ host: String) -> AWSEndpoint {
        AWSEndpoint(scheme: scheme, host: host, port: port, isOverride: isOverride)
    }

    /// The `Host` header: the host, and the port unless it is the scheme's default.
    public var hostHeader: String {
        guard let port, !(scheme == "https" && port == 443), !(scheme == "http" && port == 80) else { return host }
        let name = host.contains(":") ? "[\(host)]" : host
        return "\(name):\(port)"
    }

    /// The absolute URL of an encoded path and query.
    public func url(_ encodedPathAndQuery: String) -> String {
        "\(scheme)://\(hostHeader)\(encodedPathAndQuery)"
    }

    public var description: String {
        url("")
    }
}
