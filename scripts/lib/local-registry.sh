# Shared by demo.sh and the bench/ scripts (sourced, not run): a throw-away docker-registry on 127.0.0.1
# holding the busybox test image, and a copy of the built jpod readable by an unprivileged user.
# Needs: $root (the repository), a built tree (mvn package), and a `die` function.

# start_registry WORKDIR → sets registry_port and registry_pid; stop it with stop_registry.
start_registry() {
    local work=$1 port=5000
    port_busy() { (exec 3<>"/dev/tcp/127.0.0.1/$1") 2>/dev/null; }
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
    env -i PATH=/usr/sbin:/usr/bin:/sbin:/bin docker-registry serve "$work/registry.yml" >"$work/registry.log" 2>&1 &
    registry_pid=$!
    registry_port=$port
    local i
    for ((i = 0; ; i++)); do
        curl -sf -o /dev/null "http://127.0.0.1:$port/v2/" && break
        kill -0 "$registry_pid" 2>/dev/null || die "docker-registry exited: $(cat "$work/registry.log")"
        ((i < 200)) || die "docker-registry did not answer within 20 s: $(cat "$work/registry.log")"
        sleep 0.1 # poll interval of a bounded readiness check (200 tries)
    done
}

stop_registry() {
    if [[ -n ${registry_pid:-} ]]; then
        kill "$registry_pid" 2>/dev/null || true
        wait "$registry_pid" 2>/dev/null || true
        registry_pid=
    fi
}

# push_busybox HOSTPORT REPO TAG: the busybox image the tests use, built by the tests module's code.
push_busybox() {
    [[ -f $root/tests/target/runtime-classpath.txt ]] || die "tests/target/runtime-classpath.txt was not written by the build"
    java -cp "$root/tests/target/classes:$(cat "$root/tests/target/runtime-classpath.txt")" \
        io.jpod.tests.support.PushBusyboxImage "$1" "$2" "$3" >&2
}

# push_bench_image HOSTPORT REPO TAG LAYERS FILES_PER_LAYER FILE_KIB: the busybox base plus generated layers of
# files (half random bytes, half text), built by the tests module's code.
push_bench_image() {
    [[ -f $root/tests/target/runtime-classpath.txt ]] || die "tests/target/runtime-classpath.txt was not written by the build"
    java -cp "$root/tests/target/classes:$(cat "$root/tests/target/runtime-classpath.txt")" \
        io.jpod.tests.support.PushBenchImage "$@" >&2
}

# install_dist DIR: a copy of cli/target/jpod the demo user can read (the repository may live under /root).
install_dist() {
    [[ -x $root/cli/target/jpod/bin/jpod ]] || die "$root/cli/target/jpod/bin/jpod was not built"
    cp -a "$root/cli/target/jpod" "$1"
    chmod -R a+rX "$1"
}

# A benchmark's set-up: HOME and XDG_RUNTIME_DIR for USER under WORK, a registry holding busybox as
# library/alpine:latest (its name in $image), and the jpod distribution installed in WORK/jpod.
bench_setup() {
    local work=$1 user=$2
    install -d -m 0700 -o "$user" -g "$user" "$work/home" "$work/run"
    start_registry "$work"
    image=127.0.0.1:$registry_port/library/alpine:latest
    push_busybox "127.0.0.1:$registry_port" library/alpine latest
    install_dist "$work/jpod"
}
