#!/usr/bin/env bash
# Builds the release products every benchmark runs, the way a release is shipped: without debug
# information (-gnone) and with the symbol table stripped (-s), which takes the binary from 86 MB
# to about a quarter of that and spares the loader work at every start. Every bench script builds
# through here, so the flags never differ between two scripts (SwiftPM would rebuild everything).
# The build lives in .build-release/, apart from the debug build in .build/, so that a benchmark
# can build while tests build, each under its own SwiftPM lock. Binaries: .build-release/release/.
#
#   bench/build.sh [PRODUCT...]      (default: tollgate)
set -euo pipefail
cd "$(dirname "$0")/.."
products=("$@")
[ ${#products[@]} -gt 0 ] || products=(tollgate)
for product in "${products[@]}"; do
    swift build --scratch-path .build-release -c release --product "$product" -Xswiftc -gnone -Xlinker -s >&2
done
