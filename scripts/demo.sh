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
dist=$root/cli/target/jpod
[[ -x $dist/bin/jpod ]] || die "$dist/bin/jpod was not built"
[[ -f tests/target/runtime-classpath.txt ]] || die "tests/target/runtime-classpath.txt was not written by the build"
classpath=$root/tests/target/classes:$(cat tests/target/runtime-classpath.txt)

work=$(mktemp -d /tmp/jpod-demo.XXXXXX)
chmod 0755 "$work"
registry_pid=
cleanup() {
    if [[ -n $registry_pid ]]; then
        kill "$registry_pid" 2>/dev/null || true
        wait "$registry_pid" 2>/dev/null || true
    fi
    rm -rf "$work"
}
trap cleanup EXIT

port_busy() { (exec 3<>"/dev/tcp/127.0.0.1/$1") 2>/dev/null; }
port=5000
while port_busy "$port"; do
    port=$((port + 1))
    ((port < 5100)) || die "no free port in 127.0.0.1:5000-5099 for the registry"
done

mkdir -p "$work/registry"
cat >"$work/registry.yml" <<YAML
version: 0.1
log:
  level: warn
  accesslog:
    disabled: true
storage:
  filesystem:
    rootdirectory: $work/registry
  delete:
    enabled: true
http:
  addr: 127.0.0.1:$port
YAML
say "starting docker-registry on 127.0.0.1:$port"
env -i PATH=/usr/sbin:/usr/bin:/sbin:/bin docker-registry serve "$work/registry.yml" >"$work/registry.log" 2>&1 &
registry_pid=$!
for ((i = 0; ; i++)); do
    curl -sf -o /dev/null "http://127.0.0.1:$port/v2/" && break
    kill -0 "$registry_pid" 2>/dev/null || die "docker-registry exited: $(cat "$work/registry.log")"
    ((i < 200)) || die "docker-registry did not answer within 20 s: $(cat "$work/registry.log")"
    sleep 0.1 # poll interval, bounded by the 200 tries above
done

image=127.0.0.1:$port/library/alpine:latest
say "pushing a busybox image as $image"
java -cp "$classpath" io.jpod.tests.support.PushBusyboxImage "127.0.0.1:$port" library/alpine latest >&2

# A copy the demo user can read: the repository may live under /root.
cp -a "$dist" "$work/jpod"
chmod -R a+rX "$work/jpod"

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
