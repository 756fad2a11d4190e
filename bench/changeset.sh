#!/usr/bin/env bash
# Change set benchmark: Tollgate's offline change set for a 1,000-resource template pair,
# against parsing the two templates alone and against moto's emulated CloudFormation.
# Targets (reported, not enforced): whole plan <= 1.5 x parse; moto / Tollgate >= 10.
#
#   bench/changeset.sh [ITERATIONS] [MOTO_ROUNDS]
#
# Needs: swift, python3 with `pip install moto boto3`.
set -euo pipefail
cd "$(dirname "$0")/.."

iterations="${1:-20}"
rounds="${2:-3}"
data="bench/data"

bench/build.sh TollgateBench
python3 bench/generate_changeset_pair.py "$data" >&2
.build-release/release/TollgateBench "$data/base.yaml" "$data/target.yaml" "$iterations" > "$data/tollgate.json"
python3 bench/changeset_moto.py "$data/base.yaml" "$data/target.yaml" "$rounds" > "$data/moto.json"

python3 - "$data/tollgate.json" "$data/moto.json" <<'PY'
import json
import sys

tollgate = json.load(open(sys.argv[1]))
moto = json.load(open(sys.argv[2]))
parse, changeset, plan = tollgate["parse_ms"], tollgate["changeset_ms"], tollgate["plan_ms"]
print(f"templates: 1,000 resources each; Tollgate medians over {tollgate['iterations']} runs, moto over {moto['rounds']}")
print(f"Tollgate changes: {tollgate['added']} add, {tollgate['modified']} modify "
      f"({tollgate['replaced']} replacement, {tollgate['conditionally_replaced']} conditional), {tollgate['removed']} remove")
print(f"moto changes:     {moto['actions']}")
print(f"parse both templates      {parse:10.2f} ms")
print(f"change set (parsed input) {changeset:10.2f} ms")
print(f"whole plan (parse + set)  {plan:10.2f} ms   plan / parse = {plan / parse:.2f}  (target <= 1.5)")
print(f"moto change set           {moto['changeset_ms']:10.2f} ms   moto / plan  = {moto['changeset_ms'] / plan:.1f}  (target >= 10)")
PY
