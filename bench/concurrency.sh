#!/usr/bin/env bash
# Many `run --rm IMAGE true` at once: jpod (through its warm per-user service) beside podman, same unprivileged
# user, same run, one engine after the other for each N: wall time of the batch, how many failed (must be 0), and
# the CPU the batch cost (a cpuacct cgroup holding this script and so everything it starts: clients, the jpod
# service, helpers, monitors, slirp4netns, podman's conmon and cleanup processes). The service must be started in
# the clients' cgroup: a caller in other cgroups is run in a JVM of its own (see ServiceRouting). Run as
# root on a machine prepared by scripts/setup-host.sh after `mvn package`; the markdown block goes to
# bench/RESULTS.md with the machine's load (`uptime`) before and after.
#   bench/concurrency.sh [N...]        (default: 50 100)
set -euo pipefail
here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
root=$(cd "$here/.." && pwd)
counts=("$@")
[[ ${#counts[@]} -gt 0 ]] || counts=(50 100)
. "$root/scripts/lib/bench.sh"
bench_need_tools podman
acct_root=/sys/fs/cgroup/cpuacct
[[ -f $acct_root/cpuacct.usage ]] || acct_root=/sys/fs/cgroup/cpu,cpuacct
[[ -f $acct_root/cpuacct.usage ]] || die "no cgroup v1 cpuacct hierarchy at /sys/fs/cgroup/cpuacct (the CPU column needs it)"
bench_init "it starts a registry, makes a cpuacct cgroup and runs both engines as user jpodtest"
acct=$acct_root/jpod-bench-${work##*.}
bench_user_env
cleanup() {
    bench_cleanup
    echo $$ >"$acct_root/cgroup.procs" 2>/dev/null || true
    [[ -d $acct ]] && rmdir "$acct" 2>/dev/null || true
}
trap cleanup EXIT
bench_setup "$work" "$user"
mkdir "$acct"
echo $$ >"$acct/cgroup.procs" # from here on, this script and everything it starts (the registry runs outside)
cd /
"${as_user[@]}" "${jpod[@]}" pull -q "$image" >/dev/null
"${as_user[@]}" "${podman[@]}" pull -q --tls-verify=false "$image" >/dev/null
# warm: the service is up (started by this run) and each engine has run a container once
"${as_user[@]}" "${jpod[@]}" run --rm "$image" true
"${as_user[@]}" "${podman[@]}" run --rm "$image" true

# batch.sh N OUTDIR ENGINE...: N runs at once; prints "WALL_SECONDS FAILURES"; each run's exit code and stderr in OUTDIR
cat >"$work/batch.sh" <<'BATCH'
#!/usr/bin/env bash
n=$1 out=$2 image=$3
shift 3
mkdir -p "$out"
start=$(date +%s%N)
for ((i = 0; i < n; i++)); do
    ("$@" run --rm "$image" true >/dev/null 2>"$out/err.$i"; echo $? >"$out/rc.$i") &
done
wait
end=$(date +%s%N)
fails=0
for ((i = 0; i < n; i++)); do
    [[ $(cat "$out/rc.$i" 2>/dev/null) == 0 ]] || fails=$((fails + 1))
done
echo "$(( (end - start) / 1000000 )) $fails"
BATCH
chmod 0755 "$work/batch.sh"

cpu_ns() { cat "$acct/cpuacct.usage"; }

load_before=$(uptime)
rows=()
for n in "${counts[@]}"; do
    for engine in jpod podman; do
        if [[ $engine == jpod ]]; then cmd=("${jpod[@]}"); else cmd=("${podman[@]}"); fi
        c0=$(cpu_ns)
        read -r wall fails < <("${as_user[@]}" "$work/batch.sh" "$n" "$work/home/out-$engine-$n" "$image" "${cmd[@]}")
        c1=$(cpu_ns)
        total=$(( (c1 - c0) / 1000000 ))
        rows+=("| $n | $engine | $(awk -v w="$wall" 'BEGIN{printf "%.2f", w / 1000}') | $fails | $(awk -v t="$total" 'BEGIN{printf "%.1f", t / 1000}') | $(awk -v t="$total" -v n="$n" 'BEGIN{printf "%.0f", t / n}') |")
        if [[ $fails -gt 0 ]]; then
            echo "bench: $fails of $n $engine runs failed; first errors:" >&2
            cat "$work/home/out-$engine-$n"/err.* 2>/dev/null | sort | uniq -c | sort -rn | head -5 >&2 || true
        fi
        # what a failed --rm left behind does not count against the next batch
        "${as_user[@]}" "${cmd[@]}" rm -a -f >/dev/null 2>&1 || true
    done
done
load_after=$(uptime)

java_version=$(JPOD_SERVICE=0 "${as_user[@]}" "${jpod[@]}" version | sed -n 's/^Java: *//p')
{
    echo "## concurrency ($(date -u +%Y-%m-%d))"
    echo
    echo "\`bench/concurrency.sh ${counts[*]}\`: N \`run --rm IMAGE true\` started at once, jpod through its warm per-user"
    echo "service beside podman, as the unprivileged user, busybox image from a local registry, pulled, one batch after the"
    echo "other. CPU: a cpuacct cgroup's usage during the batch (clients, the jpod service, helpers, monitors, slirp4netns;"
    echo "podman's conmon and cleanup processes). Machine: $(nproc) cores,"
    echo "$(free -g | awk '/Mem:/{print $2}') GiB, $(. /etc/os-release; echo "$PRETTY_NAME"), kernel $(uname -r), cgroup v1 hybrid;"
    echo "jpod on Java $java_version; $(podman --version) with runc $(runc --version | sed -n 's/^runc version //p')."
    echo "Load before: \`${load_before#*load average: }\`, after: \`${load_after#*load average: }\` (1/5/15 min)."
    echo
    echo "| N | engine | wall (s) | failures | CPU (s) | CPU per run (ms) |"
    echo "|--:|:--|--:|--:|--:|--:|"
    printf '%s\n' "${rows[@]}"
    echo
} >"$work/section.md"
results=$root/bench/RESULTS.md
awk -v start="## concurrency (" 'index($0, start) == 1 {skip = 1; next} /^## / {skip = 0} !skip' "$results" >"$work/rest.md"
cat "$work/rest.md" "$work/section.md" >"$results"
cat "$work/section.md"
