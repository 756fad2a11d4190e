import Foundation
import Testing
import TollgateAWS
import TollgateTestSupport

/// Faults on the way to AWS: each ends in one ``AWSError`` that names the action, keeps AWS's
/// code and message, retries only what may go through, and never holds a secret.
@Suite("AWS faults")
struct FaultTests {
    static let describeStacks = """
        <DescribeStacksResponse xmlns="http://cloudformation.amazonaws.com/doc/2010-05-15/">
          <DescribeStacksResult><Stacks><member>
            <StackName>payments</StackName>
            <StackId>arn:aws:cloudformation:us-east-1:123456789012:stack/payments/e1</StackId>
            <StackStatus>CREATE_COMPLETE</StackStatus>
          </member></Stacks></DescribeStacksResult>
          <ResponseMetadata><RequestId>b9b4b068-3a41-11e5-94eb-example</RequestId></ResponseMetadata>
        </DescribeStacksResponse>
        """

    static func errorDocument(_ code: String, _ message: String, type: String = "Sender") -> String {
        """
        <ErrorResponse xmlns="http://cloudformation.amazonaws.com/doc/2010-05-15/">
          <Error><Type>\(type)</Type><Code>\(code)</Code><Message>\(message)</Message></Error>
          <RequestId>4af14eec-350e-11e4-b260-example</RequestId>
        </ErrorResponse>
        """
    }

    @Test("a 5xx then success is retried after a backoff wait, and the request is signed afresh")
    func serverErrorThenSuccess() async throws {
        let sleeps = RecordedSleeps()
        let (client, transport) = cannedCloudFormation(
            [.response(503, "Service Unavailable"), .response(200, Self.describeStacks)], sleeps: sleeps
        )
        let stack = try await client.describeStack(name: "payments")
        #expect(stack?.status == StackStatus(rawValue: "CREATE_COMPLETE"))
        #expect(sleeps.all == [.milliseconds(100)])
        #expect(transport.sent.count == 2)
        #expect(transport.sent.allSatisfy { $0.header("Authorization")?.hasPrefix("AWS4-HMAC-SHA256 ") == true })
    }

    @Test("5xx until the retries run out ends with the action, the attempts and AWS's message")
    func serverErrorExhausted() async throws {
        let sleeps = RecordedSleeps()
        let failure = Self.errorDocument("InternalFailure", "We encountered an internal error.", type: "Receiver")
        let (client, transport) = cannedCloudFormation(Array(repeating: .response(500, failure), count: 6), sleeps: sleeps)
        let error = try await #require(throws: AWSError.self) { try await client.describeStack(name: "payments") }
        #expect(transport.sent.count == 4)
        #expect(sleeps.all == [.milliseconds(100), .milliseconds(200), .milliseconds(400)])
        #expect(error.kind == .unavailable)
        #expect(error.code == "InternalFailure")
        #expect("\(error)".contains("DescribeStacks failed after 4 attempts: InternalFailure: We encountered an internal error."))
        #expect("\(error)".contains("4af14eec-350e-11e4-b260-example"))
    }

    @Test("throttling is retried, and named as throttling when it does not stop", arguments: ["Throttling", "RequestLimitExceeded"])
    func throttling(_ code: String) async throws {
        let sleeps = RecordedSleeps()
        let throttled = CannedTransport.Answer.response(400, Self.errorDocument(code, "Rate exceeded"))
        let (client, _) = cannedCloudFormation([throttled, .response(200, Self.describeStacks)], sleeps: sleeps)
        #expect(try await client.describeStack(name: "payments") != nil)
        #expect(sleeps.all.count == 1)

        let (stubborn, transport) = cannedCloudFormation(Array(repeating: throttled, count: 4))
        let error = try await #require(throws: AWSError.self) { try await stubborn.describeStack(name: "payments") }
        #expect(error.kind == .throttled)
        #expect(transport.sent.count == 4)
    }

    @Test("a request AWS rejects is not retried, and keeps AWS's code and message")
    func rejectionIsFinal() async throws {
        let (client, transport) = cannedCloudFormation([
            .response(400, Self.errorDocument("ValidationError", "Template format error: unsupported structure.")),
        ])
        let request = ChangeSetRequest(stackName: "payments", changeSetName: "tg-1", type: .create, templateBody: "{}")
        let error = try await #require(throws: AWSError.self) { try await client.createChangeSet(request) }
        #expect(transport.sent.count == 1)
        #expect(error.kind == .rejected)
        guard case .service(let fault, let attempts) = error else { Issue.record("\(error)"); return }
        #expect(fault.action == "CreateChangeSet")
        #expect(fault.code == "ValidationError")
        #expect(fault.message == "Template format error: unsupported structure.")
        #expect(fault.requestID == "4af14eec-350e-11e4-b260-example")
        #expect(attempts == 1)
    }

    @Test("an endpoint that cannot be reached is retried, then fails naming it and keeping the cause")
    func unreachable() async throws {
        let sleeps = RecordedSleeps()
        let port = try closedPort()
        let client = LiveCloudFormationClient.make(
            region: "eu-west-1", credentials: TestCredentials.provider,
            endpoint: try AWSEndpoint(url: "http://127.0.0.1:\(port)"), retry: sleeps.policy(maximumAttempts: 3)
        )
        let error = try await #require(throws: AWSError.self) { try await client.describeStack(name: "payments") }
        guard case .unreachable(let action, let endpoint, let attempts, let cause) = error else {
            Issue.record("\(error)")
            return
        }
        #expect(action == "DescribeStacks")
        #expect(endpoint == "http://127.0.0.1:\(port)")
        #expect(attempts == 3)
        #expect(!"\(cause)".isEmpty)
        #expect(sleeps.all == [.milliseconds(100), .milliseconds(200)])
        #expect(error.kind == .unavailable)
    }

    @Test("missing credentials fail before anything is sent")
    func missingCredentials() async throws {
        struct NoCredentials: AWSCredentialProvider {
            func credentials() async throws(AWSError) -> AWSCredentials {
                throw .missingCredentials(searched: ["the test"])
            }
        }
        let transport = CannedTransport([])
        let client = LiveCloudFormationClient.make(region: "eu-west-1", credentials: NoCredentials(), transport: transport)
        let error = try await #require(throws: AWSError.self) { try await client.describeStack(name: "payments") }
        #expect(error.kind == .credentials)
        #expect(transport.sent.isEmpty)
    }

    @Test("a deployment's client is refused at once without credentials or with a bad endpoint-url")
    func deploymentClientChecksFirst() throws {
        let nowhere = AWSCredentialChain(environment: [:], homeDirectory: "/nonexistent")
        #expect {
            try LiveCloudFormationClient.forDeployment(region: "eu-west-1", credentialChain: nowhere)
        } throws: { error in
            (error as? AWSError)?.kind == .credentials
        }
        let keys = AWSCredentialChain(
            environment: ["AWS_ACCESS_KEY_ID": "AKID", "AWS_SECRET_ACCESS_KEY": TestCredentials.secret],
            homeDirectory: "/nonexistent"
        )
        #expect {
            try LiveCloudFormationClient.forDeployment(region: "eu-west-1", endpointURL: "localhost:5000", credentialChain: keys)
        } throws: { error in
            (error as? AWSError)?.kind == .configuration && "\(error)".contains("localhost:5000")
        }
    }

    @Test("credentials AWS refuses end with AWS's own words, not retried (moto checking signatures)")
    func refusedCredentials() async throws {
        let server = try MotoServer.startCheckingCredentials()
        defer { server.stop() }
        let sleeps = RecordedSleeps()
        let client = LiveCloudFormationClient.make(
            region: "eu-west-1", credentials: TestCredentials.provider,
            endpoint: try AWSEndpoint(url: server.endpoint), retry: sleeps.policy()
        )
        let error = try await #require(throws: AWSError.self) { try await client.describeStack(name: "payments") }
        #expect(error.kind == .refused, "\(error)")
        #expect(error.code == "InvalidClientTokenId")
        #expect("\(error)".contains("DescribeStacks"))
        #expect(sleeps.all.isEmpty)
        #expect(TestCredentials.holdsNoSecret("\(error)"))
    }

    @Test("no error text holds the secret or the session token")
    func errorsHoldNoSecret() async throws {
        let sentinel = TestCredentials.secret
        var errors: [AWSError] = [
            .missingCredentials(searched: ["x"]), .incompleteCredentials(source: "the environment", missing: "y"),
            .profileNotFound(profile: "p", files: ["f"]), .unsupportedProfile(profile: "p", file: "f", setting: "s"),
            .malformedProfileFile(path: "f", line: 1, reason: "r"), .invalidEndpoint("ftp://x"),
            .templateTooLarge(stackName: "s", bytes: 60_000, limit: 51_200), .cancelled(action: "A"),
        ]
        let answers: [CannedTransport.Answer] = [
            .response(403, Self.errorDocument("SignatureDoesNotMatch", "The request signature we calculated does not match")),
            .response(400, Self.errorDocument("ExpiredToken", "The security token included in the request is expired")),
            .response(200, "not xml"),
            .connectionRefused,
        ]
        for answer in answers {
            let (client, transport) = cannedCloudFormation(Array(repeating: answer, count: 5))
            do {
                _ = try await client.describeStack(name: "payments")
                Issue.record("expected an error for \(answer)")
            } catch {
                errors.append(error)
            }
            #expect(transport.sent.allSatisfy { $0.header("X-Amz-Security-Token") == TestCredentials.token })
        }
        for error in errors {
            for text in ["\(error)", String(reflecting: error), error.localizedDescription] {
                #expect(!text.contains(sentinel) && TestCredentials.holdsNoSecret(text), "\(text)")
            }
        }
    }

    @Test("an endpoint-url must be http or https with a host", arguments: ["ftp://x", "127.0.0.1:5000", "http://", "http://h/p?q=1"])
    func invalidEndpoint(_ url: String) {
        #expect {
            try AWSEndpoint(url: url)
        } throws: { error in
            "\(error)".contains(url)
        }
    }

    /// A port on 127.0.0.1 with nothing listening: bound, then released.
    func closedPort() throws -> Int {
        let socketFD = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        defer { close(socketFD) }
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_addr.s_addr = inet_addr("127.0.0.1")
        var length = socklen_t(MemoryLayout<sockaddr_in>.size)
        let bound = withUnsafeMutablePointer(to: &address) { pointer in
            pointer.withMemoryRebound(to: sockaddr.self, capacity: 1) { socketAddress in
                bind(socketFD, socketAddress, length) == 0 && getsockname(socketFD, socketAddress, &length) == 0
            }
        }
        try #require(bound)
        return Int(UInt16(bigEndian: address.sin_port))
    }
}

/// Answers no AWS endpoint should give, from a hostile or broken `endpoint-url`.
@Suite("Hostile AWS answers")
struct HostileAnswerTests {
    @Test("an entity-expansion bomb or a truncated document is an unreadable answer, not a hang or a crash")
    func hostileXML() async throws {
        let bomb = """
            <?xml version="1.0"?>
            <!DOCTYPE lolz [<!ENTITY lol "lol"><!ENTITY lol2 "&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;">
            <!ENTITY lol3 "&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;">
            <!ENTITY lol4 "&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;">
            <!ENTITY lol5 "&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;">
            <!ENTITY lol6 "&lol5;&lol5;&lol5;&lol5;&lol5;&lol5;&lol5;&lol5;&lol5;&lol5;">
            <!ENTITY lol7 "&lol6;&lol6;&lol6;&lol6;&lol6;&lol6;&lol6;&lol6;&lol6;&lol6;">
            <!ENTITY lol8 "&lol7;&lol7;&lol7;&lol7;&lol7;&lol7;&lol7;&lol7;&lol7;&lol7;">
            <!ENTITY lol9 "&lol8;&lol8;&lol8;&lol8;&lol8;&lol8;&lol8;&lol8;&lol8;&lol8;">]>
            <GetTemplateResponse><GetTemplateResult><TemplateBody>&lol9;</TemplateBody></GetTemplateResult></GetTemplateResponse>
            """
        for body in [bomb, "<GetTemplateResponse><GetTemplateResult><TemplateBody>{"] {
            let (client, _) = cannedCloudFormation([.response(200, body)])
            do {
                let template = try await client.originalTemplate(stackName: "s")
                #expect(template.utf8.count < 1_000_000, "entities were expanded")
            } catch {
                #expect(error.kind == .malformedResponse, "\(error)")
            }
        }
    }
}
