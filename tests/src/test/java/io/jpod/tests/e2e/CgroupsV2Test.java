package io.jpod.tests.e2e;

import static io.jpod.tests.support.Await.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import io.jpod.tests.support.CgroupTestSupport;
import io.jpod.tests.support.DelegatedV2Cgroup;
import io.jpod.tests.support.JpodEnv;
import io.jpod.tests.support.LocalRegistry;
import io.jpod.tests.support.Result;
import io.jpod.tests.support.TestUser;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;
import org.junit.jupiter.api.Timeout;

/**
 * cgroup v2 for real on a real kernel cgroup2 file system: on these cgroup v1 hybrid machines the unified hierarchy
 * ({@code /sys/fs/cgroup/unified}) is a genuine cgroup2 mount with no controllers but hugetlb. The test, as root,
 * delegates a directory there to the test user as systemd's Delegate=yes would ({@link DelegatedV2Cgroup}), starts
 * jpod commands inside it (as a login session under user@.service would be) and points jpod at it with
 * JPOD_CGROUP_V2_PARENT. What needs the memory, pids, cpu or io controllers (limits, OOM) cannot run here and
 * is covered by the v1 tests and unit tests of the v2 file layout.
 */
@Timeout(value = 10, unit = TimeUnit.MINUTES)
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class CgroupsV2Test {
    private static final Duration NORMAL = Duration.ofSeconds(90);

    private static JpodEnv env;
    private static LocalRegistry registry;
    private static DelegatedV2Cgroup delegated;
    private static Map<String, Optional<String>> v2Env;
    private static String image;

    @BeforeAll
    static void setUp() throws IOException {
        Assumptions.assumeTrue(TestUser.jvmIsRoot() && DelegatedV2Cgroup.unifiedMount().isPresent(),
                "needs root to delegate a directory of a mounted cgroup2 file system");
        env = JpodEnv.create(TestUser.get());
        delegated = DelegatedV2Cgroup.create(env.user());
        v2Env = Map.of("JPOD_CGROUP_V2_PARENT", Optional.of(delegated.setting()), "JPOD_CGROUP_V1_PARENT", Optional.empty());
        registry = CgroupTestSupport.busyboxPulled(env);
        image = CgroupTestSupport.image(registry);
    }

    @AfterAll
    static void tearDown() {
        CgroupTestSupport.closeInOrder(env, registry, delegated);
    }

    /** jpod started in the user's session leaf of the delegated cgroup. */
    private static Result jpod(String... args) {
        return in(delegated.session(), args);
    }

    private static Result in(Path cgroup, String... args) {
        return env.startWrapped(cmd -> DelegatedV2Cgroup.inCgroup(cgroup, cmd), v2Env, args).await(NORMAL);
    }


    private static Path containerCgroup(String id) {
        return delegated.dir().resolve("jpod/jpod-" + id);
    }

    private static List<String> words(Path file) throws IOException {
        String s = Files.readString(file).strip();
        return s.isEmpty() ? List.of() : List.of(s.split("\\s+"));
    }

    private static JsonNode inspect(String name) throws IOException {
        return jpod("inspect", name).ok().json().get(0);
    }

    /**
     * First, while the delegated cgroup is fresh: jpod started IN the delegated cgroup itself (not a leaf) must
     * move itself to a leaf before it can enable controllers there (v2's "no internal processes").
     */
    @Test
    @Order(1)
    void jpodStartedInTheDelegatedCgroupMovesItselfToALeafAndEnablesControllers() throws IOException {
        Result r = in(delegated.dir(), "run", "--rm", image, "cat", "/proc/self/cgroup").ok();
        assertTrue(r.stdout().lines().anyMatch(l -> l.equals("0::/")), () -> "the container's cgroup namespace shows 0::/ : " + r);
        List<String> offered = delegated.controllers();
        if (!offered.isEmpty()) {
            // only enabling a controller makes the delegated cgroup an inner node that may hold no process
            assertEquals(List.of(), words(delegated.dir().resolve("cgroup.procs")), "no process left in the delegated cgroup itself");
            assertTrue(Files.isDirectory(delegated.dir().resolve("jpod-init")), "jpod's leaf");
        }
        for (Path d : List.of(delegated.dir(), delegated.dir().resolve("jpod"))) {
            assertEquals(offered, words(d.resolve("cgroup.subtree_control")), "controllers passed down through " + d);
        }
    }

    @Test
    @Order(2)
    void infoShowsV2AndWhereTheSettingCameFrom() throws IOException {
        JsonNode cg = jpod("info", "--format", "json").ok().json().path("cgroups");
        assertEquals("v2", cg.path("version").asText(), cg::toString);
        assertEquals(delegated.setting(), cg.path("v2_parent").asText(), cg::toString);
        assertEquals("environment JPOD_CGROUP_V2_PARENT", cg.path("v2_parent_source").asText(), cg::toString);
        assertEquals(String.join(" ", delegated.controllers()), cg.path("controllers").asText(), cg::toString);
    }

    @Test
    @Order(3)
    void aContainerRunsInItsOwnLeafSeesItAsRootAndStatsReadTheCoreFiles() throws IOException {
        String id = jpod("run", "-d", "--name", "v2", image, "sh", "-c", "sleep 300 & while true; do :; done").ok().stdout().strip();
        try {
            Path cg = containerCgroup(id);
            assertTrue(Files.isDirectory(cg), "the container's own cgroup " + cg);
            long pid = inspect("v2").path("State").path("Pid").asLong();
            String host = Files.readString(Path.of("/proc/" + pid + "/cgroup"));
            assertTrue(host.lines().anyMatch(l -> l.equals("0::" + delegated.setting() + "/jpod/jpod-" + id)),
                    () -> "seen from the host, the container's init is in its own cgroup: " + host);
            await("the container's two processes", Duration.ofSeconds(30), () -> {
                try {
                    return words(cg.resolve("cgroup.procs")).size() >= 2;
                } catch (IOException e) {
                    return false;
                }
            });
            for (String c : delegated.controllers()) {
                assertTrue(Files.exists(cg.resolve(c + ".max")) || Files.list(cg).anyMatch(p -> p.getFileName().toString().startsWith(c + ".")),
                        "controller " + c + " enabled down to the container's cgroup");
            }
            String inside = jpod("exec", "v2", "cat", "/proc/self/cgroup").ok().stdout();
            assertTrue(inside.lines().anyMatch(l -> l.equals("0::/")), () -> "exec'd processes see 0::/ too: " + inside);

            JsonNode stats = jpod("stats", "--no-stream", "--format", "json", "v2").ok().json().get(0);
            double cpu = Double.parseDouble(stats.path("cpu_percent").asText().replace("%", ""));
            assertTrue(cpu > 0, () -> "CPU from cpu.stat without the cpu controller: " + stats);
            assertTrue(stats.path("pids").asInt() >= 2, () -> "PIDs from cgroup.procs without the pids controller: " + stats);
        } finally {
            jpod("rm", "-f", "v2").ok();
        }
        assertFalse(Files.exists(containerCgroup(id)), "removed with the container");
    }

    @Test
    @Order(4)
    void aKilledMonitorLeavesNoCgroupBehind() throws IOException {
        String id = jpod("run", "-d", "--name", "orphan", image, "sleep", "300").ok().stdout().strip();
        assertTrue(Files.isDirectory(containerCgroup(id)));
        long monitor = inspect("orphan").path("State").path("ConmonPid").asLong();
        assertTrue(monitor > 0, "a monitor pid");
        ProcessHandle.of(monitor).ifPresent(ProcessHandle::destroyForcibly);
        await("the monitor's end", Duration.ofSeconds(30), () -> ProcessHandle.of(monitor).isEmpty());
        jpod("ps", "-a").ok(); // the next command sweeps
        assertFalse(Files.exists(containerCgroup(id)), "swept with what was left in it");
        jpod("rm", "-f", "orphan").ok();
    }

    @Test
    @Order(5)
    void aLimitWhoseControllerIsMissingFailsWithWhatToChange() {
        for (String[] flag : List.of(new String[]{"--memory", "32m", "memory"}, new String[]{"--pids-limit", "20", "pids"},
                new String[]{"--cpus", "0.5", "cpu"}, new String[]{"--blkio-weight", "300", "io"})) {
            Assumptions.assumeFalse(delegated.controllers().contains(flag[2]), "this machine delegates " + flag[2]);
            Result r = jpod("run", "--rm", flag[0], flag[1], image, "true");
            assertEquals(125, r.exitCode(), r::toString);
            assertTrue(r.stderr().contains(flag[0] + " needs the " + flag[2] + " cgroup controller") && r.stderr().contains("subtree_control"),
                    r::toString);
            assertEquals(1, r.stderr().strip().lines().count(), () -> "one line: " + r.stderr());
        }
        // without limits the container runs, in its own cgroup
        jpod("run", "--rm", image, "true").ok();
    }
}
