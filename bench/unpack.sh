#!/usr/bin/env bash
# Pull-and-unpack speed, jpod vs podman, on the same generated image served by a local docker-registry.
# Both run rootless as the test user (default jpodtest) with private HOME/XDG_RUNTIME_DIR; podman with
# --runtime runc --cgroup-manager cgroupfs --events-backend file. Before each timed run the image is removed
# (jpod system prune -a -f / podman rmi -a -f), so every run downloads, decompresses and unpacks every layer.
# Needs: root, a built tree (mvn -B -o verify -DskipTests), docker-registry, podman, hyperfine.
# Usage: bench/unpack.sh [RUNS] [LAYERS] [FILES_PER_LAYER] [FILE_KIB]   (defaults 10 8 200 64: ~100 MiB unpacked)
set -euo pipefail
ROOT=$(cd "$(dirname "$0")/.." && pwd)
root=$ROOT
die() { echo "unpack.sh: $*" >&2; exit 1; }
. "$ROOT/scripts/lib/local-registry.sh"
RUNS=${1:-10}
LAYERS=${2:-8}
FILES=${3:-200}
KIB=${4:-64}
BENCH_USER=${JPOD_BENCH_USER:-jpodtest}
PATH_=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin

[[ $(id -u) -eq 0 ]] || { echo "unpack.sh: run as root (it runs jpod and podman as $BENCH_USER)" >&2; exit 1; }
for t in docker-registry podman hyperfine java; do
    command -v "$t" >/dev/null || { echo "unpack.sh: $t is missing (scripts/setup-host.sh installs it)" >&2; exit 1; }
done
[[ -x $ROOT/cli/target/jpod/bin/jpod && -f $ROOT/tests/target/runtime-classpath.txt ]] || {
    echo "unpack.sh: build first: mvn -B -o verify -DskipTests" >&2; exit 1; }

work=$(mktemp -d /tmp/jpod-bench-XXXXXX)
chmod 755 "$work"
cleanup() {
    set +e
    runuser -u "$BENCH_USER" -- env -i HOME="$work/jpod/home" XDG_RUNTIME_DIR="$work/jpod/run" PATH=$PATH_ LANG=C.UTF-8 \
        "$work/dist/bin/jpod" system reset -f >/dev/null 2>&1
    runuser -u "$BENCH_USER" -- env -i HOME="$work/podman/home" XDG_RUNTIME_DIR="$work/podman/run" PATH=$PATH_ \
        podman system reset -f >/dev/null 2>&1
    [[ -f $work/podman/run/libpod/tmp/pause.pid ]] && kill -9 "$(cat "$work/podman/run/libpod/tmp/pause.pid")" 2>/dev/null
    stop_registry
    rm -rf "$work"
}
trap cleanup EXIT

start_registry "$work"
image=127.0.0.1:$registry_port/bench/unpack:latest
push_bench_image "127.0.0.1:$registry_port" bench/unpack latest "$LAYERS" "$FILES" "$KIB"

install_dist "$work/dist"
for e in jpod podman; do
    mkdir -p "$work/$e/home" "$work/$e/run"
    chown -R "$BENCH_USER" "$work/$e"
    chmod 700 "$work/$e/home" "$work/$e/run"
done
J="runuser -u $BENCH_USER -- env -i HOME=$work/jpod/home XDG_RUNTIME_DIR=$work/jpod/run PATH=$PATH_ LANG=C.UTF-8 $work/dist/bin/jpod"
P="runuser -u $BENCH_USER -- env -i HOME=$work/podman/home XDG_RUNTIME_DIR=$work/podman/run PATH=$PATH_ podman --runtime runc --cgroup-manager cgroupfs --events-backend file"
$J info >/dev/null   # pause process, driver probe and class-data cache outside the timing
$P info >/dev/null

echo "machine: $(nproc) CPUs, $(awk '/MemTotal/ {printf "%.1f GiB", $2/1048576}' /proc/meminfo), kernel $(uname -r),"\
     "$(df -T "$work" | awk 'NR==2 {print $2}') under $work; podman $(podman --version | awk '{print $3}'),"\
     "podman storage driver $($P info --format '{{.Store.GraphDriverName}}'), jpod storage driver $($J info | awk '/graphDriverName/ {print $2}')"
hyperfine --runs "$RUNS" --warmup 1 --export-markdown "$work/result.md" \
    --prepare "$J system prune -a -f >/dev/null" -n "jpod pull" "$J pull -q $image" \
    --prepare "$P rmi -a -f >/dev/null 2>&1 || true" -n "podman pull" "$P pull -q --tls-verify=false $image"
cat "$work/result.md"
