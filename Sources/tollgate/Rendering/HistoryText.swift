import TollgateCore
import Foundation

/// The person-readable form of `tollgate history`: a header line per commit, then one line per
/// stack it changed and a line for policy or settings changes.
///
/// ```
/// 3f2a9c1  2026-11-20 10:04  Alice Example  Add private subnets
///          modified  network    Stacks/network/template.yaml
///          policies  changed
/// ```
struct HistoryText {
    let style: TextStyle

    func render(_ entry: HistoryEntry) -> String {
        let date = TerminalText.escape(String(entry.committer.time.prefix(16))).replacingOccurrences(of: "T", with: " ")
        let author = TerminalText.escape(entry.author.name)
        var text = "\(style.yellow(String(entry.commit.prefix(7))))  \(date)  \(style.bold(author))  \(TerminalText.escape(entry.summary))\n"
        let names = entry.stacks.map { TerminalText.escape($0.name) }
        let width = names.map(\.count).max() ?? 0
        for (stack, shownName) in zip(entry.stacks, names) {
            let kind = stack.change.rawValue.padding(toLength: 8, withPad: " ", startingAt: 0)
            let colored: String
            switch stack.change {
            case .added: colored = style.green(kind)
            case .modified: colored = style.cyan(kind)
            case .deleted: colored = style.red(kind)
            }
            let name = shownName.padding(toLength: width, withPad: " ", startingAt: 0)
            text += "         \(colored)  \(name)  \(style.dim(stack.files.map(TerminalText.escape).joined(separator: ", ")))\n"
        }
        if entry.policies { text += "         \(style.yellow("policies"))  changed\n" }
        if entry.settings { text += "         \(style.yellow("settings"))  tollgate.yaml changed\n" }
        return text
    }
}
