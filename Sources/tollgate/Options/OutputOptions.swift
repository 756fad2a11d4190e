import ArgumentParser
import Foundation

/// How a command writes its answer: JSON for programs, text (coloured on a terminal) for people.
struct OutputOptions: ParsableArguments {
    @Flag(help: "Write JSON to standard output (sorted keys, ISO 8601 dates).")
    var json = false

    @Option(help: "Colour the text output: auto (on a terminal, unless NO_COLOR is set), always or never.")
    var color: ColorChoice = .auto

    /// Whether text written to standard output should carry ANSI colours.
    var usesColor: Bool {
        switch color {
        case .always: return true
        case .never: return false
        case .auto:
            return isatty(STDOUT_FILENO) == 1 && ProcessInfo.processInfo.environment["NO_COLOR"] == nil
        }
    }
}

/// The `--color` choices.
enum ColorChoice: String, ExpressibleByArgument, CaseIterable {
    case auto, always, never
}
