#!/usr/bin/env bash
# Apply benchmark: `tollgate apply` of approved change sets, each a new stack of RESOURCES
# resources, RECORD of them through the record provider and MOTO through the cloudformation
# provider against moto in server mode; beside it, what moto itself takes for the same
# CreateChangeSet + wait + ExecuteChangeSet + wait called from boto3, so that Tollgate's own
# overhead shows as a ratio. Every apply is a whole `tollgate apply` process (start-up, the
# checks, the lock, the provider, the record in one transaction), as an operator or a timer runs it.
# Target (reported, not enforced): Tollgate's overhead under 10% of the emulator's time.
#
#   bench/apply.sh [RECORD] [MOTO] [RESOURCES]      (defaults: 100, 10, 20)
#
# Needs: swift, git, ssh-keygen, python3 with moto[server] and boto3
# (scripts/install-dependencies.sh --for-tests).
set -euo pipefail
cd "$(dirname "$0")/.."

record="${1:-100}"
moto="${2:-10}"
resources="${3:-20}"

bench/build.sh tollgate
tollgate="$PWD/.build-release/release/tollgate"
work=$(mktemp -d /tmp/tollgate-apply-bench.XXXXXX)
moto_pid=""
cleanup() {
    if [ -n "$moto_pid" ]; then kill "$moto_pid" 2>/dev/null || true; fi
    rm -rf "$work"
}
trap cleanup EXIT

port=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1]); s.close()')
endpoint="http://127.0.0.1:$port"
moto_server -H 127.0.0.1 -p "$port" > "$work/moto.log" 2>&1 &
moto_pid=$!
python3 - "$port" <<'PY'
import socket, sys, time
for _ in range(600):
    try:
        socket.create_connection(("127.0.0.1", int(sys.argv[1])), timeout=1).close()
        sys.exit(0)
    except OSError:
        time.sleep(0.05)
sys.exit("moto_server did not listen within 30 seconds")
PY

ssh-keygen -q -t ed25519 -N "" -C bench -f "$work/key"
python3 bench/generate_apply_repo.py "$work/repo" --record "$record" --cloudformation "$moto" --resources "$resources" \
    --endpoint "$endpoint" --prefix tg --public-key "$(cat "$work/key.pub")"
export AWS_ACCESS_KEY_ID=testing AWS_SECRET_ACCESS_KEY=testing
tg() { "$tollgate" "$@" --repo "$work/repo" --state "$work/state.db"; }

tg init --actor bench > /dev/null
tg sync --json > "$work/sync.json"
python3 -c 'import json, sys
for created in sorted(json.load(open(sys.argv[1]))["created"], key=lambda c: (not c["stack"].startswith("rec-"), c["stack"])):
    print(created["stack"], created["id"])' "$work/sync.json" > "$work/change-sets"
while read -r stack id; do
    tg approve "$id" --key "$work/key" > /dev/null
done < "$work/change-sets"

# moto loads a service's code at its first request, which takes seconds: one stack of the same
# kind, deployed before anything is timed, keeps that out of both sides.
python3 bench/apply_moto.py "$endpoint" 1 "$resources" warm > /dev/null

# One timed apply per change set, record stacks first; a failed apply stops the run.
: > "$work/times"
while read -r stack id; do
    start=$(date +%s%N)
    tg apply "$id" --actor bench > "$work/apply.out" || { cat "$work/apply.out" >&2; exit 1; }
    end=$(date +%s%N)
    echo "$stack $(( (end - start) / 1000 ))" >> "$work/times"
done < "$work/change-sets"

python3 bench/apply_moto.py "$endpoint" "$moto" "$resources" ref > "$work/moto.json"

python3 - "$work/times" "$work/moto.json" "$record" "$moto" "$resources" <<'PY'
import json
import statistics
import sys

times = [line.split() for line in open(sys.argv[1])]
record_ms = [int(us) / 1000 for stack, us in times if stack.startswith("rec-")]
cloudformation_ms = [int(us) / 1000 for stack, us in times if stack.startswith("cfn-")]
moto = json.load(open(sys.argv[2]))
record, stacks, resources = sys.argv[3], sys.argv[4], sys.argv[5]
tollgate = statistics.median(cloudformation_ms)
reference = moto["median_ms"]
overhead = tollgate - reference
print(f"apply of a new {resources}-resource stack, one tollgate process each; medians")
print(f"record provider, {record} stacks        {statistics.median(record_ms):9.1f} ms per apply")
print(f"cloudformation provider on moto, {stacks} {tollgate:9.1f} ms per apply")
print(f"moto from boto3, same calls and waits   {reference:9.1f} ms per stack")
print(f"Tollgate's overhead                     {overhead:9.1f} ms = {overhead / reference:.1%} of moto's time  (target < 10%)")
PY
