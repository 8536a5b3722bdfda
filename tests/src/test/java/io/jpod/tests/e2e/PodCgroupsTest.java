package io.jpod.tests.e2e;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import io.jpod.tests.support.CgroupTestSupport;
import io.jpod.tests.support.DelegatedCgroups;
import io.jpod.tests.support.JpodEnv;
import io.jpod.tests.support.LocalRegistry;
import io.jpod.tests.support.Result;
import io.jpod.tests.support.TestUser;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * `pod create --memory/--cpus`: a pod cgroup above its containers' cgroups. Needs root on a cgroup v1 machine (the
 * test delegates v1 directories to the test user, as {@link CgroupsTest} does); skipped elsewhere.
 */
@Timeout(value = 10, unit = TimeUnit.MINUTES)
class PodCgroupsTest {
    private static final Duration NORMAL = Duration.ofSeconds(120);
    private static final String V1_ENV = "JPOD_CGROUP_V1_PARENT";

    private static JpodEnv env;
    private static LocalRegistry registry;
    private static DelegatedCgroups delegated;
    private static Map<String, Optional<String>> cgEnv;
    private static String image;

    @BeforeAll
    static void setUp() throws IOException {
        Assumptions.assumeTrue(TestUser.jvmIsRoot() && DelegatedCgroups.v1Available(),
                "needs root on a cgroup v1 machine to delegate cgroups to the test user");
        env = JpodEnv.create(TestUser.get());
        delegated = DelegatedCgroups.create(env.user());
        cgEnv = Map.of(V1_ENV, Optional.of(delegated.setting()));
        registry = CgroupTestSupport.busyboxPulled(env);
        image = CgroupTestSupport.image(registry);
    }

    @AfterAll
    static void tearDown() {
        CgroupTestSupport.closeInOrder(env, registry, delegated);
    }

    private static Result jpod(String... args) {
        return env.runWith(cgEnv, NORMAL, args);
    }

    @Test
    void thePodsLimitsHoldForItsContainersTogether() throws IOException {
        String podId = jpod("pod", "create", "--name", "lim", "--memory", "48m", "--cpus", "0.5").ok().stdout().strip();
        Path podMemory = delegated.dir("memory").resolve("jpod-pod-" + podId);
        assertEquals("50331648", Files.readString(podMemory.resolve("memory.limit_in_bytes")).strip());
        Path podCpu = delegated.dir("cpu").resolve("jpod-pod-" + podId);
        assertEquals("50000", Files.readString(podCpu.resolve("cpu.cfs_quota_us")).strip());
        JsonNode inspect = jpod("pod", "inspect", "lim").ok().json();
        JsonNode p = inspect.isArray() ? inspect.get(0) : inspect;
        assertEquals(50331648L, p.path("MemoryLimit").asLong(), p::toString);
        assertEquals(50000L, p.path("CPUQuota").asLong(), p::toString);
        assertTrue(p.path("CreateCgroup").asBoolean(), p::toString);

        // a container without limits of its own gets its cgroup below the pod's
        String sleeper = jpod("run", "-d", "--pod", "lim", "--name", "sleeper", image, "sleep", "300").ok().stdout().strip();
        assertTrue(Files.isDirectory(podMemory.resolve("jpod-" + sleeper)), "container cgroup below the pod's: " + podMemory);
        assertTrue(Files.readString(podMemory.resolve("jpod-" + sleeper).resolve("cgroup.procs")).strip().length() > 0,
                "the container's process is in it");
        assertFalse(Files.exists(delegated.dir("memory").resolve("jpod-" + sleeper)), "not beside the pod's cgroup");
        // the infra, too, has its own cgroup below the pod's (as podman's)
        String infraId = p.path("InfraContainerID").asText();
        assertTrue(Files.readString(podMemory.resolve("jpod-" + infraId).resolve("cgroup.procs")).strip().length() > 0,
                "the infra's process is in its cgroup below the pod's");

        // the pod's memory limit stops an allocation in another of its containers
        Result oom = jpod("run", "--pod", "lim", "--name", "hog", image, "sh", "-c", "x=a; while true; do x=$x$x; done");
        assertEquals(137, oom.exitCode(), () -> "killed by the OOM killer at the pod's limit: " + oom);
        assertEquals("running", jpod("inspect", "--format", "{{.State.Status}}", "sleeper").ok().stdout().strip());

        jpod("pod", "rm", "-f", "lim").ok();
        for (String c : DelegatedCgroups.CONTROLLERS) {
            assertFalse(Files.exists(delegated.dir(c).resolve("jpod-pod-" + podId)), "pod cgroup removed: " + c);
        }
    }

    @Test
    void aPodLimitWithoutADelegatedCgroupFailsInOneLineAndMakesNoPod() {
        Result r = env.runWith(Map.of(V1_ENV, Optional.empty()), NORMAL, "pod", "create", "--name", "nocg", "--memory", "32m");
        assertEquals(125, r.exitCode(), r::toString);
        assertTrue(r.stderr().contains("delegated") && r.stderr().contains(V1_ENV), r::toString);
        assertEquals(1, r.stderr().strip().lines().count(), () -> "one line: " + r.stderr());
        assertNotEquals(0, jpod("pod", "exists", "nocg").exitCode(), "no pod was made");

        Result bad = jpod("pod", "create", "--name", "badmem", "--memory", "lots");
        assertEquals(125, bad.exitCode(), bad::toString);
        assertTrue(bad.stderr().contains("--memory"), bad::toString);
        assertNotEquals(0, jpod("pod", "exists", "badmem").exitCode(), "no pod was made");
    }
}
