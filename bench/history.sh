#!/usr/bin/env bash
# Benchmark of issue 2: `tollgate history --json` against `git log` on a generated repository of
# 100,000 commits on main and 1,000 stacks. Prints the time ratio and tollgate's peak memory.
set -euo pipefail
cd "$(dirname "$0")/.."
bench/build.sh tollgate
repo=bench/data/history-repo
[ -d "$repo" ] || python3 bench/generate_history_repo.py "$repo"
python3 bench/history_bench.py .build-release/release/tollgate "$repo" "$@"
