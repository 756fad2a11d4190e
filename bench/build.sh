#!/usr/bin/env bash
# Builds the release products every benchmark runs, the way a release is shipped: without debug
# information (-gnone), with the symbol table stripped (-s), and with the Swift runtime and
# Foundation linked in (--static-swift-stdlib), so that no command's start loads and relocates a
# dozen Swift libraries (`tollgate --help`: about 22 ms instead of 34 ms). lld, which ships with
# the Swift toolchain, links it: GNU ld warns about the mktemp in Foundation's own archive.
# The toolchain's static-stdlib arguments export every symbol of the binary (-export-dynamic) for
# in-process symbol lookup; nothing here looks one up, and --no-export-dynamic, given after them,
# leaves 729 dynamic symbols instead of 60,000: 6 MB less binary, and a start about 8% shorter.
# -z pack-relative-relocs stores the binary's 158,000 relative relocations as a 31 KB bitmap
# instead of a 3.8 MB table that every start reads (`--help` 0.95x, 60 pairs); the loader needs
# glibc 2.36 or later, which Debian 12 has.
# Every bench script builds through here, so the flags never differ between two scripts (SwiftPM
# would rebuild everything). The build lives in .build-release/, apart from the debug build in
# .build/, so that a benchmark can build while tests build, each under its own SwiftPM lock.
# Binaries: .build-release/release/.
#
#   bench/build.sh [PRODUCT...]      (default: tollgate)
set -euo pipefail
cd "$(dirname "$0")/.."
products=("$@")
[ ${#products[@]} -gt 0 ] || products=(tollgate)
for product in "${products[@]}"; do
    swift build --scratch-path .build-release -c release --product "$product" \
        --static-swift-stdlib -Xswiftc -use-ld=lld -Xswiftc -gnone -Xlinker -s -Xlinker --no-export-dynamic \
        -Xlinker -z -Xlinker pack-relative-relocs >&2
done
