import Foundation
import Testing
import TollgateAWS
import TollgateTestSupport

/// Random requests signed here and by botocore's own signer (`Fixtures/botocore_sign.py`, run
/// with the machine's python3 and botocore) must agree on every intermediate text.
@Suite("Signature V4 against botocore")
struct SignatureV4BotocoreTests {
    /// One request as the Python script reads it.
    struct Case: Codable {
        var accessKeyID: String
        var secretAccessKey: String
        var sessionToken: String?
        var service: String
        var region: String
        var method: String
        var host: String
        var path: String
        var query: [[String]]
        var headers: [[String]]
        var bodyHex: String
        var timestamp: String
    }

    struct BotocoreAnswer: Decodable {
        var canonicalRequest: String
        var stringToSign: String
        var signature: String
    }

    /// A fixed-seed generator, so that a failure names a request that can be made again.
    struct SplitMix: RandomNumberGenerator {
        var state: UInt64

        mutating func next() -> UInt64 {
            state &+= 0x9E37_79B9_7F4A_7C15
            var z = state
            z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
            z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
            return z ^ (z >> 31)
        }
    }

    static func randomCase(_ random: inout SplitMix) -> (Case, SignableRequest, AWSCredentials, Date) {
        func pick<T>(_ values: [T]) -> T { values[Int.random(in: 0..<values.count, using: &random)] }
        func text(_ alphabet: [String], _ lengths: ClosedRange<Int>) -> String {
            (0..<Int.random(in: lengths, using: &random)).map { _ in pick(alphabet) }.joined()
        }
        let plain = (Array("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789-._~")).map(String.init)
        let pathAlphabet = plain + [" ", "!", "$", "'", "(", ")", "*", "+", ",", ";", "=", ":", "@", "é", "ሴ", "😀"]
        let queryAlphabet = pathAlphabet + ["&", "/", "?", "%", "#"]

        let segments = (0..<Int.random(in: 0...4, using: &random)).map { _ in text(pathAlphabet, 1...8) }
            .filter { $0 != "." && $0 != ".." }
        let path = "/" + segments.joined(separator: "/") + (Bool.random(using: &random) && !segments.isEmpty ? "/" : "")
        var query: [QueryItem] = []
        for index in 0..<Int.random(in: 0...4, using: &random) {
            query.append(QueryItem("k\(index)" + text(queryAlphabet, 0...6), text(queryAlphabet, 0...10)))
        }
        let host = pick(["example.amazonaws.com", "cloudformation.eu-west-1.amazonaws.com", "127.0.0.1:5000"])
        var headers = [HTTPHeader("Host", host)]
        for index in 0..<Int.random(in: 0...3, using: &random) {
            let name = pick(["X-Custom-", "x-custom-", "X-CUSTOM-"]) + String(index)
            let words = (0..<Int.random(in: 1...4, using: &random)).map { _ in text(plain, 1...6) }
            let value = words.map { $0 + String(repeating: " ", count: Int.random(in: 1...3, using: &random)) }.joined()
            headers.append(HTTPHeader(name, pick(["", "  "]) + value))
        }
        let body = (0..<Int.random(in: 0...64, using: &random)).map { _ in UInt8.random(in: 0...255, using: &random) }
        let credentials = AWSCredentials(
            accessKeyID: "AKID" + text(plain.filter { $0.first?.isLetter ?? false }, 8...16).uppercased(),
            secretAccessKey: text(plain + ["/", "+"], 40...40),
            sessionToken: Bool.random(using: &random) ? text(plain + ["/", "+", "="], 20...200) : nil,
            source: "a random test"
        )
        let date = Date(timeIntervalSince1970: TimeInterval(Int.random(in: 1_400_000_000...1_900_000_000, using: &random)))
        let service = pick(["cloudformation", "sts", "sqs", "service"])
        let region = pick(["us-east-1", "eu-west-1", "ap-southeast-2"])
        let request = SignableRequest(
            method: pick(["GET", "POST", "PUT", "DELETE"]), path: path, query: query, headers: headers, body: body
        )
        let signed = SignatureV4(service: service, region: region).sign(request, credentials: credentials, date: date)
        let timestamp = signed.stringToSign.split(separator: "\n")[1]
        let botocoreCase = Case(
            accessKeyID: credentials.accessKeyID, secretAccessKey: credentials.secretAccessKey,
            sessionToken: credentials.sessionToken, service: service, region: region, method: request.method,
            host: host, path: path, query: query.map { [$0.name, $0.value] },
            headers: headers.map { [$0.name, $0.value] },
            bodyHex: body.map { String(format: "%02x", $0) }.joined(), timestamp: String(timestamp)
        )
        return (botocoreCase, request, credentials, date)
    }

    @Test("200 random requests sign exactly as botocore signs them")
    func agreesWithBotocore() throws {
        var random = SplitMix(state: 20_150_830)
        let cases = (0..<200).map { _ in Self.randomCase(&random) }
        let script = try #require(Bundle.module.url(forResource: "Fixtures/botocore_sign", withExtension: "py"))
        let python = try ChildProcess("/usr/bin/env", ["python3", "-W", "ignore", script.path], keepsInputOpen: true)
        python.write(String(decoding: try JSONEncoder().encode(cases.map(\.0)), as: UTF8.self))
        python.closeInput()
        let output = python.readToEnd()
        #expect(python.wait() == 0, "botocore_sign.py failed (is botocore installed?): \(output)")
        let answers = try JSONDecoder().decode([BotocoreAnswer].self, from: Data(output.utf8))
        try #require(answers.count == cases.count)

        for ((botocoreCase, request, credentials, date), answer) in zip(cases, answers) {
            let signed = SignatureV4(service: botocoreCase.service, region: botocoreCase.region)
                .sign(request, credentials: credentials, date: date)
            #expect(signed.canonicalRequest == answer.canonicalRequest, "\(botocoreCase)")
            #expect(signed.stringToSign == answer.stringToSign)
            #expect(signed.signature == answer.signature)
        }
    }
}
