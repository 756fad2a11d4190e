import Foundation

/// A git server over HTTPS on loopback, for tests of fetching with a token: Python's http.server
/// runs `git http-backend` as CGI over TLS, with a certificate issued for 127.0.0.1 by a
/// certificate authority that openssl makes for the test.
///
/// Every request must carry HTTP basic credentials whose password is the token (as GitHub and
/// GitLab take a token); any other gets 401 with a Basic challenge. The server writes one line per
/// request to its output, `authorized PATH` or `refused PATH`, and never the credentials.
public final class HTTPSGitServer: Sendable {
    /// The port it listens on, on 127.0.0.1.
    public let port: Int
    /// The PEM certificate of the authority that issued the server's certificate.
    public let caFile: String
    /// The PEM certificate of another authority, which did not.
    public let otherCAFile: String
    private let process: ChildProcess
    private let folder: TemporaryDirectory

    /// Starts a server for the bare repositories under `root` that takes `token` as the password.
    ///
    /// - Throws: when openssl or python3 fails to start or the server does not report its port.
    public init(serving root: String, token: String) throws {
        let folder = try TemporaryDirectory(prefix: "tollgate-https")
        func path(_ name: String) -> String { folder.appending(name) }
        for authority in ["ca", "other-ca"] {
            try GitFixture.run([
                "openssl", "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "2", "-subj", "/CN=Tollgate test \(authority)",
                "-addext", "basicConstraints=critical,CA:TRUE", "-addext", "keyUsage=critical,keyCertSign,cRLSign",
                "-keyout", path("\(authority).key"), "-out", path("\(authority).pem"),
            ])
        }
        try GitFixture.run([
            "openssl", "req", "-newkey", "rsa:2048", "-nodes", "-subj", "/CN=127.0.0.1",
            "-keyout", path("server.key"), "-out", path("server.csr"),
        ])
        try Data("""
            subjectAltName=IP:127.0.0.1
            basicConstraints=CA:FALSE
            keyUsage=critical,digitalSignature,keyEncipherment
            extendedKeyUsage=serverAuth

            """.utf8).write(to: URL(fileURLWithPath: path("server.ext")))
        try GitFixture.run([
            "openssl", "x509", "-req", "-in", path("server.csr"), "-CA", path("ca.pem"), "-CAkey", path("ca.key"),
            "-set_serial", "2", "-days", "2", "-extfile", path("server.ext"), "-out", path("server.pem"),
        ])
        let process = try ChildProcess("/usr/bin/env", [
            "python3", "-c", Self.script, root, path("server.pem"), path("server.key"), token,
        ])
        guard let line = process.line(startingWith: "port "), let port = Int(line.dropFirst(5)) else {
            process.kill()
            throw GitFixtureError(command: "python3 (HTTPS git server)", status: -1, standardError: process.readToEnd())
        }
        self.port = port
        self.caFile = path("ca.pem")
        self.otherCAFile = path("other-ca.pem")
        self.process = process
        self.folder = folder
    }

    /// The URL of the bare repository `name` under the served root.
    public func url(_ name: String) -> String {
        "https://127.0.0.1:\(port)/\(name)"
    }

    /// Stops the server and returns its log: one `authorized PATH` or `refused PATH` line a request.
    public func stop() -> String {
        process.kill()
        return process.readToEnd()
    }

    /// The server: basic authentication with the token as password, then `git http-backend`.
    private static let script = #"""
        import base64, http.server, os, ssl, subprocess, sys
        root, certificate, key, token = sys.argv[1:5]

        class Handler(http.server.BaseHTTPRequestHandler):
            def authorized(self):
                header = self.headers.get("Authorization", "")
                if not header.startswith("Basic "):
                    return False
                try:
                    _, _, password = base64.b64decode(header[6:]).decode().partition(":")
                except Exception:
                    return False
                return password == token

            def serve(self):
                path, _, query = self.path.partition("?")
                if not self.authorized():
                    print("refused", path, flush=True)
                    self.send_response(401)
                    self.send_header("WWW-Authenticate", 'Basic realm="git"')
                    self.send_header("Content-Length", "0")
                    self.end_headers()
                    return
                print("authorized", path, flush=True)
                body = self.rfile.read(int(self.headers.get("Content-Length") or 0))
                environment = dict(os.environ, GIT_PROJECT_ROOT=root, GIT_HTTP_EXPORT_ALL="1", PATH_INFO=path,
                    QUERY_STRING=query, REQUEST_METHOD=self.command, CONTENT_TYPE=self.headers.get("Content-Type", ""),
                    CONTENT_LENGTH=str(len(body)), HTTP_CONTENT_ENCODING=self.headers.get("Content-Encoding", ""),
                    REMOTE_USER="tollgate", REMOTE_ADDR="127.0.0.1")
                output = subprocess.run(["git", "http-backend"], input=body, env=environment, capture_output=True).stdout
                separator = b"\r\n\r\n" if b"\r\n\r\n" in output else b"\n\n"
                head, _, content = output.partition(separator)
                status, fields = 200, []
                for line in head.decode().splitlines():
                    name, _, value = line.partition(":")
                    if name.lower() == "status":
                        status = int(value.split()[0])
                    elif name:
                        fields.append((name, value.strip()))
                self.send_response(status)
                for name, value in fields:
                    self.send_header(name, value)
                self.send_header("Content-Length", str(len(content)))
                self.end_headers()
                self.wfile.write(content)

            do_GET = serve
            do_POST = serve

            def log_message(self, format, *args):
                pass

        server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
        context.load_cert_chain(certificate, key)
        server.socket = context.wrap_socket(server.socket, server_side=True)
        print("port", server.server_address[1], flush=True)
        server.serve_forever()
        """#
}
