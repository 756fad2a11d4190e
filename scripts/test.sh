#!/usr/bin/env bash
# The whole test suite, from a fresh machine: install what the tests need, build everything (the
# command-line tests run the built tollgate binary), then run every test.
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/install-dependencies.sh --for-tests
swift build --build-tests
swift test --skip-build "$@"
