#!/usr/bin/env bash
# podman's own system tests (bats, v4.3.1) against jpod, with podman 4.3.1 as the baseline on the same machine;
# the per-file table goes into docs/CONFORMANCE.md (between its table markers). Run as root: it prepares the host,
# then runs both engines as the unprivileged user jpodtest with a HOME and XDG_RUNTIME_DIR of their own.
#
#   scripts/conformance.sh [options] [FILE...]      FILE: a bats file of test/system, e.g. 001-basic (default: all
#                                                   of the harness's default list)
#   --engine jpod|podman|both   which engines to run (default both)
#   --baseline DIR              reuse podman results from an earlier run (DIR/podman/*.tap) instead of running podman
#   --out DIR                   where results go (default /tmp/jpod-conformance); DIR/jpod and DIR/podman hold one
#                               .tap and .log per file, DIR/table.md and DIR/causes.md the summaries
#   --strip                     diagnostic only: SHIM_STRIP=1 (drops `rm -t`, `ps --external`); the table says so
#   --no-doc                    don't touch docs/CONFORMANCE.md
#   --summarize                 run nothing: the table (and the doc) from the results already in --out (and --baseline);
#                               say with --strip whether those were diagnostic runs
#   --ci                        CI's subset: jpod only, literal, on the files of scripts/conformance-ci/files (or the
#                               FILEs given), then exit 1 naming each test of scripts/conformance-ci/expected it did
#                               not pass (podman's baseline passes, minus the listed differences); no table, no doc;
#                               --out defaults to /tmp/jpod-conformance-ci, FILE_TIMEOUT to 420, the whole run's
#                               limit to CI_CONFORMANCE_TIMEOUT (default 1800 s)
# env: CONFORMANCE_DIR (the harness; default ../shared/conformance of the repository, else /work/shared/conformance),
#      FILE_TIMEOUT, BATS_TEST_TIMEOUT, PODMAN_TIMEOUT (passed to the harness's run.sh)
set -euo pipefail

here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
root=$(cd "$here/.." && pwd)
say() { echo "conformance: $*" >&2; }
die() { echo "conformance: $*" >&2; exit 1; }
# shellcheck source=scripts/lib/local-registry.sh
. "$here/lib/local-registry.sh"

engines=both baseline= out= strip=0 doc=1 summarize=0 ci=0 files=()
while (($#)); do
    case $1 in
        --engine) engines=${2:?--engine needs jpod, podman or both}; shift 2 ;;
        --baseline) baseline=${2:?--baseline needs a directory}; shift 2 ;;
        --out) out=${2:?--out needs a directory}; shift 2 ;;
        --strip) strip=1; shift ;;
        --no-doc) doc=0; shift ;;
        --summarize) summarize=1; shift ;;
        --ci) ci=1; shift ;;
        -h | --help) sed -n '2,24p' "${BASH_SOURCE[0]}" | sed 's/^# \{0,1\}//'; exit 0 ;;
        -*) die "unknown option $1 (see --help)" ;;
        *) files+=("${1%.bats}"); shift ;;
    esac
done
case $engines in jpod | podman | both) ;; *) die "--engine must be jpod, podman or both, not '$engines'" ;; esac
ci_dir=$here/conformance-ci
if ((ci)); then
    ((!summarize && !strip && !${#baseline})) || die "--ci runs jpod literally and compares with $ci_dir/expected: no --summarize, --strip or --baseline"
    engines=jpod doc=0
    ((${#files[@]})) || mapfile -t files < <(grep -v '^#' "$ci_dir/files" | grep .)
    out=${out:-/tmp/jpod-conformance-ci}
    export FILE_TIMEOUT=${FILE_TIMEOUT:-420}
fi
out=${out:-/tmp/jpod-conformance}
[[ $(id -u) -eq 0 || $summarize -eq 1 ]] || die "run as root: it installs packages and runs the tests as the user jpodtest"

harness=${CONFORMANCE_DIR:-}
if [[ -z $harness ]]; then
    for d in "$root/../shared/conformance" /work/shared/conformance; do
        [[ -f $d/run.sh ]] && { harness=$(cd "$d" && pwd); break; }
    done
fi
if [[ -z $harness || ! -f $harness/run.sh ]]; then
    # CI on a machine without podman's suite beside the clone still runs jpod's own tests: say so and skip,
    # unless the caller requires the subset (CONFORMANCE_REQUIRED=1).
    if ((ci)) && [[ ${CONFORMANCE_REQUIRED:-0} != 1 ]]; then
        echo "conformance.sh: no conformance harness (../shared/conformance, /work/shared/conformance or CONFORMANCE_DIR): the CI subset is skipped" >&2
        exit 0
    fi
    die "no conformance harness found; set CONFORMANCE_DIR to the directory holding run.sh"
fi
podman_src=$harness/podman-v4.3.1
[[ -f $podman_src/test/system/helpers.bash ]] || die "$podman_src/test/system is missing"

work=$(mktemp -d /tmp/jpod-conformance-work.XXXXXX)
chmod 0755 "$work"
load() { awk '{print $1}' /proc/loadavg; }
started=$(date -u '+%Y-%m-%d %H:%M UTC') load_before=$(load)
if ((summarize)); then
    engines=both
    taps=$(ls -tr "$out"/jpod/*.tap 2>/dev/null)
    started="jpod results already in $out, each file's latest run, written between $(date -u -r "$(head -1 <<<"$taps")" '+%Y-%m-%d %H:%M' 2>/dev/null || echo '?') and $(date -u -r "$(tail -1 <<<"$taps")" '+%H:%M UTC' 2>/dev/null || echo '?')"
    load_before="not recorded"
fi
# This run's processes of the test user, and only those (other runs and tests use the same user): the pause
# processes of this runtime dir and every process in their user namespaces (containers, monitors, the service: their
# ids may be subordinate ones), and any process of the user whose environment or command line names this run's
# directory (bats and its commands, which the harness's per-file `timeout` puts in process groups of their own).
kill_leftovers() {
    [[ -n ${uid:-} ]] || return 0
    local host_ns pidfile pid ns p pids=() namespaces=()
    host_ns=$(readlink /proc/self/ns/user)
    for pidfile in "$work"/run/jpod/pause.pid "$work"/run/libpod/tmp/pause.pid; do
        [[ -f $pidfile ]] || continue
        pid=$(cat "$pidfile" 2>/dev/null) || continue
        [[ $pid =~ ^[0-9]+$ && $(stat -c %u "/proc/$pid" 2>/dev/null) == "$uid" ]] || continue
        ns=$(readlink "/proc/$pid/ns/user" 2>/dev/null) || continue
        [[ $ns != "$host_ns" ]] && namespaces+=("$ns")
    done
    for p in /proc/[0-9]*; do
        pid=${p#/proc/}
        ns=$(readlink "$p/ns/user" 2>/dev/null) || continue
        if [[ $ns != "$host_ns" && " ${namespaces[*]} " == *" $ns "* ]] \
            || { [[ $(stat -c %u "$p" 2>/dev/null) == "$uid" ]] \
                 && { tr '\0' '\n' 2>/dev/null <"$p/environ" | grep -qxF "XDG_RUNTIME_DIR=$work/run" \
                      || tr '\0' ' ' 2>/dev/null <"$p/cmdline" | grep -qF "$work/"; }; }; then
            pids+=("$pid")
        fi
    done
    ((${#pids[@]})) || return 0
    kill -KILL "${pids[@]}" 2>/dev/null || true
    local i alive
    for ((i = 0; i < 100; i++)); do # bounded: 10 s for the kernel to end them
        alive=0
        for pid in "${pids[@]}"; do
            [[ -d /proc/$pid && $(awk '{print $3}' "/proc/$pid/stat" 2>/dev/null) != Z ]] && alive=1
        done
        ((alive)) || return 0
        sleep 0.1 # poll interval of a bounded wait
    done
    say "warning: processes still alive 10 s after SIGKILL: ${pids[*]}"
}
cleanup() {
    stop_registry
    kill_leftovers
    rm -rf "$work" 2>/dev/null || true
    # the containers' files the harness's tests left in its temporary directory (the logs and .tap files stay)
    ((ci)) && rm -rf "$out/jpod/tmp" 2>/dev/null || true
}
trap cleanup EXIT

if ((!summarize)); then
# 1. the host: the harness's tools, and the test user
need=(bats skopeo jq catatonit socat apache2-utils podman runc docker-registry busybox-static)
missing=()
for p in "${need[@]}"; do dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q 'ok installed' || missing+=("$p"); done
if ((${#missing[@]})); then
    say "installing ${missing[*]}"
    export DEBIAN_FRONTEND=noninteractive
    apt-get install -y -q "${missing[@]}" >/dev/null || { apt-get update -q >/dev/null && apt-get install -y -q "${missing[@]}" >/dev/null; }
fi
id jpodtest >/dev/null 2>&1 || bash "$here/setup-host.sh"
user=jpodtest
uid=$(id -u "$user") gid=$(id -g "$user")

# 2. jpod, built if needed (the tests module's classes push nothing here, only the CLI is used)
if [[ $engines != podman && ! -x $root/cli/target/jpod/bin/jpod ]]; then
    say "building jpod (mvn package, tests skipped)"
    (cd "$root" && mvn -B -q -o package -DskipTests)
fi

# 3. a throw-away registry holding the test image, and the user's own HOME and XDG_RUNTIME_DIR
start_registry "$work"
registry=127.0.0.1:$registry_port
say "registry on $registry; pushing the test image"
"$harness/make-testimage.sh" "$registry/libpod" 20220615 00000004 >&2

if [[ $engines != podman ]]; then
    install_dist "$work/jpod"
    # installed as a drop-in: `podman` is a link to jpod, so usage and messages name podman (cobra's argv[0])
    mkdir -p "$work/bin" && ln -sfn "$work/jpod/bin/jpod" "$work/bin/podman" && chmod 0755 "$work/bin"
fi
install -d -m 0755 -o "$uid" -g "$gid" "$work/home"
install -d -m 0700 -o "$uid" -g "$gid" "$work/run"
mkdir -p "$out"
chown "$uid:$gid" "$out"
user_env=(HOME="$work/home" XDG_RUNTIME_DIR="$work/run" PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin
          LANG=C.UTF-8 TERM=dumb REGISTRY="$registry" JPOD="$work/bin/podman" SHIM_STRIP="$strip"
          FILE_TIMEOUT="${FILE_TIMEOUT:-600}" BATS_TEST_TIMEOUT="${BATS_TEST_TIMEOUT:-240}"
          PODMAN_TIMEOUT="${PODMAN_TIMEOUT:-90}")
as_user() { (cd / && runuser -u "$user" -- env -i "${user_env[@]}" "$@"); }

# 4. the harness, one engine after the other (never both at once: the machine is shared)
if ((ci)); then
    rm -rf "$out/jpod" # no earlier run's results may stand in for this one's
    started_s=$(date +%s)
    say "jpod (CI subset, ${#files[@]} files, FILE_TIMEOUT=$FILE_TIMEOUT s, whole run ${CI_CONFORMANCE_TIMEOUT:-1800} s): ${files[*]}"
    rc=0
    as_user timeout -k 30 "${CI_CONFORMANCE_TIMEOUT:-1800}" "$harness/run.sh" "$harness/podman-shim" "$podman_src" \
        "$out/jpod" "${files[@]}" >&2 || rc=$?
    ((rc == 124 || rc == 137)) && say "the run reached its limit of ${CI_CONFORMANCE_TIMEOUT:-1800} s; files not reached count as failed"
    say "jpod ran ${#files[@]} files in $(($(date +%s) - started_s)) s; results in $out/jpod"
    python3 "$ci_dir/expect.py" check "$out/jpod" "${files[@]}"
    exit $?
fi
if [[ $engines != podman ]]; then
    say "jpod: ${files[*]:-default files}"
    as_user "$harness/run.sh" "$harness/podman-shim" "$podman_src" "$out/jpod" "${files[@]}"
fi
if [[ $engines != jpod && -z $baseline ]]; then
    say "podman: ${files[*]:-default files}"
    as_user "$harness/run.sh" "$harness/podman-wrap" "$podman_src" "$out/podman" "${files[@]}"
fi
fi # summarize
load_after=$(load)
((summarize)) && load_after="(summarized)"
podman_dir=${baseline:+$baseline/podman}
podman_dir=${podman_dir:-$out/podman}

# 5. the table: only the files of this run (the summary reads every .tap in the directories it is given)
[[ -d $podman_dir && -d $out/jpod ]] || { say "results in $out (no table: one engine only)"; exit 0; }
sel=$work/sel
mkdir -p "$sel/podman" "$sel/jpod"
for tap in "$out"/jpod/*.tap; do
    f=$(basename "$tap" .tap)
    if ((${#files[@]})) && ! printf '%s\n' "${files[@]}" | grep -qx "$f"; then continue; fi
    [[ -f $podman_dir/$f.tap ]] || continue
    cp "$tap" "$sel/jpod/"
    cp "$podman_dir/$f.tap" "$sel/podman/"
done
python3 "$harness/summarize.py" "$sel/podman" "$sel/jpod" >"$out/table.md"
python3 "$harness/classify.py" "$sel/jpod" "$sel/podman" >"$out/causes.md" || true
say "table: $out/table.md, jpod's failures by cause: $out/causes.md"

if ((doc)); then
    mode="literal arguments (podman-shim, no SHIM_STRIP)"
    ((strip)) && mode="DIAGNOSTIC: SHIM_STRIP=1 (rm -t / ps --external dropped) — not a result"
    {
        echo "<!-- conformance-table: written by scripts/conformance.sh; edit the script, not this block -->"
        echo "Run: $started on $(hostname) ($(nproc) cores, $(uname -r)), load $load_before → $load_after;"
        echo "jpod $(git -C "$root" rev-parse --short HEAD 2>/dev/null || echo '?'), $mode;"
        echo "podman: $([[ -n $baseline ]] && echo "baseline reused from $baseline" || echo "run in the same pass");"
        echo "FILE_TIMEOUT=${FILE_TIMEOUT:-600}s BATS_TEST_TIMEOUT=${BATS_TEST_TIMEOUT:-240}s; files: $(ls "$sel/jpod" | sed 's/\.tap$//' | tr '\n' ' ')"
        echo
        cat "$out/table.md"
        echo "<!-- /conformance-table -->"
    } >"$work/block.md"
    doc_file=$root/docs/CONFORMANCE.md
    if [[ -f $doc_file ]] && grep -q '^<!-- conformance-table' "$doc_file"; then
        python3 - "$doc_file" "$work/block.md" <<'PY'
import re, sys
doc, block = open(sys.argv[1]).read(), open(sys.argv[2]).read()
doc = re.sub(r'<!-- conformance-table.*?<!-- /conformance-table -->\n', lambda m: block, doc, flags=re.S)
open(sys.argv[1], 'w').write(doc)
PY
    else
        { echo "# Conformance: podman's system tests"; echo; cat "$work/block.md"; } >"$doc_file"
    fi
    say "wrote the table into $doc_file"
fi
