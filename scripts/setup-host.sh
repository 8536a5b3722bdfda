#!/usr/bin/env bash
# Prepares a Debian 12 host for building and testing jpod. Idempotent; must run as root.
#  - packages: build tools, the rootless stack (uidmap, slirp4netns, passt for --network pasta, fuse-overlayfs), the test registry, busybox,
#    iptables (user networks' rules in the holder's namespace), docker-compose and socat (clients of the Docker-compatible API in the tests)
#  - /dev/fuse and /dev/net/tun usable by unprivileged users (stock distros ship them 0666; some VMs 0600)
#  - user jpodtest with exactly one subordinate range 100000:65536 in /etc/subuid and /etc/subgid
#  - user jpodnosub with no subordinate range (for the error-path test)
set -euo pipefail

if [[ $(id -u) -ne 0 ]]; then
    echo "setup-host.sh: must run as root (it installs packages and creates users)" >&2
    exit 1
fi

PACKAGES=(uidmap slirp4netns passt fuse-overlayfs docker-registry busybox-static podman runc hyperfine maven
          openjdk-17-jdk-headless gcc libc6-dev procps iproute2 curl ca-certificates iptables docker-compose socat)

missing=()
for p in "${PACKAGES[@]}"; do
    if [[ $(dpkg-query -W -f='${Status}' "$p" 2>/dev/null || true) != "install ok installed" ]]; then
        missing+=("$p")
    fi
done
if ((${#missing[@]})); then
    echo "setup-host.sh: installing ${missing[*]}"
    export DEBIAN_FRONTEND=noninteractive
    apt-get -qq update
    apt-get -qq install -y --no-install-recommends "${PACKAGES[@]}" >/dev/null
fi

for dev in /dev/fuse /dev/net/tun; do
    if [[ ! -e $dev ]]; then
        case $dev in
            /dev/fuse) mknod -m 0666 /dev/fuse c 10 229 || echo "setup-host.sh: warning: cannot create /dev/fuse" >&2 ;;
            /dev/net/tun) mkdir -p /dev/net && { mknod -m 0666 /dev/net/tun c 10 200 || echo "setup-host.sh: warning: cannot create /dev/net/tun" >&2; } ;;
        esac
    fi
    [[ -e $dev ]] && chmod 0666 "$dev"
done

# Unprivileged user namespaces: on by default in Debian 12, but some hosts turn them off.
if [[ -e /proc/sys/kernel/unprivileged_userns_clone && $(cat /proc/sys/kernel/unprivileged_userns_clone) != 1 ]]; then
    sysctl -q -w kernel.unprivileged_userns_clone=1
fi
if [[ -e /proc/sys/user/max_user_namespaces && $(cat /proc/sys/user/max_user_namespaces) -lt 1000 ]]; then
    sysctl -q -w user.max_user_namespaces=15000
fi
if [[ -e /proc/sys/kernel/apparmor_restrict_unprivileged_userns && $(cat /proc/sys/kernel/apparmor_restrict_unprivileged_userns) != 0 ]]; then
    sysctl -q -w kernel.apparmor_restrict_unprivileged_userns=0
fi

ensure_user() {
    # SUB_*_COUNT=0: useradd would otherwise allocate a subordinate range of its own choosing.
    id -u "$1" >/dev/null 2>&1 || useradd -m -s /bin/bash -K SUB_UID_COUNT=0 -K SUB_GID_COUNT=0 "$1"
}

# Exactly one line "NAME:START:COUNT" for NAME (by name or uid) in FILE; with no START, no line at all.
set_range() {
    local file=$1 name=$2 start=${3:-} count=${4:-}
    local uid
    uid=$(id -u "$name")
    touch "$file"
    chmod 0644 "$file"
    if [[ -n $start ]] && grep -qx "$name:$start:$count" "$file" \
        && [[ $(grep -cE "^($name|$uid):" "$file") -eq 1 ]]; then
        return 0
    fi
    if [[ -z $start ]] && ! grep -qE "^($name|$uid):" "$file"; then
        return 0
    fi
    local tmp
    tmp=$(mktemp "$file.XXXXXX")
    grep -vE "^($name|$uid):" "$file" >"$tmp" || true
    [[ -n $start ]] && echo "$name:$start:$count" >>"$tmp"
    chmod 0644 "$tmp"
    mv "$tmp" "$file"
}

ensure_user jpodtest
set_range /etc/subuid jpodtest 100000 65536
set_range /etc/subgid jpodtest 100000 65536
ensure_user jpodnosub
set_range /etc/subuid jpodnosub
set_range /etc/subgid jpodnosub

# newuidmap/newgidmap must be setuid root (or carry file capabilities) for the rootless user namespace.
for b in /usr/bin/newuidmap /usr/bin/newgidmap; do
    if [[ ! -u $b ]] && ! { command -v getcap >/dev/null && getcap "$b" | grep -q cap_set; }; then
        chmod u+s "$b"
    fi
done
