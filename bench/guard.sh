#!/usr/bin/env bash
# Guard benchmark: all of AWS's registry rules (209 files) over the project's example stacks and
# a generated 1,000-resource template, evaluated by Tollgate (TollgateCore, in process) and by
# cfn-guard's Python binding (cfn-guard-rs). Both parse each rule file per template, as
# run_checks does; reading the template is timed apart. Then checkov scans the same templates with
# its own built-in CloudFormation checks, one process per template as a CI job runs it (its Python
# start-up included), beside Tollgate's read and evaluation time for the same template (start-up
# excluded). Prints the ratios (target: Tollgate faster).
#
#   bench/guard.sh [ITERATIONS] [CFN_GUARD_ITERATIONS]
#
# Needs: swift, python3 with venv; installs cfn-guard-rs, PyYAML and checkov into bench/.venv-guard.
set -euo pipefail
cd "$(dirname "$0")/.."

iterations="${1:-3}"
reference_iterations="${2:-1}"
rules="../shared/conformance/aws-guard-rules-registry/rules"
data="bench/data"
mkdir -p "$data"

if [ ! -x bench/.venv-guard/bin/python ]; then
    python3 -m venv bench/.venv-guard >&2
    bench/.venv-guard/bin/pip install -q cfn-guard-rs pyyaml >&2
fi
if [ ! -x bench/.venv-guard/bin/checkov ]; then
    bench/.venv-guard/bin/pip install -q checkov >&2
fi

bench/build.sh TollgateBench
python3 bench/generate_guard_template.py "$data/guard-1000.yaml" 1000 >&2
templates=(Stacks/*/template.yaml "$data/guard-1000.yaml")

.build-release/release/TollgateBench guard "$rules" "$iterations" "${templates[@]}" > "$data/guard-tollgate.json"
bench/.venv-guard/bin/python bench/guard_cfn_guard.py "$rules" "$reference_iterations" "${templates[@]}" > "$data/guard-cfn-guard.json"

python3 - "$data/guard-tollgate.json" "$data/guard-cfn-guard.json" <<'PY'
import json
import sys

tollgate = json.load(open(sys.argv[1]))
reference = json.load(open(sys.argv[2]))
print(f"{tollgate['rule_files']} rule files; Tollgate medians over {tollgate['iterations']} runs, "
      f"cfn-guard-rs over {reference['iterations']}")
print(f"{'template':32} {'Tollgate ms':>12} {'cfn-guard-rs ms':>16} {'ratio':>8}   (read: Tollgate / PyYAML ms)")
total_tollgate = total_reference = 0.0
for ours, theirs in zip(tollgate["templates"], reference["templates"]):
    total_tollgate += ours["evaluate_ms"]
    total_reference += theirs["evaluate_ms"]
    ratio = theirs["evaluate_ms"] / ours["evaluate_ms"] if ours["evaluate_ms"] else float("inf")
    print(f"{ours['template'][-32:]:32} {ours['evaluate_ms']:12.1f} {theirs['evaluate_ms']:16.1f} {ratio:7.1f}x"
          f"   ({ours['read_ms']:.1f} / {theirs['read_ms']:.1f}; cfn-guard-rs errors: {theirs['errors']})")
print(f"{'all templates':32} {total_tollgate:12.1f} {total_reference:16.1f} "
      f"{total_reference / total_tollgate:7.1f}x  cfn-guard-rs / Tollgate (target > 1)")
PY

# checkov per template, medians of ITERATIONS runs, against Tollgate's read + evaluation time above.
python3 - "$iterations" "$data/guard-tollgate.json" "${templates[@]}" <<'PY'
import json, statistics, subprocess, sys, time

iterations = int(sys.argv[1])
tollgate = {t["template"]: t for t in json.load(open(sys.argv[2]))["templates"]}
print(f"\n{'template':32} {'Tollgate ms':>12} {'checkov ms':>12} {'ratio':>8}")
ours_total = theirs_total = 0.0
for template in sys.argv[3:]:
    runs = []
    for _ in range(iterations):
        start = time.perf_counter()
        subprocess.run(["bench/.venv-guard/bin/checkov", "-f", template, "--framework", "cloudformation", "--quiet", "-o", "json"],
                       stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        runs.append((time.perf_counter() - start) * 1000)
    theirs = statistics.median(runs)
    entry = tollgate.get(template, {})
    ours = entry.get("evaluate_ms", 0.0) + entry.get("read_ms", 0.0)
    ours_total += ours
    theirs_total += theirs
    print(f"{template[-32:]:32} {ours:12.1f} {theirs:12.1f} {theirs / ours if ours else float('inf'):7.1f}x")
print(f"{'all templates':32} {ours_total:12.1f} {theirs_total:12.1f} {theirs_total / ours_total:7.1f}x  checkov / Tollgate (target > 1)")
PY
