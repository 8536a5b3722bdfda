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
classpath=$root/tests/target/classes:$(cat "$root/tests/target/runtime-classpath.txt")

work=$(mktemp -d /tmp/jpod-bench.XXXXXX)
chmod 0755 "$work"
registry_pid=
cleanup() {
    local pidfile
    if [[ -n $registry_pid ]]; then kill "$registry_pid" 2>/dev/null || true; wait "$registry_pid" 2>/dev/null || true; fi
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

port_busy() { (exec 3<>"/dev/tcp/127.0.0.1/$1") 2>/dev/null; }
port=5200
while port_busy "$port"; do port=$((port + 1)); ((port < 5300)) || die "no free port"; done
mkdir -p "$work/registry"
cat >"$work/registry.yml" <<YAML
version: 0.1
log:
  level: warn
  accesslog:
    disabled: true
storage:
  filesystem:
    rootdirectory: $work/registry
http:
  addr: 127.0.0.1:$port
YAML
env -i PATH=/usr/sbin:/usr/bin:/sbin:/bin docker-registry serve "$work/registry.yml" >"$work/registry.log" 2>&1 &
registry_pid=$!
for ((i = 0; ; i++)); do
    curl -sf -o /dev/null "http://127.0.0.1:$port/v2/" && break
    kill -0 "$registry_pid" 2>/dev/null || die "docker-registry exited: $(cat "$work/registry.log")"
    ((i < 200)) || die "docker-registry did not answer within 20 s"
    sleep 0.1 # poll interval, bounded above
done
image=127.0.0.1:$port/bench/big:latest
say "building and pushing $image"
java -cp "$classpath" io.jpod.tests.support.PushBenchImage "127.0.0.1:$port" bench/big latest 4 30 1024 >&2 # busybox + 4 layers of 30 MiB

cp -a "$dist" "$work/jpod"
chmod -R a+rX "$work/jpod"
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
