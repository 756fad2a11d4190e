import Crypto

/// The two S3 calls a deployment needs: putting a large template in the artifact bucket, and
/// asking whether a bucket exists.
///
/// Buckets are addressed virtual-hosted style (`bucket.s3.region.amazonaws.com`) on AWS and
/// path-style (`/bucket/key`) on an `endpoint-url` override, which has no per-bucket host names.
public struct S3Client: Sendable {
    /// Signs, sends and retries; its service must be `s3`.
    public let connection: AWSServiceConnection

    /// Creates a client sending through `connection`.
    ///
    /// S3 signs the path as sent and requires the payload's hash in a header, so build the
    /// connection with ``S3Client/signingOptions``.
    public init(connection: AWSServiceConnection) {
        self.connection = connection
    }

    /// How S3 requests are signed.
    public static let signingOptions = SignatureV4.Options(normalizesPath: false, signsPayloadHeader: true)

    /// Stores `body` at `key` in `bucket` and returns the URL CloudFormation reads it from.
    ///
    /// - Throws: ``AWSError``; `NoSuchBucket` when the bucket does not exist.
    @discardableResult
    public func putObject(
        bucket: String, key: String, body: [UInt8], contentType: String = "application/octet-stream"
    ) async throws(AWSError) -> String {
        let (path, host) = address(bucket: bucket, key: key)
        _ = try await connection.send(
            action: "PutObject", method: "PUT", path: path,
            headers: [HTTPHeader("Content-Type", contentType)], body: body, host: host
        )
        return objectURL(bucket: bucket, key: key)
    }

    /// The URL of `key` in `bucket`, as CloudFormation's `TemplateURL` takes it.
    public func objectURL(bucket: String, key: String) -> String {
        let (path, host) = address(bucket: bucket, key: key)
        let endpoint = host.map { connection.endpoint.withHost($0) } ?? connection.endpoint
        return endpoint.url(SignatureV4.encodePath(path))
    }

    /// Whether `bucket` exists and the caller may see it (S3 `HeadBucket`).
    ///
    /// - Throws: ``AWSError`` for anything but "not found".
    public func bucketExists(_ bucket: String) async throws(AWSError) -> Bool {
        let (path, host) = address(bucket: bucket, key: nil)
        do {
            _ = try await connection.send(action: "HeadBucket", method: "HEAD", path: path, host: host)
            return true
        } catch {
            if case .service(let fault, _) = error, fault.httpStatus == 404 { return false }
            throw error
        }
    }

    private func address(bucket: String, key: String?) -> (path: String, host: String?) {
        let keyPath = key.map { "/" + $0 } ?? "/"
        if connection.endpoint.isOverride {
            return ("/" + bucket + (key.map { "/" + $0 } ?? ""), nil)
        }
        return (keyPath, "\(bucket).\(connection.endpoint.host)")
    }

    /// The object key for a template: content-addressed, so re-uploading the same template is
    /// harmless and two templates never overwrite each other.
    public static func templateKey(stackName: String, template: [UInt8]) -> String {
        "tollgate/\(stackName)/\(SignatureV4.hex(SHA256.hash(data: template))).template"
    }
}
