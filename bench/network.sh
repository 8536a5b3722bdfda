#!/usr/bin/env bash
# User-defined networks (issue 18): jpod beside podman 4.3.1's rootless bridge network, same image, same user, one run.
#  - container-to-container by name: throughput (a SIZE_MB file from busybox httpd, fetched by wget in another
#    container on the same network, through `exec`) and latency (LAT_RUNS small requests in one exec, per request)
#  - `run --rm --network NET IMAGE true` (hyperfine, RUNS runs)
#  - published port: the same file through -p 127.0.0.1:PORT:80, fetched with curl on the host (median of 3)
# Run as root after `mvn -B -o package -DskipTests` (the containers run as jpodtest):
#   bench/network.sh [--append]      --append adds the results to bench/RESULTS.md
set -euo pipefail
here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
root=$(cd "$here/.." && pwd)
SIZE_MB=${SIZE_MB:-128}
LAT_RUNS=${LAT_RUNS:-100}
RUNS=${RUNS:-10}
append=0
[[ ${1:-} == --append ]] && append=1
die() { echo "network.sh: $*" >&2; exit 1; }
say() { echo "network.sh: $*" >&2; }
. "$root/scripts/lib/bench.sh"
bench_need_dist
bench_need_tools curl hyperfine podman docker-registry
bench_init "containers run as jpodtest" /tmp/jnn.XXXXXX   # short: socket paths end at 107 bytes
install -d -o jpodtest -m 0700 "$work/home" "$work/run"
user_env=(HOME="$work/home" XDG_RUNTIME_DIR="$work/run" PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin LANG=C.UTF-8)
as_user() { (cd "$work" && runuser -u jpodtest -- env -i "${user_env[@]}" "$@"); }
podman_flags=(--runtime runc --cgroup-manager cgroupfs --events-backend file)
jpod="$work/jpod/bin/jpod"
cleanup() {
    as_user "$jpod" rm -f -t 0 srv cli pub >/dev/null 2>&1 || true
    as_user podman "${podman_flags[@]}" rm -f -t 0 srv cli pub >/dev/null 2>&1 || true
    as_user "$jpod" system reset -f >/dev/null 2>&1 || true      # stops the holder and its slirp4netns
    as_user podman "${podman_flags[@]}" system reset -f >/dev/null 2>&1 || true
    for p in $(bench_service_pids); do kill -9 "$p" 2>/dev/null || true; done
    [[ -f $work/run/jpod/pause.pid ]] && kill -9 "$(cat "$work/run/jpod/pause.pid")" 2>/dev/null || true
    stop_registry
    as_user podman unshare rm -rf "$work/home/.local/share/containers" >/dev/null 2>&1 || true
    rm -rf "$work"
}
trap cleanup EXIT

start_registry "$work"
push_busybox "127.0.0.1:$registry_port" library/netbench latest
image=127.0.0.1:$registry_port/library/netbench:latest
install_dist "$work/jpod"
as_user "$jpod" pull -q "$image" >/dev/null
as_user podman "${podman_flags[@]}" pull -q --tls-verify=false "$image" >/dev/null

server_cmd="mkdir -p /www && dd if=/dev/zero of=/www/big bs=1M count=$SIZE_MB 2>/dev/null && echo ok > /www/small && exec httpd -f -p 80 -h /www"
free_port() { python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])'; }
median() { sort -g | awk '{a[NR]=$1} END {print (NR % 2) ? a[(NR+1)/2] : (a[NR/2] + a[NR/2+1]) / 2}'; }
now_ms() { date +%s%3N; }

results=()
bench_engine() { # label engine...
    local label=$1; shift
    local e=("$@") p t0 t1 speeds lat
    say "$label: network, server, client"
    as_user "${e[@]}" network create benchnet >/dev/null
    p=$(free_port)
    as_user "${e[@]}" run -d --name srv --network benchnet -p "127.0.0.1:$p:80" "$image" sh -c "$server_cmd" >/dev/null
    as_user "${e[@]}" run -d --name cli --network benchnet "$image" sleep 3600 >/dev/null
    # by name where the engine resolves names (podman's CNI backend without the dnsname plugin does not): else by address
    local srv=srv note=""
    if ! as_user "${e[@]}" exec cli nslookup srv >/dev/null 2>&1; then
        srv=$(as_user "${e[@]}" inspect --format '{{(index .NetworkSettings.Networks "benchnet").IPAddress}}' srv)
        note=" (by address: no name resolution on its network)"
    fi
    as_user "${e[@]}" exec cli sh -c "for i in \$(seq 600); do wget -q -O /dev/null http://$srv/small && exit 0; sleep 0.1; done; exit 1" \
        || die "$label: srv does not answer"
    speeds=$(for _ in 1 2 3; do
        t0=$(now_ms); as_user "${e[@]}" exec cli wget -q -O /dev/null "http://$srv/big"; t1=$(now_ms)
        awk -v s="$SIZE_MB" -v ms=$((t1 - t0)) 'BEGIN {print s * 1000 / ms}'
    done | median)
    t0=$(now_ms)
    as_user "${e[@]}" exec cli sh -c "for i in \$(seq $LAT_RUNS); do wget -q -O /dev/null http://$srv/small; done"
    t1=$(now_ms)
    lat=$(awk -v n="$LAT_RUNS" -v ms=$((t1 - t0)) 'BEGIN {printf "%.2f", ms / n}')
    local pub
    pub=$(for _ in 1 2 3; do curl -s -o /dev/null -w '%{speed_download}\n' "http://127.0.0.1:$p/big"; done | median)
    results+=("$label$note|$(printf %.0f "$speeds")|$lat|$(awk -v s="$pub" 'BEGIN {printf "%.0f", s / 1048576}')")
    as_user "${e[@]}" rm -f -t 0 srv cli >/dev/null
}
bench_engine "jpod" "$jpod"
bench_engine "podman" podman "${podman_flags[@]}"

say "run --rm --network benchnet true (hyperfine, $RUNS runs)"
as_user hyperfine -N --warmup 3 --runs "$RUNS" --export-markdown "$work/home/startup.md" \
    -n "jpod run --rm --network benchnet" "$jpod run --rm --network benchnet $image true" \
    -n "podman run --rm --network benchnet" "podman ${podman_flags[*]} run --rm --network benchnet $image true" >&2
holder=$(cat "$work/run/jpod/netns/holder.pid" 2>/dev/null || echo)
rss=$([[ -n $holder ]] && awk '/VmRSS/ {print $2 " " $3}' "/proc/$holder/status" || echo "?")

{
    echo "## User-defined networks ($(date -u +%Y-%m-%d), bench/network.sh)"
    echo
    echo "Machine: $(nproc) cores, load $(cut -d' ' -f1-3 /proc/loadavg), kernel $(uname -r), podman $(podman --version | awk '{print $3}')" \
         "(its rootless bridge: $(as_user podman info --format '{{.Host.NetworkBackend}}' 2>/dev/null || echo '?'))." \
         "File ${SIZE_MB} MiB; latency: $LAT_RUNS wget requests by name in one exec, per request (busybox wget start included)." \
         "jpod's holder (jpod-netns with its name server): VmRSS $rss."
    echo
    echo "| engine | container→container by name MiB/s | request by name ms | published port MiB/s |"
    echo "|---|---:|---:|---:|"
    for r in "${results[@]}"; do IFS='|' read -r a b c d <<<"$r"; echo "| $a | $b | $c | $d |"; done
    echo
    cat "$work/home/startup.md"
    echo
} >"$work/results.md"
cat "$work/results.md"
if ((append)); then
    cat "$work/results.md" >>"$here/RESULTS.md"
    say "appended to bench/RESULTS.md"
fi
