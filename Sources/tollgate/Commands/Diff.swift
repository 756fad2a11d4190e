import ArgumentParser
import Foundation
import TollgateCore

/// `tollgate diff OLD NEW`: the change set between two template files, with no state at all.
struct Diff: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "diff",
        abstract: "Show the CloudFormation change set between two template files, offline.",
        discussion: """
            Predicts which resources CloudFormation would add, modify, remove and replace if \
            the stack built from OLD were updated to NEW. Nothing is read from or sent to AWS. \
            A parameter with no value and no default is read as known only at apply time: \
            what depends on it is shown as Evaluation Dynamic, and may be replaced.
            """
    )

    @Argument(help: "The template the stack runs today (YAML or JSON).")
    var old: String

    @Argument(help: "The template to compare it with (YAML or JSON).")
    var new: String

    @Option(name: .customLong("old-config"), help: "TemplateConfiguration (parameters and tags) for OLD.")
    var oldConfig: String?

    @Option(name: .customLong("new-config"), help: "TemplateConfiguration (parameters and tags) for NEW.")
    var newConfig: String?

    @Option(help: "Stack name to show and to bind the digest to (default: the folder of a NEW named template.*, else NEW's name).")
    var stack: String?

    @OptionGroup var output: OutputOptions

    func run() async throws {
        let base = try snapshot(template: old, configuration: oldConfig, flag: "--old-config")
        let target = try snapshot(template: new, configuration: newConfig, flag: "--new-config")
        let stackName = stack ?? Self.stackName(forTemplateAt: new)
        let changeSet = try ChangePlanner().plan(stackName: stackName, commit: "", base: base, target: target)
        try ChangeSetOutput.write(changeSet, extraWarnings: base.parameters.warnings, output: output)
    }

    private func snapshot(template path: String, configuration configPath: String?, flag: String) throws -> StackSnapshot {
        let template = try TemplateParser.parse(try Self.read(path, limit: TemplateParser.maximumTemplateBytes), fileName: path)
        let configuration = try configPath.map {
            try TemplateConfiguration.parse(try Self.read($0, limit: YAMLLimits.maximumBytes), fileName: $0)
        }
            ?? TemplateConfiguration(fileName: "(no \(flag) given)")
        // Two files compared offline may lack values that only an apply needs: read them as unknown.
        return try StackSnapshot(template: template, configuration: configuration, missingParameters: .unknown)
    }

    /// The path carries the stack's name: `Stacks/<stack>/template.yaml` is stack `<stack>`.
    static func stackName(forTemplateAt path: String) -> String {
        let url = URL(fileURLWithPath: path)
        let stem = url.deletingPathExtension().lastPathComponent
        guard stem == "template" else { return stem }
        return url.deletingLastPathComponent().lastPathComponent
    }

    /// Reads a file of at most `limit` bytes as UTF-8, with an error that names it; a larger file
    /// is refused from its size, before it is read.
    static func read(_ path: String, limit: Int) throws -> String {
        let data: Data
        do {
            let size = try FileManager.default.attributesOfItem(atPath: path)[.size] as? Int ?? 0
            guard size <= limit else {
                throw ValidationError(
                    "\(path): the file is \(size) bytes, over the limit of \(limit) bytes for this file; shorten it.")
            }
            let handle = try FileHandle(forReadingFrom: URL(fileURLWithPath: path))
            defer { try? handle.close() }
            // Read at most one byte past the limit: a file that grew since it was measured is still refused.
            data = try handle.read(upToCount: limit + 1) ?? Data()
        } catch let error as ValidationError {
            throw error
        } catch {
            throw ValidationError("\(path): cannot read the file (\(error.localizedDescription)).")
        }
        guard data.count <= limit else {
            throw ValidationError("\(path): the file is over the limit of \(limit) bytes for this file; shorten it.")
        }
        guard let text = String(data: data, encoding: .utf8) else {
            throw ValidationError("\(path): the file is not UTF-8 text.")
        }
        return text
    }
}
