#!/usr/bin/env python3
"""Writes a large repository for the history and sync benchmarks, through `git fast-import`.

Shape: COMMITS commits on main (default 100,000), up to STACKS stacks under Stacks/ (default 1,000),
unrelated source files beside them, a policy change now and then, stacks added, moved and deleted
over time, and a merge of a short side branch every MERGE_EVERY commits.

Usage: generate_history_repo.py PATH [--commits N] [--stacks N] [--seed N]
"""
import argparse
import os
import random
import subprocess
import sys

def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("path")
    parser.add_argument("--commits", type=int, default=100_000)
    parser.add_argument("--stacks", type=int, default=1_000)
    parser.add_argument("--unrelated", type=int, default=2_000)
    parser.add_argument("--merge-every", type=int, default=250)
    parser.add_argument("--seed", type=int, default=7)
    args = parser.parse_args()
    rng = random.Random(args.seed)

    if os.path.exists(args.path):
        sys.exit(f"{args.path} exists; remove it first")
    subprocess.run(["git", "init", "-q", "-b", "main", args.path], check=True)
    importer = subprocess.Popen(["git", "fast-import", "--quiet"], cwd=args.path, stdin=subprocess.PIPE)
    out = importer.stdin

    def data(text):
        raw = text.encode()
        out.write(b"data %d\n" % len(raw))
        out.write(raw)
        out.write(b"\n")

    def template(name, version):
        # Size is declared because config.json sets it: sync plans every stack it sees.
        return (f"AWSTemplateFormatVersion: '2010-09-09'\nDescription: {name} v{version}\n"
                f"Parameters:\n  Size:\n    Type: String\n    Default: '0'\n"
                f"Resources:\n  Queue:\n    Type: AWS::SQS::Queue\n    Properties:\n"
                f"      VisibilityTimeout: {30 + version % 300}\n")

    live = {}          # stack name -> version
    next_stack = 0
    clock = 1_600_000_000
    mark = 0
    main_head = None

    def commit(branch, message, ops, parents):
        nonlocal clock, mark
        mark += 1
        clock += 60
        out.write(b"commit refs/heads/%s\n" % branch.encode())
        out.write(b"mark :%d\n" % mark)
        who = rng.choice(["Alice Example <alice@example.com>", "Bob Example <bob@example.com>",
                          "Carol Example <carol@example.com>"])
        out.write(f"author {who} {clock} +0100\ncommitter {who} {clock} +0100\n".encode())
        data(message)
        if parents:
            out.write(b"from :%d\n" % parents[0])
            for extra in parents[1:]:
                out.write(b"merge :%d\n" % extra)
        for op in ops:
            if op[0] == "M":
                out.write(f"M 100644 inline {op[1]}\n".encode())
                data(op[2])
            else:
                out.write(f"D {op[1]}\n".encode())
        out.write(b"\n")
        return mark

    def add_stack():
        nonlocal next_stack
        name = f"stack-{next_stack:04d}"
        next_stack += 1
        live[name] = 0
        return f"add {name}", [("M", f"Stacks/{name}/template.yaml", template(name, 0)),
                               ("M", f"Stacks/{name}/config.json", '{"Parameters": {}, "Tags": {}}\n')]

    def stack_ops():
        roll = rng.random()
        if (roll < 0.01 or not live) and next_stack < args.stacks:
            return add_stack()
        if roll < 0.012 and len(live) > 10:
            name = rng.choice(sorted(live))
            del live[name]
            return f"delete {name}", [("D", f"Stacks/{name}")]
        name = rng.choice(sorted(live))
        live[name] += 1
        if rng.random() < 0.3:
            return f"configure {name}", [("M", f"Stacks/{name}/config.json",
                                          '{"Parameters": {"Size": "%d"}, "Tags": {}}\n' % live[name])]
        return f"change {name}", [("M", f"Stacks/{name}/template.yaml", template(name, live[name]))]

    # The first commit: unrelated files, the policies and half of the stacks.
    ops = [("M", f"src/module{i % 40:02d}/file{i:05d}.txt", f"line {i}\n") for i in range(args.unrelated)]
    ops.append(("M", "Policies/reviewers.yaml", "people: []\n"))
    for _ in range(args.stacks // 2):
        ops += add_stack()[1]
    main_head = commit("main", "initial import", ops, [])

    made = 1
    while made < args.commits:
        if made % args.merge_every == 0:
            # fast-import takes a merge's tree from its first parent plus the listed changes, so
            # the merge repeats the side branch's changes to bring them onto main.
            side = main_head
            side_ops = []
            for step in range(3):
                message, ops = stack_ops() if step == 0 else (
                    "side work", [("M", f"src/module{rng.randrange(40):02d}/side.txt", f"{made} {step}\n")])
                side = commit("feature", message, ops, [side])
                side_ops += ops
                made += 1
            main_head = commit("main", "Merge branch 'feature'", side_ops, [main_head, side])
            made += 1
            continue
        roll = rng.random()
        if roll < 0.6:
            message, ops = stack_ops()
        elif roll < 0.605:
            message, ops = "update reviewers", [("M", "Policies/reviewers.yaml", f"people: [] # {made}\n")]
        else:
            i = rng.randrange(args.unrelated)
            message, ops = "edit source", [("M", f"src/module{i % 40:02d}/file{i:05d}.txt", f"line {i} {made}\n")]
        main_head = commit("main", message, ops, [main_head])
        made += 1

    out.close()
    if importer.wait() != 0:
        sys.exit("git fast-import failed")
    subprocess.run(["git", "repack", "-adq"], cwd=args.path, check=True)
    subprocess.run(["git", "branch", "-D", "-q", "feature"], cwd=args.path, check=True)
    print(f"{args.path}: {made} commits, {next_stack} stacks created, {len(live)} live")

if __name__ == "__main__":
    main()
