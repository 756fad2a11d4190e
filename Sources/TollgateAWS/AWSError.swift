/// What AWS answered with an error document: `Code`, `Message` and `RequestId`.
public struct AWSServiceFault: Sendable, Equatable {
    /// The API action that failed, as `CreateChangeSet`.
    public var action: String
    /// The signing name of the service, as `cloudformation`.
    public var service: String
    /// AWS's error code, as `ValidationError` or `Throttling`.
    public var code: String
    /// AWS's own message.
    public var message: String
    /// AWS's request id, for a support case.
    public var requestID: String?
    /// The HTTP status of the answer.
    public var httpStatus: Int

    /// Creates a fault.
    public init(action: String, service: String, code: String, message: String, requestID: String?, httpStatus: Int) {
        self.action = action
        self.service = service
        self.code = code
        self.message = message
        self.requestID = requestID
        self.httpStatus = httpStatus
    }
}

/// Every way a call to AWS can fail.
///
/// Descriptions are one sentence naming the action or file at fault; none of them ever contains a
/// secret access key or a session token.
public enum AWSError: Error, Sendable, CustomStringConvertible {
    /// No credentials in the environment or in the profile files; lists where it looked.
    case missingCredentials(searched: [String])
    /// A source names only part of a key pair, as an access key id without its secret.
    case incompleteCredentials(source: String, missing: String)
    /// `AWS_PROFILE` names a profile that no file defines.
    case profileNotFound(profile: String, files: [String])
    /// A profile that gets its credentials in a way this client does not read (`credential_process`,
    /// SSO, `role_arn` chains).
    case unsupportedProfile(profile: String, file: String, setting: String)
    /// A credentials or config file that cannot be read; the line's text is never quoted, since it
    /// may hold a secret.
    case malformedProfileFile(path: String, line: Int, reason: String)
    /// An `endpoint-url` that is not an `http` or `https` URL with a host.
    case invalidEndpoint(String)
    /// AWS answered with an error document; `attempts` counts the tries made.
    case service(AWSServiceFault, attempts: Int)
    /// No answer: the connection was refused, timed out or broke; keeps the transport's error.
    case unreachable(action: String, endpoint: String, attempts: Int, cause: any Error)
    /// An answer that is not the document the action promises.
    case unexpectedResponse(action: String, httpStatus: Int, detail: String)
    /// A template too large to pass inline, and no artifact bucket to upload it to.
    case templateTooLarge(stackName: String, bytes: Int, limit: Int)
    /// The task was cancelled while waiting for AWS.
    case cancelled(action: String)

    /// A coarse classification, for callers that choose what to do next.
    public enum Kind: Sendable, Equatable {
        /// Credentials are missing or could not be read.
        case credentials
        /// AWS refused the credentials (invalid, expired or not allowed).
        case refused
        /// AWS asked to slow down, and kept asking until the retries ran out.
        case throttled
        /// AWS answered 5xx, or could not be reached, until the retries ran out.
        case unavailable
        /// AWS rejected the request itself (validation, missing stack, ...).
        case rejected
        /// The answer could not be read.
        case malformedResponse
        /// The endpoint or template cannot be used as configured.
        case configuration
        /// The caller cancelled.
        case cancelled
    }

    /// This error's ``Kind``.
    public var kind: Kind {
        switch self {
        case .missingCredentials, .incompleteCredentials, .profileNotFound, .unsupportedProfile,
            .malformedProfileFile:
            return .credentials
        case .invalidEndpoint, .templateTooLarge:
            return .configuration
        case .service(let fault, _):
            if AWSRetryPolicy.throttlingCodes.contains(fault.code) || fault.httpStatus == 429 { return .throttled }
            if fault.httpStatus >= 500 { return .unavailable }
            if Self.refusalCodes.contains(fault.code) || fault.httpStatus == 403 { return .refused }
            return .rejected
        case .unreachable:
            return .unavailable
        case .unexpectedResponse:
            return .malformedResponse
        case .cancelled:
            return .cancelled
        }
    }

    /// The AWS error code, when AWS sent one.
    public var code: String? {
        if case .service(let fault, _) = self { return fault.code }
        return nil
    }

    /// Whether CloudFormation refused a change set because nothing changes: some endpoints (moto
    /// among them) say so at `CreateChangeSet` rather than failing the change set, which
    /// ``CloudFormationClient/waitForChangeSet(id:stackName:)`` reports as
    /// ``ChangeSetOutcome/noChanges(reason:)``. Either way it is a no-op, not a failure.
    public var meansNoChanges: Bool {
        guard case .service(let fault, _) = self, fault.code == "ValidationError" else { return false }
        return LiveCloudFormationClient.meansNoChanges(fault.message)
    }

    static let refusalCodes: Set<String> = [
        "InvalidClientTokenId", "SignatureDoesNotMatch", "ExpiredToken", "ExpiredTokenException",
        "AccessDenied", "AccessDeniedException", "UnrecognizedClientException", "InvalidAccessKeyId",
        "AuthFailure", "RequestExpired",
    ]

    public var description: String {
        switch self {
        case .missingCredentials(let searched):
            return "No AWS credentials found (looked in \(searched.joined(separator: ", "))); set AWS_ACCESS_KEY_ID and "
                + "AWS_SECRET_ACCESS_KEY, or AWS_PROFILE with a profile in ~/.aws/credentials."
        case .incompleteCredentials(let source, let missing):
            return "The AWS credentials in \(source) lack \(missing)."
        case .profileNotFound(let profile, let files):
            return "The AWS profile \(profile) is not defined in \(files.joined(separator: " or "))."
        case .unsupportedProfile(let profile, let file, let setting):
            return "The AWS profile \(profile) in \(file) gets its credentials through \(setting), which tollgate does "
                + "not read; give the profile aws_access_key_id and aws_secret_access_key, and put an assumed role "
                + "in Policies/deployments.yaml as role-arn."
        case .malformedProfileFile(let path, let line, let reason):
            return "\(path):\(line): \(reason)."
        case .invalidEndpoint(let url):
            return "The endpoint URL \(url) is not usable: give an http:// or https:// URL with a host."
        case .service(let fault, let attempts):
            let request = fault.requestID.map { ", request id \($0)" } ?? ""
            let tries = attempts > 1 ? " after \(attempts) attempts" : ""
            return "AWS \(fault.service) \(fault.action) failed\(tries): \(fault.code): \(fault.message) "
                + "(HTTP \(fault.httpStatus)\(request))."
        case .unreachable(let action, let endpoint, let attempts, let cause):
            return "AWS \(action) could not reach \(endpoint) after \(attempts) attempt\(attempts == 1 ? "" : "s"): \(cause)."
        case .unexpectedResponse(let action, let status, let detail):
            return "AWS \(action) answered HTTP \(status) with an unreadable response: \(detail)."
        case .templateTooLarge(let stackName, let bytes, let limit):
            return "The template of stack \(stackName) is \(bytes) bytes, over CloudFormation's \(limit)-byte limit "
                + "for an inline template; set artifact-bucket for it in Policies/deployments.yaml."
        case .cancelled(let action):
            return "AWS \(action) was cancelled."
        }
    }
}
