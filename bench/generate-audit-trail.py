#!/usr/bin/env python3
"""Appends N hash-chained audit entries to a Tollgate SQLite store, with the table rows they imply.

The trail is what a team's work writes: for one stack after another, a sync attributes a commit
and creates a change set, a reviewer approves it (signed), an operator applies it, and the stack's
new state is recorded; each sync moves the scan cursor. The change_sets, approvals, executions,
stack_states, stack_commits and scan_cursors rows agree with the entries, so `tollgate audit verify`
passes both its chain check and its table check. A count that ends half way through a change
set's life leaves it where it stopped, as a real trail would.

Every hash is computed here from the canonical encoding described in docs/operations.md, so that a
successful `tollgate audit verify` afterwards also shows that the published encoding is the one
Tollgate checks. Prints the head hash. Usage: generate-audit-trail.py STATE_DB COUNT
"""
import hashlib
import json
import sqlite3
import sys


def field(name, value):
    if value is None:
        return name.encode() + b":-\n"
    data = value.encode()
    return name.encode() + b":" + str(len(data)).encode() + b":" + data + b"\n"


def entry_hash(sequence, millis, actor, action, stack, change_set, commit, digest, details, previous):
    parts = [b"tollgate-audit-v1\n",
             field("sequence", str(sequence)), field("time", str(millis)), field("actor", actor),
             field("action", action), field("stack", stack), field("change_set", change_set),
             field("commit", commit), field("digest", digest), field("details", str(len(details)))]
    for key in sorted(details, key=lambda k: k.encode()):
        parts.append(field("key", key))
        parts.append(field("value", details[key]))
    parts.append(field("previous", previous))
    return hashlib.sha256(b"".join(parts)).hexdigest()


def sha256_hex(text):
    return hashlib.sha256(text.encode()).hexdigest()


def compact(value):
    return json.dumps(value, sort_keys=True, separators=(",", ":"))


class Trail:
    """The audit entries, chained and written in batches."""

    def __init__(self, db, count):
        self.db = db
        self.remaining = count
        row = db.execute("SELECT sequence, hash, recorded_at FROM audit_entries ORDER BY sequence DESC LIMIT 1").fetchone()
        self.sequence, self.previous, self.millis = row if row else (0, "0" * 64, 1767225600000)
        self.batch = []

    def append(self, actor, action, stack=None, change_set=None, commit=None, digest=None, details=None):
        """Appends one entry; returns False once COUNT entries are written."""
        if self.remaining == 0:
            return False
        details = details or {}
        self.sequence += 1
        self.millis += 7
        hash_ = entry_hash(self.sequence, self.millis, actor, action, stack, change_set, commit, digest, details, self.previous)
        self.batch.append((self.sequence, self.millis, actor, action, stack, change_set, commit, digest,
                           compact(details), self.previous, hash_))
        self.previous = hash_
        self.remaining -= 1
        if len(self.batch) == 50000:
            self.flush()
        return True

    def flush(self):
        self.db.executemany("INSERT INTO audit_entries VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)", self.batch)
        self.batch.clear()


def main():
    path, count = sys.argv[1], int(sys.argv[2])
    db = sqlite3.connect(path, isolation_level=None)
    db.execute("BEGIN IMMEDIATE")
    trail = Trail(db, count)
    stacks = ["network", "database", "app", "queue", "cdn", "search", "billing", "auth"]
    reviewers = ["alice", "bob", "carol"]
    versions = {stack: 0 for stack in stacks}
    position = 0
    cursor = None
    number = 0
    while trail.remaining:
        number += 1
        stack = stacks[number % len(stacks)]
        commit = "%040x" % (number * 2654435761 % (1 << 160))
        change_set = "cs-%08x" % number
        execution = "ex-%08x" % number
        digest = "sha256:" + sha256_hex(change_set)
        base = versions[stack]
        body = compact({"ChangeSetId": change_set, "StackName": stack, "Changes": [{"Type": "Resource", "ResourceChange": {
            "Action": "Modify", "LogicalResourceId": "Queue%d" % (number % 40), "ResourceType": "AWS::SQS::Queue",
            "Replacement": "False", "Scope": ["Properties"], "Details": [{"Target": {
                "Attribute": "Properties", "Name": "VisibilityTimeout", "RequiresRecreation": "Never"},
                "Evaluation": "Static", "ChangeSource": "DirectModification"}]}}]})
        signature = "-----BEGIN SSH SIGNATURE-----\n%s\n-----END SSH SIGNATURE-----\n" % sha256_hex(execution)
        reviewer = reviewers[number % len(reviewers)]

        def step(actor, action, details, with_change_set=True, with_commit=True):
            return trail.append(actor, action, stack, change_set if with_change_set else None,
                                commit if with_commit else None, digest if with_change_set else None, details)

        details = {"branch": "main"}
        if cursor:
            details["previous"] = cursor
        if not trail.append("tollgate", "scan.advanced", None, None, commit, None, details):
            break
        db.execute("INSERT INTO scan_cursors VALUES ('main', ?, ?) ON CONFLICT (branch) DO UPDATE SET "
                   "commit_id = excluded.commit_id, updated_at = excluded.updated_at", (commit, trail.millis))
        cursor = commit
        position += 1
        if not step("tollgate", "commits.attributed", {"commits": commit}, with_change_set=False, with_commit=False):
            break
        db.execute("INSERT INTO stack_commits (stack, commit_id, merged_by, position) VALUES (?, ?, NULL, ?)", (stack, commit, position))
        if not step("tollgate", "changeset.created", {
                "kind": "stack", "base_state_version": str(base), "commits": commit, "body_sha256": sha256_hex(body)}):
            break
        db.execute("INSERT INTO change_sets (id, kind, stack, commits, base_state_version, target_commit, digest, body, status, "
                   "status_reason, created_at, updated_at) VALUES (?, 'stack', ?, ?, ?, ?, ?, ?, 'PENDING', NULL, ?, ?)",
                   (change_set, stack, json.dumps([commit]), base, commit, digest, body, trail.millis, trail.millis))

        def status(to):
            db.execute("UPDATE change_sets SET status = ?, updated_at = ? WHERE id = ?", (to, trail.millis, change_set))

        if not step(reviewer, "approval.recorded", {"signed": "true", "signature_sha256": sha256_hex(signature)}):
            break
        db.execute("INSERT INTO approvals (change_set_id, reviewer, verdict, digest, signature, reason, recorded_at) "
                   "VALUES (?, ?, 'approve', ?, ?, NULL, ?)",
                   (change_set, reviewer, digest, signature, trail.millis))
        if not step(reviewer, "changeset.transitioned", {"from": "PENDING", "to": "APPROVED"}):
            break
        status("APPROVED")
        if not step("operator", "changeset.transitioned", {"from": "APPROVED", "to": "APPLYING"}):
            break
        status("APPLYING")
        if not step("operator", "execution.started", {"execution": execution}):
            break
        db.execute("INSERT INTO executions (id, change_set_id, stack, started_at) VALUES (?, ?, ?, ?)", (execution, change_set, stack, trail.millis))
        if not step("operator", "changeset.transitioned", {"from": "APPLYING", "to": "APPLIED"}):
            break
        status("APPLIED")
        if not step("operator", "execution.finished", {"execution": execution, "result": "SUCCEEDED"}):
            break
        db.execute("UPDATE executions SET finished_at = ?, result = 'SUCCEEDED' WHERE id = ?", (trail.millis, execution))
        template = "Resources:\n  Queue:\n    Type: AWS::SQS::Queue\n    Properties:\n      VisibilityTimeout: %d\n" % number
        version = base + 1
        if not step("operator", "state.recorded", {
                "state_version": str(version),
                "content_sha256": sha256_hex(template + "\0" + "{}" + "\0" + "{}")}, with_change_set=False):
            break
        db.execute("INSERT INTO stack_states (stack, template, parameters, tags, commit_id, state_version, removed, recorded_at, outputs) "
                   "VALUES (?, ?, '{}', '{}', ?, ?, 0, ?, '{}') ON CONFLICT (stack) DO UPDATE SET "
                   "template = excluded.template, commit_id = excluded.commit_id, state_version = excluded.state_version, "
                   "recorded_at = excluded.recorded_at", (stack, template, commit, version, trail.millis))
        versions[stack] = version
    trail.flush()
    db.execute("COMMIT")
    print(trail.previous)


if __name__ == "__main__":
    main()
