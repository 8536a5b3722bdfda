#!/usr/bin/env bash
# Lifecycle latency and the monitor's memory: jpod beside podman, same image, same user, same hyperfine run.
#   run --rm IMAGE true | run -d + stop | exec CONTAINER true | VmRSS of jpod's monitor and of podman's conmon
# Run as root on a machine prepared by scripts/setup-host.sh after `mvn package`; writes its section into
# bench/RESULTS.md (replacing an older one of its own).
#   bench/lifecycle.sh [RUNS]
set -euo pipefail
here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
root=$(cd "$here/.." && pwd)
runs=${1:-10}
. "$root/scripts/lib/bench.sh"
bench_need_tools hyperfine podman
bench_need_dist
bench_init "it starts a registry and runs both engines as user jpodtest" /tmp/jpod-bench-lc.XXXXXX
bench_user_env
cleanup() {
    "${as_user[@]}" "${jpod[@]}" rm -f bench-jpod >/dev/null 2>&1 || true
    "${as_user[@]}" "${podman[@]}" rm -f -t 0 bench-podman >/dev/null 2>&1 || true
    stop_registry
    "${as_user[@]}" podman unshare rm -rf "$work/home/.local/share/containers" >/dev/null 2>&1 || true
    "${as_user[@]}" "${jpod[@]}" unshare rm -rf "$work/home/.local/share/jpod" >/dev/null 2>&1 || true
    for f in "$work/run/jpod/pause.pid" "$work/run/libpod/tmp/pause.pid"; do   # jpod's and podman's pause processes
        if [[ -f $f ]]; then kill "$(cat "$f")" 2>/dev/null || true; fi
    done
    rm -rf "$work" 2>/dev/null || true
}
trap cleanup EXIT
bench_setup "$work" "$user"

cd /
"${as_user[@]}" "${jpod[@]}" pull -q "$image" >/dev/null
"${as_user[@]}" "${podman[@]}" pull -q --tls-verify=false "$image" >/dev/null
"${as_user[@]}" "${jpod[@]}" run -d --name bench-jpod "$image" sleep 100000 >/dev/null
"${as_user[@]}" "${podman[@]}" run -d --name bench-podman "$image" sleep 100000 >/dev/null

q() { printf '%q ' "$@"; }
J="$(q "${as_user[@]}" "${jpod[@]}")"
P="$(q "${as_user[@]}" "${podman[@]}")"
hyperfine -N --warmup 2 --runs "$runs" --export-markdown "$work/lat.md" \
    -n "jpod run --rm IMAGE true" "$J run --rm $image true" \
    -n "podman run --rm IMAGE true" "$P run --rm $image true" \
    -n "jpod exec C true" "$J exec bench-jpod true" \
    -n "podman exec C true" "$P exec bench-podman true"
# run -d + stop: one shell line each (the stop needs the id the run printed)
hyperfine --warmup 1 --runs "$runs" --export-markdown "$work/detach.md" \
    -n "jpod run -d --rm + stop -t 0" "id=\$($J run -d --rm $image sleep 1000) && $J stop -t 0 \$id" \
    -n "podman run -d --rm + stop -t 0" "id=\$($P run -d --rm $image sleep 1000) && $P stop -t 0 \$id"

rss() { awk '/^VmRSS/ {print $2}' "/proc/$1/status"; }
jmon=$("${as_user[@]}" "${jpod[@]}" inspect bench-jpod | sed -n 's/.*"ConmonPid" : \([0-9]*\).*/\1/p')
pmon=$("${as_user[@]}" "${podman[@]}" inspect --format '{{.State.ConmonPid}}' bench-podman)
jrss=$(rss "$jmon")
prss=$(rss "$pmon")

java_version=$("${as_user[@]}" "${jpod[@]}" version | sed -n 's/^Java: *//p')
{
    echo "## lifecycle ($(date -u +%Y-%m-%d))"
    echo
    echo "\`bench/lifecycle.sh $runs\`: as an unprivileged user, busybox image from a local registry, already pulled."
    echo "Machine: $(nproc) cores, $(free -g | awk '/Mem:/{print $2}') GiB, $(. /etc/os-release; echo "$PRETTY_NAME"),"
    echo "kernel $(uname -r), cgroup v1 hybrid; jpod on Java $java_version; $(podman --version) with runc"
    echo "$(runc --version | sed -n 's/^runc version //p'), \`--cgroup-manager cgroupfs --events-backend file\`."
    echo
    cat "$work/lat.md"
    echo
    cat "$work/detach.md"
    echo
    echo "| Monitor of a running \`sleep\` container | VmRSS |"
    echo "|:---|---:|"
    echo "| jpod-monitor (jpod-helper) | $jrss kB |"
    echo "| conmon (podman) | $prss kB |"
    echo
} >"$work/section.md"
results=$root/bench/RESULTS.md
[[ -f $results ]] || printf '# Benchmark results\n\nEach section is written by the script it names; newest run replaces the old section.\n\n' >"$results"
awk -v start="## lifecycle" 'index($0, start) == 1 {skip = 1; next} /^## / {skip = 0} !skip' "$results" >"$work/rest.md"
cat "$work/rest.md" "$work/section.md" >"$results"
cat "$work/section.md"
