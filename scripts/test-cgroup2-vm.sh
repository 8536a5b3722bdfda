#!/usr/bin/env bash
# The cgroup v2 lane (issue 17): jpod's v2 code run for real under systemd's delegation, in a Debian 12 guest.
#   scripts/test-cgroup2-vm.sh            # as root: build jpod if needed, the guest image once, boot it, run the checks
#   scripts/test-cgroup2-vm.sh --rebuild  # make the guest image again
# The host may be cgroup v1 (these build machines are); the guest is what laptops and CI runners are: the unified
# hierarchy, systemd 252 as PID 1, a lingering user whose processes sit in user@1001.service with Delegate=yes.
# The guest runs the checks twice: with systemd's default delegation (memory pids) and with the drop-in
# Delegate=cpu cpuset io memory pids that podman's documentation tells users to add.
#
# The image is cached in $JPOD_VM_CACHE (default /var/cache/jpod-vm): a debootstrap of bookworm with
# linux-image-amd64 and jpod's runtime dependencies, made into an ext4 disk; each run boots it with -snapshot,
# so the cached disk never changes. QEMU runs with TCG (no KVM needed: it hangs when the host is itself a VM),
# one vCPU, no network device. The built distribution cli/target/jpod and a registry's storage holding the busybox
# test image are shared read-only over 9p; a docker-registry inside the guest serves that image on 127.0.0.1:5000.
# Prints `N passed, M failed`; exits non-zero on any failure. Environment: JPOD_VM_CACHE, JPOD_VM_TIMEOUT (s, 2400).
set -euo pipefail

here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
root=$(cd "$here/.." && pwd)
cache=${JPOD_VM_CACHE:-/var/cache/jpod-vm}
timeout_s=${JPOD_VM_TIMEOUT:-2400}
say() { echo "cgroup2-vm: $*" >&2; }
die() { echo "cgroup2-vm: $*" >&2; exit 1; }
# shellcheck source=scripts/lib/local-registry.sh
. "$here/lib/local-registry.sh"

[[ $(id -u) -eq 0 ]] || die "must run as root (debootstrap, the guest image, QEMU); run: sudo $0"
rebuild=0
for a in "$@"; do
    case $a in
        --rebuild) rebuild=1 ;;
        *) die "unknown argument $a; usage: $0 [--rebuild]" ;;
    esac
done

# The guest's packages: systemd with the user manager and its bus, the kernel, and what setup-host.sh gives the host
# for jpod at run time. Part of the image's stamp: a change here makes the image again.
GUEST_PACKAGES=systemd-sysv,systemd,dbus,dbus-user-session,libpam-systemd,linux-image-amd64,initramfs-tools,kmod,udev,uidmap,slirp4netns,fuse-overlayfs,fuse3,openjdk-17-jre-headless,busybox-static,docker-registry,procps,iproute2,util-linux,ca-certificates
GUEST_UID=1001
stamp_text="bookworm $GUEST_PACKAGES $(sha256sum "$here/cgroup2-vm/configure-guest.sh" | cut -c1-16)"

now() { date +%s; }
phase_start=$(now)
phase() { # NAME: prints the time of the phase that ended
    local t; t=$(now)
    say "phase $1: $((t - phase_start)) s"
    phases+=("$1 $((t - phase_start)) s")
    phase_start=$t
}
phases=()

# ---- host tools
missing=()
command -v qemu-system-x86_64 >/dev/null || missing+=(qemu-system-x86)
command -v debootstrap >/dev/null || missing+=(debootstrap)
command -v mkfs.ext4 >/dev/null || missing+=(e2fsprogs)
if ((${#missing[@]})); then
    say "installing ${missing[*]}"
    export DEBIAN_FRONTEND=noninteractive
    apt-get -qq update
    apt-get -qq install -y --no-install-recommends "${missing[@]}" >/dev/null
fi
bash "$here/setup-host.sh" # the host's registry, busybox and JDK build the test image

# ---- the guest image, once
image=$cache/debian12-cgroup2.img
if ((rebuild)) || [[ ! -f $image || ! -f $cache/vmlinuz || ! -f $cache/initrd.img || "$(cat "$cache/stamp" 2>/dev/null)" != "$stamp_text" ]]; then
    say "building the guest image in $cache (debootstrap bookworm; several minutes, once)"
    mkdir -p "$cache"
    # a debootstrap that was interrupted leaves proc and sys mounted in its directory
    while read -r m; do umount -l "$m"; done < <(findmnt -rn -o TARGET | grep "^$cache/rootfs.tmp/" | sort -r)
    rm -rf "$cache/rootfs.tmp" "$image" "$cache/stamp"
    debootstrap --variant=minbase --include="$GUEST_PACKAGES" bookworm "$cache/rootfs.tmp" http://deb.debian.org/debian \
        >"$cache/debootstrap.log" 2>&1 || die "debootstrap failed; see $cache/debootstrap.log"
    bash "$here/cgroup2-vm/configure-guest.sh" "$cache/rootfs.tmp" "$GUEST_UID"
    cp -L "$cache/rootfs.tmp/vmlinuz" "$cache/vmlinuz"
    cp -L "$cache/rootfs.tmp/initrd.img" "$cache/initrd.img"
    mkfs.ext4 -q -F -L jpodvm -d "$cache/rootfs.tmp" "$image.tmp" 3G
    mv "$image.tmp" "$image"
    rm -rf "$cache/rootfs.tmp"
    echo "$stamp_text" >"$cache/stamp"
    phase "image build"
else
    say "guest image: $image (cached; --rebuild makes it again)"
    phase "image (cached)"
fi

# ---- what the guest gets: jpod, the registry's storage with the test image, the guest-side scripts
cd "$root"
if [[ ! -x cli/target/jpod/bin/jpod || ! -f tests/target/runtime-classpath.txt ]]; then
    say "building jpod (mvn package, tests skipped)"
    mvn -B -q -ntp package -DskipTests
fi
work=$(mktemp -d /tmp/jpod-cgroup2-vm.XXXXXX)
chmod 0755 "$work"
cleanup() {
    stop_registry
    rm -rf "$work"
}
trap cleanup EXIT
share=$work/share
mkdir -p "$share/out"
start_registry "$work"
push_busybox "127.0.0.1:$registry_port" library/busybox latest
stop_registry
cp -a "$work/registry" "$share/registry"
install_dist "$share/jpod"
cp "$here"/cgroup2-vm/guest-*.sh "$share/"
chmod -R a+rX "$share"
phase "share (registry image, jpod)"

# ---- boot: systemd runs jpod-lane.service, which runs guest-root.sh and powers off
say "booting the guest (TCG, 1 vCPU; the checks print below)"
set +e
timeout --foreground -k 10 "$timeout_s" qemu-system-x86_64 -machine pc,accel=tcg -smp 1 -m 1536 -nodefaults \
    -display none -no-reboot -serial stdio -nic none \
    -kernel "$cache/vmlinuz" -initrd "$cache/initrd.img" \
    -append "root=/dev/vda rw console=ttyS0 quiet loglevel=3 systemd.show_status=false panic=-1" \
    -drive "file=$image,format=raw,if=virtio,snapshot=on" \
    -virtfs "local,path=$share,mount_tag=jpodshare,security_model=none,id=jpodshare" </dev/null \
    | sed -u 's/\r$//' | tee "$work/console.log"
qemu_status=${PIPESTATUS[0]}
set -e
((qemu_status != 124)) || die "the guest did not power off within $timeout_s s (JPOD_VM_TIMEOUT)"
((qemu_status == 0)) || die "qemu-system-x86_64 exited with status $qemu_status"

[[ -f $share/out/phases ]] && while read -r line; do phases+=("$line"); done <"$share/out/phases"
phase "guest total (boot, checks, power-off)"
say "time per phase:"
printf '  %s\n' "${phases[@]}" >&2
[[ -f $share/out/summary ]] || die "the guest wrote no result (it failed before the checks); console above"
summary=$(cat "$share/out/summary")
echo "$summary"
[[ $summary =~ ^[0-9]+\ passed,\ 0\ failed$ ]]
