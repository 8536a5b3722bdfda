package io.jpod.tests.e2e;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import io.jpod.tests.support.BoundedProcess;
import io.jpod.tests.support.JpodEnv;
import io.jpod.tests.support.LocalRegistry;
import io.jpod.tests.support.ProcFs;
import io.jpod.tests.support.Result;
import io.jpod.tests.support.TestUser;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import io.jpod.tests.support.RegistryAndJpod;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * The sandbox a container gets by default, as podman's: its capability sets, masked and read-only kernel paths,
 * no_new_privs, the seccomp filter, no inherited file descriptors, the monitor running from a sealed copy; and
 * the options that loosen or tighten it.
 */
@Timeout(value = 5, unit = TimeUnit.MINUTES)
class SandboxDefaultsTest {
    private static final Duration FIRST = Duration.ofSeconds(120);
    private static final Duration NORMAL = Duration.ofSeconds(60);
    private static final String PODMAN_DEFAULT_CAPS = "00000000800405fb";
    private static final String NO_CAPS = "0000000000000000";

    private static TestUser user; // set by FX
    @RegisterExtension
    static final RegistryAndJpod FX = RegistryAndJpod.withBusybox("library/sandbox");
    private static JpodEnv env; // set by FX
    private static LocalRegistry registry; // set by FX
    @RegistryAndJpod.Image
    private static String image;

    /** jpod run --rm [options] IMAGE command…; options end at the first element equal to the image marker. */
    private static Result run(List<String> options, String... command) {
        List<String> args = new ArrayList<>(List.of("run", "--rm"));
        args.addAll(options);
        args.add(image);
        args.addAll(List.of(command));
        return env.run(NORMAL, args.toArray(String[]::new));
    }

    /** CapInh, CapPrm, CapEff, CapBnd, CapAmb of the container's process. */
    private static Map<String, String> caps(String... options) {
        Result r = run(List.of(options), "grep", "^Cap", "/proc/self/status");
        assertEquals(0, r.exitCode(), r::toString);
        Map<String, String> m = new LinkedHashMap<>();
        r.stdout().lines().forEach(l -> {
            String[] f = l.split(":\\s*");
            m.put(f[0], f[1].strip());
        });
        assertEquals(Set.of("CapInh", "CapPrm", "CapEff", "CapBnd", "CapAmb"), m.keySet(), r::toString);
        return m;
    }

    @Test
    void rootGetsPodmansDefaultCapabilities() {
        Map<String, String> c = caps();
        assertEquals(PODMAN_DEFAULT_CAPS, c.get("CapBnd"), c::toString);
        assertEquals(PODMAN_DEFAULT_CAPS, c.get("CapEff"), c::toString);
        assertEquals(PODMAN_DEFAULT_CAPS, c.get("CapPrm"), c::toString);
        assertEquals(PODMAN_DEFAULT_CAPS, c.get("CapInh"), c::toString);
        assertEquals(NO_CAPS, c.get("CapAmb"), c::toString);
    }

    @Test
    void capDropAllLeavesNothing() {
        Map<String, String> c = caps("--cap-drop", "all");
        assertEquals(NO_CAPS, c.get("CapEff"), c::toString);
        assertEquals(NO_CAPS, c.get("CapBnd"), c::toString);
    }

    @Test
    void capAddAndDropChangeTheSet() {
        Map<String, String> c = caps("--cap-add", "CAP_NET_ADMIN", "--cap-drop", "chown,kill");
        long expected = (0x800405fbL | (1L << 12)) & ~1L & ~(1L << 5);
        assertEquals(String.format("%016x", expected), c.get("CapEff"), c::toString);
        assertEquals(String.format("%016x", expected), c.get("CapBnd"), c::toString);
    }

    @Test
    void nonRootUserHasNoEffectiveCapabilities() {
        Map<String, String> c = caps("-u", "1000");
        assertEquals(NO_CAPS, c.get("CapEff"), c::toString);
        assertEquals(NO_CAPS, c.get("CapPrm"), c::toString);
        assertEquals(NO_CAPS, c.get("CapAmb"), c::toString);
        assertEquals(PODMAN_DEFAULT_CAPS, c.get("CapBnd"), c::toString);
    }

    @Test
    void nonRootUserKeepsOnlyAddedCapabilitiesThroughAmbient() {
        Map<String, String> c = caps("-u", "1000", "--cap-add", "NET_BIND_SERVICE");
        String bind = String.format("%016x", 1L << 10);
        assertEquals(bind, c.get("CapEff"), c::toString);
        assertEquals(bind, c.get("CapAmb"), c::toString);
        assertEquals(PODMAN_DEFAULT_CAPS, c.get("CapBnd"), c::toString);
    }

    @Test
    void privilegedGetsEveryCapabilityAndNoFilter() throws IOException {
        int last;
        try (var in = Files.newInputStream(Path.of("/proc/sys/kernel/cap_last_cap"))) { // readString may stop short on procfs
            last = Integer.parseInt(new String(in.readAllBytes(), java.nio.charset.StandardCharsets.US_ASCII).strip());
        }
        Map<String, String> c = caps("--privileged");
        assertEquals(String.format("%016x", (1L << (last + 1)) - 1), c.get("CapEff"), c::toString);
        Result r = run(List.of("--privileged"), "sh", "-c", "grep ^Seccomp: /proc/self/status; wc -c < /proc/keys");
        assertEquals(0, r.exitCode(), r::toString);
        assertTrue(r.stdout().startsWith("Seccomp:\t0\n"), r::toString);
    }

    @Test
    void unknownCapabilityIsAnEngineError() {
        Result r = run(List.of("--cap-add", "NOT_A_CAP"), "true");
        assertEquals(125, r.exitCode(), r::toString);
        assertTrue(r.stderr().contains("NOT_A_CAP"), r::toString);
    }

    @Test
    void maskedPathsAreEmpty() {
        // a file masked by /dev/null reads as empty; a masked directory is an empty read-only tmpfs
        Result r = run(List.of(), "sh", "-c",
                "for f in /proc/kcore /proc/keys /proc/timer_list; do [ -e $f ] && echo $f $(wc -c < $f); done;"
                        + " for d in /proc/acpi /sys/firmware; do [ -d $d ] && echo $d $(ls -A $d | wc -l); done;"
                        + " touch /proc/acpi/x 2>/dev/null && echo WRITABLE; true");
        assertEquals(0, r.exitCode(), r::toString);
        List<String> lines = r.stdout().lines().toList();
        assertTrue(lines.contains("/proc/keys 0") || !Files.exists(Path.of("/proc/keys")), r::toString);
        assertTrue(!lines.isEmpty(), () -> "none of the masked paths exists on this kernel?" + r);
        assertTrue(lines.stream().allMatch(l -> l.endsWith(" 0")), r::toString);
        assertTrue(lines.stream().anyMatch(l -> l.startsWith("/sys/firmware")) || !Files.isDirectory(Path.of("/sys/firmware")), r::toString);
    }

    @Test
    void maskAndUnmaskOptionsChangeTheLists() {
        Result r = run(List.of("--security-opt", "unmask=/proc/keys", "--security-opt", "mask=/proc/cpuinfo"), "sh", "-c",
                "wc -c < /proc/cpuinfo; [ -s /proc/keys ] && echo keys-visible; true");
        assertEquals(0, r.exitCode(), r::toString);
        assertEquals("0", r.stdout().lines().findFirst().orElse("").strip(), r::toString);
        String count = "grep -cE ' /proc/(sys|keys) ' /proc/self/mounts; true";
        Result masked = run(List.of(), "sh", "-c", count);
        assertEquals("2", masked.stdout().strip(), masked::toString);
        Result all = run(List.of("--security-opt", "unmask=ALL"), "sh", "-c", count);
        assertEquals(0, all.exitCode(), all::toString);
        assertEquals("0", all.stdout().strip(), all::toString);
    }

    @Test
    void procSysIsReadOnly() {
        Result r = run(List.of(), "sh", "-c", "echo jpod > /proc/sys/kernel/domainname");
        assertNotEquals(0, r.exitCode(), r::toString);
        assertTrue(r.stderr().contains("Read-only file system"), r::toString);
        Result sysrq = run(List.of(), "sh", "-c", "echo h > /proc/sysrq-trigger");
        assertNotEquals(0, sysrq.exitCode(), sysrq::toString);
    }

    @Test
    void noNewPrivsAndSeccompByDefault() {
        Result r = run(List.of(), "grep", "-E", "^(NoNewPrivs|Seccomp):", "/proc/self/status");
        assertEquals(0, r.exitCode(), r::toString);
        assertEquals(List.of("NoNewPrivs:\t1", "Seccomp:\t2"), r.stdout().lines().toList(), r::toString);
        Result off = run(List.of("--security-opt", "no-new-privileges=false", "--security-opt", "seccomp=unconfined"),
                "grep", "-E", "^(NoNewPrivs|Seccomp):", "/proc/self/status");
        assertEquals(0, off.exitCode(), off::toString);
        assertEquals(List.of("NoNewPrivs:\t0", "Seccomp:\t0"), off.stdout().lines().toList(), off::toString);
    }

    @Test
    void nestedUserNamespacesWorkAsInPodman() {
        // rootless buildah or podman inside a container (a common CI pattern) starts with this
        Result r = run(List.of(), "sh", "-c", "cat /proc/sys/user/max_user_namespaces; unshare -Ur sh -c 'id -u; cat /proc/self/uid_map'");
        assertEquals(0, r.exitCode(), r::toString);
        List<String> lines = r.stdout().lines().map(String::strip).toList();
        assertTrue(Long.parseLong(lines.get(0)) > 0, r::toString);
        assertEquals("0", lines.get(1), r::toString);
        assertEquals(List.of("0", "0", "1"), List.of(lines.get(2).split("\\s+")), r::toString); // our root became the nested root
        Result user = run(List.of("-u", "1000"), "unshare", "-Ur", "sh", "-c", "id -u; cat /proc/self/uid_map");
        assertEquals(0, user.exitCode(), user::toString);
        assertEquals(List.of("0", "0 1000 1"), user.normalisedLines(), user::toString);
        // and, as root of the nested namespace, a mount namespace of its own with mounts (what buildah does next)
        Result mount = run(List.of(), "unshare", "-Urm", "sh", "-c", "mount -t tmpfs none /tmp && grep -c ' /tmp tmpfs ' /proc/self/mounts");
        assertEquals(0, mount.exitCode(), mount::toString);
        assertEquals("1", mount.stdout().strip(), mount::toString);
    }

    @Test
    void strictSeccompRefusesNamespacesAndMountsWithEperm() {
        List<String> strict = List.of("--security-opt", "seccomp=jpod-strict");
        Result unshare = run(strict, "unshare", "-U", "true");
        assertNotEquals(0, unshare.exitCode(), unshare::toString);
        assertTrue(unshare.stderr().contains("Operation not permitted"), unshare::toString);
        // the same call succeeds under the default filter: it is the strict filter that refused it
        Result byDefault = run(List.of(), "unshare", "-U", "true");
        assertEquals(0, byDefault.exitCode(), byDefault::toString);

        Result mount = run(List.of("--cap-add", "SYS_ADMIN", "--security-opt", "seccomp=jpod-strict"), "sh", "-c", "mkdir -p /m && mount -t tmpfs none /m");
        assertEquals(0, mount.exitCode(), () -> "mount with CAP_SYS_ADMIN should pass the strict filter" + mount);
        Result denied = run(strict, "sh", "-c", "mkdir -p /m && mount -t tmpfs none /m");
        assertNotEquals(0, denied.exitCode(), denied::toString);
        assertTrue(denied.stderr().contains("Operation not permitted") || denied.stderr().contains("permission denied"), denied::toString);
        // without the capability the default filter lets the kernel refuse it
        Result kernel = run(List.of(), "sh", "-c", "mkdir -p /m && mount -t tmpfs none /m");
        assertNotEquals(0, kernel.exitCode(), kernel::toString);
    }

    @Test
    void seccompProfileFileIsApplied() throws IOException {
        Path dir = Files.createTempDirectory(Path.of(System.getProperty("jpod.test.tmp", "/tmp")), "jpod-seccomp-");
        try {
            Path profile = dir.resolve("profile.json");
            Files.writeString(profile, """
                    {"defaultAction": "SCMP_ACT_ALLOW",
                     "syscalls": [{"names": ["mkdir", "mkdirat"], "action": "SCMP_ACT_ERRNO", "errnoRet": 13}]}""");
            dir.toFile().setReadable(true, false);
            dir.toFile().setExecutable(true, false);
            profile.toFile().setReadable(true, false);
            Result r = run(List.of("--security-opt", "seccomp=" + profile), "mkdir", "/tmp/x");
            assertNotEquals(0, r.exitCode(), r::toString);
            assertTrue(r.stderr().contains("Permission denied"), r::toString);

            Files.writeString(profile, "{\"defaultAction\": \"SCMP_ACT_NOTIFY\"}");
            Result bad = run(List.of("--security-opt", "seccomp=" + profile), "true");
            assertEquals(125, bad.exitCode(), bad::toString);
            assertTrue(bad.stderr().contains("SCMP_ACT_NOTIFY"), bad::toString);
        } finally {
            try (var s = Files.walk(dir)) {
                s.sorted(java.util.Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
            }
        }
    }

    @Test
    void podmansOwnProfileCompilesAndRuns() {
        Path podman = Path.of("/usr/share/containers/seccomp.json");
        assumeTrue(Files.isReadable(podman), "containers-common's seccomp.json is not installed");
        Result r = run(List.of("--security-opt", "seccomp=" + podman), "sh", "-c", "grep ^Seccomp: /proc/self/status; ls / > /dev/null && echo ok");
        assertEquals(0, r.exitCode(), r::toString);
        assertEquals("Seccomp:\t2\nok\n", r.stdout(), r::toString);
    }

    @Test
    void onlyStdioReachesTheContainer() {
        Result r = run(List.of(), "ls", "/proc/self/fd");
        assertEquals(0, r.exitCode(), r::toString);
        Set<String> fds = Arrays.stream(r.stdout().split("\\s+")).filter(s -> !s.isEmpty()).collect(Collectors.toCollection(TreeSet::new));
        // 3 is ls's own handle on /proc/self/fd
        assertEquals(new TreeSet<>(List.of("0", "1", "2", "3")), fds, r::toString);
    }

    @Test
    void ulimitIsSet() {
        Result r = run(List.of("--ulimit", "nofile=123:456"), "sh", "-c", "ulimit -n; ulimit -H -n");
        assertEquals(0, r.exitCode(), r::toString);
        assertEquals(List.of("123", "456"), r.stdout().lines().toList(), r::toString);
        // above the hard limit the user has: an engine error naming the limit, the container never starts
        Result tooHigh = run(List.of("--ulimit", "nofile=2000000000"), "echo", "started");
        assertEquals(125, tooHigh.exitCode(), tooHigh::toString);
        assertTrue(tooHigh.stderr().contains("nofile"), tooHigh::toString);
        assertEquals("", tooHigh.stdout(), tooHigh::toString);
    }

    @Test
    void theMonitorRunsFromASealedCopyOfTheHelper() throws IOException {
        assumeTrue(TestUser.jvmIsRoot(), "reading another user's /proc/PID/exe needs root");
        BoundedProcess running = env.start("run", "--rm", image, "sleep", "21");
        try {
            long deadline = System.nanoTime() + Duration.ofSeconds(45).toNanos();
            Optional<ProcFs.Proc> monitor = Optional.empty();
            while (monitor.isEmpty()) {
                // the container's init is the monitor's child: once it runs, the monitor has long re-executed itself
                monitor = ProcFs.snapshot().stream()
                        .filter(p -> user.ownsHostUid(p.effectiveUid()))
                        .filter(p -> p.program().equals("sleep") && p.cmdline().size() == 2 && p.cmdline().get(1).equals("21"))
                        .findFirst()
                        .flatMap(sleep -> ProcFs.read(sleep.ppid()));
                if (monitor.isEmpty()) {
                    if (!running.process().isAlive() || System.nanoTime() > deadline) {
                        running.killTree();
                        fail("no container process appeared" + running.await(Duration.ofSeconds(5)));
                    }
                    try {
                        Thread.sleep(50); // poll interval of a bounded wait
                    } catch (InterruptedException e) {
                        Thread.currentThread().interrupt();
                        fail("interrupted");
                    }
                }
            }
            String exe = Files.readSymbolicLink(Path.of("/proc/" + monitor.get().pid() + "/exe")).toString();
            ProcFs.Proc found = monitor.get();
            assertTrue(found.cmdline().contains("run"), () -> "the parent of the container is not the monitor: " + found);
            assertTrue(exe.startsWith("/memfd:jpod-helper"), () -> "the monitor runs from " + exe);
            assertTrue(found.comm().startsWith("jpod-"), () -> "the monitor lost its name: " + found);
        } finally {
            running.stop(Duration.ofSeconds(10));
        }
    }

    @Test
    void execSharesTheContainersSandbox() {
        // the strict filter, so that a refused unshare shows the exec'd process runs under the container's filter
        Result started = env.run(NORMAL, "run", "-d", "--name", "sandboxed", "--security-opt", "seccomp=jpod-strict", image, "sleep", "60");
        assertEquals(0, started.exitCode(), started::toString);
        try {
            Result root = env.run(NORMAL, "exec", "sandboxed", "grep", "-E", "^(CapEff|CapBnd|NoNewPrivs|Seccomp):", "/proc/self/status");
            assertEquals(0, root.exitCode(), root::toString);
            assertEquals(List.of("CapEff: " + PODMAN_DEFAULT_CAPS, "CapBnd: " + PODMAN_DEFAULT_CAPS, "NoNewPrivs: 1", "Seccomp: 2"),
                    root.normalisedLines(), root::toString);
            Result user = env.run(NORMAL, "exec", "-u", "1000", "sandboxed", "grep", "^CapEff:", "/proc/self/status");
            assertEquals(List.of("CapEff: " + NO_CAPS), user.normalisedLines(), user::toString);
            Result refused = env.run(NORMAL, "exec", "sandboxed", "unshare", "-U", "true");
            assertNotEquals(0, refused.exitCode(), refused::toString);
            assertTrue(refused.stderr().contains("Operation not permitted"), refused::toString);
        } finally {
            env.run(NORMAL, "rm", "-f", "sandboxed");
        }
    }
}
