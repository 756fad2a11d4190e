import Foundation

/// Runs the real `ssh-keygen` so that tests prove Tollgate's SSH signatures interoperate with
/// OpenSSH in both directions, rather than only with themselves.
public struct SSHKeygen: Sendable {
    /// What one run printed and how it ended.
    public struct Result: Sendable {
        /// The exit status.
        public let status: Int32
        /// What it printed on standard output.
        public let standardOutput: String
        /// What it printed on standard error.
        public let standardError: String
    }

    /// Why a run could not happen or did not succeed; the description is shown as the test failure.
    public enum Failure: Error, CustomStringConvertible {
        /// ssh-keygen is not installed.
        case missingBinary(searched: [String])
        /// ssh-keygen exited with a failure status.
        case failed(arguments: [String], status: Int32, standardError: String)

        /// The failure and, for a missing binary, how to install it.
        public var description: String {
            switch self {
            case let .missingBinary(searched):
                return "ssh-keygen was not found (looked in \(searched.joined(separator: ", "))); install openssh-client (apt-get install openssh-client)"
            case let .failed(arguments, status, standardError):
                return "ssh-keygen \(arguments.joined(separator: " ")) exited with \(status): \(standardError)"
            }
        }
    }

    /// The ssh-keygen binary this runner uses.
    public let executable: String

    /// Finds ssh-keygen on `PATH` or in the usual system folders.
    ///
    /// - Throws: ``Failure/missingBinary(searched:)`` so a machine without OpenSSH fails the
    ///   suite with the fix, instead of skipping the interoperability tests.
    public init() throws {
        let pathFolders = (ProcessInfo.processInfo.environment["PATH"] ?? "").split(separator: ":").map(String.init)
        let candidates = (pathFolders + ["/usr/bin", "/usr/local/bin", "/bin"]).map { $0 + "/ssh-keygen" }
        guard let found = candidates.first(where: { FileManager.default.isExecutableFile(atPath: $0) }) else {
            throw Failure.missingBinary(searched: candidates)
        }
        executable = found
    }

    /// Runs ssh-keygen with `arguments`, feeding `input` to its standard input.
    ///
    /// - Throws: ``Failure/failed(arguments:status:standardError:)`` on a non-zero exit unless
    ///   `allowFailure` is set, in which case the caller inspects ``Result/status``.
    @discardableResult
    public func run(_ arguments: [String], input: String = "", allowFailure: Bool = false) throws -> Result {
        let finished = try CommandResult.run([executable] + arguments, input: input.isEmpty ? nil : input)
        let result = Result(status: finished.status, standardOutput: finished.standardOutput, standardError: finished.standardError)
        if result.status != 0, !allowFailure {
            throw Failure.failed(arguments: arguments, status: result.status, standardError: result.standardError)
        }
        return result
    }

    /// A key pair made by ssh-keygen in a test's temporary folder.
    public struct KeyPair: Sendable {
        /// Path of the private key file (unencrypted unless a passphrase was given).
        public let privateKeyPath: String
        /// The authorized_keys line of the public key.
        public let publicKeyLine: String
        /// The text of the private key file.
        public let privateKeyText: String

        /// Describes a key pair that already exists on disk.
        public init(privateKeyPath: String, publicKeyLine: String, privateKeyText: String) {
            self.privateKeyPath = privateKeyPath
            self.publicKeyLine = publicKeyLine
            self.privateKeyText = privateKeyText
        }
    }

    /// Generates a key of `type` ("ed25519" or "ecdsa") in `directory` under `name`.
    public func generateKey(type: String, in directory: TemporaryDirectory, name: String, comment: String = "test", passphrase: String = "") throws -> KeyPair {
        let path = directory.appending(name)
        var arguments = ["-q", "-t", type, "-N", passphrase, "-C", comment, "-f", path]
        if type == "ecdsa" {
            arguments += ["-b", "256"]
        }
        try run(arguments)
        return KeyPair(
            privateKeyPath: path,
            publicKeyLine: try String(contentsOfFile: path + ".pub", encoding: .utf8).trimmingCharacters(in: .whitespacesAndNewlines),
            privateKeyText: try String(contentsOfFile: path, encoding: .utf8)
        )
    }

    /// Signs `message` with `key` as `ssh-keygen -Y sign -n namespace`, returning the armored signature.
    public func sign(_ message: String, key: KeyPair, namespace: String, in directory: TemporaryDirectory) throws -> String {
        let messagePath = directory.appending("message-\(UUID().uuidString)")
        try Data(message.utf8).write(to: URL(fileURLWithPath: messagePath))
        try run(["-Y", "sign", "-f", key.privateKeyPath, "-n", namespace, messagePath])
        return try String(contentsOfFile: messagePath + ".sig", encoding: .utf8)
    }

    /// Verifies `signature` over `message` with `ssh-keygen -Y verify`, trusting only `publicKeyLine`
    /// for `namespace`; returns the run so a test can assert on success or failure.
    public func verify(_ message: String, signature: String, publicKeyLine: String, namespace: String, in directory: TemporaryDirectory) throws -> Result {
        let id = UUID().uuidString
        let signers = directory.appending("allowed-signers-\(id)")
        let signaturePath = directory.appending("signature-\(id).sig")
        try Data("reviewer@example.com namespaces=\"\(namespace)\" \(publicKeyLine)\n".utf8).write(to: URL(fileURLWithPath: signers))
        try Data(signature.utf8).write(to: URL(fileURLWithPath: signaturePath))
        return try run(
            ["-Y", "verify", "-f", signers, "-I", "reviewer@example.com", "-n", namespace, "-s", signaturePath],
            input: message,
            allowFailure: true
        )
    }
}
