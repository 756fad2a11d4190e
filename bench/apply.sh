#!/usr/bin/env bash
# Apply benchmark: applies of approved change sets, each a new stack of RESOURCES resources,
# RECORD of them through the record provider and MOTO through the cloudformation provider against
# moto in server mode; beside them, what moto itself takes for the same CreateChangeSet + wait +
# ExecuteChangeSet + wait called from boto3, so that Tollgate's own overhead shows as a ratio.
# Each kind is applied twice over, on stacks of its own: once as a whole `tollgate apply` process
# per change set (start-up, the checks, the lock, the provider, the record), as an operator or a
# timer runs it, and once through a running `tollgate serve` (`POST /api/change-sets/ID/apply?wait=60`,
# which answers once the apply has ended), as a team's server runs it for a client that waits for
# the outcome. Through the server, moto's own time for a stack of the same
# size is measured right after each apply, so that a machine whose speed drifts during the run
# (moto's time moved from 29 to 75 ms between runs here) moves both sides of that ratio alike;
# the command-line column's reference is measured at the end.
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
server_pid=""
cleanup() {
    if [ -n "$moto_pid" ]; then kill "$moto_pid" 2>/dev/null || true; fi
    if [ -n "$server_pid" ]; then kill "$server_pid" 2>/dev/null || true; wait "$server_pid" 2>/dev/null || true; fi
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
python3 bench/generate_apply_repo.py "$work/repo" --record $((2 * record)) --cloudformation $((2 * moto)) --resources "$resources" \
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

# Stacks rec-000.. and cfn-000.. below RECORD and MOTO go to the command line, the rest to the server.
python3 - "$work/change-sets" "$record" "$moto" "$work/by-command" "$work/by-server" <<'PY'
import sys
lines, record, moto = open(sys.argv[1]).read().split("\n"), int(sys.argv[2]), int(sys.argv[3])
with open(sys.argv[4], "w") as command, open(sys.argv[5], "w") as server:
    for line in filter(None, lines):
        kind, index = line.split()[0].split("-")
        (command if int(index) < (record if kind == "rec" else moto) else server).write(line + "\n")
PY

# One timed apply per change set, record stacks first; a failed apply stops the run.
: > "$work/times"
while read -r stack id; do
    start=$(date +%s%N)
    tg apply "$id" --actor bench > "$work/apply.out" || { cat "$work/apply.out" >&2; exit 1; }
    end=$(date +%s%N)
    echo "$stack $(( (end - start) / 1000 ))" >> "$work/times"
done < "$work/by-command"

token=$(tg token issue ana 2> /dev/null)
"$tollgate" serve --listen 127.0.0.1:0 --poll 0s --repo "$work/repo" --state "$work/state.db" > "$work/serve.out" 2> "$work/serve.log" &
server_pid=$!
for _ in $(seq 600); do
    grep -q "^Listening on" "$work/serve.out" 2> /dev/null && break
    sleep 0.05
done
url=$(sed -n 's/^Listening on //p' "$work/serve.out")
[ -n "$url" ] || { cat "$work/serve.log" >&2; echo "tollgate serve did not start" >&2; exit 1; }
python3 bench/apply_server.py "$url" "$token" "$work/by-server" "$endpoint" "$resources" ref > "$work/server.json"

python3 bench/apply_moto.py "$endpoint" "$moto" "$resources" last > "$work/moto.json"

python3 - "$work/times" "$work/moto.json" "$work/server.json" "$record" "$moto" "$resources" <<'PY'
import json
import statistics
import sys

times = [line.split() for line in open(sys.argv[1])]
command = {stack: int(us) / 1000 for stack, us in times}
server = json.load(open(sys.argv[3]))
moto = json.load(open(sys.argv[2]))
record, stacks, resources = sys.argv[4], sys.argv[5], sys.argv[6]
reference = moto["median_ms"]


def median(figures: dict, kind: str) -> float:
    return statistics.median(ms for stack, ms in figures.items() if stack.startswith(kind + "-"))


# The server's applies each have moto's own time measured right after them: the ratio that counts.
interleaved = median(server, "reference:cfn")


print(f"apply of a new {resources}-resource stack; medians, ms per apply")
print(f"{'':44}{'tollgate apply':>16}{'tollgate serve':>16}")
print(f"{'record provider, ' + record + ' stacks each':44}{median(command, 'rec'):16.1f}{median(server, 'rec'):16.1f}")
print(f"{'cloudformation provider on moto, ' + stacks + ' each':44}{median(command, 'cfn'):16.1f}{median(server, 'cfn'):16.1f}")
print(f"{'moto from boto3, same calls and waits':44}{reference:16.1f}{interleaved:16.1f}")
for label, figures, moto_ms in (("tollgate apply", command, reference), ("tollgate serve", server, interleaved)):
    overhead = median(figures, "cfn") - moto_ms
    print(f"Tollgate's overhead, {label + ':':16}{overhead:9.1f} ms = {overhead / moto_ms:6.1%} of moto's time  (target < 10%)")
PY
