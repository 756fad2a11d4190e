import Testing
import TollgateCore

/// An author cannot escape the author rule with an address that only looks different from the
/// one the policy lists.
@Suite("E-mail identities")
struct EmailIdentityTests {
    static let reviewers = """
    people:
      - id: alice
        name: Alice Example
        emails: [alice@example.com]
      - id: bob
        name: Bob Example
        emails: ["bob.*@corp.example.com", bob@example.com]
    """

    @Test("look-alike forms of a listed address name its owner", arguments: [
        "alice@example.com",
        "ALICE@Example.COM",
        "alice\u{200B}@example.com",
        "al\u{200D}ice@example.com",
        "\u{202E}alice@example.com",
        "alice@example.com\u{FEFF}",
        "\u{0430}lice@example.com",
        "\u{FF41}lice@example.com",
        "alice+work@example.com",
        "alice+@example.com",
        "ali\u{00AD}ce@example.com",
    ])
    func lookAlikes(address: String) throws {
        let directory = try ReviewerDirectory.parse(Self.reviewers)
        #expect(directory.person(withEmail: address)?.id == "alice", "\(address.unicodeScalars.map { String($0.value, radix: 16) })")
    }

    @Test("other addresses name nobody, or the right person", arguments: [
        ("alicia@example.com", nil),
        ("alice@example.org", nil),
        ("alice@examp1e.com", nil),
        ("bob.smith@corp.example.com", "bob"),
        ("BOB.x@CORP.example.com", "bob"),
        ("bob@corp.example.com", nil),
        ("bob+ci@example.com", "bob"),
    ] as [(String, String?)])
    func others(address: String, owner: String?) throws {
        let directory = try ReviewerDirectory.parse(Self.reviewers)
        #expect(directory.person(withEmail: address)?.id == owner)
    }

    @Test("two people cannot list addresses that are the same identity")
    func duplicateIdentity() throws {
        let text = """
        people:
          - id: alice
            name: Alice
            emails: [alice@example.com]
          - id: eve
            name: Eve
            emails: ["ALICE+eve@example.com"]
        """
        #expect(throws: PolicyError.self) { try ReviewerDirectory.parse(text) }
    }
}
