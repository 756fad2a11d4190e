#!/usr/bin/env python3
"""Times `tollgate history --json` against `git log --first-parent --name-status` on one repository.

Both commands run in turn, ROUNDS times each, in this process; it prints each one's median wall
time and peak memory (from wait4's rusage) and the ratio tollgate/git of the medians.
Targets (issue 2): ratio at most 1.0, tollgate's peak memory under 100 MB.

Usage: history_bench.py TOLLGATE_BINARY REPOSITORY [--rounds N]
"""
import argparse
import os
import statistics
import subprocess
import sys
import time

def run(command, cwd):
    """Runs command with its output thrown away; returns (wall seconds, peak RSS in MB, lines)."""
    started = time.perf_counter()
    process = subprocess.Popen(command, cwd=cwd, stdout=subprocess.PIPE, stderr=subprocess.DEVNULL)
    lines = 0
    for chunk in iter(lambda: process.stdout.read(1 << 16), b""):
        lines += chunk.count(b"\n")
    _, status, usage = os.wait4(process.pid, 0)
    elapsed = time.perf_counter() - started
    if status != 0:
        sys.exit(f"{' '.join(command)} failed with status {status}")
    return elapsed, usage.ru_maxrss / 1024, lines

def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("tollgate")
    parser.add_argument("repository")
    parser.add_argument("--rounds", type=int, default=3)
    args = parser.parse_args()
    tollgate = [os.path.abspath(args.tollgate), "history", "--json"]
    git = ["git", "log", "--first-parent", "--format=%H", "--name-status", "--", "Stacks", "Policies"]
    results = {"tollgate": [], "git": []}
    for _ in range(args.rounds):
        results["tollgate"].append(run(tollgate, args.repository))
        results["git"].append(run(git, args.repository))
    medians = {}
    for name, runs in results.items():
        wall = statistics.median(r[0] for r in runs)
        peak = max(r[1] for r in runs)
        medians[name] = wall
        print(f"{name:9s} median {wall:6.2f} s   peak memory {peak:6.1f} MB   ({runs[0][2]} lines of output)")
    print(f"ratio tollgate/git: {medians['tollgate'] / medians['git']:.2f}  (target <= 1.00)")

if __name__ == "__main__":
    main()
