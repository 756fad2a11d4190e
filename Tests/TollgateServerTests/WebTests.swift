import AsyncHTTPClient
import Foundation
import HTTPTypes
import Hummingbird
import HummingbirdTesting
import NIOCore
import NIOHTTP1
import Testing
import TollgateCore
import TollgateEngine
import TollgateServer
import TollgateStore
import TollgateTestSupport

@Suite("Web page")
struct WebTests {
    /// A fixture whose repository is synced, so stack `web` has a PENDING change set.
    private func synced() async throws -> (ServerFixture, ChangeSetRecord) {
        let fixture = try await ServerFixture()
        _ = try await ChangeSetSynchronizer(repository: try fixture.review.repository(), store: fixture.store, actor: "tollgate").sync()
        return (fixture, try #require(try await fixture.openChangeSets().first))
    }

    @Test("every page without a session redirects to sign-in, coming back to the page afterwards", arguments: [
        "/", "/?q=we", "/change-sets/cs-12345678", "/change-sets/cs-12345678/events", "/audit", "/audit.csv", "/audit.json",
        "/change-sets/cs-12345678/approval-text?verdict=approve",
    ])
    func needsSession(_ path: String) async throws {
        let fixture = try await ServerFixture()
        try await fixture.test { client in
            let response = try await getPage(client, path, session: nil)
            #expect(response.status == .seeOther)
            let location = try #require(response.headers[.location])
            #expect(location.hasPrefix("/sign-in?next="))
            #expect(URLComponents(string: location)?.queryItems?.first { $0.name == "next" }?.value == path)
        }
    }

    @Test("sign-in sets an HttpOnly, SameSite=Strict cookie, Secure behind a TLS proxy; a wrong token is refused with the reason")
    func signingIn() async throws {
        let (fixture, _) = try await synced()
        let token = try await fixture.token(for: "amara")
        try await fixture.test { client in
            try await client.execute(uri: "/sign-in", method: .get) { response in
                let header = try #require(sessionCookie(response)).header
                #expect(header.contains("HttpOnly"))
                #expect(header.contains("SameSite=Strict"))
                #expect(!header.contains("Secure"))
            }
            try await client.execute(uri: "/sign-in", method: .get, headers: fields([("X-Forwarded-Proto", "https")])) { response in
                #expect(sessionCookie(response)?.header.contains("Secure") == true)
            }
            let form = try await signInForm(client)
            let refused = try await postForm(client, "/sign-in", session: form, [("csrf", form.csrf), ("token", "tgt_" + String(repeating: "1", count: 64))])
            #expect(refused.status == .unauthorized)
            #expect(String(buffer: refused.body).contains("not one Tollgate issued"))
            #expect(sessionCookie(refused) == nil)

            let session = try await signIn(client, token: token.token)
            let page = try await getPage(client, "/", session: session)
            let html = String(buffer: page.body)
            #expect(page.status == .ok)
            #expect(html.contains(#"<strong id="reviewer">amara</strong>"#))
            #expect(html.contains(#"<tr data-stack="web">"#))
            #expect(html.contains("PENDING"))
        }
    }

    @Test("after sign-in the browser goes back only to a path on this server", arguments: [
        ("/audit?stack=web", "/audit?stack=web"), ("//evil.example/", "/"), ("https://evil.example/", "/"), ("/\\evil.example", "/"),
        ("/sign-in", "/"),
    ])
    func nextIsLocal(_ next: String, _ expected: String) async throws {
        let fixture = try await ServerFixture()
        let token = try await fixture.token()
        try await fixture.test { client in
            let form = try await signInForm(client)
            let response = try await postForm(client, "/sign-in", session: form, [("csrf", form.csrf), ("token", token.token), ("next", next)])
            #expect(response.status == .seeOther)
            #expect(response.headers[.location] == expected)
        }
    }

    @Test("a session secret shorter than 32 bytes or an unreadable secret file is refused, naming it")
    func sessionSecrets() throws {
        #expect(throws: WebSessionSecretError.tooShort(bytes: 5)) { try WebSessions(secret: Array("short".utf8)) }
        #expect(throws: WebSessionSecretError.unreadable(path: "/nonexistent/secret")) {
            try WebSessions.secret(environment: [:], file: "/nonexistent/secret")
        }
        #expect(try WebSessions.secret(environment: ["TOLLGATE_SESSION_SECRET": "  abc\n"], file: nil) == Array("abc".utf8))
        #expect(WebSessionSecretError.tooShort(bytes: 5).description.contains("at least 32"))
    }

    @Test("a signed-in session is a new one: the anonymous cookie's CSRF token does not work after sign-in")
    func sessionFixation() async throws {
        let fixture = try await ServerFixture()
        let token = try await fixture.token()
        try await fixture.test { client in
            let before = try await signInForm(client)
            let after = try await signIn(client, token: token.token)
            #expect(before.csrf != after.csrf)
            let response = try await postForm(client, "/sign-out", session: after, [("csrf", before.csrf)])
            #expect(response.status == .forbidden)
        }
    }

    @Test("a forged or tampered cookie is no session")
    func forgedCookies() async throws {
        let fixture = try await ServerFixture()
        let token = try await fixture.token()
        try await fixture.test { client in
            let session = try await signIn(client, token: token.token)
            let value = String(session.cookie.dropFirst("tollgate_session=".count))
            let parts = value.split(separator: ".").map(String.init)
            // The same payload re-signed by a key the server does not hold.
            let other = WebSessions()
            let otherServer = TollgateServer(
                repository: fixture.server.repository, store: fixture.store, secrets: fixture.server.secrets, clock: fixture.review.clock,
                sessions: other)
            let foreign = try await otherServer.application(host: "127.0.0.1", port: 0, pollInterval: nil).test(.router) { otherClient in
                try await signIn(otherClient, token: token.token).cookie
            }
            var flipped = Array(parts[0])
            flipped[flipped.count / 2] = flipped[flipped.count / 2] == "A" ? "B" : "A"
            let cookies = [
                "tollgate_session=" + String(flipped) + "." + parts[1],
                "tollgate_session=" + parts[0] + "." + String(parts[1].reversed()),
                "tollgate_session=" + parts[0],
                "tollgate_session=garbage",
                foreign,
            ]
            for cookie in cookies {
                let response = try await getPage(client, "/", session: WebSession(cookie: cookie, csrf: session.csrf))
                #expect(response.status == .seeOther, "\(cookie)")
                #expect(response.headers[.location]?.hasPrefix("/sign-in") == true)
            }
        }
    }

    @Test("a revoked or expired token ends its session at the next request, and the cookie is cleared")
    func revokedToken() async throws {
        let fixture = try await ServerFixture()
        let revoked = try await fixture.token(for: "amara")
        let expiring = try await fixture.token(for: "bastien", lifetime: 60)
        try await fixture.test { client in
            let first = try await signIn(client, token: revoked.token)
            let second = try await signIn(client, token: expiring.token)
            _ = try await AccessTokens(store: fixture.store, clock: fixture.review.clock).revoke(id: revoked.record.id, actor: "lead")
            fixture.review.clock.advance(by: 120)
            for (session, reason) in [(first, "revoked"), (second, "expired")] {
                let response = try await getPage(client, "/audit", session: session)
                #expect(response.status == .seeOther)
                #expect(response.headers[.location]?.contains("ended=\(reason)") == true)
                #expect(sessionCookie(response)?.header.contains("Max-Age=0") == true)
                let signIn = try await getPage(client, try #require(response.headers[.location]), session: nil)
                #expect(String(buffer: signIn.body).contains("Your token \(reason == "revoked" ? "was revoked" : "expired")"))
            }
        }
    }

    @Test("a POST without the session's CSRF token, or with a wrong one, is 403 and changes nothing")
    func csrf() async throws {
        let (fixture, record) = try await synced()
        let token = try await fixture.token(for: "amara")
        let signature = try fixture.review.signatureText(of: record.approvalText(for: .approve), as: "amara")
        try await fixture.test { client in
            let session = try await signIn(client, token: token.token)
            let other = try await signIn(client, token: token.token)
            for csrf in [nil, "", "AAAA", other.csrf] {
                var pairs = [("signature", signature)]
                if let csrf { pairs.append(("csrf", csrf)) }
                let approve = try await postForm(client, "/change-sets/\(record.id)/approve", session: session, pairs)
                #expect(approve.status == .forbidden, "csrf \(csrf ?? "missing")")
                #expect(String(buffer: approve.body).contains("CSRF token is missing or wrong"))
                let signOut = try await postForm(client, "/sign-out", session: session, csrf.map { [("csrf", $0)] } ?? [])
                #expect(signOut.status == .forbidden)
            }
            // A sign-in form posted from another site carries no cookie of ours.
            let crossSite = try await client.execute(
                uri: "/sign-in", method: .post, headers: fields(formHeaders + [("Origin", "https://evil.example")]),
                body: formBody([("token", token.token)])) { $0 }
            #expect(crossSite.status == .forbidden)
            #expect(sessionCookie(crossSite) == nil)
            #expect(try await fixture.store.approvals(changeSetID: record.id).isEmpty)
            #expect(try await fixture.store.changeSet(id: record.id).status == .pending)
            #expect(try await getPage(client, "/", session: session).status == .ok, "still signed in")
        }
    }

    @Test("approving with a pasted ssh-keygen signature records it as the CLI does; the stack list then shows APPROVED")
    func approve() async throws {
        let (fixture, record) = try await synced()
        let token = try await fixture.token(for: "amara")
        try await fixture.test { client in
            let session = try await signIn(client, token: token.token)
            let page = try await getPage(client, "/change-sets/\(record.id)", session: session)
            let html = String(buffer: page.body)
            #expect(page.status == .ok)
            #expect(html.contains("ssh-keygen -Y sign -f ~/.ssh/id_ed25519 -n tollgate \(record.id)-approve.txt"))
            #expect(html.contains(record.approvalText(for: .approve).htmlEscaped.trimmingCharacters(in: .newlines)))
            #expect(html.contains(#"id="approve-button""#))
            #expect(html.contains("Carol Outsider"))

            let text = try await getPage(client, "/change-sets/\(record.id)/approval-text?verdict=approve", session: session)
            #expect(String(buffer: text.body) == record.approvalText(for: .approve))
            // As a browser sends a textarea: CRLF line ends, here also indented as a careless paste may be.
            let original = try fixture.review.signatureText(of: String(buffer: text.body), as: "amara")
            let signature = original.split(separator: "\n").map { "  " + $0 }.joined(separator: "\r\n")

            let posted = try await postForm(client, "/change-sets/\(record.id)/approve", session: session, [("csrf", session.csrf), ("signature", signature)])
            #expect(posted.status == .seeOther)
            #expect(posted.headers[.location] == "/change-sets/\(record.id)?recorded=approve")
            let approvals = try await fixture.store.approvals(changeSetID: record.id)
            #expect(approvals.map(\.reviewer) == ["amara"])
            let stored = try #require(approvals.first?.signature)
            #expect(try SSHSignature(armored: stored) == SSHSignature(armored: original))
            #expect(try await fixture.store.changeSet(id: record.id).status == .approved)

            let after = String(buffer: try await getPage(client, "/change-sets/\(record.id)?recorded=approve", session: session).body)
            #expect(after.contains("Your approval is recorded."))
            #expect(after.contains(#"<dd id="status">APPROVED"#))
            let list = String(buffer: try await getPage(client, "/", session: session).body)
            #expect(list.contains(#"<td class="status">APPROVED</td>"#))
        }
    }

    @Test("a signature made with another reviewer's key is refused, naming both, and nothing is recorded")
    func someoneElsesSignature() async throws {
        let (fixture, record) = try await synced()
        let token = try await fixture.token(for: "amara")
        let bastiens = try fixture.review.signatureText(of: record.approvalText(for: .approve), as: "bastien")
        let mallorys = try fixture.review.signatureText(of: record.approvalText(for: .approve), as: "mallory")
        try await fixture.test { client in
            let session = try await signIn(client, token: token.token)
            let response = try await postForm(client, "/change-sets/\(record.id)/approve", session: session, [("csrf", session.csrf), ("signature", bastiens)])
            #expect(response.status == .forbidden)
            let html = String(buffer: response.body)
            #expect(html.contains("made with the key of bastien, but you are signed in as amara"))
            let unlisted = try await postForm(client, "/change-sets/\(record.id)/approve", session: session, [("csrf", session.csrf), ("signature", mallorys)])
            #expect(unlisted.status == .forbidden)
            #expect(String(buffer: unlisted.body).contains("not listed"))
            let garbage = try await postForm(client, "/change-sets/\(record.id)/approve", session: session, [("csrf", session.csrf), ("signature", "hello")])
            #expect(garbage.status == .badRequest)
            #expect(String(buffer: garbage.body).contains("not an ssh-keygen signature"))
        }
        #expect(try await fixture.store.approvals(changeSetID: record.id).isEmpty)
        #expect(try await fixture.store.changeSet(id: record.id).status == .pending)
    }

    @Test("a rejection with its reason is recorded and shown")
    func reject() async throws {
        let (fixture, record) = try await synced()
        let token = try await fixture.token(for: "bastien")
        let signature = try fixture.review.signatureText(of: record.approvalText(for: .reject), as: "bastien")
        try await fixture.test { client in
            let session = try await signIn(client, token: token.token)
            let posted = try await postForm(
                client, "/change-sets/\(record.id)/reject", session: session,
                [("csrf", session.csrf), ("signature", signature), ("reason", "not <b>now</b>")])
            #expect(posted.status == .seeOther)
            let html = String(buffer: try await getPage(client, "/change-sets/\(record.id)", session: session).body)
            #expect(html.contains("REJECTED"))
            #expect(html.contains("not &lt;b&gt;now&lt;/b&gt;"))
        }
        #expect(try await fixture.store.changeSet(id: record.id).status == .rejected)
    }

    @Test("hostile commit messages and template values show as text, never as markup")
    func hostileText() async throws {
        let fixture = try await ServerFixture()
        try await fixture.review.recordStackApplied(at: fixture.review.firstCommit, in: fixture.store)
        try fixture.review.git.write("Stacks/web/template.yaml", ReviewFixture.template(bucket: "<script>alert(2)</script>"))
        _ = try fixture.review.git.commit("<script>alert(\"pwned\")</script> & <img src=x onerror=alert(1)>", author: ReviewFixture.outsider)
        _ = try await ChangeSetSynchronizer(repository: try fixture.review.repository(), store: fixture.store, actor: "tollgate").sync()
        let record = try #require(try await fixture.openChangeSets().first)
        let token = try await fixture.token()
        try await fixture.test { client in
            let session = try await signIn(client, token: token.token)
            let html = String(buffer: try await getPage(client, "/change-sets/\(record.id)", session: session).body)
            #expect(html.contains("&lt;script&gt;alert(&quot;pwned&quot;)&lt;/script&gt; &amp; &lt;img src=x onerror=alert(1)&gt;"))
            #expect(html.contains("&lt;script&gt;alert(2)&lt;/script&gt;"))
            #expect(!html.contains("<script>alert"))
            #expect(!html.contains("<img"))
            let search = String(buffer: try await getPage(client, "/?q=%22%3E%3Cscript%3E", session: session).body)
            #expect(search.contains(#"value="&quot;&gt;&lt;script&gt;""#))
            #expect(!search.contains("\"><script>"))
        }
    }

    @Test("replacements and removals come first and are marked, with before and after values")
    func changeOrder() async throws {
        let fixture = try await ServerFixture()
        try await fixture.review.recordStackApplied(at: fixture.review.firstCommit, in: fixture.store)
        try fixture.review.git.write("Stacks/web/template.yaml", ReviewFixture.template(bucket: "web-assets-2") + "  Aardvark:\n    Type: AWS::SNS::Topic\n")
        _ = try fixture.review.git.commit("rename the bucket, add a topic", author: ReviewFixture.outsider)
        _ = try await ChangeSetSynchronizer(repository: try fixture.review.repository(), store: fixture.store, actor: "tollgate").sync()
        let record = try #require(try await fixture.openChangeSets().first)
        let token = try await fixture.token()
        try await fixture.test { client in
            let session = try await signIn(client, token: token.token)
            let html = String(buffer: try await getPage(client, "/change-sets/\(record.id)", session: session).body)
            let replaced = try #require(html.range(of: #"<td class="mark">REPLACED</td><td>Modify</td><td>Assets</td>"#))
            let added = try #require(html.range(of: "<td>Add</td><td>Aardvark</td>"))
            #expect(replaced.lowerBound < added.lowerBound)
            #expect(html.contains("<td>Properties.BucketName</td><td><code>web-assets</code></td><td><code>web-assets-2</code></td><td>Always</td>"))
            #expect(html.contains("destructive"))
            // Destructive: two owners needed, and the page says from whom.
            #expect(html.contains(#"<td class="missing">2</td><td>amara, bastien</td>"#))
        }
    }

    @Test("search keeps the stacks whose name contains the text")
    func search() async throws {
        let (fixture, _) = try await synced()
        let token = try await fixture.token()
        try await fixture.test { client in
            let session = try await signIn(client, token: token.token)
            #expect(String(buffer: try await getPage(client, "/?q=we", session: session).body).contains(#"data-stack="web""#))
            let none = String(buffer: try await getPage(client, "/?q=nothing-like-it", session: session).body)
            #expect(!none.contains(#"data-stack="web""#))
            #expect(none.contains("No stack matches."))
            let long = try await getPage(client, "/?q=" + String(repeating: "x", count: 201), session: session)
            #expect(long.status == .badRequest)
        }
    }

    @Test("an unknown change set is a 404 page, a malformed id 400, a path traversal 400")
    func badIDs() async throws {
        let fixture = try await ServerFixture()
        let token = try await fixture.token()
        try await fixture.test { client in
            let session = try await signIn(client, token: token.token)
            let unknown = try await getPage(client, "/change-sets/cs-00000000", session: session)
            #expect(unknown.status == .notFound)
            #expect(unknown.headers[.contentType]?.hasPrefix("text/html") == true)
            #expect(String(buffer: unknown.body).contains("No change set has the id cs-00000000."))
            #expect(try await getPage(client, "/change-sets/cs-00000000/events", session: session).status == .notFound)
            let malformed = try await getPage(client, "/change-sets/cs%3Cb%3E", session: session)
            #expect(malformed.status == .badRequest)
            #expect(!String(buffer: malformed.body).contains("<b>"))
            for path in ["/change-sets/..%2F..%2Fetc%2Fpasswd", "/static/..%2F..%2Fetc%2Fpasswd", "/static/../../etc/passwd"] {
                #expect(try await getPage(client, path, session: session).status == .badRequest, "\(path)")
            }
        }
    }

    @Test("an oversized form is 413 and a form of another content type 415; nothing is recorded")
    func oversizedForm() async throws {
        let (fixture, record) = try await synced()
        let token = try await fixture.token()
        try await fixture.test { client in
            let session = try await signIn(client, token: token.token)
            let big = try await postForm(
                client, "/change-sets/\(record.id)/approve", session: session,
                [("csrf", session.csrf), ("signature", String(repeating: "A", count: 70_000))])
            #expect(big.status == .contentTooLarge)
            let json = try await client.execute(
                uri: "/change-sets/\(record.id)/approve", method: .post,
                headers: fields([("Content-Type", "application/json"), ("Cookie", session.cookie)]), body: ByteBuffer(string: "{}")) { $0 }
            #expect(json.status == .unsupportedMediaType)
        }
        #expect(try await fixture.store.approvals(changeSetID: record.id).isEmpty)
    }

    @Test("the audit page filters; the CSV download neutralises formulas, the JSON one is the API's")
    func audit() async throws {
        let fixture = try await ServerFixture()
        let token = try await fixture.token()
        _ = try await AccessTokens(store: fixture.store, clock: fixture.review.clock).issue(
            reviewer: "dana", lifetime: nil, actor: "=HYPERLINK(\"http://evil.example\")", repository: try fixture.review.repository())
        try await fixture.test { client in
            let session = try await signIn(client, token: token.token)
            let page = String(buffer: try await getPage(client, "/audit?actor=lead", session: session).body)
            #expect(page.contains("token.issued"))
            #expect(!page.contains("HYPERLINK"))
            #expect(page.contains(#"href="/audit.csv?actor=lead""#))
            let bad = try await getPage(client, "/audit?since=yesterday", session: session)
            #expect(bad.status == .badRequest)

            let csv = try await getPage(client, "/audit.csv", session: session)
            #expect(csv.headers[.contentType]?.hasPrefix("text/csv") == true)
            #expect(csv.headers[.contentDisposition]?.contains("attachment") == true)
            let text = String(buffer: csv.body)
            #expect(text.hasPrefix("sequence,time,actor,action,"))
            #expect(text.contains(#""'=HYPERLINK(""http://evil.example"")""#))
            #expect(!text.contains(",=HYPERLINK"))

            let json = try await getPage(client, "/audit.json?actor=lead", session: session)
            let entries = try JSONSerialization.jsonObject(with: Data(Array(json.body.readableBytesView))) as? [[String: Any]] ?? []
            #expect(!entries.isEmpty)
            #expect(entries.allSatisfy { $0["actor"] as? String == "lead" })
        }
    }

    @Test("every response carries the Content-Security-Policy and the other protective headers", arguments: [
        "/sign-in", "/", "/static/tollgate.js", "/api/stacks", "/no/such/page",
    ])
    func securityHeaders(_ path: String) async throws {
        let fixture = try await ServerFixture()
        try await fixture.test { client in
            let response = try await getPage(client, path, session: nil)
            let policy = try #require(response.headers[.contentSecurityPolicy])
            #expect(policy.contains("default-src 'self'"))
            #expect(policy.contains("frame-ancestors 'none'"))
            #expect(!policy.contains("unsafe-inline"))
            #expect(response.headers[HTTPField.Name("X-Content-Type-Options")!] == "nosniff")
            #expect(response.headers[HTTPField.Name("Referrer-Policy")!] == "no-referrer")
        }
    }

    @Test("pages have no inline script; the script is served from /static")
    func noInlineScript() async throws {
        let (fixture, record) = try await synced()
        let token = try await fixture.token()
        try await fixture.test { client in
            let session = try await signIn(client, token: token.token)
            for path in ["/", "/change-sets/\(record.id)", "/audit", "/sign-in"] {
                let html = String(buffer: try await getPage(client, path, session: session).body)
                #expect(html.components(separatedBy: "<script").count - 1 == html.components(separatedBy: #"<script src="/static/tollgate.js" defer></script>"#).count - 1)
                #expect(!html.contains(" on"), "no inline event handler on \(path)")
            }
            let script = try await getPage(client, "/static/tollgate.js", session: nil)
            #expect(script.headers[.contentType]?.hasPrefix("text/javascript") == true)
            #expect(String(buffer: script.body).contains("EventSource"))
        }
    }

    @Test("the events stream sends a running apply's lines as they are recorded and ends with the result")
    func events() async throws {
        let (fixture, record) = try await synced()
        let token = try await fixture.token()
        let signature = try fixture.review.sign(record, as: "amara")
        _ = try await ReviewService(store: fixture.store, clock: fixture.review.clock)
            .record(.approve, changeSetID: record.id, signature: signature, repository: try fixture.review.repository())
        let execution = "ex-0000e7e1"
        _ = try await fixture.store.transaction { try await $0.startExecution(id: execution, changeSetID: record.id, actor: "amara") }
        try await fixture.store.transaction { try await $0.recordProviderOutput(executionID: execution, output: "CREATE_IN_PROGRESS Assets\n") }
        try await fixture.server.application(host: "127.0.0.1", port: 0, pollInterval: nil).test(.live) { client in
            let port = try #require(client.port)
            let session = try await signIn(client, token: token.token)
            let http = HTTPClient(eventLoopGroupProvider: .singleton)
            do {
                var request = HTTPClientRequest(url: "http://127.0.0.1:\(port)/change-sets/\(record.id)/events")
                request.headers.add(name: "Cookie", value: session.cookie)
                let response = try await http.execute(request, timeout: .seconds(60))
                #expect(response.status == .ok)
                #expect(response.headers.first(name: "Content-Type")?.hasPrefix("text/event-stream") == true)
                var received = ""
                var finished = false
                for try await chunk in response.body {
                    received += String(buffer: chunk)
                    if !finished, received.contains("data: CREATE_IN_PROGRESS Assets") {
                        finished = true
                        try await fixture.store.transaction {
                            try await $0.recordProviderOutput(executionID: execution, output: "CREATE_IN_PROGRESS Assets\nCREATE_COMPLETE Assets\n")
                        }
                        _ = try await fixture.store.transaction {
                            try await $0.finishExecution(
                                id: execution, result: .succeeded, providerOutput: "CREATE_IN_PROGRESS Assets\nCREATE_COMPLETE Assets\n", actor: "amara")
                        }
                    }
                }
                #expect(received.contains("event: started\ndata: \(execution)\n\n"))
                #expect(received.contains("id: \(execution):0\nevent: line\ndata: CREATE_IN_PROGRESS Assets\n\n"))
                #expect(received.contains("id: \(execution):1\nevent: line\ndata: CREATE_COMPLETE Assets\n\n"))
                #expect(received.hasSuffix("event: end\ndata: SUCCEEDED\n\n"))
            } catch {
                try await http.shutdown()
                throw error
            }
            try await http.shutdown()
        }
    }
}

extension String {
    /// As mustache escapes text into HTML.
    var htmlEscaped: String {
        replacingOccurrences(of: "&", with: "&amp;").replacingOccurrences(of: "<", with: "&lt;").replacingOccurrences(of: ">", with: "&gt;")
            .replacingOccurrences(of: "\"", with: "&quot;").replacingOccurrences(of: "'", with: "&#39;")
    }
}
