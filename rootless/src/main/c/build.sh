#!/bin/sh
# Builds the native helper: build.sh OUTDIR  →  OUTDIR/jpod-helper   (run by Maven in the compile phase)
set -eu
out=${1:?usage: build.sh OUTDIR}
src=$(cd "$(dirname "$0")" && pwd)
if ! command -v cc >/dev/null 2>&1; then
    echo "jpod build: no C compiler found: install one (Debian: apt-get install gcc) — the native helper jpod-helper cannot be built" >&2
    exit 1
fi
mkdir -p "$out"
# Compile to a temp name so an interrupted build never leaves a half-written helper behind.
cc -O2 -Wall -Wextra -Werror -D_FORTIFY_SOURCE=2 -o "$out/jpod-helper.tmp" "$src"/*.c
mv -f "$out/jpod-helper.tmp" "$out/jpod-helper"
