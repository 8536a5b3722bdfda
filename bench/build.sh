#!/usr/bin/env bash
# `jpod build` beside `podman build` (buildah inside): the same 10-step Containerfile (RUN, COPY, ENV, ARG, WORKDIR,
# LABEL, CMD) on the busybox image from a local registry, as the unprivileged user, in one hyperfine run: a cold build
# (--no-cache: every step executed and committed) and an unchanged rebuild (every step a cache hit). Run as root on a
# machine prepared by scripts/setup-host.sh after `mvn package`; results go to bench/RESULTS.md with the machine's
# load (`uptime`) before and after.
#   bench/build.sh [RUNS]
set -euo pipefail
here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
root=$(cd "$here/.." && pwd)
runs=${1:-10}
. "$root/scripts/lib/bench.sh"
bench_need_tools hyperfine podman buildah
bench_init "it starts a registry and runs both engines as user jpodtest"

bench_user_env
trap bench_cleanup EXIT
bench_setup "$work" "$user"
cd /

# the context: a Containerfile of ten steps after FROM, and 50 small source files
ctx=$work/ctx
mkdir -p "$ctx/src"
for i in $(seq 1 50); do head -c 4096 /dev/urandom | base64 >"$ctx/src/file$i.txt"; done
echo extra >"$ctx/extra.txt"
cat >"$ctx/Containerfile" <<CF
FROM $image
ENV APP=/app
WORKDIR /app
COPY src/ /app/src/
RUN echo one > /app/one && ls /app/src | wc -l > /app/count
ARG V=1
RUN mkdir -p /app/data && cp -r /app/src /app/data/
RUN echo \$V > /app/v && rm /app/data/src/file1.txt
COPY extra.txt /app/
LABEL bench=build
CMD ["cat", "/app/v"]
CF
chmod -R a+rX "$ctx"

"${as_user[@]}" "${jpod[@]}" pull -q "$image" >/dev/null
"${as_user[@]}" "${podman[@]}" pull -q --tls-verify=false "$image" >/dev/null
# the rebuild's cache: one build of each first (the warm-up runs build again)
"${as_user[@]}" "${jpod[@]}" build -q -t bench-built "$ctx" >/dev/null
"${as_user[@]}" "${podman[@]}" build -q -t bench-built "$ctx" >/dev/null
"${as_user[@]}" buildah bud --layers -q -t bench-built-buildah "$ctx" >/dev/null

load_before=$(uptime)
J="${jpod[*]}"
P="${podman[*]}"
B="buildah bud --layers" # buildah itself (its default runtime runc, rootless isolation), with podman's layer cache
"${as_user[@]}" hyperfine -N --warmup 2 --runs "$runs" --export-markdown "$work/home/build.md" \
    -n "jpod build --no-cache (cold, 10 steps)" "$J build -q --no-cache -t bench-built $ctx" \
    -n "podman build --no-cache (cold, 10 steps)" "$P build -q --no-cache -t bench-built $ctx" \
    -n "jpod build (unchanged rebuild)" "$J build -q -t bench-built $ctx" \
    -n "podman build (unchanged rebuild)" "$P build -q -t bench-built $ctx" \
    -n "buildah bud --no-cache (cold, 10 steps)" "$B -q --no-cache -t bench-built-buildah $ctx" \
    -n "buildah bud (unchanged rebuild)" "$B -q -t bench-built-buildah $ctx"
load_after=$(uptime)

java_version=$(JPOD_SERVICE=0 "${as_user[@]}" "${jpod[@]}" version | sed -n 's/^Java: *//p')
{
    echo "## build ($(date -u +%Y-%m-%d))"
    echo
    echo "\`bench/build.sh $runs\`: \`jpod build\` beside \`podman build\` (buildah inside) and \`buildah bud --layers\`, the same 10-step Containerfile"
    echo "(3 RUN, 2 COPY of 51 files, ENV, ARG, WORKDIR, LABEL, CMD) on the busybox image from a local registry, as the"
    echo "unprivileged user; cold = \`--no-cache\` (every step run and committed), rebuild = nothing changed (all hits)."
    echo "Machine: $(nproc) cores, $(free -g | awk '/Mem:/{print $2}') GiB, $(. /etc/os-release; echo "$PRETTY_NAME"),"
    echo "kernel $(uname -r); jpod on Java $java_version; $(podman --version), $(buildah --version | cut -d' ' -f1-3), with runc $(runc --version | sed -n 's/^runc version //p')."
    echo "Load before: \`${load_before#*load average: }\`, after: \`${load_after#*load average: }\` (1/5/15 min)."
    echo
    cat "$work/home/build.md"
    echo
} >"$work/section.md"
results=$root/bench/RESULTS.md
awk -v start="## build (" 'index($0, start) == 1 {skip = 1; next} /^## / {skip = 0} !skip' "$results" >"$work/rest.md"
cat "$work/rest.md" "$work/section.md" >"$results"
cat "$work/section.md"
