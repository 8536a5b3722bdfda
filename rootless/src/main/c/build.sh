#!/bin/sh
# Builds the native helper: build.sh OUTDIR VERSION  →  OUTDIR/jpod-helper   (run by Maven in the compile phase;
# VERSION is the root pom's jpod.version, which the engine's JpodVersion is generated from too)
set -eu
out=${1:?usage: build.sh OUTDIR VERSION}
version=${2:?usage: build.sh OUTDIR VERSION}
case $version in
    *[!0-9A-Za-z.+~-]*) echo "jpod build: version \"$version\" has characters other than letters, digits and .+~-: fix jpod.version in pom.xml" >&2; exit 1 ;;
esac
src=$(cd "$(dirname "$0")" && pwd)
if ! command -v cc >/dev/null 2>&1; then
    echo "jpod build: no C compiler found: install one (Debian: apt-get install gcc) — the native helper jpod-helper cannot be built" >&2
    exit 1
fi
mkdir -p "$out"
# Compile to a temp name so an interrupted build never leaves a half-written helper behind.
# Linked statically where the C library allows it (as a static PIE: its addresses still randomised): bin/jpod is
# this binary, started for every command, and a dynamic one spent ~0.2 ms of each in the loader (25% of
# `jpod --version`). The helper uses nothing of libc that needs dynamic loading (no NSS, no dlopen; glibc's linker
# warning for such a call is made fatal, so one added later links dynamically rather than half-static). Without a
# static libc (e.g. glibc-static not installed) it is linked dynamically, as before.
compile() { cc -O2 -Wall -Wextra -Werror -D_FORTIFY_SOURCE=2 "-DJPOD_VERSION=\"$version\"" "$@" -o "$out/jpod-helper.tmp" "$src"/*.c; }
if ! compile -static-pie -Wl,--fatal-warnings 2>/dev/null; then
    compile
fi
mv -f "$out/jpod-helper.tmp" "$out/jpod-helper"
