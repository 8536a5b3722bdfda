#!/usr/bin/env bash
# The warm per-user service: jpod's everyday commands through bin/jpod (the native client and its service) beside
# podman, same image, same unprivileged user, same run of hyperfine; and jpod's in-process path (JPOD_SERVICE=0)
# for `run --rm`. Run as root on a machine prepared by scripts/setup-host.sh after `mvn package`; results go to
# bench/RESULTS.md with the machine's load (`uptime`) before and after.
# Then the first command after the service exited (in-process; it leaves the service starting) beside the cold in-process path and podman,
# and the idle service's RSS.
#   bench/service.sh [RUNS [FIRST_RUNS]]
# WARMUP (default 50): runs of each command before its measured ones. A young service JVM still interprets the
# request path and spends CPU compiling it (the JIT's threads share the 2 cores); "warm" means after WARMUP of each.
set -euo pipefail
here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
root=$(cd "$here/.." && pwd)
runs=${1:-20}
first_runs=${2:-10} # each starts a service: fewer
. "$root/scripts/lib/bench.sh"
bench_need_tools hyperfine podman
bench_init "it starts a registry and runs both engines as user jpodtest"

bench_user_env
cleanup() {
    "${as_user[@]}" "${jpod[@]}" rm -f bench-c >/dev/null 2>&1 || true # -f kills it first
    "${as_user[@]}" "${podman[@]}" rm -f -t 0 bench-c >/dev/null 2>&1 || true
    bench_cleanup
}
trap cleanup EXIT
bench_setup "$work" "$user"
cd /
"${as_user[@]}" "${jpod[@]}" pull -q "$image" >/dev/null
"${as_user[@]}" "${podman[@]}" pull -q --tls-verify=false "$image" >/dev/null
"${as_user[@]}" "${jpod[@]}" run -d --name bench-c "$image" sleep 100000 >/dev/null
"${as_user[@]}" "${podman[@]}" run -d --name bench-c "$image" sleep 100000 >/dev/null
# the service the commands above left starting (the first command runs in-process), bounded
for i in $(seq 600); do [[ -S $work/run/jpod/service.sock ]] && break; sleep 0.1; done
[[ -S $work/run/jpod/service.sock ]] || die "no jpod service after 60 s (see $work/run/jpod/service.log)"

load_before=$(uptime)
# hyperfine itself runs as the user, so no command pays a runuser (PAM) start of its own
J="${jpod[*]}"
P="${podman[*]}"
"${as_user[@]}" hyperfine -N --warmup "${WARMUP:-50}" --runs "$runs" --export-markdown "$work/home/service.md" \
    -n "jpod run --rm IMAGE true" "$J run --rm $image true" \
    -n "podman run --rm IMAGE true" "$P run --rm $image true" \
    -n "jpod exec C true" "$J exec bench-c true" \
    -n "podman exec C true" "$P exec bench-c true" \
    -n "jpod ps -a" "$J ps -a" \
    -n "podman ps -a" "$P ps -a" \
    -n "jpod images" "$J images" \
    -n "podman images" "$P images" \
    -n "jpod inspect C" "$J inspect bench-c" \
    -n "podman inspect C" "$P inspect bench-c" \
    -n "jpod --version" "$J --version" \
    -n "podman --version" "$P --version" \
    -n "jpod run --rm IMAGE true (JPOD_SERVICE=0)" "env JPOD_SERVICE=0 ${jpod[*]} run --rm $image true"
# the service's resident memory once idle (after the warm runs above)
service_pid=$(bench_service_pids | head -1)
rss_busy=$([[ -n $service_pid ]] && awk '/VmRSS/{print $2 " " $3}' "/proc/$service_pid/status" || echo unknown)
sleep 12 # idle: after 10 s without a request the service collects once and gives heap back (Service.exitWhenIdle)
rss=$([[ -n $service_pid ]] && awk '/VmRSS/{print $2 " " $3}' "/proc/$service_pid/status" || echo unknown)

# The first command after the service exited: before each run the service is stopped as its idle exit does (gone,
# its socket removed), so bin/jpod runs the command in-process and leaves a starter that starts a new service after
# it. Beside it the cold in-process path (JPOD_SERVICE=0: a JVM of its own) and podman. Every --prepare stops the
# service, and first waits for the one the previous run left starting (its starter lives until the service
# listens), so no run shares the CPU with a service's start.
cat >"$work/stop-service.sh" <<STOP
#!/usr/bin/env bash
# the starters this run's commands left (their command line names this run's socket), bounded
for i in \$(seq 600); do
    pgrep -u $user -f "service-starter .* $work/run/jpod/service.sock" >/dev/null || break
    sleep 0.1
done
# this run's service only: the user's java whose XDG_RUNTIME_DIR is $work/run
for p in \$(pgrep -u $user -x java); do
    tr '\\0' '\\n' <"/proc/\$p/environ" 2>/dev/null | grep -qx "XDG_RUNTIME_DIR=$work/run" || continue
    kill -TERM "\$p" 2>/dev/null
    while kill -0 "\$p" 2>/dev/null; do sleep 0.01; done
done
rm -f "$work/run/jpod/service.sock"
STOP
chmod 0755 "$work/stop-service.sh"
"${as_user[@]}" hyperfine -N --warmup 2 --runs "$first_runs" --export-markdown "$work/home/first.md" \
    -n "jpod ps -a, no service running (in-process, leaves it starting)" --prepare "$work/stop-service.sh" "$J ps -a" \
    -n "jpod ps -a (JPOD_SERVICE=0)" --prepare "$work/stop-service.sh" "env JPOD_SERVICE=0 $J ps -a" \
    -n "podman ps -a" --prepare "$work/stop-service.sh" "$P ps -a" \
    -n "jpod run --rm IMAGE true, no service running (in-process, leaves it starting)" --prepare "$work/stop-service.sh" "$J run --rm $image true" \
    -n "jpod run --rm IMAGE true (JPOD_SERVICE=0)" --prepare "$work/stop-service.sh" "env JPOD_SERVICE=0 $J run --rm $image true" \
    -n "podman run --rm IMAGE true" --prepare "$work/stop-service.sh" "$P run --rm $image true"
load_after=$(uptime)

java_version=$(JPOD_SERVICE=0 "${as_user[@]}" "${jpod[@]}" version | sed -n 's/^Java: *//p')
{
    echo "## service ($(date -u +%Y-%m-%d))"
    echo
    echo "\`bench/service.sh $runs\`: jpod through its warm per-user service (bin/jpod = the native client; the commands"
    echo "before them leave the service started; ${WARMUP:-50} warm-up runs of each command before its measured ones) beside podman,"
    echo "as the unprivileged user, busybox image from a local registry, image pulled, \`C\` a running \`sleep\` container of each engine. Machine: $(nproc) cores, $(free -g | awk '/Mem:/{print $2}') GiB,"
    echo "$(. /etc/os-release; echo "$PRETTY_NAME"), kernel $(uname -r), cgroup v1 hybrid;"
    echo "jpod on Java $java_version; $(podman --version) with runc $(runc --version | sed -n 's/^runc version //p')."
    echo "Load before: \`${load_before#*load average: }\`, after: \`${load_after#*load average: }\` (1/5/15 min)."
    echo "The idle service's RSS: $rss (12 s after the runs above; right after them: $rss_busy)."
    echo
    cat "$work/home/service.md"
    echo
    echo "The first command after the service exited (hyperfine \`--prepare\` stops the service as its idle exit does, so"
    echo "each jpod run runs in-process and leaves a new service starting after it; $first_runs runs) beside the cold"
    echo "in-process path and podman:"
    echo
    cat "$work/home/first.md"
    echo
} >"$work/section.md"
results=$root/bench/RESULTS.md
awk -v start="## service (" 'index($0, start) == 1 {skip = 1; next} /^## / {skip = 0} !skip' "$results" >"$work/rest.md"
cat "$work/rest.md" "$work/section.md" >"$results"
cat "$work/section.md"
