#!/usr/bin/env bash
# Network benchmark, jpod beside rootless podman in the same run (issue 6), loopback only:
#  - bytes per second through a published port: a SIZE_MB file served by busybox httpd in the container, fetched
#    on the host with curl from 127.0.0.1 (median of 3)
#  - connection latency: curl's time_connect and time_total for a tiny file (median of 50)
#  - what networking adds to `run --rm IMAGE true`: slirp4netns (default) vs --network none (hyperfine)
# Run as root (the containers run as the unprivileged jpodtest, as the tests do) after `mvn -B -o package`:
#   bench/net.sh [--append]      --append adds the results to bench/RESULTS.md
set -euo pipefail

here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
root=$(cd "$here/.." && pwd)
SIZE_MB=${SIZE_MB:-256}
LAT_RUNS=${LAT_RUNS:-50}
RUNS=${RUNS:-10}
append=0
[[ ${1:-} == --append ]] && append=1
die() { echo "net.sh: $*" >&2; exit 1; }
say() { echo "net.sh: $*" >&2; }

. "$root/scripts/lib/bench.sh"
bench_need_dist
bench_need_tools curl hyperfine podman docker-registry
# Short: podman puts a 64-hex-named API socket under $XDG_RUNTIME_DIR, and socket paths end at 107 bytes.
bench_init "containers run as jpodtest" /tmp/jnb.XXXXXX
install -d -o jpodtest -m 0700 "$work/home" "$work/run"
jpod_server=
cleanup() {
    [[ -n $jpod_server ]] && kill "$jpod_server" 2>/dev/null || true
    as_user podman rm -f -t 0 netbench >/dev/null 2>&1 || true
    stop_registry
    pkill -9 -u jpodtest -f "$work" 2>/dev/null || true
    as_user "$work/jpod/bin/jpod" unshare rm -rf "$work/home/.local/share/jpod" >/dev/null 2>&1 || true
    as_user podman unshare rm -rf "$work/home/.local/share/containers" >/dev/null 2>&1 || true
    rm -rf "$work"
}
trap cleanup EXIT

user_env=(HOME="$work/home" XDG_RUNTIME_DIR="$work/run" PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin LANG=C.UTF-8)
as_user() { (cd "$work" && runuser -u jpodtest -- env -i "${user_env[@]}" "$@"); }
podman_flags=(--runtime runc --cgroup-manager cgroupfs --events-backend file)

free_port() { python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])'; }

# A local registry holding the busybox test image.
start_registry "$work"
push_busybox "127.0.0.1:$registry_port" library/netbench latest
image=127.0.0.1:$registry_port/library/netbench:latest
install_dist "$work/jpod"
jpod="$work/jpod/bin/jpod"
as_user "$jpod" pull -q "$image" >/dev/null
as_user podman "${podman_flags[@]}" pull -q --tls-verify=false "$image" >/dev/null

server_cmd="mkdir -p /www && dd if=/dev/zero of=/www/big bs=1M count=$SIZE_MB 2>/dev/null && echo ok > /www/small && exec httpd -f -p 80 -h /www"

await_http() { # port
    for ((i = 0; ; i++)); do
        curl -sf -o /dev/null "http://127.0.0.1:$1/small" && return 0
        ((i < 600)) || die "nothing served on 127.0.0.1:$1"
        sleep 0.1 # poll interval, bounded
    done
}

median() { sort -g | awk '{a[NR]=$1} END {print (NR % 2) ? a[(NR+1)/2] : (a[NR/2] + a[NR/2+1]) / 2}'; }

measure() { # label port -> prints "label|MB/s|connect ms|total ms"
    local label=$1 port=$2 speeds connects totals
    speeds=$(for _ in 1 2 3; do curl -s -o /dev/null -w '%{speed_download}\n' "http://127.0.0.1:$port/big"; done | median)
    local lat
    lat=$(for ((i = 0; i < LAT_RUNS; i++)); do curl -s -o /dev/null -w '%{time_connect} %{time_total}\n' "http://127.0.0.1:$port/small"; done)
    connects=$(awk '{print $1 * 1000}' <<<"$lat" | median)
    totals=$(awk '{print $2 * 1000}' <<<"$lat" | median)
    printf '%s|%.0f|%.3f|%.3f\n' "$label" "$(awk -v s="$speeds" 'BEGIN {print s / 1048576}')" "$connects" "$totals"
}

results=()
say "jpod: httpd behind -p (slirp4netns)"
p=$(free_port)
as_user "$jpod" run --rm --name netbench -p "127.0.0.1:$p:80" "$image" sh -c "$server_cmd" >"$work/jpod-server.log" 2>&1 &
jpod_server=$!
await_http "$p"
results+=("$(measure "jpod (slirp4netns API forward)" "$p")")
for f in "$work"/run/jpod/containers/*/pid; do kill -9 "$(cat "$f")" 2>/dev/null || true; done
wait "$jpod_server" 2>/dev/null || true
jpod_server=

if command -v pasta >/dev/null; then
    say "jpod: httpd behind -p (pasta)"
    p=$(free_port)
    as_user "$jpod" run --rm --name netbench --network pasta -p "127.0.0.1:$p:80" "$image" sh -c "$server_cmd" >"$work/jpod-server.log" 2>&1 &
    jpod_server=$!
    await_http "$p"
    results+=("$(measure "jpod --network pasta" "$p")")
    for f in "$work"/run/jpod/containers/*/pid; do kill -9 "$(cat "$f")" 2>/dev/null || true; done
    wait "$jpod_server" 2>/dev/null || true
    jpod_server=
fi

for handler in rootlesskit slirp4netns; do
    say "podman: httpd behind -p (port_handler=$handler)"
    p=$(free_port)
    as_user podman "${podman_flags[@]}" run -d --rm --name netbench --network "slirp4netns:port_handler=$handler" \
        -p "127.0.0.1:$p:80" "$image" sh -c "$server_cmd" >/dev/null
    await_http "$p"
    results+=("$(measure "podman (slirp4netns, port_handler=$handler)" "$p")")
    as_user podman "${podman_flags[@]}" rm -f -t 0 netbench >/dev/null
done

say "run --rm true: default network vs --network none (hyperfine, $RUNS runs)"
as_user hyperfine -N --warmup 3 --runs "$RUNS" --export-markdown "$work/home/startup.md" \
    -n "jpod run --rm (slirp4netns)" "$jpod run --rm $image true" \
    -n "jpod run --rm --network none" "$jpod run --rm --network none $image true" \
    -n "podman run --rm (slirp4netns)" "podman ${podman_flags[*]} run --rm $image true" \
    -n "podman run --rm --network none" "podman ${podman_flags[*]} run --rm --network none $image true" >&2

{
    echo "## Network ($(date -u +%Y-%m-%d), bench/net.sh)"
    echo
    echo "Machine: $(nproc) cores, $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | sed 's/^ //'), kernel $(uname -r)," \
         "$(slirp4netns --version | head -1), podman $(podman --version | awk '{print $3}'). File ${SIZE_MB} MiB, latency median of $LAT_RUNS."
    echo
    echo "| server | throughput MiB/s | connect ms | request ms |"
    echo "|---|---:|---:|---:|"
    for r in "${results[@]}"; do IFS='|' read -r a b c d <<<"$r"; echo "| $a | $b | $c | $d |"; done
    echo
    cat "$work/home/startup.md"
    echo
} >"$work/results.md"
cat "$work/results.md"
if ((append)); then
    [[ -f $here/RESULTS.md ]] || printf '# Benchmark results\n\n' >"$here/RESULTS.md"
    cat "$work/results.md" >>"$here/RESULTS.md"
    say "appended to bench/RESULTS.md"
fi
