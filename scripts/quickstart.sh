#!/usr/bin/env bash
# Tollgate's main job on the project's own repository, from a fresh machine: install, build, then
# create a change set for every stack that main changed since the last run, and list every stack
# at a glance. The state lives in the embedded SQLite store .tollgate/state.db.
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/install-dependencies.sh
swift build -c release --product tollgate
.build/release/tollgate sync --repo . "$@"
.build/release/tollgate status --repo .
