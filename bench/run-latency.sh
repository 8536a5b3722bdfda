#!/usr/bin/env bash
# Start-up latency of `run --rm IMAGE true`: jpod beside podman, same image, same user, same run of hyperfine.
# Run as root on a machine prepared by scripts/setup-host.sh after `mvn package`; results go to bench/RESULTS.md.
#   bench/run-latency.sh [RUNS]
set -euo pipefail
here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
root=$(cd "$here/.." && pwd)
runs=${1:-20}
. "$root/scripts/lib/bench.sh"
bench_need_tools hyperfine podman
bench_init "it starts a registry and runs both engines as user jpodtest"

uid=$(id -u "$user")
bench_user_env
trap bench_cleanup EXIT
bench_setup "$work" "$user"

cd /
"${as_user[@]}" "${jpod[@]}" pull -q "$image" >/dev/null
"${as_user[@]}" "${podman[@]}" pull -q --tls-verify=false "$image" >/dev/null

hyperfine -N --warmup 3 --runs "$runs" --export-markdown "$work/latency.md" \
    -n "jpod run --rm IMAGE true" "${as_user[*]} ${jpod[*]} run --rm $image true" \
    -n "podman run --rm IMAGE true" "${as_user[*]} ${podman[*]} run --rm $image true" \
    -n "jpod run --rm --network none IMAGE true" "${as_user[*]} ${jpod[*]} run --rm --network none $image true" \
    -n "podman run --rm --network none IMAGE true" "${as_user[*]} ${podman[*]} run --rm --network none $image true"

java_version=$("${as_user[@]}" "${jpod[@]}" version | sed -n 's/^Java: *//p')
{
    echo "## run-latency ($(date -u +%Y-%m-%d))"
    echo
    echo "\`bench/run-latency.sh $runs\`: \`run --rm IMAGE true\` as an unprivileged user, busybox image from a local"
    echo "registry, image already pulled. Machine: $(nproc) cores, $(free -g | awk '/Mem:/{print $2}') GiB,"
    echo "$(. /etc/os-release; echo "$PRETTY_NAME"), kernel $(uname -r), cgroup v1 hybrid;"
    echo "jpod on Java $java_version; $(podman --version) with runc $(runc --version | sed -n 's/^runc version //p')."
    echo
    cat "$work/latency.md"
    echo
} >"$work/section.md"
results=$root/bench/RESULTS.md
[[ -f $results ]] || printf '# Benchmark results\n\nEach section is written by the script it names; newest run replaces the old section.\n\n' >"$results"
# replace this script's previous section, keep the others
awk -v start="## run-latency" 'index($0, start) == 1 {skip = 1; next} /^## / {skip = 0} !skip' "$results" >"$work/rest.md"
cat "$work/rest.md" "$work/section.md" >"$results"
cat "$work/section.md"
