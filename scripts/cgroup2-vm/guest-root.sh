#!/bin/bash
# The lane inside the guest, as root (jpod-lane.service): serves the test image, then runs guest-checks.sh as the
# lingering user through `systemd-run --user`, so jpod runs where a laptop user's terminal does: below
# user@UID.service, in a cgroup systemd delegated. Twice: systemd's default delegation, then the drop-in
# Delegate=cpu cpuset io memory pids. Writes out/summary ("N passed, M failed") and out/phases to the share.
set -uo pipefail
share=/mnt/jpod
out=$share/out
user=jpodtest
uid=$(id -u $user)
t0=$(date +%s)
echo "guest: $(uname -r), systemd $(systemctl --version | head -1 | cut -d' ' -f2), $(nproc) CPU, booted in $(cut -d' ' -f1 /proc/uptime) s"
echo "boot $(cut -d' ' -f1 /proc/uptime | cut -d. -f1) s" >>"$out/phases"
results=/run/jpod-lane-results
: >"$results"
record() { echo "$1" | tee -a "$results"; }

# jpod on the guest's disk (9p reads are slow under TCG); the registry on its own copy of the storage
cp -a "$share/jpod" /opt/jpod && chmod -R a+rX /opt/jpod
cp -a "$share/registry" /var/lib/jpod-registry
cat >/etc/jpod-registry.yml <<YML
version: 0.1
log:
  level: warn
  accesslog:
    disabled: true
storage:
  filesystem:
    rootdirectory: /var/lib/jpod-registry
http:
  addr: 127.0.0.1:5000
YML
systemd-run --unit jpod-registry --quiet docker-registry serve /etc/jpod-registry.yml
for i in $(seq 100); do
    (exec 3<>/dev/tcp/127.0.0.1/5000) 2>/dev/null && break
    sleep 0.2 # poll interval of a bounded readiness check (100 tries)
done

# runs guest-checks.sh MODE as the user, inside a transient service of the user's own systemd
as_user_service() {
    rm -f /run/jpod-lane-ended
    runuser -u $user -- env XDG_RUNTIME_DIR=/run/user/$uid DBUS_SESSION_BUS_ADDRESS=unix:path=/run/user/$uid/bus \
        systemd-run --user --wait --pipe --quiet --collect --unit "jpod-checks-$1" \
        /bin/bash $share/guest-checks.sh "$1" </dev/null 2>&1 | while IFS= read -r line; do
            case $line in
                PASS*|FAIL*) record "$line" ;;
                "checks ($1) ran to the end") touch /run/jpod-lane-ended; echo "$line" ;;
                *) echo "$line" ;;
            esac
        done
    # a check script that died half-way must not pass
    [ -e /run/jpod-lane-ended ] || record "FAIL $1: guest-checks.sh did not run to the end"
}
user_manager_up() {
    systemctl start user@$uid.service || { record "FAIL $1: user@$uid.service does not start"; return 1; }
    [ -S /run/user/$uid/bus ] || { record "FAIL $1: no user bus at /run/user/$uid/bus (dbus-user-session)"; return 1; }
}

echo "== systemd's default delegation: $(cat /sys/fs/cgroup/user.slice/user-$uid.slice/user@$uid.service/cgroup.controllers)"
user_manager_up default && as_user_service default
if systemctl is-active --quiet user@$uid.service; then record "PASS default: user@$uid.service is still active after the checks (OOM kill contained)"
else record "FAIL default: user@$uid.service is $(systemctl is-active user@$uid.service) after the checks"; fi
t1=$(date +%s); echo "checks (default delegation; with copying jpod in, the registry start, the class-data cache) $((t1 - t0)) s" >>"$out/phases"

# podman's documented way to give a user the cpu, cpuset and io controllers
mkdir -p /etc/systemd/system/user@.service.d
printf '[Service]\nDelegate=cpu cpuset io memory pids\n' >/etc/systemd/system/user@.service.d/delegate.conf
systemctl daemon-reload
systemctl restart user@$uid.service
echo "== drop-in Delegate=cpu cpuset io memory pids: $(cat /sys/fs/cgroup/user.slice/user-$uid.slice/user@$uid.service/cgroup.controllers)"
user_manager_up delegated && as_user_service delegated
t2=$(date +%s); echo "checks (drop-in delegation) $((t2 - t1)) s" >>"$out/phases"

passed=$(grep -c '^PASS' "$results")
failed=$(grep -c '^FAIL' "$results")
((passed + failed > 0)) || failed=1
echo "$passed passed, $failed failed" | tee "$out/summary"
sync
