#!/usr/bin/env bash
# Times `tollgate audit verify` over a trail of ENTRIES audit entries (default 1,000,000) in an
# SQLite store, with and without --head, and once more after one entry in the middle was edited.
# Prints wall time, entries verified per second, peak memory (max RSS from /usr/bin/time -v) and
# each time as a ratio to `sha256sum` of the same store file, timed in the same run (goal: <= 2x).
#
#   bench/audit-verify.sh [ENTRIES]
#
# TOLLGATE=path/to/tollgate skips the release build. The store is kept in bench/data/ (ignored by git).
set -euo pipefail

entries=${1:-1000000}
root=$(cd "$(dirname "$0")/.." && pwd)
data="$root/bench/data"
db="$data/audit-verify.db"

if [[ -z "${TOLLGATE:-}" ]]; then
    "$root/bench/build.sh" tollgate
    TOLLGATE="$root/.build-release/release/tollgate"
fi
[[ -x /usr/bin/time ]] || { echo "bench needs /usr/bin/time (apt-get install time)" >&2; exit 1; }

mkdir -p "$data"
rm -f "$db" "$db-wal" "$db-shm"
"$TOLLGATE" audit head --state "$db" >/dev/null   # creates the store and its first entry
start=$(date +%s.%N)
head=$(python3 "$root/bench/generate-audit-trail.py" "$db" $((entries - 1)))
end=$(date +%s.%N)
printf 'generated %d entries in %.1f s (python3, %s)\n' "$entries" "$(echo "$end - $start" | bc)" "$(du -h "$db" | cut -f1)"

reference=$( { /usr/bin/time -f '%e' sha256sum "$db" >/dev/null; } 2>&1 | tail -1)
printf '%-32s %8.2f s  (the reference for the ratios below)\n' "sha256sum of the store" "$reference"

measure() { # label, expected exit status, tollgate arguments...
    local label=$1 expected=$2
    shift 2
    local log status=0
    log=$(mktemp)
    /usr/bin/time -v "$TOLLGATE" "$@" >"$log.out" 2>"$log" || status=$?
    if [[ $status -ne $expected ]]; then
        echo "$label: exit status $status, expected $expected" >&2
        cat "$log.out" "$log" >&2
        exit 1
    fi
    local wall rss seconds
    wall=$(grep 'Elapsed (wall clock)' "$log" | awk '{print $NF}')
    rss=$(grep 'Maximum resident set size' "$log" | awk '{print $NF}')
    seconds=$(echo "$wall" | awk -F: '{ if (NF == 3) print $1*3600 + $2*60 + $3; else print $1*60 + $2 }')
    if [[ $expected -eq 0 ]]; then
        printf '%-32s %8.2f s  %10.0f entries/s  peak RSS %6.1f MiB  %5.2fx sha256sum\n' \
            "$label" "$seconds" "$(echo "$entries / $seconds" | bc -l)" "$(echo "$rss / 1024" | bc -l)" \
            "$(echo "$seconds / $reference" | bc -l)"
        grep -v '^$' "$log.out" | tail -1 | cut -c1-150 | sed 's/^/    /' || true
    else
        printf '%-32s %8.2f s  %21s  peak RSS %6.1f MiB  %5.2fx sha256sum\n' \
            "$label" "$seconds" "" "$(echo "$rss / 1024" | bc -l)" "$(echo "$seconds / $reference" | bc -l)"
        grep '^Error' "$log" | cut -c1-150 | sed 's/^/    /' || true
    fi
    rm -f "$log" "$log.out"
}

measure "audit verify" 0 audit verify --state "$db"
measure "audit verify --head" 0 audit verify --state "$db" --head "$head"
middle=$((entries / 2))
sqlite3 "$db" "UPDATE audit_entries SET actor = 'mallory' WHERE sequence = $middle" 2>/dev/null \
    || python3 -c "import sqlite3,sys; c=sqlite3.connect(sys.argv[1]); c.execute('UPDATE audit_entries SET actor = ? WHERE sequence = ?', ('mallory', int(sys.argv[2]))); c.commit()" "$db" "$middle"
measure "audit verify (edited @$middle)" 1 audit verify --state "$db" --head "$head"
