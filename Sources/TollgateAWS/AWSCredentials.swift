public import Foundation

/// An AWS access key, its secret and, for temporary credentials, a session token.
///
/// Every textual form of this value (`description`, `debugDescription`, `dump`, string
/// interpolation) shows the access key id only: the secret and the token never reach output,
/// errors or logs.
public struct AWSCredentials: Sendable, Equatable, CustomStringConvertible, CustomDebugStringConvertible,
    CustomReflectable
{
    /// The access key id (`AKIA…` for long-term keys, `ASIA…` for temporary ones).
    public let accessKeyID: String
    /// The secret access key; read it only to sign.
    public let secretAccessKey: String
    /// The session token of temporary credentials.
    public let sessionToken: String?
    /// When temporary credentials stop working; `nil` for long-term keys.
    public let expiration: Date?
    /// Where these credentials came from, for messages: "environment", "profile prod in ~/.aws/credentials".
    public let source: String

    /// Creates credentials.
    public init(
        accessKeyID: String, secretAccessKey: String, sessionToken: String? = nil, expiration: Date? = nil,
        source: String
    ) {
        self.accessKeyID = accessKeyID
        self.secretAccessKey = secretAccessKey
        self.sessionToken = sessionToken
        self.expiration = expiration
        self.source = source
    }

    public var description: String {
        "AWS access key \(accessKeyID) from \(source)"
    }

    public var debugDescription: String {
        description
    }

    public var customMirror: Mirror {
        Mirror(self, children: ["accessKeyID": accessKeyID, "source": source], displayStyle: .struct)
    }
}

/// Where a client gets credentials each time it signs a request.
///
/// A seam with several implementations: fixed keys (``StaticCredentialProvider``) and an assumed
/// role whose temporary keys are refreshed (``AssumedRoleCredentialProvider``).
public protocol AWSCredentialProvider: Sendable {
    /// Credentials valid for a request signed now.
    ///
    /// - Throws: ``AWSError`` when none can be had.
    func credentials() async throws(AWSError) -> AWSCredentials
}

/// Credentials that never change: read once from the environment or a profile.
public struct StaticCredentialProvider: AWSCredentialProvider {
    /// The credentials handed out.
    public let fixed: AWSCredentials

    /// Creates a provider that always answers `credentials`.
    public init(_ credentials: AWSCredentials) {
        fixed = credentials
    }

    public func credentials() async throws(AWSError) -> AWSCredentials {
        fixed
    }
}
