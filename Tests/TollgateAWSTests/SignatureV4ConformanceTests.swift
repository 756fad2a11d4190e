import Foundation
import Testing
import TollgateAWS

/// Every header-signing case of AWS's Signature Version 4 test suite
/// (`../shared/conformance/aws-signing-test-suite/v4`, from awslabs/aws-c-auth): the canonical
/// request, the string to sign, the signature and the `Authorization` header must match byte for
/// byte.
@Suite("Signature V4 test vectors")
struct SignatureV4ConformanceTests {
    static let suite = URL(fileURLWithPath: #filePath)
        .deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
        .appendingPathComponent("../shared/conformance/aws-signing-test-suite/v4").standardizedFileURL

    static let caseNames: [String] = {
        let names = (try? FileManager.default.contentsOfDirectory(atPath: suite.path)) ?? []
        return names.filter { FileManager.default.fileExists(atPath: suite.appendingPathComponent("\($0)/request.txt").path) }
            .sorted()
    }()

    struct Context: Decodable {
        struct Credentials: Decodable {
            var access_key_id: String
            var secret_access_key: String
            var token: String?
        }

        var credentials: Credentials
        var region: String
        var service: String
        var timestamp: String
        var normalize: Bool
        var sign_body: Bool
        var omit_session_token: Bool?
    }

    @Test("the suite is all there")
    func suiteIsPresent() {
        #expect(Self.caseNames.count == 38, "expected the 38 cases of the v4 suite in \(Self.suite.path)")
    }

    @Test("each case signs as published", arguments: caseNames)
    func signsAsPublished(_ name: String) throws {
        let folder = Self.suite.appendingPathComponent(name)
        func read(_ file: String) throws -> String {
            try String(contentsOf: folder.appendingPathComponent(file), encoding: .utf8)
        }
        let context = try JSONDecoder().decode(Context.self, from: Data(try read("context.json").utf8))
        let request = try Self.parseRequest(try read("request.txt"))
        let credentials = AWSCredentials(
            accessKeyID: context.credentials.access_key_id, secretAccessKey: context.credentials.secret_access_key,
            sessionToken: context.credentials.token, source: "the test suite"
        )
        let date = try #require(try? Date(context.timestamp, strategy: .iso8601))
        let signer = SignatureV4(
            service: context.service, region: context.region,
            options: SignatureV4.Options(
                normalizesPath: context.normalize, signsPayloadHeader: context.sign_body,
                signsSessionToken: !(context.omit_session_token ?? false)
            )
        )
        let signed = signer.sign(request, credentials: credentials, date: date)

        #expect(signed.canonicalRequest == (try read("header-canonical-request.txt")))
        #expect(signed.stringToSign == (try read("header-string-to-sign.txt")))
        #expect(signed.signature == (try read("header-signature.txt")))
        let expectedAuthorization = try read("header-signed-request.txt")
            .split(separator: "\n").first { $0.hasPrefix("Authorization:") }?.dropFirst("Authorization:".count)
        #expect(signed.authorization == expectedAuthorization.map(String.init))
        if let token = context.credentials.token {
            #expect(signed.request.headers.contains(HTTPHeader("X-Amz-Security-Token", token)))
        }
    }

    /// Reads the suite's `request.txt`: a request line whose path may hold spaces and raw UTF-8,
    /// headers (indented lines continue the one before), a blank line, the body.
    static func parseRequest(_ text: String) throws -> SignableRequest {
        let parts = text.components(separatedBy: "\n\n")
        var lines = parts[0].split(separator: "\n", omittingEmptySubsequences: false).map(String.init)
        let requestLine = lines.removeFirst()
        let method = String(requestLine.prefix { $0 != " " })
        let target = String(requestLine.dropFirst(method.count + 1).dropLast(" HTTP/1.1".count))
        let pathAndQuery = target.split(separator: "?", maxSplits: 1, omittingEmptySubsequences: false)
        let query: [QueryItem] = pathAndQuery.count > 1
            ? pathAndQuery[1].split(separator: "&").map { pair in
                let nameAndValue = pair.split(separator: "=", maxSplits: 1, omittingEmptySubsequences: false)
                let decode = { (text: Substring) in text.removingPercentEncoding ?? String(text) }
                return QueryItem(decode(nameAndValue[0]), nameAndValue.count > 1 ? decode(nameAndValue[1]) : "")
            }
            : []
        var headers: [HTTPHeader] = []
        for line in lines where !line.isEmpty {
            if line.first == " " || line.first == "\t", !headers.isEmpty {
                headers[headers.count - 1].value += "\n" + line
                continue
            }
            let colon = try #require(line.firstIndex(of: ":"))
            headers.append(HTTPHeader(String(line[..<colon]), String(line[line.index(after: colon)...])))
        }
        let body = parts.count > 1 ? Array(parts.dropFirst().joined(separator: "\n\n").utf8) : []
        return SignableRequest(
            method: method, path: String(pathAndQuery[0]), query: query, headers: headers, body: body
        )
    }
}
