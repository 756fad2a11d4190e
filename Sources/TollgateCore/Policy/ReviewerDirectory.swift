import Yams

/// One person who may review change sets, as listed in `Policies/reviewers.yaml`.
public struct Reviewer: Sendable, Hashable {
    /// The short id rules and approvals refer to, such as `alice`.
    public let id: String
    /// The full name shown in `explain` and the audit trail.
    public let name: String
    /// Addresses and patterns (`alice+*@example.com`) matched against commit authors and
    /// committers as ``EmailPattern``s, because nobody may count as a reviewer of their own commits.
    public let emails: [String]
    /// The keys whose signatures prove that this person approved.
    public let keys: [SSHPublicKey]
}

/// The people and groups of `Policies/reviewers.yaml`.
///
/// ```yaml
/// people:
///   - id: alice
///     name: Alice Moreau
///     emails: [alice@example.com]
///     keys:
///       - ssh-ed25519 AAAA... alice@laptop
/// groups:
///   owners: [alice, bob]
/// ```
///
/// A key or e-mail address listed for two people is an error: a signature or a commit must map
/// to exactly one person, or "a person counts once" cannot be enforced.
public struct ReviewerDirectory: Sendable, Hashable {
    /// Everyone listed, in file order.
    public let people: [Reviewer]
    /// Group name to member ids, each member a listed person.
    public let groups: [String: [String]]

    /// The path the directory is read from, relative to the repository root.
    public static let path = "Policies/reviewers.yaml"

    /// Builds a directory directly, for callers that already hold validated people.
    public init(people: [Reviewer], groups: [String: [String]]) {
        self.people = people
        self.groups = groups
    }

    /// Parses the text of `reviewers.yaml`.
    ///
    /// - Throws: ``PolicyError`` naming file, line, column and field for malformed YAML, unknown
    ///   keys, duplicate ids, keys or e-mail addresses, unreadable SSH keys and groups that name
    ///   unknown people.
    public static func parse(_ text: String, file: String = path) throws(PolicyError) -> ReviewerDirectory {
        let root = try PolicyYAMLNode.root(of: text, file: file)
        let fields = try root.mapping(allowed: ["people", "groups"], required: ["people"])
        var people: [Reviewer] = []
        var idNodes: [String: PolicyYAMLNode] = [:]
        var keyOwners: [SSHPublicKey: String] = [:]
        var emailOwners: [String: String] = [:]
        for item in try fields["people"]?.sequence() ?? [] {
            let person = try item.mapping(allowed: ["id", "name", "emails", "keys"], required: ["id", "name", "emails"])
            guard let idNode = person["id"], let nameNode = person["name"], let emailsNode = person["emails"] else {
                throw item.error("must have id, name and emails")
            }
            let id = try idNode.identifier()
            guard idNodes[id] == nil else {
                throw idNode.error("'\(id)' is already used by another person")
            }
            idNodes[id] = idNode
            var emails: [String] = []
            for emailNode in try emailsNode.scalarOrSequence() {
                let email = try emailNode.nonEmptyString().lowercased()
                guard email.contains("@"), !email.contains(where: \.isWhitespace) else {
                    throw emailNode.error("'\(email)' is not an e-mail address")
                }
                let pattern = EmailPattern(email)
                let key = pattern.isPattern ? pattern.text : pattern.identity.value
                if let owner = emailOwners[key] {
                    throw emailNode.error("'\(email)' is already listed for '\(owner)'; an address must belong to one person")
                }
                emailOwners[key] = id
                emails.append(email)
            }
            guard !emails.isEmpty else {
                throw emailsNode.error("must list at least one address")
            }
            var keys: [SSHPublicKey] = []
            for keyNode in try person["keys"]?.sequence() ?? [] {
                let key: SSHPublicKey
                do {
                    key = try SSHPublicKey(authorizedKeysLine: keyNode.nonEmptyString())
                } catch let error as SignatureError {
                    throw keyNode.error("is not a usable SSH public key: \(error)")
                } catch let error as PolicyError {
                    throw error
                } catch {
                    throw keyNode.error("is not a usable SSH public key")
                }
                if let owner = keyOwners[key] {
                    throw keyNode.error("(\(key.fingerprint)) is already listed for '\(owner)'; a key must belong to one person")
                }
                keyOwners[key] = id
                keys.append(key)
            }
            people.append(Reviewer(id: id, name: try nameNode.nonEmptyString(), emails: emails, keys: keys))
        }
        var groups: [String: [String]] = [:]
        if let groupsNode = fields["groups"] {
            guard case let .mapping(mapping) = groupsNode.node else {
                throw groupsNode.error("must map each group name to a list of person ids")
            }
            for (keyNode, valueNode) in mapping {
                let nameNode = groupsNode.child(keyNode, key: keyNode.scalar?.string ?? "?")
                let name = try nameNode.identifier()
                guard groups[name] == nil else {
                    throw nameNode.error("appears twice")
                }
                guard idNodes[name] == nil else {
                    throw nameNode.error("is also a person's id; rules could not tell which one they mean")
                }
                var members: [String] = []
                for memberNode in try groupsNode.child(valueNode, key: name).scalarOrSequence() {
                    let member = try memberNode.identifier()
                    guard idNodes[member] != nil else {
                        throw memberNode.error("names '\(member)', who is not listed under people")
                    }
                    if !members.contains(member) {
                        members.append(member)
                    }
                }
                groups[name] = members
            }
        }
        return ReviewerDirectory(people: people, groups: groups)
    }

    /// The person with `id`, if listed.
    public func person(id: String) -> Reviewer? {
        people.first { $0.id == id }
    }

    /// The person a key is listed for, if any.
    public func person(holding key: SSHPublicKey) -> Reviewer? {
        people.first { $0.keys.contains(key) }
    }

    /// The person a key fingerprint (`SHA256:...`) is listed for, if any.
    public func person(withFingerprint fingerprint: String) -> Reviewer? {
        people.first { $0.keys.contains { $0.fingerprint == fingerprint } }
    }

    /// The person an e-mail address is listed for, compared as ``EmailIdentity`` and
    /// ``EmailPattern`` say: look-alike, invisible and sub-address variants name the same person.
    public func person(withEmail email: String) -> Reviewer? {
        people.first { person in person.emails.contains { EmailPattern($0).matches(email) } }
    }

    /// Every key of every person: the only keys whose signatures can count.
    public var allKeys: [SSHPublicKey] {
        people.flatMap(\.keys)
    }

    /// Expands person ids and group names into person ids, in first-seen order.
    func resolve(_ names: [String]) -> [String] {
        var result: [String] = []
        for name in names {
            for id in groups[name] ?? [name] where !result.contains(id) {
                result.append(id)
            }
        }
        return result
    }

    /// Whether `name` is a listed person id or group name.
    func knows(_ name: String) -> Bool {
        groups[name] != nil || people.contains { $0.id == name }
    }
}
