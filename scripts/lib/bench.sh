# Shared by the bench/ scripts (sourced, not run; it sources scripts/lib/local-registry.sh too): the start every
# script makes, the unprivileged user's environment, the two engines' command lines, and the clean-up of what a run
# leaves behind. Needs: $root (the repository). A script may define its own `die` first (its name in the message).
declare -F die >/dev/null || die() { echo "bench: $*" >&2; exit 1; }
# shellcheck source=scripts/lib/local-registry.sh
. "$root/scripts/lib/local-registry.sh"

# bench_init REASON [TEMPLATE]: dies unless run as root (saying why it must be: REASON), then sets user (jpodtest,
# the unprivileged user the tests use too) and work (a fresh directory from mktemp's TEMPLATE, default
# /tmp/jpod-bench.XXXXXX, mode 0755 so that the user reaches what is below it).
bench_init() {
    [[ $(id -u) -eq 0 ]] || die "run as root ($1)"
    user=jpodtest
    work=$(mktemp -d "${2:-/tmp/jpod-bench.XXXXXX}")
    chmod 0755 "$work"
}

# bench_need_dist: sets dist (the built distribution); dies unless it and the tests' runtime classpath (the registry's
# image pusher runs from it) are built.
bench_need_dist() {
    dist=$root/cli/target/jpod
    [[ -x $dist/bin/jpod ]] || die "build first: mvn -B -o package -DskipTests"
    [[ -f $root/tests/target/runtime-classpath.txt ]] || die "tests/target/runtime-classpath.txt missing: mvn -B -o package -DskipTests"
}

# bench_need_tools TOOL...: die naming the first missing tool and how to install it.
bench_need_tools() {
    local t
    for t in "$@"; do
        command -v "$t" >/dev/null && continue
        case $t in
            hyperfine) die "hyperfine is not installed (apt-get install hyperfine)" ;;
            podman) die "podman is not installed (apt-get install podman runc)" ;;
            buildah) die "buildah is not installed (apt-get install buildah)" ;;
            docker) die "the docker CLI is not installed" ;;
            *) die "$t is not installed (scripts/setup-host.sh)" ;;
        esac
    done
}

# bench_user_env (after bench_init): sets as_user (a command prefix running as $user with HOME and XDG_RUNTIME_DIR under $work),
# podman and jpod (the two engines' command lines).
bench_user_env() {
    as_user=(runuser -u "$user" -- env -i HOME="$work/home" XDG_RUNTIME_DIR="$work/run" PATH=/usr/sbin:/usr/bin:/sbin:/bin LANG=C.UTF-8)
    # crun refuses this machine's cgroup v1 hybrid layout and there is no systemd: podman needs runc and cgroupfs
    podman=(podman --runtime runc --cgroup-manager cgroupfs --events-backend file)
    jpod=("$work/jpod/bin/jpod")
}

# bench_service_pids: this run's jpod service, the user's java process whose XDG_RUNTIME_DIR is $work/run.
bench_service_pids() {
    local p
    for p in $(pgrep -u "$user" -x java || true); do
        tr '\0' '\n' 2>/dev/null <"/proc/$p/environ" | grep -qx "XDG_RUNTIME_DIR=$work/run" && echo "$p"
    done
    return 0
}

# bench_cleanup (after bench_user_env): the registry, podman's storage (owned by sub-uids), jpod's service, both engines' pause
# processes of this run (found by their pid files), then $work itself.
bench_cleanup() {
    local p f
    stop_registry
    "${as_user[@]}" podman unshare rm -rf "$work/home/.local/share/containers" >/dev/null 2>&1 || true
    for p in $(bench_service_pids); do kill -9 "$p" 2>/dev/null || true; done
    for f in "$work/run/jpod/pause.pid" "$work/run/libpod/tmp/pause.pid"; do
        [[ -f $f ]] && kill -9 "$(cat "$f")" 2>/dev/null || true
    done
    rm -rf "$work"
}
