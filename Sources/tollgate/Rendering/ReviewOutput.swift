import Foundation
import TollgateCore
import TollgateEngine
import TollgateStore

/// How review answers look on standard output.
enum ReviewOutput {
    /// Writes `evaluation` as JSON, or as `headline` followed by the explanation.
    static func write(_ evaluation: ReviewEvaluation, headline: String?, reviewer: String? = nil, output: OutputOptions) throws {
        if output.json {
            print(try CommandOutput.json(ReviewJSON(evaluation, reviewer: reviewer)))
            return
        }
        var text = headline.map { TerminalText.escape($0) + "\n" } ?? ""
        text += "Policy in force: Policies/ of commit \(evaluation.policyCommit.prefix(7)); stored status \(evaluation.changeSet.status.rawValue).\n"
        text += evaluation.verdict.explanation
        print(TerminalText.sanitize(text), terminator: "")
    }
}
