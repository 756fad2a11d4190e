#!/usr/bin/env bash
# Every figure of the performance table in one run, each as a ratio to its reference measured in
# the same run: history against git log, diff against moto, audit verify against sha256sum of the
# store, start-up against git --version (and against bench/StartupFloor, the smallest Swift
# program built the same way); with each one's peak memory. README's performance section is
# copied from its last table.
#
#   bench/all.sh [--commits N] [--stacks N] [--entries N] [--rounds N] [--real-repo PATH]
#
# Defaults are the issue's sizes (100,000 commits and 1,000 stacks; 1,000,000 audit entries; 3
# rounds). A quick run: bench/all.sh --commits 20000 --stacks 400 --entries 100000 --rounds 1.
# Generated data are kept in bench/data/ (ignored by git) and reused. Needs python3 with moto
# and boto3 (pip install moto boto3), git and sha256sum.
#
# The real repository is aws-samples/serverless-patterns (2,238 commits on main), read with the
# settings in bench/serverless-patterns.yaml; the measure is left out when it is not there:
#   git clone --mirror https://github.com/aws-samples/serverless-patterns bench/data/serverless-patterns.git
set -euo pipefail
cd "$(dirname "$0")/.."
commits=100000
stacks=1000
entries=1000000
rounds=3
real=bench/data/serverless-patterns.git
while [ $# -gt 0 ]; do
    case "$1" in
        --commits) commits="$2"; shift 2 ;;
        --stacks) stacks="$2"; shift 2 ;;
        --entries) entries="$2"; shift 2 ;;
        --rounds) rounds="$2"; shift 2 ;;
        --real-repo) real="$2"; shift 2 ;;
        *) echo "unknown argument $1" >&2; exit 2 ;;
    esac
done

bench/build.sh tollgate StartupFloor
tollgate="$PWD/.build-release/release/tollgate"
mkdir -p bench/data

repo="bench/data/history-$commits-$stacks"
[ -d "$repo" ] || python3 bench/generate_history_repo.py "$repo" --commits "$commits" --stacks "$stacks" >&2
python3 bench/generate_changeset_pair.py bench/data >&2
audit="bench/data/audit-$entries.db"
if [ ! -f "$audit" ]; then
    "$tollgate" audit head --state "$audit" >/dev/null   # creates the store and its first entry
    python3 bench/generate-audit-trail.py "$audit" $((entries - 1)) >/dev/null
fi

real_arguments=()
if [ -d "$real" ]; then
    real_arguments=(--real-repo "$real" --real-config bench/serverless-patterns.yaml
        --real-label "serverless-patterns, $(git -C "$real" rev-list --first-parent --count main) commits")
else
    echo "no repository at $real: the real-repository measure is left out" >&2
fi

echo "tollgate $(du -h "$tollgate" | cut -f1) binary; $(nproc) cores; $(date -u +%Y-%m-%dT%H:%MZ)"
python3 bench/all_measures.py --tollgate "$tollgate" --rounds "$rounds" \
    --history-repo "$repo" --history-label "$commits commits, $stacks stacks" "${real_arguments[@]}" \
    --pair bench/data \
    --audit-db "$audit" --audit-label "$entries entries" \
    --startup-floor "$PWD/.build-release/release/StartupFloor"
