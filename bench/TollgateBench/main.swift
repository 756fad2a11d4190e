import Foundation
import TollgateCore

/// Times Tollgate's change set for a template pair: parsing both templates, computing the
/// change set from parsed templates, and the whole plan (both together). File reading is
/// left out, as the CLI does it before Core starts. Prints one JSON object for the driver.
struct Bench {
    let baseText: String
    let targetText: String
    let iterations: Int

    func snapshot(_ text: String, name: String) throws -> StackSnapshot {
        try StackSnapshot(template: TemplateParser.parse(text, fileName: name), configuration: TemplateConfiguration())
    }

    func run() throws {
        let clock = ContinuousClock()
        var parseTimes: [Duration] = []
        var changeSetTimes: [Duration] = []
        var planTimes: [Duration] = []
        var last: ChangeSet?
        for _ in 0..<iterations {
            let parseStart = clock.now
            let base = try snapshot(baseText, name: "base.yaml")
            let target = try snapshot(targetText, name: "target.yaml")
            let parsed = clock.now
            let changeSet = try ChangePlanner().plan(stackName: "bench", commit: "bench", base: base, target: target)
            let planned = clock.now
            parseTimes.append(parsed - parseStart)
            changeSetTimes.append(planned - parsed)
            planTimes.append(planned - parseStart)
            last = changeSet
        }
        let summary = last?.summary ?? ChangeSummary()
        let figures: [String: Any] = [
            "iterations": iterations,
            "parse_ms": Self.median(parseTimes),
            "changeset_ms": Self.median(changeSetTimes),
            "plan_ms": Self.median(planTimes),
            "added": summary.added, "modified": summary.modified, "replaced": summary.replaced,
            "conditionally_replaced": summary.conditionallyReplaced, "removed": summary.removed,
        ]
        let data = try JSONSerialization.data(withJSONObject: figures, options: [.sortedKeys])
        print(String(decoding: data, as: UTF8.self))
    }

    static func median(_ times: [Duration]) -> Double {
        let sorted = times.map { Double($0.components.seconds) * 1000 + Double($0.components.attoseconds) / 1e15 }.sorted()
        guard !sorted.isEmpty else { return 0 }
        return sorted[sorted.count / 2]
    }
}

let arguments = CommandLine.arguments
if arguments.count >= 4, arguments[1] == "guard" {
    // TollgateBench guard RULES_FOLDER ITERATIONS TEMPLATE...
    do {
        try GuardBench(rulesFolder: arguments[2], templates: Array(arguments[4...]), iterations: max(1, Int(arguments[3]) ?? 3)).run()
        exit(0)
    } catch {
        FileHandle.standardError.write(Data("TollgateBench: \(error)\n".utf8))
        exit(1)
    }
}
guard arguments.count >= 3 else {
    FileHandle.standardError.write(Data("usage: TollgateBench BASE TARGET [ITERATIONS] | TollgateBench guard RULES ITERATIONS TEMPLATE...\n".utf8))
    exit(2)
}
do {
    let base = try String(contentsOfFile: arguments[1], encoding: .utf8)
    let target = try String(contentsOfFile: arguments[2], encoding: .utf8)
    let iterations = arguments.count > 3 ? Int(arguments[3]) ?? 20 : 20
    try Bench(baseText: base, targetText: target, iterations: max(1, iterations)).run()
} catch {
    FileHandle.standardError.write(Data("TollgateBench: \(error)\n".utf8))
    exit(1)
}
