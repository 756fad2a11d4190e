#!/usr/bin/env python3
"""Appends N hash-chained entries to the audit trail of a Tollgate SQLite store.

It computes every hash itself from the canonical encoding described in docs/operations.md, so
that a successful `tollgate audit verify` afterwards also shows that the published encoding is
the one Tollgate checks. Usage: generate-audit-trail.py STATE_DB COUNT
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


def main():
    path, count = sys.argv[1], int(sys.argv[2])
    db = sqlite3.connect(path, isolation_level=None)
    db.execute("BEGIN IMMEDIATE")
    row = db.execute("SELECT sequence, hash, recorded_at FROM audit_entries ORDER BY sequence DESC LIMIT 1").fetchone()
    sequence, previous, millis = row if row else (0, "0" * 64, 1767225600000)
    stacks = ["network", "database", "app", "queue", "cdn"]
    actors = ["tollgate", "alice", "bob", "carol"]
    batch = []
    for _ in range(count):
        sequence += 1
        millis += 7
        stack = stacks[sequence % len(stacks)]
        actor = actors[sequence % len(actors)]
        change_set = "cs-%08x" % (sequence // 3)
        commit = "%040x" % (sequence * 2654435761 % (1 << 160))
        digest = "sha256:%064x" % sequence
        details = {"from": "PENDING", "to": "APPROVED"}
        action = "changeset.transitioned"
        hash_ = entry_hash(sequence, millis, actor, action, stack, change_set, commit, digest, details, previous)
        batch.append((sequence, millis, actor, action, stack, change_set, commit, digest,
                      json.dumps(details, sort_keys=True, separators=(",", ":")), previous, hash_))
        previous = hash_
        if len(batch) == 50000:
            db.executemany("INSERT INTO audit_entries VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)", batch)
            batch.clear()
    if batch:
        db.executemany("INSERT INTO audit_entries VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)", batch)
    db.execute("COMMIT")
    print(previous)


if __name__ == "__main__":
    main()
