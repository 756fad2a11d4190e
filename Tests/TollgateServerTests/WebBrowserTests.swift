import Foundation
import Testing
import TollgateCore
import TollgateTestSupport

/// The web page in a real browser: headless Chromium (Debian's `chromium` and `chromium-driver`)
/// driven by Selenium against the built `tollgate serve`.
@Suite("Web page in a browser")
struct WebBrowserTests {
    static let chromium = "/usr/bin/chromium"
    static let chromedriver = "/usr/bin/chromedriver"

    /// Fails, never skips, when the browser is missing, saying how to install it.
    private func requireBrowser() throws {
        let missing = [Self.chromium, Self.chromedriver].filter { !FileManager.default.isExecutableFile(atPath: $0) }
        let selenium = try CommandResult.run(["/usr/bin/env", "python3", "-c", "import selenium"])
        guard missing.isEmpty, selenium.status == 0 else {
            let what = missing + (selenium.status == 0 ? [] : ["python3's selenium module"])
            Issue.record("The browser test needs \(what.joined(separator: ", ")); run scripts/install-dependencies.sh --for-tests.")
            throw BrowserMissing()
        }
    }

    private struct BrowserMissing: Error {}

    @Test("sign in, search, a cross-site post refused, approve with a pasted ssh-keygen signature, watch a CLI apply live, see APPLIED; approve another stack with one click, attested by the server")
    func reviewInBrowser() async throws {
        try requireBrowser()
        // The server's signing key, which the first policy lists, so that stack api can be approved
        // with one click (session-approvals: true) while web goes through ssh-keygen.
        let keyFolder = try TemporaryDirectory(prefix: "tollgate-server-key")
        let serverKey = try SSHKeygen().generateKey(type: "ed25519", in: keyFolder, name: "server", comment: "tollgate@server")
        let approvals = ReviewFixture.approvals + """
              - name: api
                stacks: [api]
                require:
                  - count: 1
                    from: owners
            session-approvals: true
            server-keys:
              - \(serverKey.publicKeyLine)

            """
        let fixture = try ReviewFixture(extraFiles: [
            "Policies/approvals.yaml": approvals, "Stacks/api/template.yaml": ReviewFixture.template(bucket: "api-assets"),
            "Policies/deployments.yaml": "deployments:\n  - stacks: [web]\n    provider: command\n    command: [Policies/deploy.sh]\n",
            "Policies/deploy.sh": """
                #!/bin/sh
                echo "waiting for the gate"
                while [ ! -e "$TOLLGATE_TEST_GATE" ]; do sleep 0.1; done
                echo "deployed web"

                """,
        ])
        func tollgate(_ arguments: [String]) throws -> CommandResult {
            let result = try TollgateBinary.run(arguments + ["--repo", fixture.git.path, "--state", fixture.statePath])
            #expect(result.status == 0, "tollgate \(arguments.joined(separator: " ")): \(result.standardError)")
            return result
        }
        _ = try tollgate(["init", "--actor", "admin"])
        _ = try tollgate(["sync"])
        let status = try JSONSerialization.jsonObject(with: Data(try tollgate(["status", "--json"]).standardOutput.utf8)) as? [String: Any]
        let stacks = status?["stacks"] as? [[String: Any]]
        let id = try #require(stacks?.first { $0["stack"] as? String == "web" }?["pendingChangeSet"] as? String)
        let sessionID = try #require(stacks?.first { $0["stack"] as? String == "api" }?["pendingChangeSet"] as? String)
        let token = try tollgate(["token", "issue", "amara"]).standardOutput.trimmingCharacters(in: .whitespacesAndNewlines)
        let text = try tollgate(["show", id, "--approval-text"]).standardOutput
        let signaturePath = fixture.folder.appending("approval.sig")
        try Data(try fixture.signatureText(of: text, as: "amara").utf8).write(to: URL(fileURLWithPath: signaturePath))
        let secretPath = fixture.folder.appending("session-secret")
        try Data("a-session-secret-of-at-least-32-bytes-for-the-test\n".utf8).write(to: URL(fileURLWithPath: secretPath))

        let server = try ChildProcess(try TollgateBinary.path(), [
            "serve", "--repo", fixture.git.path, "--state", fixture.statePath, "--listen", "127.0.0.1:0", "--poll", "0s",
            "--session-secret-file", secretPath, "--server-key", serverKey.privateKeyPath,
        ])
        defer { server.kill() }
        let prefix = "Listening on http://127.0.0.1:"
        let listening = try #require(server.line(startingWith: prefix))
        let port = try #require(Int(listening.dropFirst(prefix.count)))

        let screenshots = ProcessInfo.processInfo.environment["TOLLGATE_SCREENSHOTS"] ?? fixture.folder.appending("screenshots")
        try FileManager.default.createDirectory(atPath: screenshots, withIntermediateDirectories: true)
        let config: [String: Any] = [
            "base": "http://127.0.0.1:\(port)", "changeSet": id, "token": token, "signature": signaturePath,
            "sessionChangeSet": sessionID, "serverKey": try SSHPrivateKey(openSSHText: serverKey.privateKeyText).publicKey.fingerprint,
            "gate": fixture.folder.appending("gate"), "screenshots": screenshots, "chromium": Self.chromium, "chromedriver": Self.chromedriver,
            "apply": [try TollgateBinary.path(), "apply", id, "--actor", "amara", "--repo", fixture.git.path, "--state", fixture.statePath],
        ]
        let configPath = fixture.folder.appending("browser.json")
        try JSONSerialization.data(withJSONObject: config).write(to: URL(fileURLWithPath: configPath))
        let scriptPath = fixture.folder.appending("browser_test.py")
        try Data(WebBrowserScript.python.utf8).write(to: URL(fileURLWithPath: scriptPath))

        let run = try CommandResult.run(["/usr/bin/env", "python3", scriptPath, configPath])
        #expect(run.status == 0, "the browser script failed:\n\(run.standardOutput)\n\(run.standardError)")
        #expect(run.standardOutput.contains("OK"))
        for name in ["stack-list.png", "change-set.png"] {
            let size = (try? FileManager.default.attributesOfItem(atPath: screenshots + "/" + name)[.size] as? Int) ?? 0
            #expect(size > 10_000, "screenshot \(name) was not taken")
        }
        let after = try JSONSerialization.jsonObject(with: Data(try tollgate(["status", "--json"]).standardOutput.utf8)) as? [String: Any]
        let statuses = (after?["stacks"] as? [[String: Any]])?.reduce(into: [String: String]()) { $0[$1["stack"] as? String ?? ""] = $1["status"] as? String }
        #expect(statuses == ["api": "APPROVED", "web": "APPLIED"])
        #expect(try tollgate(["audit", "verify"]).status == 0)
    }
}
