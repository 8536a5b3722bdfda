#!/usr/bin/env bash
# Cold and warm pull of a 5-layer, ~121 MB (uncompressed) image from a local docker-registry: jpod vs podman, same run.
# Run as root (commands run as the unprivileged jpodtest, as the tests do):   bench/pull.sh [RUNS]
# Writes the hyperfine tables to bench/results/ and prints them; bench/RESULTS.md records what we measured.
set -euo pipefail

here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
root=$(cd "$here/.." && pwd)
runs=${1:-5}
user=jpodtest
say() { echo "bench: $*" >&2; }
die() { echo "bench: $*" >&2; exit 1; }

[[ $(id -u) -eq 0 ]] || die "run as root (the benchmark runs jpod and podman as $user)"
command -v hyperfine >/dev/null || die "hyperfine is missing (apt-get install hyperfine)"
command -v podman >/dev/null || die "podman is missing"
dist=$root/cli/target/jpod
[[ -x $dist/bin/jpod ]] || die "build first: mvn -B -o package -DskipTests"
[[ -f $root/tests/target/runtime-classpath.txt ]] || die "build first: tests/target/runtime-classpath.txt is missing"
. "$root/scripts/lib/local-registry.sh"

work=$(mktemp -d /tmp/jpod-bench.XXXXXX)
chmod 0755 "$work"
cleanup() {
    local pidfile
    stop_registry
    # the user's stores hold files of subordinate ids: remove them from inside each tool's user namespace
    as_user "$work/jpod/bin/jpod" unshare rm -rf "$work/home/.local/share/jpod" >/dev/null 2>&1 || true
    as_user podman "${podman_flags[@]}" unshare rm -rf "$work/home/.local/share/containers" >/dev/null 2>&1 || true
    as_user podman "${podman_flags[@]}" system migrate >/dev/null 2>&1 || true
    # the pause processes of this run, by the pids their tools recorded (read again: the cleanup above may start one)
    for pidfile in "$work/run/jpod/pause.pid" "$work/run/libpod/tmp/pause.pid"; do
        [[ -f $pidfile ]] && kill -KILL "$(cat "$pidfile")" 2>/dev/null || true
    done
    rm -rf "$work"
}
trap cleanup EXIT

start_registry "$work"
image=127.0.0.1:$registry_port/bench/big:latest
say "building and pushing $image"
push_bench_image "127.0.0.1:$registry_port" bench/big latest 4 30 1024 # busybox + 4 layers of 30 MiB

install_dist "$work/jpod"
install -d -m 0700 -o "$user" -g "$user" "$work/home" "$work/run"
as_user() {
    (cd / && runuser -u "$user" -- env -i HOME="$work/home" XDG_RUNTIME_DIR="$work/run" LANG=C.UTF-8 \
        PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin "$@")
}
podman_flags=(--runtime runc --cgroup-manager cgroupfs --events-backend file)
jpod="runuser -u $user -- env -i HOME=$work/home XDG_RUNTIME_DIR=$work/run LANG=C.UTF-8 PATH=/usr/sbin:/usr/bin:/sbin:/bin $work/jpod/bin/jpod"
podman="runuser -u $user -- env -i HOME=$work/home XDG_RUNTIME_DIR=$work/run LANG=C.UTF-8 PATH=/usr/sbin:/usr/bin:/sbin:/bin podman ${podman_flags[*]}"

# warm-up: pause process / podman's store, and the JVM class-data cache
as_user "$work/jpod/bin/jpod" pull -q "$image" >/dev/null
as_user podman "${podman_flags[@]}" pull -q --tls-verify=false "$image" >/dev/null

# What is compared: each tool's version and the storage driver it chose for this store (podman picks overlay on
# this kernel, as on users' laptops; a vfs podman is a different, slower baseline).
say "jpod $(as_user "$work/jpod/bin/jpod" version --format '{{.Client.Version}}'), storage driver $(as_user "$work/jpod/bin/jpod" info -f '{{.Store.GraphDriverName}}')"
say "podman $(as_user podman "${podman_flags[@]}" version --format '{{.Client.Version}}'), storage driver $(as_user podman "${podman_flags[@]}" info -f '{{.Store.GraphDriverName}}')"

mkdir -p "$here/results"
say "cold pull ($runs runs each)"
hyperfine --runs "$runs" --export-markdown "$here/results/cold.md" \
    --prepare "$jpod rmi -f $image >/dev/null 2>&1 || true" -n "jpod cold pull" "$jpod pull -q $image" \
    --prepare "$podman rmi -f $image >/dev/null 2>&1 || true" -n "podman cold pull" "$podman pull -q --tls-verify=false $image"
say "warm pull (image present)"
hyperfine --runs "$runs" --warmup 1 --export-markdown "$here/results/warm.md" \
    -n "jpod warm pull" "$jpod pull -q $image" \
    -n "podman warm pull" "$podman pull -q --tls-verify=false $image"
cat "$here/results/cold.md" "$here/results/warm.md"
