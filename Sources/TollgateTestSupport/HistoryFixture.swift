import Foundation

/// A repository with a long, varied history, written through `git fast-import` from a fixed seed so
/// that every run builds the same commits with the same ids.
///
/// Its main branch holds every kind of change a history reader must get right: stacks added,
/// changed, configured, renamed and deleted; merges of side branches; a file replaced by a folder of
/// the same name and back; executable-bit and symlink changes; names that sort differently as files
/// and as folders (`a`, `a-b`, `a.b`); a submodule entry; and file names that are not UTF-8 outside
/// the stack folders.
public struct HistoryFixture {
    /// The repository.
    public let git: GitFixture

    /// Builds `commits` commits on `main` (merge commits included) from `seed`.
    public init(commits: Int = 400, seed: UInt64 = 13) throws {
        git = try GitFixture()
        var stream = Stream(seed: seed)
        stream.write(commits: commits)
        try GitFixture.run(["git", "-C", git.path, "fast-import", "--quiet"], input: stream.text)
        try git.git("branch", "-D", "-q", "side")
        try git.git("checkout", "-q", "-f", "main")
    }

    /// The fast-import stream, built by a small deterministic generator.
    private struct Stream {
        var text = ""
        var state: UInt64
        var mark = 0
        var clock = 1_700_000_000
        var live: [String: Int] = [:]
        /// The stacks whose template is `template.json` rather than `template.yaml`.
        var json: Set<String> = []
        var nextStack = 0

        init(seed: UInt64) {
            state = seed | 1
        }

        /// xorshift64: the same numbers on every machine.
        mutating func next(_ bound: Int) -> Int {
            state ^= state << 13
            state ^= state >> 7
            state ^= state << 17
            return Int(state % UInt64(bound))
        }

        mutating func write(commits: Int) {
            var ops: [String] = []
            for index in 0..<30 {
                ops.append(modify("src/module\(index % 3)/file\(index).txt", "line \(index)\n"))
            }
            ops.append(modify("\"src/\\377\\376latin1.txt\"", "not UTF-8\n"))
            ops.append(modify("Policies/reviewers.yaml", "people: []\n"))
            for _ in 0..<6 { ops += addStack() }
            var head = commit(branch: "main", message: "initial import", ops: ops, parents: [])
            var made = 1
            while made < commits {
                if made % 25 == 0 {
                    var side = head
                    var sideOps: [String] = []
                    for step in 0..<3 {
                        let (message, stepOps) = step == 1 ? stackOps() : ("side work", [modify("src/side.txt", "\(made) \(step)\n")])
                        side = commit(branch: "side", message: message, ops: stepOps, parents: [side])
                        sideOps += stepOps
                    }
                    head = commit(branch: "main", message: "Merge branch 'side'", ops: sideOps, parents: [head, side])
                    made += 4
                    continue
                }
                let (message, stepOps) = mainOps(made)
                head = commit(branch: "main", message: message, ops: stepOps, parents: [head])
                made += 1
            }
        }

        mutating func mainOps(_ made: Int) -> (String, [String]) {
            switch next(100) {
            case 0..<55:
                return stackOps()
            case 55..<58:
                return ("update reviewers", [modify("Policies/reviewers.yaml", "people: [] # \(made)\n")])
            case 58..<60:
                return ("settings", [modify("tollgate.yaml", "branch: main # \(made)\n")])
            case 60..<63:
                // A file and a folder of one name trade places; the names around it sort differently
                // as files and as folders.
                if made % 2 == 0 {
                    return ("x becomes a folder", ["D Stacks/x", modify("Stacks/x/template.yaml", "Resources: {}\n"),
                                                   modify("Stacks/x-y", "\(made)\n"), modify("Stacks/x.y", "\(made)\n")])
                }
                return ("x becomes a file", ["D Stacks/x", modify("Stacks/x", "file \(made)\n")])
            case 63..<66:
                let name = live.keys.sorted().first ?? "stack-0000"
                return ("mode of \(name)", ["M \(made % 2 == 0 ? "100755" : "100644") inline \(template(of: name))\ndata 17\nResources: {} # x"])
            case 66..<68:
                return ("symlink", ["M 120000 inline Stacks/link.yaml\ndata \(made % 2 == 0 ? 6 : 7)\n\(made % 2 == 0 ? "target" : "target2")"])
            case 68..<69:
                return ("submodule", ["M 160000 \(String(repeating: made % 2 == 0 ? "a" : "b", count: 40)) Stacks/vendored"])
            case 69..<72:
                return ("non-UTF-8 name", [modify("\"src/caf\\351-\(made).txt\"", "\(made)\n")])
            default:
                return ("edit source", [modify("src/module\(made % 3)/file\(next(30)).txt", "line \(made)\n")])
            }
        }

        mutating func stackOps() -> (String, [String]) {
            let roll = next(100)
            if roll < 8 || live.isEmpty {
                let name = "stack-\(nextStack)"
                return ("add \(name)", addStack())
            }
            let names = live.keys.sorted()
            let name = names[next(names.count)]
            if roll < 12 {
                live[name] = nil
                json.remove(name)
                return ("delete \(name)", ["D Stacks/\(name)"])
            }
            if roll < 16 {
                // A rename: git shows a deletion and an addition without rename detection.
                let renamed = "\(name)-renamed"
                live[renamed] = live[name]
                live[name] = nil
                if json.remove(name) != nil { json.insert(renamed) }
                return ("rename \(name)", ["R Stacks/\(name) Stacks/\(renamed)"])
            }
            if roll < 20, !json.contains(name) {
                json.insert(name)
                return ("template.json for \(name)", ["D Stacks/\(name)/template.yaml", modify("Stacks/\(name)/template.json", "{}\n")])
            }
            live[name, default: 0] += 1
            let version = live[name] ?? 0
            if roll < 45 {
                return ("configure \(name)", [modify("Stacks/\(name)/config.json", "{\"Parameters\": {\"Size\": \"\(version)\"}}\n")])
            }
            return ("change \(name)", [modify(template(of: name), "Resources: {} # \(version)\n")])
        }

        func template(of name: String) -> String {
            "Stacks/\(name)/template.\(json.contains(name) ? "json" : "yaml")"
        }

        mutating func addStack() -> [String] {
            let name = "stack-\(nextStack)"
            nextStack += 1
            live[name] = 0
            return [modify("Stacks/\(name)/template.yaml", "Resources: {}\n"), modify("Stacks/\(name)/config.json", "{}\n")]
        }

        func modify(_ path: String, _ contents: String) -> String {
            "M 100644 inline \(path)\ndata \(contents.utf8.count)\n\(contents)"
        }

        mutating func commit(branch: String, message: String, ops: [String], parents: [Int]) -> Int {
            mark += 1
            clock += 60 + next(600)
            let people = ["Alice Example <alice@example.com>", "Bob \"Quoted\" Example <bob@example.com>", "Carol Exämple <carol@example.com>"]
            let who = people[next(people.count)]
            let offset = ["+0100", "-0530", "+0000"][next(3)]
            text += "commit refs/heads/\(branch)\nmark :\(mark)\n"
            text += "author \(who) \(clock) \(offset)\ncommitter \(who) \(clock + next(100)) +0200\n"
            let body = "\(message)\n\nbody of \(mark)\n"
            text += "data \(body.utf8.count)\n\(body)\n"
            if let first = parents.first {
                text += "from :\(first)\n"
                for extra in parents.dropFirst() { text += "merge :\(extra)\n" }
            }
            for op in ops { text += op + "\n" }
            text += "\n"
            return mark
        }
    }
}
