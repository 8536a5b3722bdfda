#!/usr/bin/env bash
# The Docker-compatible API: `docker run --rm IMAGE true` (the docker CLI) through jpod's API socket, beside
# `podman run --rm IMAGE true` and beside the same docker command through podman's API socket (`podman system
# service`), same image, same unprivileged user, same run of hyperfine. Run as root on a machine prepared by
# scripts/setup-host.sh after `mvn package`; results go to bench/RESULTS.md with the machine's load.
#   bench/docker-api.sh [RUNS]
set -euo pipefail
here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
root=$(cd "$here/.." && pwd)
runs=${1:-20}
. "$root/scripts/lib/bench.sh"
bench_need_tools hyperfine podman docker
bench_init "it starts a registry and runs both engines as user jpodtest" /tmp/jpod-bench-api.XXXXXX

bench_user_env # HOME under $work: docker reads $HOME/.docker, this run's own
podman_service_pid=
cleanup() {
    [[ -n $podman_service_pid ]] && kill "$podman_service_pid" 2>/dev/null || true
    bench_cleanup
}
trap cleanup EXIT
bench_setup "$work" "$user"
cd /
"${as_user[@]}" "${jpod[@]}" pull -q "$image" >/dev/null # also starts jpod's service and its docker.sock
"${as_user[@]}" "${podman[@]}" pull -q --tls-verify=false "$image" >/dev/null
jpod_sock=$work/run/jpod/docker.sock
podman_sock=$work/run/podman-api.sock
"${as_user[@]}" "${podman[@]}" system service --time 0 "unix://$podman_sock" >/dev/null 2>&1 &
podman_service_pid=$!
for ((i = 0; ; i++)); do
    [[ -S $podman_sock && -S $jpod_sock ]] && break
    ((i < 300)) || die "the API sockets did not appear within 30 s"
    sleep 0.1 # poll interval of a bounded readiness check
done

load_before=$(uptime)
P="${podman[*]}"
"${as_user[@]}" hyperfine -N --warmup 3 --runs "$runs" --export-markdown "$work/home/api.md" \
    -n "docker run --rm IMAGE true (jpod's API)" "docker -H unix://$jpod_sock run --rm $image true" \
    -n "podman run --rm IMAGE true" "$P run --rm $image true" \
    -n "docker run --rm IMAGE true (podman's API)" "docker -H unix://$podman_sock run --rm $image true"
load_after=$(uptime)
{
    echo "## docker-api ($(date -u +%Y-%m-%d))"
    echo
    echo "\`bench/docker-api.sh $runs\`: the docker CLI ($(docker --version | sed 's/,.*//')) through jpod's API socket (the warm per-user"
    echo "service), beside podman and beside the docker CLI through \`podman system service\`, as the unprivileged user,"
    echo "busybox from a local registry, image pulled. Machine: $(nproc) cores, $(. /etc/os-release; echo "$PRETTY_NAME"),"
    echo "kernel $(uname -r); $(podman --version) with runc."
    echo "Load before: \`${load_before#*load average: }\`, after: \`${load_after#*load average: }\` (1/5/15 min)."
    echo
    cat "$work/home/api.md"
    echo
} >"$work/section.md"
results=$root/bench/RESULTS.md
awk -v start="## docker-api (" 'index($0, start) == 1 {skip = 1; next} /^## / {skip = 0} !skip' "$results" >"$work/rest.md"
cat "$work/rest.md" "$work/section.md" >"$results"
cat "$work/section.md"
