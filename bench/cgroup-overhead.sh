#!/usr/bin/env bash
# What a resource limit adds to `run --rm --network none IMAGE true`: no cgroup at all, a cgroup with only the
# default pids limit, and --memory/--cpus/--pids-limit. The script delegates cgroup v1 directories below its OWN
# cgroups to the test user (as an administrator would), points jpod at them with JPOD_CGROUP_V1_PARENT and
# removes them at the end. Run as root after `mvn package`; results go to bench/RESULTS.md.
#   bench/cgroup-overhead.sh [RUNS]
set -euo pipefail
here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
root=$(cd "$here/.." && pwd)
runs=${1:-20}
. "$root/scripts/lib/bench.sh"
bench_need_tools hyperfine
[[ -f /sys/fs/cgroup/memory/cgroup.procs ]] || die "needs cgroup v1 hierarchies (memory, pids, cpu, cpuacct)"
bench_init "it delegates cgroups and runs jpod as user jpodtest"
name=jpod-bench-$$
dirs=()
setting=()
for c in memory pids cpu cpuacct; do
    own=$(awk -F: -v c="$c" '{n = split($2, a, ","); for (i = 1; i <= n; i++) if (a[i] == c) print $3}' /proc/self/cgroup)
    d=$(realpath "/sys/fs/cgroup/$c")${own%/}/$name
    mkdir -p "$d" && chown -R "$user" "$d"
    dirs+=("$d")
    setting+=("$c:${own%/}/$name")
done
cleanup() {
    stop_registry
    [[ -f $work/run/jpod/pause.pid ]] && kill "$(cat "$work/run/jpod/pause.pid")" 2>/dev/null || true
    for d in "${dirs[@]}"; do find "$d" -depth -type d -exec rmdir {} + 2>/dev/null || true; done
    rm -rf "$work"
}
trap cleanup EXIT
bench_setup "$work" "$user"
as_user="runuser -u $user -- env -i HOME=$work/home XDG_RUNTIME_DIR=$work/run PATH=/usr/sbin:/usr/bin:/sbin:/bin LANG=C.UTF-8"
with_cg="$as_user JPOD_CGROUP_V1_PARENT=$(IFS=,; echo "${setting[*]}")"
jpod=$work/jpod/bin/jpod
cd /
$as_user "$jpod" pull -q "$image" >/dev/null

load=$(cut -d' ' -f1-3 /proc/loadavg)
hyperfine -N --warmup 3 --runs "$runs" --export-markdown "$work/overhead.md" \
    -n "no cgroup" "$as_user $jpod run --rm --network none $image true" \
    -n "cgroups, default pids limit" "$with_cg $jpod run --rm --network none $image true" \
    -n "limits: memory 64m, cpus 0.5, pids-limit 100" "$with_cg $jpod run --rm --network none --memory 64m --cpus 0.5 --pids-limit 100 $image true"

{
    echo "## cgroup-overhead ($(date -u +%Y-%m-%d))"
    echo
    echo "\`bench/cgroup-overhead.sh $runs\`: \`run --rm --network none IMAGE true\` as an unprivileged user, without"
    echo "cgroups, in delegated cgroup v1 directories with only podman's default pids limit, and with three limits."
    echo "Machine: $(nproc) cores, kernel $(uname -r), cgroup v1 hybrid; load average before: $load (other builds"
    echo "running make the spread large: compare with \`JPOD_TRACE=1\`, whose \"cgroups created\" mark shows the"
    echo "directories and limits taking about 1 ms, the join and removal a few ms)."
    echo "On a loaded machine the rows are not reliably different; re-run on an idle one before drawing conclusions."
    echo
    cat "$work/overhead.md"
    echo
} >"$work/section.md"
results=$root/bench/RESULTS.md
awk -v start="## cgroup-overhead" 'index($0, start) == 1 {skip = 1; next} /^## / {skip = 0} !skip' "$results" >"$work/rest.md"
cat "$work/rest.md" "$work/section.md" >"$results"
cat "$work/section.md"
