/// Wildcard patterns as both approvals.yaml (stack names) and CloudFormation stack policies
/// (logical ids, resource types) use them: `*` matches any run of characters, `?` exactly one.
struct Glob: Sendable, Hashable {
    let pattern: String
    private let characters: [Character]

    init(_ pattern: String) {
        self.pattern = pattern
        characters = Array(pattern)
    }

    /// Whether `text` matches the whole pattern; linear-time greedy match with backtracking to
    /// the last star, so hostile patterns cannot make evaluation slow.
    func matches(_ text: String) -> Bool {
        let subject = Array(text)
        var p = 0
        var s = 0
        var starP: Int?
        var starS = 0
        while s < subject.count {
            if p < characters.count, characters[p] == "?" || characters[p] == subject[s] {
                p += 1
                s += 1
            } else if p < characters.count, characters[p] == "*" {
                starP = p
                starS = s
                p += 1
            } else if let star = starP {
                p = star + 1
                starS += 1
                s = starS
            } else {
                return false
            }
        }
        while p < characters.count, characters[p] == "*" {
            p += 1
        }
        return p == characters.count
    }
}
