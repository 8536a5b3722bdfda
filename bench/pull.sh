#!/usr/bin/env bash
# Cold and warm pulls from a local docker-registry, jpod beside podman in the same hyperfine runs, of two images:
#   big   — the busybox base plus 4 layers of 30 × 1 MiB files (5 layers, ~126 MB uncompressed);
#   small — the busybox base plus 3 node_modules-like layers of 13,334 files of 1–8 KiB each (~40,000 files).
# Then the CPU (user + system) of one cold pull of each, per tool: jpod's is the service's (the pull runs in the
# per-user service JVM, so hyperfine's user/system columns show only the native client's share).
# Run as root (commands run as the unprivileged jpodtest, as the tests do):   bench/pull.sh [RUNS]
# BENCH_FS=loop (default): both tools' stores on a fresh journaled ext4 (a loop-mounted image), as on users' machines;
# BENCH_FS=root: on the root file system. On the CI VM the root file system is ext4 without a journal, where the kernel
# skips recently deleted inodes one by one when it allocates a new one (ext4's recently_deleted): right after the
# `rmi` that prepares each cold run, every file created costs ~0.4 ms of kernel time, for both tools alike.
# Writes the hyperfine tables to bench/results/ and prints them; bench/RESULTS.md records what we measured.
set -euo pipefail

here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
root=$(cd "$here/.." && pwd)
runs=${1:-5}
fs=${BENCH_FS:-loop}
user=jpodtest
say() { echo "bench: $*" >&2; }
die() { echo "bench: $*" >&2; exit 1; }

. "$root/scripts/lib/bench.sh"
[[ $fs == loop || $fs == root ]] || die "BENCH_FS must be loop or root"
bench_need_tools hyperfine podman
bench_need_dist
bench_init "the benchmark runs jpod and podman as $user"
store=$work/fs # HOME and XDG_RUNTIME_DIR of both tools
mkdir -p "$store"
# the jpod service of this run: the test user's java process with this run's XDG_RUNTIME_DIR
service_pid() {
    local p
    for p in $(pgrep -u "$user" -x java || true); do
        tr '\0' '\n' <"/proc/$p/environ" 2>/dev/null | grep -qx "XDG_RUNTIME_DIR=$store/run" && echo "$p" && return 0
    done
    return 0
}
cleanup() {
    local pidfile p
    stop_registry
    # the user's stores hold files of subordinate ids: remove them from inside each tool's user namespace
    as_user "$work/jpod/bin/jpod" unshare rm -rf "$store/home/.local/share/jpod" >/dev/null 2>&1 || true
    as_user podman "${podman_flags[@]}" unshare rm -rf "$store/home/.local/share/containers" >/dev/null 2>&1 || true
    p=$(service_pid)
    [[ -n $p ]] && kill -KILL "$p" 2>/dev/null || true
    # the pause processes of this run, by the pids their tools recorded (read again: the cleanup above may start one)
    for pidfile in "$store/run/jpod/pause.pid" "$store/run/libpod/tmp/pause.pid"; do
        [[ -f $pidfile ]] && kill -KILL "$(cat "$pidfile")" 2>/dev/null || true
    done
    if [[ $fs == loop ]]; then
        umount "$store" 2>/dev/null || umount -l "$store" 2>/dev/null || true
    fi
    rm -rf "$work"
}
trap cleanup EXIT

if [[ $fs == loop ]]; then
    truncate -s 8G "$work/fs.img"
    mkfs.ext4 -q -F "$work/fs.img" # default features, journal included
    mount -o loop "$work/fs.img" "$store"
    chmod 0755 "$store"
fi
say "stores on $(findmnt -n -o FSTYPE,SOURCE --target "$store") ($fs; journal: $(dumpe2fs -h "$(findmnt -n -o SOURCE --target "$store")" 2>/dev/null | grep -q has_journal && echo yes || echo no))"

start_registry "$work"
big=127.0.0.1:$registry_port/bench/big:latest
small=127.0.0.1:$registry_port/bench/small:latest
say "building and pushing $big and $small"
push_bench_image "127.0.0.1:$registry_port" bench/big latest 4 30 1024 # busybox + 4 layers of 30 MiB
java -cp "$root/tests/target/classes:$(cat "$root/tests/target/runtime-classpath.txt")" \
    io.jpod.tests.support.PushSmallFilesImage "127.0.0.1:$registry_port" bench/small latest 3 13334 >&2

install_dist "$work/jpod"
install -d -m 0700 -o "$user" -g "$user" "$store/home" "$store/run"
# One environment for every command: the service runs a request only for a caller with its own PATH, umask and
# cgroups (anything else runs in a JVM of its own), so the warm-up and the timed commands must not differ in PATH.
path=/usr/sbin:/usr/bin:/sbin:/bin
as_user() {
    (cd / && runuser -u "$user" -- env -i HOME="$store/home" XDG_RUNTIME_DIR="$store/run" LANG=C.UTF-8 PATH=$path "$@")
}
# podman's own default here may be vfs (no storage.conf, and its rootless check); overlay is what users get and the
# faster podman for a pull (vfs copies every lower layer), so it is named explicitly
podman_flags=(--storage-driver overlay --runtime runc --cgroup-manager cgroupfs --events-backend file)
jpod="runuser -u $user -- env -i HOME=$store/home XDG_RUNTIME_DIR=$store/run LANG=C.UTF-8 PATH=$path $work/jpod/bin/jpod"
podman="runuser -u $user -- env -i HOME=$store/home XDG_RUNTIME_DIR=$store/run LANG=C.UTF-8 PATH=$path podman ${podman_flags[*]}"

# warm-up: pause process, the jpod service and the JVM class-data cache, podman's store
as_user "$work/jpod/bin/jpod" pull -q "$big" >/dev/null
as_user podman "${podman_flags[@]}" pull -q --tls-verify=false "$big" >/dev/null

# the timed command line must reach the service (a JVM of its own would take ~1 s of CPU for a warm pull)
/usr/bin/time -f "%U" -o "$work/time.out" bash -c "$jpod pull -q $big >/dev/null"
awk '{ exit !($1 < 0.3) }' "$work/time.out" || die "jpod ran in-process, not through its service (client CPU $(cat "$work/time.out") s): check PATH/umask/cgroups"

# What is compared: each tool's version and the storage driver it uses for this store.
say "jpod $(as_user "$work/jpod/bin/jpod" version --format '{{.Client.Version}}'), storage driver $(as_user "$work/jpod/bin/jpod" info -f '{{.Store.GraphDriverName}}'), through its service (pid $(service_pid))"
say "podman $(as_user podman "${podman_flags[@]}" version --format '{{.Client.Version}}'), storage driver $(as_user podman "${podman_flags[@]}" info -f '{{.Store.GraphDriverName}}')"
say "load before timing: $(cut -d' ' -f1-3 /proc/loadavg)"

mkdir -p "$here/results"
for name in big small; do
    image=${!name}
    say "$name: cold pull ($runs runs each)"
    hyperfine --runs "$runs" --export-markdown "$here/results/cold-$name.md" \
        --prepare "$jpod rmi -f $image >/dev/null 2>&1 || true" -n "jpod cold pull $name" "$jpod pull -q $image" \
        --prepare "$podman rmi -f $image >/dev/null 2>&1 || true" -n "podman cold pull $name" "$podman pull -q --tls-verify=false $image"
    say "$name: warm pull (image present)"
    hyperfine --runs "$runs" --warmup 1 --export-markdown "$here/results/warm-$name.md" \
        -n "jpod warm pull $name" "$jpod pull -q $image" \
        -n "podman warm pull $name" "$podman pull -q --tls-verify=false $image"
done

# CPU of one cold pull: podman's process tree (GNU time), jpod's service (its /proc stat before and after; the
# client's own share is ~0). Mean over $runs pulls each, after the same rmi as above.
tick=$(getconf CLK_TCK)
cpu_ticks() { awk '{print $14, $15}' "/proc/$1/stat"; }
{
    echo "| image | tool | user [s] | system [s] | user+system [s] |"
    echo "|---|---|---:|---:|---:|"
    for name in big small; do
        image=${!name}
        ju=0 js=0 pu=0 ps=0
        for ((i = 0; i < runs; i++)); do
            as_user "$work/jpod/bin/jpod" rmi -f "$image" >/dev/null 2>&1 || true
            pid=$(service_pid)
            [[ -n $pid ]] || die "no jpod service found for this run"
            read -r u0 s0 < <(cpu_ticks "$pid")
            as_user "$work/jpod/bin/jpod" pull -q "$image" >/dev/null
            read -r u1 s1 < <(cpu_ticks "$pid")
            ju=$((ju + u1 - u0)) js=$((js + s1 - s0))
            as_user podman "${podman_flags[@]}" rmi -f "$image" >/dev/null 2>&1 || true
            /usr/bin/time -f "%U %S" -o "$work/time.out" runuser -u "$user" -- env -i HOME="$store/home" \
                XDG_RUNTIME_DIR="$store/run" LANG=C.UTF-8 PATH=$path podman "${podman_flags[@]}" pull -q --tls-verify=false \
                "$image" >/dev/null
            read -r u s <"$work/time.out"
            pu=$(echo "$pu + $u" | bc) ps=$(echo "$ps + $s" | bc)
        done
        awk -v n="$runs" -v t="$tick" -v img="$name" -v ju="$ju" -v js="$js" 'BEGIN {
            printf "| %s | jpod (service) | %.2f | %.2f | %.2f |\n", img, ju / t / n, js / t / n, (ju + js) / t / n }'
        awk -v n="$runs" -v img="$name" -v pu="$pu" -v ps="$ps" 'BEGIN {
            printf "| %s | podman | %.2f | %.2f | %.2f |\n", img, pu / n, ps / n, (pu + ps) / n }'
    done
} >"$here/results/cpu.md"
say "load after timing: $(cut -d' ' -f1-3 /proc/loadavg)"
for name in big small; do cat "$here/results/cold-$name.md" "$here/results/warm-$name.md"; done
cat "$here/results/cpu.md"
