#!/usr/bin/env bash
# Server benchmark: wrk against `GET /api/stacks` with STACKS stacks and against the stack list
# page (`GET /`), 64 connections for DURATION seconds each, while APPROVALS approvals, each with
# its own ssh-keygen signature, are posted through the API at the same time; beside them, wrk
# against the same server's `/healthz`, the HTTP floor of this machine and framework, so that the
# figures show as ratios. Prints requests per second, p99 latency and errors, and whether every
# approval posted was recorded.
# Targets (reported, not enforced): 0 errors, p99 under 50 ms for the API.
#
#   bench/serve.sh [STACKS] [DURATION] [APPROVALS]      (defaults: 1000, 30, 200)
#
# TOLLGATE=PATH runs that binary instead of building the release one (a quick check of the script).
# Needs: wrk (Debian), git, ssh-keygen, python3.
set -euo pipefail
cd "$(dirname "$0")/.."

stacks="${1:-1000}"
duration="${2:-30}"
approvals="${3:-200}"
command -v wrk > /dev/null || { echo "bench/serve.sh needs wrk: apt-get install wrk" >&2; exit 1; }

tollgate="${TOLLGATE:-}"
if [ -z "$tollgate" ]; then
    bench/build.sh tollgate
    tollgate="$PWD/.build-release/release/tollgate"
fi
work=$(mktemp -d /tmp/tollgate-serve-bench.XXXXXX)
server_pid=""
cleanup() {
    if [ -n "$server_pid" ]; then kill "$server_pid" 2>/dev/null || true; wait "$server_pid" 2>/dev/null || true; fi
    [ -n "${KEEP:-}" ] || rm -rf "$work"
}
trap cleanup EXIT

ssh-keygen -q -t ed25519 -N "" -C bench -f "$work/key"
python3 bench/generate_apply_repo.py "$work/repo" --record "$stacks" --cloudformation 0 --resources 2 \
    --endpoint http://127.0.0.1:1 --prefix srv --public-key "$(cat "$work/key.pub")"
tg() { "$tollgate" "$@" --repo "$work/repo" --state "$work/state.db"; }
tg init --actor bench > /dev/null
tg sync > /dev/null
token=$(tg token issue ana 2> /dev/null)

"$tollgate" serve --listen 127.0.0.1:0 --poll 0s --repo "$work/repo" --state "$work/state.db" > "$work/serve.out" 2> "$work/serve.log" &
server_pid=$!
for _ in $(seq 600); do
    grep -q "^Listening on" "$work/serve.out" 2> /dev/null && break
    sleep 0.05
done
url=$(sed -n 's/^Listening on //p' "$work/serve.out")
[ -n "$url" ] || { cat "$work/serve.log" >&2; echo "tollgate serve did not start" >&2; exit 1; }
cookie=$(python3 bench/serve_clients.py session "$url" "$token")

run_wrk() { # NAME PATH HEADER
    wrk -t2 -c64 -d"${duration}s" --timeout 10s --latency -H "$3" "$url$2" > "$work/$1.wrk"
}
run_wrk healthz /healthz "X-Bench: reference"
python3 bench/serve_clients.py approve "$url" "$token" "$work/key" "$approvals" > "$work/approvals.json" &
approvals_pid=$!
run_wrk api /api/stacks "Authorization: Bearer $token"
wait "$approvals_pid"
run_wrk page / "Cookie: $cookie"
recorded=$(python3 bench/serve_clients.py recorded "$url" "$token")

python3 - "$work" "$stacks" "$duration" "$recorded" <<'PY'
import json
import re
import sys

work, stacks, duration, recorded = sys.argv[1], sys.argv[2], sys.argv[3], int(sys.argv[4])


def parse(name: str) -> dict:
    text = open(f"{work}/{name}.wrk").read()
    rps = float(re.search(r"Requests/sec:\s+([\d.]+)", text).group(1))
    value, unit = re.search(r"^\s+99%\s+([\d.]+)(us|ms|s)\s*$", text, re.M).groups()
    p99 = float(value) * {"us": 0.001, "ms": 1.0, "s": 1000.0}[unit]
    errors = 0
    socket = re.search(r"Socket errors: connect (\d+), read (\d+), write (\d+), timeout (\d+)", text)
    if socket:
        errors += sum(int(n) for n in socket.groups())
    non2xx = re.search(r"Non-2xx or 3xx responses: (\d+)", text)
    if non2xx:
        errors += int(non2xx.group(1))
    completed = int(re.search(r"(\d+) requests in", text).group(1))
    return {"rps": rps, "p99": p99 if completed else float("inf"), "errors": errors, "completed": completed}


reference = parse("healthz")
posted = json.load(open(f"{work}/approvals.json"))
print(f"tollgate serve, {stacks} stacks, wrk 64 connections x {duration} s each")
print(f"{'route':<34}{'req/s':>10}{'of /healthz':>13}{'p99 ms':>10}{'errors':>8}")
for name, label in (("healthz", "GET /healthz (reference)"), ("api", "GET /api/stacks + approvals"), ("page", "GET / (stack list page)")):
    figures = parse(name)
    print(f"{label:<34}{figures['rps']:>10.0f}{figures['rps'] / reference['rps']:>12.1%}{figures['p99']:>10.1f}{figures['errors']:>8}"
          + ("" if figures["completed"] else "  (no request completed)"))
api = parse("api")
print(f"approvals posted during the API run: {posted['posted']} accepted, {posted['refused']} refused; {recorded} stacks APPROVED afterwards")
print(f"targets: 0 errors ({'met' if api['errors'] == 0 and api['completed'] else 'NOT met'}), API p99 < 50 ms ({'met' if api['p99'] < 50 else 'NOT met'}), "
      f"every approval recorded ({'yes' if recorded == posted['posted'] else 'NO'})")
PY
