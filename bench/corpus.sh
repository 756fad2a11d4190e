#!/usr/bin/env bash
# Corpus benchmark: every template of ../shared/conformance/templates/ through
# `tollgate diff T T`, one process per template as a CI job runs it, beside `cfn-lint` on the
# same files (also one process per template). Prints both wall times and their ratio, and how
# many templates each accepted.
#
#   bench/corpus.sh            # builds tollgate through bench/build.sh first
#   TOLLGATE=.build/debug/tollgate bench/corpus.sh   # or time a given binary
#
# Needs: swift, python3 with `pip install cfn-lint` (scripts/install-dependencies.sh).
set -euo pipefail
cd "$(dirname "$0")/.."

corpus="../shared/conformance/templates"
[ -f "$corpus/cfn-lint-verdicts.json" ] || { echo "missing $corpus (see ../shared/conformance/README.md)" >&2; exit 1; }
if [ -z "${TOLLGATE:-}" ]; then
    bench/build.sh tollgate
    TOLLGATE=.build-release/release/tollgate
fi
command -v cfn-lint >/dev/null || { echo "cfn-lint is not installed: pip install cfn-lint" >&2; exit 1; }

python3 - "$corpus" "$TOLLGATE" <<'PY'
import json
import os
import subprocess
import sys
import time

corpus, tollgate = sys.argv[1], sys.argv[2]
paths = sorted(json.load(open(os.path.join(corpus, "cfn-lint-verdicts.json"))))

def run_all(command):
    accepted = 0
    start = time.perf_counter()
    for path in paths:
        full = os.path.join(corpus, path)
        result = subprocess.run(command(full), stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        accepted += result.returncode == 0
    return time.perf_counter() - start, accepted

print(f"templates: {len(paths)}, one process each", flush=True)
tollgate_seconds, tollgate_ok = run_all(lambda full: [tollgate, "diff", full, full])
# Printed before cfn-lint starts, which takes many minutes.
print(f"tollgate diff T T   {tollgate_seconds:8.1f} s   {tollgate_ok} read", flush=True)
lint_seconds, lint_ok = run_all(lambda full: ["cfn-lint", full])
print(f"cfn-lint            {lint_seconds:8.1f} s   {lint_ok} without errors")
print(f"cfn-lint / tollgate = {lint_seconds / tollgate_seconds:.1f}")
PY
