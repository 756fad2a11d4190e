import Foundation
import TollgateCore
import TollgateEngine

/// Prints a provider's progress as it happens: on a terminal each line starts with the time
/// elapsed since the apply began, so a long CloudFormation wait shows it is alive; in a pipe the
/// lines are plain, for logs. Control characters are escaped either way.
struct ProgressLines {
    /// Nothing is printed for `--json`, whose output is one document.
    let quiet: Bool

    func receiver() -> ProviderProgress {
        guard !quiet else { return .ignored }
        guard isatty(STDOUT_FILENO) == 1 else {
            return ProviderProgress { line in print("  " + TerminalText.escape(line)) }
        }
        let start = ContinuousClock.now
        return ProviderProgress { line in
            let seconds = Int((ContinuousClock.now - start).components.seconds)
            let elapsed = String(format: "%02d:%02d", seconds / 60, seconds % 60)
            print("  [\(elapsed)] " + TerminalText.escape(line))
        }
    }
}
