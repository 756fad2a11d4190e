import Testing
@testable import TollgateCore

/// A long trail is summarised in parts that the store writes out and merges back; the merge must
/// give what summarising the whole trail at once gives, wherever the parts were cut.
@Suite("Audit table summary in parts")
struct AuditTableSummaryPartsTests {
    /// A trail with every way an entry can change a row the summary no longer holds: a transition
    /// and a supersession of a change set created in an earlier part, a supersession and a
    /// transition of change sets never created, a change set created twice, a verdict given again,
    /// an execution finished in a later part or never started, and a commit attributed twice.
    static let trail: [AuditEntry] = {
        var entries: [AuditEntry] = []
        func add(_ action: AuditAction, actor: String = "tollgate", stack: String? = "network", changeSet: String? = nil, digest: String? = nil,
                 _ details: [String: String] = [:]) {
            entries.append(AuditEntry(
                sequence: Int64(entries.count + 1), epochMilliseconds: 0, actor: actor, action: action, stack: stack,
                changeSetID: changeSet, commit: "c0ffee", digest: digest, details: details, previousHash: "", hash: ""))
        }
        add(.commitsAttributed, ["commits": "c1 c2", "merged": "c2:m1"])
        add(.changeSetCreated, changeSet: "cs-a", digest: "sha256:a", ["kind": "stack", "commits": "c1 c2", "base_state_version": "0"])
        add(.approvalRecorded, actor: "bob", changeSet: "cs-a", digest: "sha256:a", ["signature_sha256": "5e"])
        add(.changeSetTransitioned, changeSet: "cs-a", ["to": "APPROVED"])
        // An older trail: the creation alone names the change set it supersedes.
        add(.changeSetCreated, changeSet: "cs-b", digest: "sha256:b", ["supersedes": "cs-a", "body_sha256": "b0"])
        add(.changeSetCreated, changeSet: "cs-c", digest: "sha256:c", ["supersedes": "cs-ghost"])
        add(.changeSetTransitioned, changeSet: "cs-never", ["to": "CANCELLED", "reason": "gone"])
        add(.approvalRecorded, actor: "bob", changeSet: "cs-b", digest: "sha256:b")
        add(.rejectionRecorded, actor: "bob", changeSet: "cs-b", digest: "sha256:b", ["reason": "no"])
        add(.executionStarted, changeSet: "cs-b", ["execution": "ex-1"])
        add(.executionFinished, changeSet: "cs-b", ["execution": "ex-1", "result": "SUCCEEDED"])
        add(.executionFinished, changeSet: "cs-c", ["execution": "ex-2", "result": "FAILED"])
        add(.commitsAttributed, ["commits": "c2 c3", "merged": "c2:m2"])
        add(.changeSetCreated, changeSet: "cs-e", ["kind": "stack"])
        add(.changeSetTransitioned, changeSet: "cs-e", ["to": "APPROVED", "reason": "ok"])
        add(.changeSetCreated, changeSet: "cs-f", ["supersedes": "cs-e"])
        add(.changeSetTransitioned, changeSet: "cs-e", ["to": "CANCELLED"])
        add(.changeSetCreated, changeSet: "cs-g", ["kind": "stack"])
        add(.changeSetTransitioned, changeSet: "cs-g", ["to": "APPLIED"])
        add(.changeSetCreated, changeSet: "cs-f", ["supersedes": "cs-g"])
        add(.changeSetCreated, changeSet: "cs-g", ["kind": "policy", "status": "PENDING"])
        add(.changeSetCreated, changeSet: "cs-h", ["supersedes": "cs-g"])
        add(.stateRecorded, ["state_version": "1"])
        add(.scanAdvanced, stack: nil, ["branch": "main"])
        add(.policyRevisionRecorded, stack: nil, ["revision": "1"])
        add(.stateRecorded, ["state_version": "2"])
        add(.stateRecorded, stack: "database", ["state_version": "1", "removed": "true"])
        add(.scanAdvanced, stack: nil, ["branch": "main"])
        return entries
    }()

    /// The trail summarised with the summary drained after each entry whose index `cut` accepts,
    /// the parts merged back in order as the store merges a partition's records.
    static func summarised(cuttingAfter cut: (Int) -> Bool) -> AuditTableSummary {
        var summary = AuditTableSummary()
        var parts: [AuditTableSummary] = []
        for (index, entry) in trail.enumerated() {
            summary.apply(entry)
            if cut(index) { summary.drain { parts.append($0) } }
        }
        summary.drain { parts.append($0) }
        var merged = AuditTableSummary()
        for part in parts {
            for id in part.supersededIfOpen { merged.mergeSupersession(of: id) }
            for (id, changeSet) in part.changeSets { merged.merge(changeSet: id, changeSet) }
            for (key, verdict) in part.verdicts { merged.merge(verdict: key, verdict) }
            for (id, execution) in part.executions { merged.merge(execution: id, execution) }
            for (key, attribution) in part.attributions { merged.merge(attribution: key, attribution) }
        }
        return merged
    }

    static let whole: AuditTableSummary = {
        var summary = AuditTableSummary()
        for entry in trail { summary.apply(entry) }
        return summary
    }()

    static func expectSameRows(_ merged: AuditTableSummary, _ label: String) {
        #expect(merged.changeSets == whole.changeSets, "\(label)")
        #expect(merged.verdicts == whole.verdicts, "\(label)")
        #expect(merged.executions == whole.executions, "\(label)")
        #expect(merged.attributions == whole.attributions, "\(label)")
    }

    @Test("the whole trail's summary has the rows the trail implies")
    func wholeTrail() {
        let summary = Self.whole
        #expect(summary.changeSets["cs-a"]?.status == .superseded)
        #expect(summary.changeSets["cs-e"]?.status == .cancelled)
        #expect(summary.changeSets["cs-g"]?.status == .superseded)
        #expect(summary.changeSets["cs-g"]?.isCreated == true)
        #expect(summary.changeSets["cs-never"]?.isCreated == false)
        #expect(summary.changeSets["cs-ghost"] == nil)
        #expect(summary.verdicts[.init(changeSetID: "cs-b", reviewer: "bob")]?.approve == false)
        #expect(summary.executions["ex-1"]?.result == "SUCCEEDED")
        #expect(summary.executions["ex-2"]?.isStarted == false)
        let attributed = AuditTableSummary.attributionKey(stack: "network", commit: "c2")
        #expect(summary.attributions[attributed]?.mergedBy == AuditTableSummary.Fingerprint("m1"))
        #expect(summary.supersededIfOpen.isEmpty)
    }

    @Test("parts cut after any one entry merge into the whole trail's rows", arguments: AuditTableSummaryPartsTests.trail.indices)
    func oneCut(after cut: Int) {
        Self.expectSameRows(Self.summarised { $0 == cut }, "cut after entry \(cut + 1)")
    }

    @Test("parts cut after every n-th entry merge into the whole trail's rows", arguments: [1, 2, 3, 5])
    func everyNth(n: Int) {
        Self.expectSameRows(Self.summarised { $0 % n == n - 1 }, "cut after every \(n)")
    }

    @Test("halves summarised side by side, the later as a later part, append into the whole trail's summary",
          arguments: 0...AuditTableSummaryPartsTests.trail.count)
    func halves(middle: Int) {
        var earlier = AuditTableSummary()
        var later = AuditTableSummary.laterPart()
        for entry in Self.trail[..<middle] { earlier.apply(entry) }
        for entry in Self.trail[middle...] { later.apply(entry) }
        earlier.append(later)
        Self.expectSameRows(earlier, "halves cut after entry \(middle)")
        #expect(earlier.supersededIfOpen.isEmpty)
        #expect(earlier.few.stackStates == Self.whole.few.stackStates)
        #expect(earlier.few.policyRevisions == Self.whole.few.policyRevisions)
        #expect(earlier.few.cursors.mapValues(\.sequence) == Self.whole.few.cursors.mapValues(\.sequence))
    }

    @Test("a commit list reads as its words split at spaces and joined by one", arguments: [
        "", " ", "  ", "a", "a b", "a  b", " a", "a ", " a b ", "a\tb", "a\u{00A0}b", "abc def ghi", "é ü",
    ])
    func singleSpaced(list: String) {
        #expect(AuditTableSummary.singleSpaced(list) == list.split(separator: " ").joined(separator: " "))
    }

    @Test("a supersession of a change set the summary does not hold is kept only once rows were drained")
    func supersessionKeptWhenDrained() {
        var summary = AuditTableSummary()
        let creation = AuditEntry(
            sequence: 1, epochMilliseconds: 0, actor: "tollgate", action: .changeSetCreated, stack: "network", changeSetID: "cs-b",
            commit: nil, digest: nil, details: ["supersedes": "cs-a"], previousHash: "", hash: "")
        summary.apply(creation)
        #expect(summary.supersededIfOpen.isEmpty)
        summary.drain { _ in }
        #expect(summary.rowCount == 0)
        summary.apply(creation)
        #expect(summary.supersededIfOpen == ["cs-a"])
        #expect(summary.rowCount == 2)
    }
}
