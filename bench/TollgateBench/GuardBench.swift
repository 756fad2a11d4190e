import Foundation
import TollgateCore

/// Times Guard evaluation: every rule file of a folder parsed and evaluated against each
/// template, as `cfn_guard_rs.run_checks` does per rule file (it parses the rules each call too).
/// Reading the template is timed apart. Prints one JSON object for bench/guard.sh.
struct GuardBench {
    let rulesFolder: String
    let templates: [String]
    let iterations: Int

    func run() throws {
        var ruleTexts: [(String, String)] = []
        let enumerator = FileManager.default.enumerator(atPath: rulesFolder)
        while let relative = enumerator?.nextObject() as? String {
            guard relative.hasSuffix(".guard") else { continue }
            ruleTexts.append((relative, try String(contentsOfFile: rulesFolder + "/" + relative, encoding: .utf8)))
        }
        ruleTexts.sort { $0.0 < $1.0 }
        let clock = ContinuousClock()
        let evaluator = GuardEvaluator(now: Int64(Date().timeIntervalSince1970))
        var results: [[String: Any]] = []
        for path in templates {
            let text = try String(contentsOfFile: path, encoding: .utf8)
            var readTimes: [Duration] = []
            var evaluateTimes: [Duration] = []
            var counts: [String: Int] = [:]
            for _ in 0..<iterations {
                let start = clock.now
                let document = try GuardDocumentReader.read(text, fileName: path)
                let read = clock.now
                counts = [:]
                for (name, rules) in ruleTexts {
                    let file = try GuardRuleParser.parse(rules, fileName: name)
                    do {
                        for result in try evaluator.evaluate(file, against: document) {
                            counts[result.status.rawValue, default: 0] += 1
                        }
                    } catch {
                        counts["ERROR", default: 0] += 1
                    }
                }
                readTimes.append(read - start)
                evaluateTimes.append(clock.now - read)
            }
            results.append([
                "template": path, "read_ms": Bench.median(readTimes), "evaluate_ms": Bench.median(evaluateTimes),
                "statuses": counts,
            ])
        }
        let figures: [String: Any] = ["rule_files": ruleTexts.count, "iterations": iterations, "templates": results]
        let data = try JSONSerialization.data(withJSONObject: figures, options: [.sortedKeys])
        print(String(decoding: data, as: UTF8.self))
    }
}
