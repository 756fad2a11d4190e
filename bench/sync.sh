#!/usr/bin/env bash
# Benchmark of issue 4: the first `tollgate sync` over the generated repository of issue 2
# (100,000 commits on main, 1,000 stacks), once into the embedded SQLite store and once into a
# PostgreSQL server started here on a free loopback port; then a second sync with nothing new,
# and on SQLite a first sync of only the last 1,000 commits (--from), as after a busy day.
# Prints wall time and peak memory (maximum resident set size) of each run.
#
# Usage: bench/sync.sh [--commits N] [--stacks N]   (defaults: 100000 and 1000)
set -euo pipefail
cd "$(dirname "$0")/.."
commits=100000
stacks=1000
while [ $# -gt 0 ]; do
    case "$1" in
        --commits) commits="$2"; shift 2 ;;
        --stacks) stacks="$2"; shift 2 ;;
        *) echo "unknown argument $1" >&2; exit 2 ;;
    esac
done

bench/build.sh tollgate
tollgate="$PWD/.build-release/release/tollgate"
repo="bench/data/sync-repo-$commits-$stacks"
[ -d "$repo" ] || python3 bench/generate_history_repo.py "$repo" --commits "$commits" --stacks "$stacks"

work=$(mktemp -d /tmp/tollgate-sync-bench.XXXXXX)
chmod 755 "$work"
pg_bin=${TOLLGATE_POSTGRES_BIN:-$(ls -d /usr/lib/postgresql/*/bin | sort -V | tail -n 1)}
# initdb refuses to run as root, so the server runs as the postgres user when we are root.
as_postgres() { if [ "$(id -u)" = 0 ]; then runuser -u postgres -- "$@"; else "$@"; fi; }
cleanup() {
    if [ -f "$work/pg/data/postmaster.pid" ]; then as_postgres "$pg_bin/pg_ctl" -D "$work/pg/data" -m fast -w stop >/dev/null || true; fi
    rm -rf "$work"
}
trap cleanup EXIT

# One timed run: LABEL then the tollgate arguments; prints seconds and peak memory.
timed() {
    local label="$1"; shift
    /usr/bin/time -f "%e %M" -o "$work/time" "$tollgate" "$@" > "$work/out.json"
    read -r seconds kilobytes < "$work/time"
    local created
    created=$(python3 -c 'import json,sys; print(len(json.load(open(sys.argv[1]))["created"]))' "$work/out.json")
    printf '%-28s %8.2f s %8.1f MiB peak  %5d change sets created\n' "$label" "$seconds" "$(echo "$kilobytes / 1024" | bc -l)" "$created"
}

echo "sync of $repo ($commits commits, up to $stacks stacks)"
timed "SQLite, first sync" sync --json --repo "$repo" --state "$work/state.db"
timed "SQLite, nothing new" sync --json --repo "$repo" --state "$work/state.db"
# What a sync after a busy day costs: only the last 1,000 commits to scan.
timed "SQLite, last 1,000 commits" sync --json --repo "$repo" --state "$work/recent.db" --from main~999

mkdir -p "$work/pg"
[ "$(id -u)" = 0 ] && chown postgres "$work/pg"
port=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1]); s.close()')
as_postgres "$pg_bin/initdb" -D "$work/pg/data" -U postgres -A trust -E UTF8 --no-sync >/dev/null
as_postgres "$pg_bin/pg_ctl" -D "$work/pg/data" -l "$work/pg/server.log" -w -t 60 \
    -o "-p $port -k $work/pg -c listen_addresses=127.0.0.1" start >/dev/null
url="postgres://postgres@127.0.0.1:$port/postgres?sslmode=disable"
timed "PostgreSQL, first sync" sync --json --repo "$repo" --database "$url"
timed "PostgreSQL, nothing new" sync --json --repo "$repo" --database "$url"
