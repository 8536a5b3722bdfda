# Shared by the bench/ scripts (sourced, not run, after scripts/lib/local-registry.sh): the unprivileged user's
# environment, the two engines' command lines, and the clean-up of what a run leaves behind.
# Needs: $work (the run's directory), $user (the unprivileged user) and a `die` function.

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

# bench_user_env: sets as_user (a command prefix running as $user with HOME and XDG_RUNTIME_DIR under $work),
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
