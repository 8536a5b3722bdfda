#!/usr/bin/env bash
# The README's first command: builds jpod, serves a local registry holding a busybox image as library/alpine:latest,
# and runs a container from it as an unprivileged user (jpodtest when started as root, else yourself):
#   scripts/demo.sh                 -> hello from a container
#   scripts/demo.sh id              -> the command replaces `echo hello from a container`
set -euo pipefail

here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
root=$(cd "$here/.." && pwd)
if (($#)); then cmd=("$@"); else cmd=(echo hello from a container); fi
say() { echo "demo: $*" >&2; }
die() { echo "demo: $*" >&2; exit 1; }
# shellcheck source=scripts/lib/local-registry.sh
. "$here/lib/local-registry.sh"

if [[ $(id -u) -eq 0 ]]; then
    bash "$here/setup-host.sh"
    demo_user=jpodtest
    as_user=(runuser -u "$demo_user" --)
else
    demo_user=$(id -un)
    as_user=()
fi
uid=$(id -u "$demo_user")
user_home=$(getent passwd "$demo_user" | cut -d: -f6)

cd "$root"
say "building jpod (mvn package, tests skipped)..."
mvn -B -q -ntp package -DskipTests

work=$(mktemp -d /tmp/jpod-demo.XXXXXX)
chmod 0755 "$work"
cleanup() {
    stop_registry
    rm -rf "$work"
}
trap cleanup EXIT

say "starting docker-registry on 127.0.0.1"
start_registry "$work"
port=$registry_port

image=127.0.0.1:$port/library/alpine:latest
say "pushing a busybox image as $image"
push_busybox "127.0.0.1:$port" library/alpine latest

install_dist "$work/jpod"

user_env=(HOME="$user_home" PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin LANG=C.UTF-8
          TERM="${TERM:-dumb}")
if [[ $(id -u) -eq 0 ]]; then
    # The usual per-user runtime dir; kept after the demo so later jpod commands of the user find its pause process.
    install -d -m 0700 -o "$demo_user" -g "$(id -g "$demo_user")" "/run/user/$uid"
    user_env+=(XDG_RUNTIME_DIR="/run/user/$uid")
elif [[ -n ${XDG_RUNTIME_DIR:-} ]]; then
    user_env+=(XDG_RUNTIME_DIR="$XDG_RUNTIME_DIR")
fi

say "as $demo_user: jpod run --rm $image ${cmd[*]}"
set +e
(
    cd / && "${as_user[@]}" env -i "${user_env[@]}" "$work/jpod/bin/jpod" run --rm "$image" "${cmd[@]}"
)
status=$?
set -e
exit "$status"
