public import Foundation
import Synchronization

/// Who a set of credentials acts as, from STS `GetCallerIdentity`.
public struct CallerIdentity: Sendable, Equatable {
    /// The 12-digit account id.
    public var account: String
    /// The ARN of the user or assumed role.
    public var arn: String

    /// Creates an identity.
    public init(account: String, arn: String) {
        self.account = account
        self.arn = arn
    }
}

/// The AWS Security Token Service: `AssumeRole` for cross-account deployment, and
/// `GetCallerIdentity` to say which account a deployment reaches.
public struct STSClient: Sendable {
    /// The Query protocol client, API version `2011-06-15`.
    public let query: AWSQueryClient

    /// Creates a client sending through `connection`, whose service must be `sts`.
    public init(connection: AWSServiceConnection) {
        query = AWSQueryClient(connection: connection, version: "2011-06-15")
    }

    /// Temporary credentials of `roleARN`.
    ///
    /// - Parameters:
    ///   - sessionName: shows in the target account's CloudTrail as who acted (2 to 64 of
    ///     `[\w+=,.@-]`).
    ///   - duration: how long the credentials last; STS allows 15 minutes to the role's maximum.
    /// - Throws: ``AWSError``; `AccessDenied` when the role does not trust the caller.
    public func assumeRole(
        roleARN: String, sessionName: String, duration: Duration = .seconds(3600), externalID: String? = nil
    ) async throws(AWSError) -> AWSCredentials {
        var parameters = [
            QueryItem("RoleArn", roleARN), QueryItem("RoleSessionName", sessionName),
            QueryItem("DurationSeconds", String(duration.components.seconds)),
        ]
        if let externalID { parameters.append(QueryItem("ExternalId", externalID)) }
        let result = try await query.call("AssumeRole", parameters)
        guard let keyID = result.text("Credentials", "AccessKeyId"),
            let secret = result.text("Credentials", "SecretAccessKey"),
            let token = result.text("Credentials", "SessionToken")
        else {
            throw .unexpectedResponse(action: "AssumeRole", httpStatus: 200, detail: "the answer has no Credentials")
        }
        return AWSCredentials(
            accessKeyID: keyID, secretAccessKey: secret, sessionToken: token,
            expiration: result.text("Credentials", "Expiration").flatMap(AWSTimestamp.parse),
            source: "role \(roleARN)"
        )
    }

    /// The account and ARN the connection's credentials act as.
    public func callerIdentity() async throws(AWSError) -> CallerIdentity {
        let result = try await query.call("GetCallerIdentity")
        guard let account = result.text("Account"), let arn = result.text("Arn") else {
            throw .unexpectedResponse(action: "GetCallerIdentity", httpStatus: 200, detail: "the answer has no Account")
        }
        return CallerIdentity(account: account, arn: arn)
    }
}

/// Credentials of an assumed role, asked of STS on first use and again shortly before they
/// expire, so that an apply that runs for hours keeps working.
public final class AssumedRoleCredentialProvider: AWSCredentialProvider {
    /// The role assumed.
    public let roleARN: String
    /// The name the session shows in the target account.
    public let sessionName: String
    /// How long before expiry the credentials are renewed.
    public let refreshMargin: Duration
    private let sts: STSClient
    private let now: @Sendable () -> Date
    /// The current credentials; a task renewing them holds the lock only to swap them in, so two
    /// tasks may both renew at the boundary, which costs one extra STS call and nothing else.
    private let current = Mutex<AWSCredentials?>(nil)

    /// Creates a provider that assumes `roleARN` through `sts` (signed with the caller's own
    /// long-term credentials).
    public init(
        roleARN: String, sessionName: String, sts: STSClient, refreshMargin: Duration = .seconds(300),
        now: @escaping @Sendable () -> Date = { Date() }
    ) {
        self.roleARN = roleARN
        self.sessionName = sessionName
        self.sts = sts
        self.refreshMargin = refreshMargin
        self.now = now
    }

    public func credentials() async throws(AWSError) -> AWSCredentials {
        let margin = TimeInterval(refreshMargin.components.seconds)
        if let cached = current.withLock({ $0 }),
            let expiration = cached.expiration, expiration.timeIntervalSince(now()) > margin
        {
            return cached
        }
        let fresh = try await sts.assumeRole(roleARN: roleARN, sessionName: sessionName)
        current.withLock { $0 = fresh }
        return fresh
    }
}

/// AWS's ISO 8601 times, with or without fractions of a second (moto writes six digits).
enum AWSTimestamp {
    static func parse(_ text: String) -> Date? {
        var main = Substring(text)
        var fraction = 0.0
        if let dot = main.firstIndex(of: ".") {
            let digitsEnd = main[main.index(after: dot)...].firstIndex { !$0.isNumber } ?? main.endIndex
            fraction = Double("0" + main[dot..<digitsEnd]) ?? 0
            main = main[..<dot] + main[digitsEnd...]
        }
        if main.hasSuffix("+00:00") { main = main.dropLast(6) + "Z" }
        if !main.hasSuffix("Z") { main += "Z" }
        guard let date = try? Date(String(main), strategy: .iso8601) else { return nil }
        return date.addingTimeInterval(fraction)
    }
}

extension XMLNode {
    func date(_ path: String...) -> Date? {
        var node: XMLNode? = self
        for name in path { node = node?[name] }
        return node.flatMap { AWSTimestamp.parse($0.text) }
    }
}
