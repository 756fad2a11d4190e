import Foundation
import TollgateTestSupport
#if canImport(Glibc)
import Glibc
#endif

/// OpenSSH's sshd, started by a test on a free loopback port as the current user, with a host key
/// and a client key of its own, serving the repositories on this machine over git-upload-pack.
final class RemoteSSHServer: Sendable {
    /// Why the server could not start; a missing sshd fails the test, never skips it.
    struct Failure: Error, CustomStringConvertible {
        let description: String
    }

    let directory: TemporaryDirectory
    let port: Int
    /// The host's public key, as a known_hosts line for `[127.0.0.1]:port`.
    let knownHostsLine: String
    /// The key the tests fetch with; its public half is the only authorized key.
    let clientKey: SSHKeygen.KeyPair
    /// The user the server lets in: the one running the tests.
    let user: String
    private let process: ChildProcess

    init() throws {
        let sshd = "/usr/sbin/sshd"
        guard FileManager.default.isExecutableFile(atPath: sshd) else {
            throw Failure(description: "\(sshd) is missing: install Debian's openssh-server (scripts/install-dependencies.sh --for-tests).")
        }
        let directory = try TemporaryDirectory(prefix: "tollgate-sshd")
        let keygen = try SSHKeygen()
        let hostKey = try keygen.generateKey(type: "ed25519", in: directory, name: "host_ed25519", comment: "host")
        let clientKey = try keygen.generateKey(type: "ed25519", in: directory, name: "client_ed25519", comment: "client")
        try Data((clientKey.publicKeyLine + "\n").utf8).write(to: URL(fileURLWithPath: directory.appending("authorized_keys")))
        let port = try Self.freePort()
        let config = """
            Port \(port)
            ListenAddress 127.0.0.1
            HostKey \(hostKey.privateKeyPath)
            AuthorizedKeysFile \(directory.appending("authorized_keys"))
            PidFile \(directory.appending("sshd.pid"))
            StrictModes no
            UsePAM no
            PasswordAuthentication no
            KbdInteractiveAuthentication no
            PermitRootLogin prohibit-password
            LogLevel INFO

            """
        try Data(config.utf8).write(to: URL(fileURLWithPath: directory.appending("sshd_config")))
        // sshd started by root wants its privilege separation folder, which a service would create.
        if getuid() == 0 { try FileManager.default.createDirectory(atPath: "/run/sshd", withIntermediateDirectories: true) }
        let process = try ChildProcess(sshd, ["-D", "-e", "-f", directory.appending("sshd_config")])
        let output = process.read(until: "Server listening on")
        guard output.contains("Server listening on") else {
            throw Failure(description: "sshd did not start: \(output)")
        }
        let hostFields = hostKey.publicKeyLine.split(separator: " ")
        self.directory = directory
        self.port = port
        self.knownHostsLine = "[127.0.0.1]:\(port) \(hostFields[0]) \(hostFields[1])"
        self.clientKey = clientKey
        self.user = ProcessInfo.processInfo.userName
        self.process = process
    }

    /// An ssh:// URL of the repository at `path` on this server.
    func url(_ path: String) -> String {
        "ssh://\(user)@127.0.0.1:\(port)\(path)"
    }

    /// Lets `publicKeyLine` in too; sshd reads authorized_keys at every login.
    func authorize(_ publicKeyLine: String) throws {
        let handle = try FileHandle(forWritingTo: URL(fileURLWithPath: directory.appending("authorized_keys")))
        defer { try? handle.close() }
        try handle.seekToEnd()
        try handle.write(contentsOf: Data((publicKeyLine + "\n").utf8))
    }

    /// Writes `lines` as a known_hosts file and returns its path.
    func knownHosts(_ lines: [String], name: String = "known_hosts") throws -> String {
        let path = directory.appending(name)
        try Data((lines.joined(separator: "\n") + "\n").utf8).write(to: URL(fileURLWithPath: path))
        return path
    }

    /// A port nothing listens on now, from the kernel.
    static func freePort() throws -> Int {
        let listener = try LoopbackListener()
        return listener.port
    }

    deinit {
        process.kill()
    }
}

/// A TCP listener on a loopback port that never accepts nor answers: a connection to it is made by
/// the kernel and then hangs, as a host that stopped responding does.
final class LoopbackListener: Sendable {
    let port: Int
    private let socketFD: Int32

    init() throws {
        let fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        guard fd >= 0 else { throw RemoteSSHServer.Failure(description: "no socket: errno \(errno)") }
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_addr.s_addr = inet_addr("127.0.0.1")
        address.sin_port = 0
        let bound = withUnsafePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { bind(fd, $0, socklen_t(MemoryLayout<sockaddr_in>.size)) }
        }
        guard bound == 0, listen(fd, 16) == 0 else {
            close(fd)
            throw RemoteSSHServer.Failure(description: "cannot listen on loopback: errno \(errno)")
        }
        var length = socklen_t(MemoryLayout<sockaddr_in>.size)
        _ = withUnsafeMutablePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { getsockname(fd, $0, &length) }
        }
        port = Int(UInt16(bigEndian: address.sin_port))
        socketFD = fd
    }

    deinit {
        close(socketFD)
    }
}
