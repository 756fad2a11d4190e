import Foundation
import TollgateCore

/// Writes a change set as `plan` and `diff` show it: JSON in CloudFormation's DescribeChangeSet
/// shape, or text for a person; warnings go to standard error either way.
enum ChangeSetOutput {
    static func write(_ changeSet: ChangeSet, extraWarnings: [String] = [], output: OutputOptions) throws {
        for warning in extraWarnings.filter({ !changeSet.warnings.contains($0) }) + changeSet.warnings {
            FileHandle.standardError.write(Data("warning: \(TerminalText.escape(warning))\n".utf8))
        }
        if output.json {
            print(try CommandOutput.json(changeSet))
        } else {
            let text = ChangeSetRenderer(style: TextStyle(enabled: output.usesColor)).render(changeSet)
            FileHandle.standardOutput.write(Data(TerminalText.sanitize(text).utf8))
        }
    }
}
