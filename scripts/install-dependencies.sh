#!/usr/bin/env bash
# Installs what Tollgate needs on a fresh Debian machine with Swift: libgit2 to build and run, and
# for the tests git, OpenSSH's ssh-keygen, a PostgreSQL server (started by the tests themselves) and
# Python's jsonschema (the SARIF output is validated with it).
# With --for-bench, also cfn-lint (pip), which bench/corpus.sh times beside tollgate.
# Usage: scripts/install-dependencies.sh [--for-tests | --for-bench]
set -euo pipefail
packages=(libgit2-dev pkg-config git)
if [ "${1:-}" = "--for-tests" ]; then
  packages+=(openssh-client postgresql sqlite3 python3 python3-jsonschema)
fi
missing=()
for package in "${packages[@]}"; do
  dpkg-query -W -f='${Status}' "$package" 2>/dev/null | grep -q "install ok installed" || missing+=("$package")
done
if [ ${#missing[@]} -gt 0 ]; then
  sudo=""
  [ "$(id -u)" = 0 ] || sudo="sudo"
  $sudo apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq "${missing[@]}" >/dev/null
fi
if [ "${1:-}" = "--for-bench" ] && ! command -v cfn-lint >/dev/null; then
  python3 -m pip install --quiet cfn-lint==1.51.0
fi
