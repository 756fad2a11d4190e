import Foundation
import TollgateCore
import TollgateTestSupport

/// People with real SSH keys made by ssh-keygen, and helpers to write policies for them and to
/// sign approvals as they would.
struct ApprovalTestFixture {
    /// A test asked to sign for someone the fixture made no key for.
    struct MissingKey: Error {
        let person: String
    }

    let folder: TemporaryDirectory
    let keygen: SSHKeygen
    private(set) var privateKeys: [String: SSHPrivateKey] = [:]
    private(set) var publicLines: [String: String] = [:]
    private(set) var keyPaths: [String: String] = [:]

    /// Generates a key for each person; every second one is ECDSA so both kinds are exercised.
    init(people: [String]) throws {
        folder = try TemporaryDirectory(prefix: "tollgate-approvals")
        keygen = try SSHKeygen()
        for (index, person) in people.enumerated() {
            try addKey(for: person, type: index % 2 == 0 ? "ed25519" : "ecdsa")
        }
    }

    /// Gives `person` a new key, as someone adding themselves to reviewers.yaml would.
    mutating func addKey(for person: String, type: String = "ed25519") throws {
        let pair = try keygen.generateKey(type: type, in: folder, name: "\(person)-\(UUID().uuidString)", comment: "\(person)@laptop")
        keyPaths[person] = pair.privateKeyPath
        privateKeys[person] = try SSHPrivateKey(openSSHText: pair.privateKeyText)
        publicLines[person] = pair.publicKeyLine
    }

    static func email(_ person: String) -> String {
        "\(person)@example.com"
    }

    /// reviewers.yaml listing `people` (default: everyone with a key) and `groups`.
    func reviewersYAML(people: [String]? = nil, groups: [String: [String]]) -> String {
        var text = "people:\n"
        for person in people ?? publicLines.keys.sorted() {
            text += "  - id: \(person)\n    name: \(person.capitalized) Example\n    emails: [\(Self.email(person))]\n"
            if let line = publicLines[person] {
                text += "    keys:\n      - \(line)\n"
            }
        }
        text += "groups:\n"
        for (name, members) in groups.sorted(by: { $0.key < $1.key }) {
            text += "  \(name): [\(members.joined(separator: ", "))]\n"
        }
        return text
    }

    /// A parsed policy set from reviewers, approvals and stack policy texts.
    func policy(reviewers: String, approvals: String, stackPolicies: [String: String] = [:]) throws -> PolicySet {
        var files = ["Policies/reviewers.yaml": reviewers, "Policies/approvals.yaml": approvals]
        for (stack, text) in stackPolicies {
            files["Policies/stack-policies/\(stack).json"] = text
        }
        return try PolicySet.parse(files: files)
    }

    /// `person`'s signed claim on `subject`, made by Tollgate's own signer.
    func claim(_ person: String, on subject: ReviewSubject, verdict: ApprovalVerdict = .approve, at time: Date = Date(timeIntervalSince1970: 1_800_000_000)) throws -> ApprovalClaim {
        guard let key = privateKeys[person] else {
            throw MissingKey(person: person)
        }
        let signature = try SSHSignature.sign(subject.approvalText(for: verdict), with: key)
        return ApprovalClaim(verdict: verdict, digest: subject.digest, proof: .sshSignature(signature), time: time)
    }

    /// `person`'s claim signed by the real `ssh-keygen -Y sign` in `namespace`.
    func opensshClaim(_ person: String, on subject: ReviewSubject, text: String? = nil, namespace: String = "tollgate") throws -> ApprovalClaim {
        let pair = SSHKeygen.KeyPair(
            privateKeyPath: keyPaths[person] ?? "",
            publicKeyLine: publicLines[person] ?? "",
            privateKeyText: ""
        )
        let armored = try keygen.sign(text ?? subject.approvalText(for: .approve), key: pair, namespace: namespace, in: folder)
        return ApprovalClaim(verdict: .approve, digest: subject.digest, proof: .sshSignature(try SSHSignature(armored: armored)), time: Date(timeIntervalSince1970: 1_800_000_000))
    }
}
