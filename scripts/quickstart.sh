#!/usr/bin/env bash
# Tollgate's main job on the project's own repository, from a fresh machine: install, build, then
# list which of the project's stacks each commit on main changed.
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/install-dependencies.sh
swift build -c release --product tollgate
.build/release/tollgate history --repo . "$@"
