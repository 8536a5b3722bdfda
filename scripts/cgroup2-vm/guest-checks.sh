#!/bin/bash
# The lane's checks, as the unprivileged user inside a transient service of its systemd user manager (so in
# user@UID.service, as on a laptop): guest-checks.sh default|delegated. Prints PASS/FAIL lines; JVM starts are
# slow under TCG (~6 s each), so each jpod command here is chosen to prove something.
set -u
mode=$1
J=/opt/jpod/bin/jpod
IMG=127.0.0.1:5000/library/busybox:latest
base=/sys/fs/cgroup/user.slice/user-$UID.slice/user@$UID.service/jpod   # where jpod puts containers (Cgroups.java)
pass() { echo "PASS $mode: $*"; }
fail() { echo "FAIL $mode: $*"; }
# check NAME CONDITION-COMMAND...: PASS or FAIL with what was seen (in $seen)
seen=
check() { local name=$1; shift; if "$@"; then pass "$name"; else fail "$name (saw: ${seen:0:400})"; fi; }
eq() { seen=$1; [ "$1" = "$2" ]; }
# jp ARGS...: runs jpod, output in $out, status in $rc, timed
jp() {
    local t0=${EPOCHREALTIME/./} ms
    out=$("$J" "$@" 2>&1); rc=$?
    ms=$(( (${EPOCHREALTIME/./} - t0) / 1000 ))
    printf '  [%d.%d s] jpod %s -> %s\n' $((ms / 1000)) $((ms % 1000 / 100)) "$*" "$rc"
}
gone() { seen="id \"$1\": $(ls -d "$base"/jpod-* 2>&1)"; [ -n "$1" ] && [ ! -e "$base/jpod-$1" ]; }

own=$(sed -n 's/^0:://p' /proc/self/cgroup)
check "the checks run in user@$UID.service ($own)" eq "$(echo "$own" | grep -c "/user@$UID.service/")" 1

jp version   # the first start also makes the class-data cache (bin/jpod's training run)
check "jpod version" eq "$rc" 0

jp info
v=$(echo "$out" | sed -n 's/^  version: //p')
c=$(echo "$out" | sed -n 's/^  controllers: //p')
missing=$(echo "$out" | grep '^  missing_' | sed 's/^  missing_\([a-z]*\):.*/\1/' | tr '\n' ' ')
echo "$out" | sed -n '/^cgroups:/,$p'
check "info: cgroup version v2" eq "$v" v2
if [ "$mode" = default ]; then
    # systemd 252's user@.service says Delegate=pids memory cpu (older systemd: memory pids)
    check "info: delegated controllers are systemd's default" eq "$c" "cpu memory pids"
    check "info: cpuset and io reported missing, one line each" eq "$missing" "cpuset io "
else
    check "info: delegated controllers after the drop-in" eq "$c" "cpu cpuset io memory pids"
    check "info: no controller reported missing" eq "$missing" ""
fi

if [ "$mode" = default ]; then
    # pull runs C2 for hashing big layers (bin/jpod); for this 1 MB image C2's compile threads only cost the one vCPU
    JAVA_TOOL_OPTIONS=-XX:TieredStopAtLevel=1 jp pull -q "$IMG"
    check "pull the test image from the guest's registry" eq "$rc" 0

    # OOM: a shell that reads 64 MiB into a variable under a 32 MiB limit is killed by the kernel
    jp run --name oom --network none --memory 32m "$IMG" sh -c 'x=$(head -c 67108864 /dev/zero | tr "\0" a); echo ${#x}'
    check "run --memory 32m with a 64 MiB allocation exits 137" eq "$rc" 137
    jp inspect -f '{{.Id}} {{.State.OOMKilled}}' oom
    id=${out%% *}
    check "inspect shows OOMKilled true" eq "${out#* }" true
    check "the OOM kill stayed in the container's cgroup (this service's memory.events: oom_kill 0)" \
        eq "$(sed -n 's/^oom_kill //p' "/sys/fs/cgroup$own/memory.events")" 0
    jp rm oom
    check "rm removes the OOM-killed container's cgroup" gone "$id"

    # pids: a fork loop stops at the limit
    jp run --rm --network none --pids-limit 20 "$IMG" sh -c 'for i in $(seq 40); do sleep 60 & echo $i; done'
    last=$(echo "$out" | grep -E '^[0-9]+$' | tail -1)
    seen="last fork $last; rc $rc; $(echo "$out" | grep -v '^[0-9]' | head -2)"
    check "--pids-limit 20 stops a fork loop (forks before failure < 20)" test "${last:-0}" -lt 20 -a "${last:-0}" -gt 5 -a "$rc" -ne 0

    # a container without limits: the default pids limit; stats; update; rm
    jp run -d --name plain --network none "$IMG" sleep 600
    id=$(echo "$out" | tail -1)
    check "no limits: pids.max is the default 2048" eq "$(cat "$base/jpod-$id/pids.max" 2>&1)" 2048
    check "no limits: memory.max is max" eq "$(cat "$base/jpod-$id/memory.max" 2>&1)" max
    jp stats --no-stream --format '{{.Name}} {{.MemUsageBytes}} {{.PIDs}}' plain
    echo "  $out"
    read -r sname smem spids <<<"$out"
    seen=$out
    check "stats --no-stream reads memory.current and pids.current" test "$sname" = plain -a "${smem:-0}" -gt 0 -a "${spids:-0}" = 1
    jp update --memory 64m plain
    check "update --memory 64m rewrites memory.max" eq "$(cat "$base/jpod-$id/memory.max" 2>&1)" 67108864
    jp rm -f plain
    check "rm -f leaves no cgroup of the container" gone "$id"

    # a limit whose controller systemd did not delegate fails with one line, never silently
    jp run --rm --network none --device-read-bps /dev/vda:1mb "$IMG" true
    echo "  $out"
    seen="rc $rc: $out"
    check "--device-read-bps without the io controller: exit 125, one line naming it" test "$rc" = 125 \
        -a "$(echo "$out" | wc -l)" = 1 -a "$(echo "$out" | grep -c 'io cgroup controller')" = 1
else
    dev=$(cat /sys/block/vda/dev)
    jp run -d --name lim --network none --cpus 0.5 --cpu-weight 300 --cpuset-cpus 0 --device-read-bps /dev/vda:1mb "$IMG" sleep 600
    id=$(echo "$out" | tail -1)
    check "--cpus 0.5 writes cpu.max" eq "$(cat "$base/jpod-$id/cpu.max" 2>&1)" "50000 100000"
    check "--cpu-weight 300 writes cpu.weight as given (v2's 1-10000 scale)" eq "$(cat "$base/jpod-$id/cpu.weight" 2>&1)" 300
    check "--cpuset-cpus 0 writes cpuset.cpus" eq "$(cat "$base/jpod-$id/cpuset.cpus" 2>&1)" 0
    check "--device-read-bps /dev/vda:1mb writes io.max" eq "$(cat "$base/jpod-$id/io.max" 2>&1)" "$dev rbps=1048576 wbps=max riops=max wiops=max"
    check "memory.oom.group is left 0 (the kernel kills one process, as on v1)" eq "$(cat "$base/jpod-$id/memory.oom.group" 2>&1)" 0
    # v1's shares (default 1024) become v2's weight (default 100) on crun's curve: 512 -> 59
    jp run -d --name shares --network none --cpu-shares 512 "$IMG" sleep 600
    id2=$(echo "$out" | tail -1)
    check "--cpu-shares 512 writes cpu.weight 59 (crun's shares-to-weight curve)" eq "$(cat "$base/jpod-$id2/cpu.weight" 2>&1)" 59
    jp rm -f lim shares
    check "rm -f leaves no cgroup of the containers" gone "$id"
    check "rm -f leaves no cgroup of the second container" gone "$id2"
fi
check "no container cgroup left below $base" eq "$(ls -d "$base"/jpod-* 2>/dev/null)" ""
echo "checks ($mode) ran to the end"
