#!/bin/bash
# Smoke test of the native helper, run by hand AS ROOT: it drops to the unprivileged user itself.
#   rootless/src/test/sh/helper-smoke.sh [HELPER]     (default: rootless/target/native/jpod-helper)
# Needs: busybox-static (/bin/busybox), uidmap, slirp4netns, a user jpodtest with /etc/subuid+subgid ranges.
# Builds a busybox rootfs, creates a pause process, runs containers through `enter -- run` and checks
# what they see. Exits non-zero if any check failed; all traffic stays inside the namespaces it creates.
set -u

USER_NAME=${JPOD_TEST_USER:-jpodtest}
HERE=$(cd "$(dirname "$0")" && pwd)
HELPER_SRC=${1:-$HERE/../../../target/native/jpod-helper}
[ "$(id -u)" = 0 ] || { echo "run me as root (I drop to $USER_NAME myself)" >&2; exit 2; }
[ -x "$HELPER_SRC" ] || { echo "no helper at $HELPER_SRC: build it first (mvn -pl rootless install)" >&2; exit 2; }
U=$(id -u "$USER_NAME") || exit 2
G=$(id -g "$USER_NAME") || exit 2
SUBUID=$(awk -F: -v u="$USER_NAME" '$1 == u { print $2, $3; exit }' /etc/subuid)
SUBGID=$(awk -F: -v u="$USER_NAME" '$1 == u { print $2, $3; exit }' /etc/subgid)
UIDMAP="0 $U 1 1 $SUBUID"
GIDMAP="0 $G 1 1 $SUBGID"

T=$(mktemp -d /tmp/jpod-smoke.XXXXXX)
chmod 755 "$T"
chown "$USER_NAME" "$T"   # pid/exit files are written here by the test user
PAUSE_PIDS=()
cleanup() {
    local p
    for p in "${PAUSE_PIDS[@]}" $(cat "$T"/*.pid 2>/dev/null); do
        kill -KILL "$p" 2>/dev/null
    done
    rm -rf "$T"
}
trap cleanup EXIT

FAILED=0
pass() { echo "ok   $1"; }
bad() { echo "FAIL $1"; FAILED=$((FAILED + 1)); }
as_user() { runuser -u "$USER_NAME" -- "$@"; }

# --- helper binary and rootfs, readable by the test user
H=$T/jpod-helper
install -m 755 "$HELPER_SRC" "$H"
R=$T/rootfs
mkdir -p "$R/bin" "$R/custom/bin" "$R/tmp" "$R/etc"
cp /bin/busybox "$R/bin/busybox"
for t in sh echo cat ls id hostname ps mount ip true false sleep pwd grep; do ln -s busybox "$R/bin/$t"; done
printf 'plain text, not executable\n' > "$R/notexec"
chmod 644 "$R/notexec"
printf '#!/bin/sh\necho custom-path-ok\n' > "$R/custom/bin/hello"
chmod 755 "$R/custom/bin/hello"
mkdir -p "$T/vol"
echo volume-content > "$T/vol/file"
chmod -R a+rX "$R" "$T/vol"
# Owned by the test user = root inside the user namespace, like a rootfs jpod unpacked itself.
# (/proc, /dev, /sys and the mount points are deliberately missing: the helper creates them.)
chown -R "$U:$G" "$R"

# --- spec files: NUL-terminated key=value records
SPEC_N=0
# spec NET ARG... ; extra records from the EXTRA array; sets SPEC to the file's path
spec() {
    local net=$1; shift
    SPEC_N=$((SPEC_N + 1))
    local f=$T/spec.$SPEC_N
    {
        printf 'rootfs=%s\0hostname=smokehost\0cwd=/\0uid=0\0gid=0\0' "$R"
        printf 'env=PATH=/usr/bin:/bin\0env=HOME=/root\0'
        printf 'net=%s\0slirp4netns=/usr/bin/slirp4netns\0mtu=65520\0' "$net"
        printf 'exitfile=%s\0pidfile=%s\0' "$f.exit" "$f.pid"
        local e a
        for e in "${EXTRA[@]}"; do printf '%s\0' "$e"; done
        for a in "$@"; do printf 'arg=%s\0' "$a"; done
    } > "$f"
    chmod 644 "$f"
    SPEC=$f
}
EXTRA=()

# ctr NET ARG... : run a container; sets OUT, ERR, RC, SPEC
ctr() {
    spec "$@"
    as_user "$H" enter "$T/pause.pid" -- "$H" run "$SPEC" > "$T/out" 2> "$T/err"
    RC=$?
    OUT=$(cat "$T/out")
    ERR=$(cat "$T/err")
}
expect() {   # expect NAME RC-WANTED OUT-REGEX [ERR-REGEX]
    local name=$1 rc=$2 out=$3 err=${4:-}
    if [ "$RC" != "$rc" ]; then bad "$name: exit $RC, want $rc (stdout: $OUT) (stderr: $ERR)"; return; fi
    if ! grep -Eq -- "$out" <<< "$OUT"; then bad "$name: stdout '$OUT' does not match /$out/ (stderr: $ERR)"; return; fi
    if [ -n "$err" ] && ! grep -Eq -- "$err" <<< "$ERR"; then bad "$name: stderr '$ERR' does not match /$err/"; return; fi
    pass "$name"
}

# --- pause process
if as_user "$H" pause "$T/pause.pid" /usr/bin/newuidmap "$UIDMAP" /usr/bin/newgidmap "$GIDMAP"; then
    P=$(cat "$T/pause.pid")
    PAUSE_PIDS+=("$P")
    pass "pause process $P created"
else
    bad "pause: exit $?"; exit 1
fi
[ "$(cat /proc/$P/comm)" = jpod-pause ] && pass "pause comm is jpod-pause" || bad "pause comm: $(cat /proc/$P/comm)"
[ "$(readlink /proc/$P/ns/user)" != "$(readlink /proc/1/ns/user)" ] && pass "pause is in its own user namespace" \
    || bad "pause shares the host user namespace"
grep -q "^Uid:[[:space:]]*$U[[:space:]]" /proc/$P/status && pass "pause runs as host uid $U" || bad "pause uid: $(grep ^Uid /proc/$P/status)"
[ "$(readlink /proc/$P/fd/1)" = /dev/null ] && [ "$(ls /proc/$P/fd | wc -l)" = 3 ] \
    && pass "pause holds only /dev/null on 0-2" || bad "pause fds: $(ls -l /proc/$P/fd)"
# a bad map is refused with the tool's status
as_user "$H" pause "$T/bad.pid" /usr/bin/newuidmap "0 0 1" /usr/bin/newgidmap "$GIDMAP" 2> "$T/err"
RC=$?; ERR=$(cat "$T/err")
[ "$RC" = 125 ] && grep -q 'jpod-helper: pause: newuidmap exited with status 1' <<< "$ERR" && [ ! -e "$T/bad.pid" ] \
    && pass "pause with a forbidden uid map fails with 125" || bad "pause with bad map: rc $RC, stderr $ERR"

# an unwritable pid file: error, and no orphaned pause process
BEFORE=$(pgrep -u "$USER_NAME" -x jpod-pause | wc -l)
as_user "$H" pause "$T/missing/p.pid" /usr/bin/newuidmap "$UIDMAP" /usr/bin/newgidmap "$GIDMAP" 2> "$T/err"
RC=$?; ERR=$(cat "$T/err")
[ "$RC" = 125 ] && grep -q "^jpod-helper: write pid file $T/missing/p.pid: No such file or directory (errno 2)$" <<< "$ERR" \
    && [ "$(pgrep -u "$USER_NAME" -x jpod-pause | wc -l)" = "$BEFORE" ] \
    && pass "pause with an unwritable pid file fails and leaves nothing behind" || bad "pause unwritable pid file: rc $RC, $ERR"

# --- enter
OUT=$(as_user sh -c "cd '$T' && '$H' enter '$T/pause.pid' -- sh -c 'echo \$(id -u) \$JPOD_IN_USERNS \$(pwd); cat /proc/self/uid_map'"); RC=$?
expect "enter: root in the userns, JPOD_IN_USERNS=1, cwd kept" 0 "^0 1 $T"
[ "$(readlink /proc/$P/ns/mnt)" = "$(as_user "$H" enter "$T/pause.pid" -- readlink /proc/self/ns/mnt)" ] \
    && pass "enter joins the pause mount namespace" || bad "enter mount namespace differs"
OUT=$(as_user "$H" enter "$T/pause.pid" -- sh -c 'exit 7' 2>&1); RC=$?
expect "enter passes the command's exit status" 7 ""
OUT=$(as_user "$H" enter "$T/pause.pid" foo sh 2>&1); RC=$?
expect "enter without -- is refused" 125 "" ; grep -q usage <<< "$OUT" || bad "enter usage message: $OUT"
# no pause process: the command runs with JPOD_USERNS_SETUP=1, creates it, and enter joins on the retry
SETUP="if [ \"\$JPOD_USERNS_SETUP\" = 1 ]; then exec '$H' pause '$T/p2.pid' /usr/bin/newuidmap '$UIDMAP' /usr/bin/newgidmap '$GIDMAP'; fi; echo in=\$JPOD_IN_USERNS setup=\$JPOD_USERNS_SETUP uid=\$(id -u)"
OUT=$(as_user "$H" enter "$T/p2.pid" -- sh -c "$SETUP" 2>&1); RC=$?
expect "enter sets up a missing pause process and joins it" 0 "^in=1 setup= uid=0$"
[ -e "$T/p2.pid" ] && PAUSE_PIDS+=("$(cat "$T/p2.pid")")
OUT=$(as_user "$H" enter "$T/none.pid" -- sh -c 'exit 5' 2>&1); RC=$?
expect "enter returns the setup command's failure" 5 ""
echo 1 > "$T/stale.pid"   # pid 1 is not a jpod-pause process
OUT=$(as_user "$H" enter "$T/stale.pid" -- sh -c 'echo setup=$JPOD_USERNS_SETUP; exit 4' 2>&1); RC=$?
expect "enter treats a pid file naming another process as stale" 4 "^setup=1$"

# --- overlay mount/umount inside the shared mount namespace persist across enter calls
mkdir -p "$T/ov/lower" "$T/ov/upper" "$T/ov/work" "$T/ov/merged"; echo lower-file > "$T/ov/lower/f"
chown -R "$USER_NAME" "$T/ov"
OUT=$(as_user "$H" enter "$T/pause.pid" -- "$H" mount-overlay "$T/ov/merged" \
    "lowerdir=$T/ov/lower,upperdir=$T/ov/upper,workdir=$T/ov/work" 2>&1); RC=$?
expect "mount-overlay" 0 ""
OUT=$(as_user "$H" enter "$T/pause.pid" -- cat "$T/ov/merged/f" 2>&1); RC=$?
expect "overlay visible to the next enter" 0 "^lower-file$"
[ ! -e "$T/ov/merged/f" ] && pass "overlay not visible on the host" || bad "overlay leaked to the host"
OUT=$(as_user "$H" enter "$T/pause.pid" -- "$H" umount "$T/ov/merged" 2>&1); RC=$?
expect "umount" 0 ""
OUT=$(as_user "$H" enter "$T/pause.pid" -- "$H" umount "$T/ov/merged" 2>&1); RC=$?
expect "umount of a non-mount fails with step and errno" 125 "^jpod-helper: umount $T/ov/merged: .* \(errno 22\)$"

# --- containers
ctr none echo hello;                      expect "echo" 0 "^hello$"
[ "$(cat "$SPEC.exit")" = 0 ] && pass "exitfile written" || bad "exitfile: $(cat "$SPEC.exit" 2>&1)"
grep -Eq '^[0-9]+$' "$SPEC.pid" && pass "pidfile written" || bad "pidfile: $(cat "$SPEC.pid" 2>&1)"
ctr none sh -c 'exit 3';                   expect "exit status 3" 3 ""
[ "$(cat "$SPEC.exit")" = 3 ] && pass "exitfile says 3" || bad "exitfile: $(cat "$SPEC.exit")"
ctr none nosuchcmd;                        expect "unknown command" 127 "" '^jpod: nosuchcmd: executable file not found in \$PATH$'
[ "$(wc -l <<< "$ERR")" = 1 ] && pass "error printed once" || bad "error printed $(wc -l <<< "$ERR") times: $ERR"
ctr none /no/such/file;                    expect "missing path" 127 "" '^jpod: /no/such/file: no such file or directory$'
ctr none /notexec;                         expect "non-executable file" 126 "" '^jpod: /notexec: permission denied$'
ctr none /tmp;                             expect "directory as command" 126 "" '^jpod: /tmp: permission denied$'
ctr none cat /proc/self/uid_map
expect "uid_map 0 $U 1" 0 "^ +0 +$U +1$"
expect "uid_map 1 ${SUBUID% *} ${SUBUID#* }" 0 "^ +1 +${SUBUID% *} +${SUBUID#* }$"
ctr none sh -c 'echo $$';                  expect "container init is pid 1" 0 "^1$"
ctr none hostname;                         expect "hostname from the spec" 0 "^smokehost$"
ctr none ls /proc
NUMS=$(grep -E '^[0-9]+$' <<< "$OUT" | tr '\n' ' ')
[ "$RC" = 0 ] && [ "$NUMS" = "1 " ] && pass "/proc shows only the container's pids" || bad "/proc pids: '$NUMS' (rc $RC, $ERR)"
ctr none ip link;                          expect "lo is up" 0 "lo: <LOOPBACK,UP"
ctr none ip link;                          expect "net=none: only lo" 0 "^1: lo" ; grep -q '^2:' <<< "$OUT" && bad "net=none has more links: $OUT"
ctr none sh -c 'echo x > /dev/null && cat /dev/null && ls /dev && ls -l /dev/ptmx /dev/fd && mount'
expect "/dev has the nodes" 0 "urandom"
expect "/dev/ptmx -> pts/ptmx" 0 "ptmx -> pts/ptmx"
expect "/dev/fd -> /proc/self/fd" 0 "fd -> /proc/self/fd"
expect "/dev/pts devpts newinstance" 0 "devpts on /dev/pts type devpts .*ptmxmode=666"
expect "/dev/shm tmpfs" 0 "on /dev/shm type tmpfs"
expect "/dev/mqueue" 0 "on /dev/mqueue type mqueue"
expect "/sys sysfs read-only" 0 "sysfs on /sys type sysfs \(ro,"
expect "/proc mounted nosuid,nodev,noexec" 0 "proc on /proc type proc \(rw,nosuid,nodev,noexec"
ctr none sh -c 'echo x > /sys/x';          expect "/sys is not writable" 1 ""
# PATH comes from the container's env, not the helper's
EXTRA=("env=PATH=/custom/bin:/bin"); ctr none hello; EXTRA=()
expect "PATH search uses the container env" 0 "^custom-path-ok$"
EXTRA=("env=FOO=bar"); ctr none sh -c 'echo "$FOO:$PATH"'; EXTRA=()
expect "container env is exactly the spec env" 0 "^bar:/usr/bin:/bin$"
ctr none sh -c 'echo $JPOD_IN_USERNS$JPOD_USERNS_SETUP'
expect "helper env does not leak into the container" 0 "^$"
# users, groups, workdir
EXTRA=("uid=1000" "gid=1000" "group=10" "group=20" "cwd=/tmp"); ctr none sh -c 'echo $(id -u) $(id -g) $(id -G) $(pwd)'; EXTRA=()
expect "uid/gid/groups/cwd" 0 "^1000 1000 (10 20|1000 10 20) /tmp$"
EXTRA=("cwd=/nonexistent"); ctr none true; EXTRA=()
expect "missing workdir" 125 "" "^jpod: workdir /nonexistent does not exist$"
# user mounts
EXTRA=("mount=bind	$T/vol	/data	ro,nosuid" "mount=tmpfs		/scratch	mode=1777,size=1m" "mount=bind	$T/vol/file	/etc/vol-file	")
ctr none sh -c 'cat /data/file; cat /etc/vol-file; touch /scratch/x && echo scratch-ok; touch /data/y || echo data-ro; mount'
EXTRA=()
expect "bind mount of a directory" 0 "^volume-content$"
expect "read-only bind" 0 "^data-ro$"
expect "tmpfs mount" 0 "^scratch-ok$"
expect "tmpfs options passed" 0 "tmpfs on /scratch type tmpfs .*size=1024k"
[ "$(grep -c '^volume-content$' <<< "$OUT")" = 2 ] && pass "bind mount of a file" || bad "file bind: $OUT"
EXTRA=("mount=bind	$T/vol	/data	bogus"); ctr none true; EXTRA=()
expect "unknown bind option" 125 "" 'jpod-helper: mount /data: unknown bind mount option "bogus"'
ln -s /etc "$R/evil"
EXTRA=("mount=tmpfs		/evil	"); ctr none true; EXTRA=()
rm "$R/evil"
expect "symlink as mount point is refused" 125 "" "^jpod-helper: mount point $R/evil: .*errno (20|40)\)$"
# setup error reporting names the step
SPEC2=$T/spec.bad; printf 'rootfs=%s/nonexistent\0arg=true\0' "$T" > "$SPEC2"; chmod 644 "$SPEC2"
OUT=$(as_user "$H" enter "$T/pause.pid" -- "$H" run "$SPEC2" 2>&1); RC=$?
expect "bad rootfs: step and errno" 125 "^jpod-helper: bind mount rootfs $T/nonexistent: No such file or directory \(errno 2\)$"
printf 'rootfs=/x\0arg=true\0bogus=1\0' > "$SPEC2"
OUT=$(as_user "$H" enter "$T/pause.pid" -- "$H" run "$SPEC2" 2>&1); RC=$?
expect "unknown spec key" 125 'unknown key "bogus"'
# net=host: host links visible, /sys falls back to a read-only bind of the host's
ctr host sh -c 'ip link; touch /sys/x 2>&1 || echo sys-ro'
expect "net=host sees host links" 0 "^2: "
expect "net=host /sys read-only" 0 "sys-ro"

# --- slirp4netns
ctr slirp4netns sh -c 'ip addr show tap0; ip route'
expect "slirp4netns: tap0 10.0.2.100" 0 "inet 10\.0\.2\.100/24"
expect "slirp4netns: default route via 10.0.2.2" 0 "default via 10\.0\.2\.2"
expect "slirp4netns: mtu" 0 "tap0: .*mtu 65520"
sleep_check=0
for i in $(seq 50); do pgrep -u "$USER_NAME" -x slirp4netns > /dev/null || { sleep_check=1; break; }; sleep 0.1; done
[ $sleep_check = 1 ] && pass "slirp4netns stopped with the container" || bad "slirp4netns still running"
EXTRA=("slirp4netns=/nonexistent/slirp"); ctr slirp4netns true; EXTRA=()
expect "missing slirp4netns binary" 125 "" "slirp4netns exited with status 127"

# --- a long-running container: privileges as seen from the host, and signal forwarding
spec slirp4netns sh -c 'trap "echo got-term; exit 7" TERM; echo started; while :; do sleep 0.1; done'
as_user "$H" enter "$T/pause.pid" -- "$H" run "$SPEC" > "$T/out" 2> "$T/err" &
BG=$!
for i in $(seq 100); do grep -q started "$T/out" 2>/dev/null && break; sleep 0.1; done
HOSTNS=$(readlink /proc/1/ns/user)
PRIV=""
for p in $(pgrep -u "$USER_NAME"); do
    [ -r "/proc/$p/status" ] || continue
    cap=$(awk '/^CapEff/ { print $2 }' "/proc/$p/status")
    uids=$(awk '/^Uid/ { print $2, $3, $4, $5 }' "/proc/$p/status")
    [ "$uids" = "0 0 0 0" ] && PRIV="$PRIV $p(uid0)"
    [ "$cap" != 0000000000000000 ] && [ "$(readlink /proc/$p/ns/user)" = "$HOSTNS" ] && PRIV="$PRIV $p(caps:$cap)"
done
MON=$(pgrep -u "$USER_NAME" -f "jpod-helper run $SPEC" | head -1)
[ -n "$MON" ] && [ -z "$PRIV" ] && pass "no jpodtest process has host uid 0 or capabilities in the host user namespace ($(pgrep -u "$USER_NAME" | wc -l) processes checked)" \
    || bad "privileged processes:$PRIV (monitor: $MON)"
[ "$(readlink /proc/$MON/ns/user)" = "$(readlink /proc/$P/ns/user)" ] && pass "monitor runs in the pause user namespace" || bad "monitor userns"
SL=$(pgrep -u "$USER_NAME" -x slirp4netns | head -1)
[ -n "$SL" ] && [ "$(readlink /proc/$SL/ns/pid)" = "$(readlink /proc/$MON/ns/pid)" ] \
    && pass "slirp4netns is outside the container's pid namespace" || bad "slirp4netns pid namespace"
kill -TERM "$MON"
for i in $(seq 100); do kill -0 "$BG" 2>/dev/null || break; sleep 0.1; done
wait "$BG"; RC=$?; OUT=$(cat "$T/out"); ERR=$(cat "$T/err")
expect "SIGTERM forwarded to the container" 7 "got-term"
# death by signal N gives 128+N
spec none sh -c 'echo started; while :; do sleep 0.1; done'
as_user "$H" enter "$T/pause.pid" -- "$H" run "$SPEC" > "$T/out" 2> "$T/err" &
BG=$!
for i in $(seq 100); do grep -q started "$T/out" 2>/dev/null && break; sleep 0.1; done
kill -KILL "$(cat "$SPEC.pid")"
wait "$BG"; RC=$?; OUT=$(cat "$T/out"); ERR=$(cat "$T/err")
expect "container killed by SIGKILL: 137" 137 "started"
[ "$(cat "$SPEC.exit")" = 137 ] && pass "exitfile says 137" || bad "exitfile: $(cat "$SPEC.exit")"
# killing the monitor takes the container with it
spec none sh -c 'trap "" TERM; echo started; while :; do sleep 0.1; done'
as_user "$H" enter "$T/pause.pid" -- "$H" run "$SPEC" > "$T/out" 2> "$T/err" &
BG=$!
for i in $(seq 100); do grep -q started "$T/out" 2>/dev/null && break; sleep 0.1; done
CPID=$(cat "$SPEC.pid")
MON=$(pgrep -u "$USER_NAME" -f "jpod-helper run $SPEC" | head -1)
kill -KILL "$MON"; wait "$BG" 2>/dev/null
for i in $(seq 50); do kill -0 "$CPID" 2>/dev/null || break; sleep 0.1; done
[ -n "$CPID" ] && [ -n "$MON" ] && ! kill -0 "$CPID" 2>/dev/null && pass "container dies with its monitor" \
    || bad "container '$CPID' survived its monitor '$MON'"

echo
if [ "$FAILED" = 0 ]; then echo "helper-smoke: all checks passed"; else echo "helper-smoke: $FAILED check(s) FAILED"; fi
[ "$FAILED" = 0 ]
