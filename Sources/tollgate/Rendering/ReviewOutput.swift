import Foundation
import TollgateCore
import TollgateEngine
import TollgateStore

/// The `--json` answer of `approve`, `reject` and `explain`: the change set's stored status and
/// the review under the policy in force, in the shape the HTTP API will share.
struct ReviewJSON: Codable {
    var changeSet: String
    var kind: String
    var stack: String
    var status: String
    var policyCommit: String
    var reviewer: String?
    var review: ReviewReport

    init(_ evaluation: ReviewEvaluation, reviewer: String? = nil) {
        changeSet = evaluation.changeSet.id
        kind = evaluation.changeSet.kind.rawValue
        stack = evaluation.changeSet.stack
        status = evaluation.changeSet.status.rawValue
        policyCommit = evaluation.policyCommit
        self.reviewer = reviewer
        review = evaluation.verdict.report
    }
}

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
