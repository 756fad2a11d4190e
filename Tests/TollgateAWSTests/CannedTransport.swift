import Foundation
import Synchronization
import TollgateAWS

/// A transport that answers from a script instead of the network, and records what was sent: for
/// faults the emulator cannot produce on demand, and APIs it lacks.
final class CannedTransport: AWSTransport {
    /// One scripted answer.
    enum Answer: Sendable {
        case response(Int, String)
        case connectionRefused
    }

    struct Refused: Error, CustomStringConvertible {
        var description: String { "connection refused (canned)" }
    }

    private let state: Mutex<(answers: [Answer], sent: [AWSHTTPRequest])>

    init(_ answers: [Answer]) {
        state = Mutex((answers: answers, sent: []))
    }

    /// The requests sent so far.
    var sent: [AWSHTTPRequest] {
        state.withLock { $0.sent }
    }

    /// The form parameters of each request sent, decoded.
    var sentForms: [[String: String]] {
        sent.map { request in
            var form: [String: String] = [:]
            for pair in String(decoding: request.body, as: UTF8.self).split(separator: "&") {
                let parts = pair.split(separator: "=", maxSplits: 1, omittingEmptySubsequences: false)
                let decode = { (text: Substring) in text.removingPercentEncoding ?? String(text) }
                form[decode(parts[0])] = parts.count > 1 ? decode(parts[1]) : ""
            }
            return form
        }
    }

    func send(_ request: AWSHTTPRequest) async throws -> AWSHTTPResponse {
        let answer = state.withLock { state -> Answer in
            state.sent.append(request)
            return state.answers.isEmpty ? .response(500, "no more canned answers") : state.answers.removeFirst()
        }
        switch answer {
        case .response(let status, let body):
            return AWSHTTPResponse(status: status, body: Array(body.utf8))
        case .connectionRefused:
            throw Refused()
        }
    }
}

/// The waits a retry policy asked for, without waiting.
final class RecordedSleeps: Sendable {
    private let waits = Mutex<[Duration]>([])

    var all: [Duration] {
        waits.withLock { $0 }
    }

    func policy(maximumAttempts: Int = 4) -> AWSRetryPolicy {
        AWSRetryPolicy(maximumAttempts: maximumAttempts, baseDelay: .milliseconds(100), maximumDelay: .seconds(1)) {
            [self] duration in self.record(duration)
        }
    }

    private func record(_ duration: Duration) {
        waits.withLock { $0.append(duration) }
    }
}

/// Fixed test credentials; the secret and token are long and unlike any other text, so a search
/// for them in an error message cannot match by chance.
enum TestCredentials {
    static let secret = "tEsTsEcReT/K7MDENG+bPxRfiCY0123456789abcd"
    static let token = "tEsTtOkEn//////////wEXAMPLEtc764bNrC9SAPBSM22wDOk4x4HIZ8j4FZTwdQWLWsKWHGBuFqwAeMicRX"
    static let credentials = AWSCredentials(
        accessKeyID: "AKIDTESTKEY", secretAccessKey: secret, sessionToken: token, source: "the test"
    )
    static let provider = StaticCredentialProvider(credentials)

    /// Fails the test if `text` holds the secret or the token.
    static func holdsNoSecret(_ text: String) -> Bool {
        !text.contains(secret) && !text.contains(token)
    }
}

/// A CloudFormation client on a canned transport with recorded sleeps.
func cannedCloudFormation(_ answers: [CannedTransport.Answer], sleeps: RecordedSleeps = RecordedSleeps())
    -> (LiveCloudFormationClient, CannedTransport)
{
    let transport = CannedTransport(answers)
    let client = LiveCloudFormationClient.make(
        region: "us-east-1", credentials: TestCredentials.provider, transport: transport, retry: sleeps.policy()
    )
    return (client, transport)
}
