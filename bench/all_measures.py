#!/usr/bin/env python3
"""Runs every measure of Tollgate's performance table against its reference, in one run.

Each measure runs Tollgate and its reference in turn (interleaved, ROUNDS times each) and prints
the median of each, their ratio, and each one's peak memory (maximum resident set size from
wait4). Called by bench/all.sh, which builds the release binary and generates the data first.

Usage: all_measures.py --tollgate BIN --history-repo PATH [--real-repo PATH --real-config FILE]
                       --pair DIR --audit-db PATH [--rounds N]
"""
import argparse
import json
import os
import statistics
import subprocess
import sys
import time


def run(command, cwd=None):
    """Runs command with its output counted and thrown away.

    Returns (wall seconds, CPU seconds, peak RSS in MiB, exit status)."""
    started = time.perf_counter()
    process = subprocess.Popen(command, cwd=cwd, stdout=subprocess.PIPE, stderr=subprocess.DEVNULL)
    for _ in iter(lambda: process.stdout.read(1 << 16), b""):
        pass
    _, status, usage = os.wait4(process.pid, 0)
    wall = time.perf_counter() - started
    return wall, usage.ru_utime + usage.ru_stime, usage.ru_maxrss / 1024, os.waitstatus_to_exitcode(status)


def interleaved(commands, rounds, cwd=None, expect=0):
    """Runs each named command ROUNDS times, in turn; returns name -> list of run results."""
    results = {name: [] for name in commands}
    for _ in range(rounds):
        for name, command in commands.items():
            result = run(command, cwd)
            if result[3] != expect:
                sys.exit(f"{' '.join(command)} exited with {result[3]}, expected {expect}")
            results[name].append(result)
    return results


def median(runs, index):
    return statistics.median(r[index] for r in runs)


def peak(runs):
    return max(r[2] for r in runs)


ROWS = []


def row(measure, tollgate, tollgate_mib, reference_name, reference, reference_mib, ratio, goal, unit="s"):
    def amount(value):
        return f"{value * 1000:.1f} ms" if unit == "ms" else f"{value:.2f} s"
    ROWS.append((measure, amount(tollgate), f"{tollgate_mib:.0f} MiB" if tollgate_mib else "-",
                 f"{reference_name} {amount(reference)}", f"{reference_mib:.0f} MiB" if reference_mib else "-",
                 ratio, goal))
    print(f"  {measure}: tollgate {amount(tollgate)}, {reference_name} {amount(reference)}, {ratio} (goal {goal})", flush=True)


def history(args):
    tollgate = [args.tollgate, "history", "--json"]
    git = ["git", "log", "--first-parent", "--name-status", "--", "Stacks", "Policies"]
    results = interleaved({"tollgate": tollgate, "git": git}, args.rounds, cwd=args.history_repo)
    t, g = median(results["tollgate"], 0), median(results["git"], 0)
    row(f"history --json, {args.history_label}", t, peak(results["tollgate"]),
        "git log --first-parent --name-status", g, peak(results["git"]), f"{t / g:.2f}x git", "<= 0.5x")


def real_history(args):
    """History on a real repository, whose stacks may lie in any folder: git lists every change."""
    tollgate = [args.tollgate, "history", "--json", "--repo", args.real_repo, "--config", args.real_config]
    git = ["git", "-C", args.real_repo, "log", "--first-parent", "--name-status", "main"]
    results = interleaved({"tollgate": tollgate, "git": git}, max(args.rounds, 5))
    t, g = median(results["tollgate"], 0), median(results["git"], 0)
    row(f"history --json, {args.real_label}", t, peak(results["tollgate"]),
        "git log --first-parent --name-status", g, peak(results["git"]), f"{t / g:.2f}x git", "<= 1.0x", unit="ms")


def changeset(args):
    base, target = os.path.join(args.pair, "base.yaml"), os.path.join(args.pair, "target.yaml")
    diff = [args.tollgate, "diff", "--json", base, target]
    results = interleaved({"tollgate": diff}, max(args.rounds, 5), expect=0)
    cpu = median(results["tollgate"], 1)
    moto = json.loads(subprocess.run(
        [sys.executable, os.path.join(os.path.dirname(__file__), "changeset_moto.py"), base, target, str(args.rounds)],
        check=True, capture_output=True, text=True).stdout)
    moto_seconds = moto["changeset_ms"] / 1000
    row("diff --json, 1,000-resource pair (whole process, CPU)", cpu, peak(results["tollgate"]),
        "moto change set in-process", moto_seconds, 0, f"{moto_seconds / cpu:.1f}x faster than moto", ">= 15x", unit="ms")


def audit(args):
    verify = [args.tollgate, "audit", "verify", "--state", args.audit_db]
    checksum = ["sha256sum", args.audit_db]
    results = interleaved({"tollgate": verify, "sha256sum": checksum}, args.rounds)
    t, s = median(results["tollgate"], 0), median(results["sha256sum"], 0)
    row(f"audit verify, {args.audit_label}", t, peak(results["tollgate"]),
        "sha256sum of the store", s, peak(results["sha256sum"]), f"{t / s:.2f}x sha256sum", "<= 2x")


def startup(args):
    count = args.startup_runs
    def loop(command):
        started = time.perf_counter()
        worst = 0.0
        for _ in range(count):
            result = run(command)
            worst = max(worst, result[2])
        return (time.perf_counter() - started) / count, worst
    commands = {"tollgate": [args.tollgate, "--help"], "git": ["git", "--version"]}
    if args.startup_floor:
        commands["floor"] = [args.startup_floor, "--help"]
    # Interleaved blocks, best block of each: start-up is short enough that noise only adds.
    times = {name: [] for name in commands}
    mib = {name: 0.0 for name in commands}
    for _ in range(args.rounds):
        for name, command in commands.items():
            seconds, peak_mib = loop(command)
            times[name].append(seconds)
            mib[name] = max(mib[name], peak_mib)
    help_run = subprocess.run([args.tollgate, "--help"], capture_output=True)
    if help_run.returncode != 0 or b"USAGE:" not in help_run.stdout:
        sys.exit(f"tollgate --help exited with {help_run.returncode} without its help text")
    t, g = min(times["tollgate"]), min(times["git"])
    row("tollgate --help (start-up)", t, mib["tollgate"], "git --version", g, mib["git"],
        f"{t / g:.1f}x git --version ({t * 1000:.1f} ms)", "<= 5 ms", unit="ms")
    if args.startup_floor:
        # Not a goal: how far the smallest Swift program built the same way is from 5 ms.
        f = min(times["floor"])
        row("tollgate --help (start-up)", t, mib["tollgate"], "a 4-command ArgumentParser program built alike", f, mib["floor"],
            f"{t / f:.1f}x it ({f * 1000:.1f} ms, {f / g:.1f}x git --version)", "-", unit="ms")


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--tollgate", required=True)
    parser.add_argument("--history-repo")
    parser.add_argument("--history-label", default="")
    parser.add_argument("--real-repo")
    parser.add_argument("--real-config")
    parser.add_argument("--real-label", default="")
    parser.add_argument("--pair")
    parser.add_argument("--audit-db")
    parser.add_argument("--audit-label", default="")
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--startup-runs", type=int, default=100)
    parser.add_argument("--startup-floor", help="bench/StartupFloor's binary, timed beside tollgate --help")
    args = parser.parse_args()
    args.tollgate = os.path.abspath(args.tollgate)
    if args.history_repo:
        history(args)
    if args.real_repo:
        real_history(args)
    if args.pair:
        changeset(args)
    if args.audit_db:
        audit(args)
    startup(args)
    print()
    print("| measure | Tollgate | peak memory | reference | peak memory | ratio | goal |")
    print("| --- | --- | --- | --- | --- | --- | --- |")
    for measure, tollgate, tollgate_mib, reference, reference_mib, ratio, goal in ROWS:
        print(f"| {measure} | {tollgate} | {tollgate_mib} | {reference} | {reference_mib} | {ratio} | {goal} |")


if __name__ == "__main__":
    main()
