#!/usr/bin/env bash
# Makes a debootstrapped bookworm directory bootable as the cgroup v2 lane's guest (run on the host, as root):
#   configure-guest.sh ROOTFS UID
# No network, no login prompt; the unprivileged user `jpodtest` (UID) with subordinate ids and lingering, so
# systemd starts user@UID.service at boot; jpod-lane.service runs the share's guest-root.sh and powers off.
set -euo pipefail
rootfs=$1
uid=$2
[[ -x $rootfs/bin/systemctl ]] || { echo "configure-guest.sh: $rootfs has no systemd" >&2; exit 1; }

echo jpodvm >"$rootfs/etc/hostname"
printf '127.0.0.1 localhost jpodvm\n' >"$rootfs/etc/hosts"
cat >"$rootfs/etc/fstab" <<'FSTAB'
/dev/vda   /          ext4  rw,relatime                                  0 1
jpodshare  /mnt/jpod  9p    trans=virtio,version=9p2000.L,msize=262144     0 0
FSTAB
mkdir -p "$rootfs/mnt/jpod"

# the test user: one subordinate range, as setup-host.sh gives jpodtest on the host
chroot "$rootfs" useradd -m -u "$uid" -s /bin/bash -K SUB_UID_COUNT=0 -K SUB_GID_COUNT=0 jpodtest
echo "jpodtest:100000:65536" >"$rootfs/etc/subuid"
echo "jpodtest:100000:65536" >"$rootfs/etc/subgid"
# lingering: systemd-logind starts user@UID.service at boot, with no login
mkdir -p "$rootfs/var/lib/systemd/linger"
touch "$rootfs/var/lib/systemd/linger/jpodtest"

# the console is the lane's output: no getty on it; the registry is started by the lane with its own storage
units=$rootfs/etc/systemd/system
for u in serial-getty@ttyS0.service getty@tty1.service docker-registry.service apt-daily.timer apt-daily-upgrade.timer \
         e2scrub_all.timer fstrim.timer man-db.timer; do
    ln -sf /dev/null "$units/$u"
done
cat >"$units/jpod-lane.service" <<'UNIT'
[Unit]
Description=jpod cgroup v2 lane
RequiresMountsFor=/mnt/jpod
After=systemd-user-sessions.service systemd-logind.service

[Service]
Type=simple
ExecStart=/bin/bash /mnt/jpod/guest-root.sh
ExecStopPost=/bin/systemctl poweroff --no-block
StandardOutput=tty
StandardError=inherit
TTYPath=/dev/ttyS0

[Install]
WantedBy=multi-user.target
UNIT
mkdir -p "$units/multi-user.target.wants"
ln -sf ../jpod-lane.service "$units/multi-user.target.wants/jpod-lane.service"
# no writes of results to the cached image are kept (the lane boots it with -snapshot); keep it small
chroot "$rootfs" apt-get clean
rm -rf "$rootfs/var/lib/apt/lists"/*
