import Foundation
import Testing
import TollgateGit
import TollgateTestSupport

/// known_hosts as OpenSSH reads it: names, ports, wildcards, negation, hashed names and @revoked.
@Suite("known_hosts")
struct RemoteKnownHostsTests {
    /// Two ed25519 public keys, as known_hosts key fields and as wire blobs.
    struct Keys {
        let first: (field: String, blob: [UInt8])
        let second: (field: String, blob: [UInt8])

        init() throws {
            let folder = try TemporaryDirectory()
            let keygen = try SSHKeygen()
            func load(_ name: String) throws -> (String, [UInt8]) {
                let fields = try keygen.generateKey(type: "ed25519", in: folder, name: name).publicKeyLine.split(separator: " ")
                return ("\(fields[0]) \(fields[1])", Array(try #require(Data(base64Encoded: String(fields[1])))))
            }
            first = try load("first")
            second = try load("second")
        }
    }

    @Test("a key is accepted only under the names and port it is listed for")
    func names() throws {
        let keys = try Keys()
        let hosts = RemoteKnownHosts(text: """
            # comment
            git.example.com,10.0.0.5 \(keys.first.field)
            [git.example.com]:2222 \(keys.second.field)
            *.corp.example,!bad.corp.example \(keys.first.field)
            @cert-authority *.example.com \(keys.second.field)
            """, path: "known_hosts")
        try hosts.verify(key: keys.first.blob, host: "git.example.com", port: nil)
        try hosts.verify(key: keys.first.blob, host: "10.0.0.5", port: 22)
        try hosts.verify(key: keys.second.blob, host: "git.example.com", port: 2222)
        try hosts.verify(key: keys.first.blob, host: "build.corp.example", port: nil)
        let fingerprint = RemoteKnownHosts.fingerprint(of: keys.first.blob)
        #expect(throws: RemoteFetchError.changedHostKey(host: "[git.example.com]:2222", fingerprint: fingerprint, knownHosts: "known_hosts", line: 3)) {
            try hosts.verify(key: keys.first.blob, host: "git.example.com", port: 2222)
        }
        #expect(throws: RemoteFetchError.unknownHostKey(host: "bad.corp.example", fingerprint: fingerprint, knownHosts: "known_hosts")) {
            try hosts.verify(key: keys.first.blob, host: "bad.corp.example", port: nil)
        }
        // A certificate authority line vouches for no plain key.
        #expect(throws: RemoteFetchError.self) { try hosts.verify(key: keys.second.blob, host: "other.example.com", port: nil) }
    }

    @Test("hashed names match, and a revoked key is refused even when listed")
    func hashedAndRevoked() throws {
        let keys = try Keys()
        let folder = try TemporaryDirectory()
        let path = folder.appending("known_hosts")
        try Data("[127.0.0.1]:2200 \(keys.first.field)\n".utf8).write(to: URL(fileURLWithPath: path))
        try SSHKeygen().run(["-H", "-f", path])
        let hashed = try String(contentsOfFile: path, encoding: .utf8)
        #expect(hashed.hasPrefix("|1|") && !hashed.contains("127.0.0.1"))
        try RemoteKnownHosts(contentsOf: path).verify(key: keys.first.blob, host: "127.0.0.1", port: 2200)
        #expect(throws: RemoteFetchError.self) { try RemoteKnownHosts(contentsOf: path).verify(key: keys.first.blob, host: "127.0.0.1", port: 2201) }

        let revoked = RemoteKnownHosts(text: "host \(keys.first.field)\n@revoked * \(keys.first.field)\n", path: "kh")
        #expect(throws: RemoteFetchError.revokedHostKey(
            host: "host", fingerprint: RemoteKnownHosts.fingerprint(of: keys.first.blob), knownHosts: "kh", line: 2)) {
            try revoked.verify(key: keys.first.blob, host: "host", port: nil)
        }
    }

    @Test("the fingerprint is the one ssh-keygen prints")
    func fingerprint() throws {
        let folder = try TemporaryDirectory()
        let key = try SSHKeygen().generateKey(type: "ed25519", in: folder, name: "id")
        let printed = try SSHKeygen().run(["-l", "-E", "sha256", "-f", key.privateKeyPath + ".pub"]).standardOutput.split(separator: " ")[1]
        let blob = try #require(Data(base64Encoded: String(key.publicKeyLine.split(separator: " ")[1])))
        #expect(RemoteKnownHosts.fingerprint(of: Array(blob)) == String(printed))
    }
}
