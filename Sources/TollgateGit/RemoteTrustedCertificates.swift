import Dispatch
import Foundation
import SwiftASN1
import Synchronization
import X509

/// The certificate authorities an HTTPS remote's certificate must chain to, read from a PEM file
/// (`--ca-file`), in place of the system's: for a git server whose certificate a private CA
/// issued, or a self-signed one given as its own authority.
///
/// libgit2 hands the check only the server's own certificate, not the intermediates it sent, so
/// the certificate must be one of these or be issued directly by one of them. swift-certificates'
/// ``Verifier`` checks the signature, the validity period, the authority's constraints and that the
/// certificate names the host the URL names.
public struct RemoteTrustedCertificates: Sendable {
    /// The PEM file they were read from, for messages.
    public let path: String
    private let certificates: [Certificate]

    /// Reads every `CERTIFICATE` block of the PEM file at `path`.
    ///
    /// - Throws: ``RemoteFetchError/unreadableFile(_:path:reason:)`` or
    ///   ``RemoteFetchError/invalidCAFile(path:reason:)`` naming the file and the block at fault.
    public init(contentsOf path: String) throws(RemoteFetchError) {
        guard let data = FileManager.default.contents(atPath: path) else {
            throw .unreadableFile(.caFile, path: path, reason: FileManager.default.fileExists(atPath: path) ? "it cannot be read" : "no such file")
        }
        try self.init(pem: String(decoding: data, as: UTF8.self), path: path)
    }

    /// Reads every `CERTIFICATE` block of `pem`; `path` names it in errors.
    ///
    /// - Throws: ``RemoteFetchError/invalidCAFile(path:reason:)``.
    public init(pem: String, path: String) throws(RemoteFetchError) {
        let begin = "-----BEGIN CERTIFICATE-----"
        let end = "-----END CERTIFICATE-----"
        var certificates: [Certificate] = []
        var rest = pem[...]
        while let start = rest.range(of: begin) {
            let number = certificates.count + 1
            guard let stop = rest.range(of: end, range: start.upperBound..<rest.endIndex) else {
                throw .invalidCAFile(path: path, reason: "certificate \(number) has no '\(end)' line")
            }
            do {
                certificates.append(try Certificate(pemEncoded: String(rest[start.lowerBound..<stop.upperBound])))
            } catch {
                throw .invalidCAFile(path: path, reason: "certificate \(number) is not a valid X.509 certificate")
            }
            rest = rest[stop.upperBound...]
        }
        guard !certificates.isEmpty else {
            throw .invalidCAFile(path: path, reason: "it holds no PEM certificate ('\(begin)')")
        }
        self.path = path
        self.certificates = certificates
    }

    /// Why the DER certificate a server at `host` offered is not trusted now, or nil when it is.
    ///
    /// Blocks its thread while the verifier runs on ``CertificateCheckExecutor``: call it only
    /// from a thread of its own, such as the fetch's, never from a task of Swift's cooperative pool.
    func problem(withServerCertificate der: [UInt8], host: String) -> String? {
        let leaf: Certificate
        do {
            leaf = try Certificate(derEncoded: der)
        } catch {
            return "the server's certificate does not parse"
        }
        let roots = CertificateStore(certificates)
        let isAddress = host.contains(":") || host.allSatisfy { $0.isNumber || $0 == "." }
        let verdict = Mutex<String?>(nil)
        let done = DispatchSemaphore(value: 0)
        let path = self.path
        Task.detached(executorPreference: CertificateCheckExecutor.shared) {
            var verifier = Verifier(rootCertificates: roots) {
                RFC5280Policy()
                ServerIdentityPolicy(serverHostname: isAddress ? nil : host, serverIP: isAddress ? host : nil)
            }
            let result = await verifier.validate(leaf: leaf, intermediates: CertificateStore())
            if case .couldNotValidate(let failures) = result {
                let reason = failures.first.map { "\($0.policyFailureReason)" }
                    ?? "it is not issued by a certificate in \(path)"
                verdict.withLock { $0 = reason }
            }
            done.signal()
        }
        done.wait()
        return verdict.withLock { $0 }
    }
}

/// Runs the certificate check's jobs on a serial dispatch queue of its own. The fetch's thread
/// waits for the check, and Swift's cooperative pool, as wide as the machine has cores, may have
/// every thread busy or blocked for as long as the fetch's timeout: a check queued there would
/// not run in time. The verifier uses no actor, so none of its work hops back to that pool.
private final class CertificateCheckExecutor: TaskExecutor {
    static let shared = CertificateCheckExecutor()
    private let queue = DispatchQueue(label: "tollgate.certificate-check")

    func enqueue(_ job: consuming ExecutorJob) {
        let job = UnownedJob(job)
        queue.async { job.runSynchronously(on: self.asUnownedTaskExecutor()) }
    }
}
