#!/usr/bin/env bash
# Builds jpod and runs every test, unit and end-to-end: `scripts/test.sh [extra mvn args]`.
# As root it first prepares the host (scripts/setup-host.sh) and the e2e tests run jpod as user jpodtest;
# as a normal user it only checks the prerequisites and the e2e tests run jpod as that user.
# After Maven, as root, CI's subset of podman's conformance tests (scripts/conformance.sh --ci, ~10 min):
# JPOD_SKIP_CONFORMANCE=1 skips it (a local run); as a normal user it is skipped (it needs root), except with
# CI=true, where that is an error.
set -euo pipefail

here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
root=$(cd "$here/.." && pwd)

if [[ $(id -u) -eq 0 ]]; then
    bash "$here/setup-host.sh"
else
    problems=()
    for cmd in java javac mvn gcc newuidmap newgidmap fuse-overlayfs slirp4netns curl; do
        command -v "$cmd" >/dev/null 2>&1 || problems+=("command '$cmd' not found")
    done
    [[ -x /usr/bin/docker-registry ]] || problems+=("/usr/bin/docker-registry missing (package docker-registry)")
    [[ -x /bin/busybox ]] || problems+=("/bin/busybox missing (package busybox-static)")
    user=$(id -un)
    uid=$(id -u)
    for f in /etc/subuid /etc/subgid; do
        grep -qE "^($user|$uid):[0-9]+:[0-9]+$" "$f" 2>/dev/null || problems+=("no entry for $user in $f")
    done
    for dev in /dev/fuse /dev/net/tun; do
        [[ -r $dev && -w $dev ]] || problems+=("$dev is not readable and writable by $user")
    done
    if ((${#problems[@]})); then
        echo "test.sh: the host is not ready for jpod's tests:" >&2
        printf '  - %s\n' "${problems[@]}" >&2
        echo "test.sh: fix with (as root): $here/setup-host.sh" >&2
        exit 1
    fi
fi

cd "$root"
mvn -B -ntp verify "$@"

if [[ ${JPOD_SKIP_CONFORMANCE:-0} == 1 ]]; then
    echo "test.sh: podman's conformance subset skipped (JPOD_SKIP_CONFORMANCE=1)" >&2
elif [[ $(id -u) -ne 0 ]]; then
    if [[ ${CI:-} == true ]]; then
        echo "test.sh: CI runs podman's conformance subset, which needs root (scripts/conformance.sh --ci)" >&2
        exit 1
    fi
    echo "test.sh: podman's conformance subset skipped: it needs root (scripts/conformance.sh --ci)" >&2
else
    bash "$here/conformance.sh" --ci
fi
