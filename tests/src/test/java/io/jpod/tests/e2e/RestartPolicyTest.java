package io.jpod.tests.e2e;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import io.jpod.tests.support.Await;
import io.jpod.tests.support.JpodEnv;
import io.jpod.tests.support.RegistryAndJpod;
import io.jpod.tests.support.Result;
import java.time.Duration;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * --restart: the container's exit command starts it again when its policy says so (on-failure up to its count,
 * always), counts it in RestartCount, and `stop` ends it for good. `rm` waits for the last exit command, so an rm
 * that succeeds (not 2, "running") proves no further start was under way.
 */
@Timeout(value = 5, unit = TimeUnit.MINUTES)
class RestartPolicyTest {
    private static final Duration RESTARTS = Duration.ofSeconds(90);

    @RegisterExtension
    static final RegistryAndJpod FX = RegistryAndJpod.withBusybox("library/restart");
    private static JpodEnv env; // set by FX
    @RegistryAndJpod.Image
    private static String image;

    private static boolean is(String name, String status, int restarts) {
        JsonNode c = env.inspect(name);
        return c.path("State").path("Status").asText().equals(status) && c.path("RestartCount").asInt() == restarts;
    }

    /**
     * Ended for good after {@code restarts} restarts: a restart is counted before its launch, so "exited" with that
     * count is also what the record says between the last exit and that launch; the runs' own log lines (one per run)
     * tell the two apart.
     */
    private static boolean endedAfter(String name, int restarts) {
        return is(name, "exited", restarts)
                && env.ok("logs", name).stdout().lines().filter("ran"::equals).count() == restarts + 1;
    }

    @Test
    void onFailureRestartsUpToItsCountThenStays() {
        env.ok("run", "-d", "--name", "fails", "--restart", "on-failure:2", image, "sh", "-c", "echo ran; exit 3");
        Await.await("two restarts, then exited", RESTARTS, () -> endedAfter("fails", 2));
        JsonNode c = env.inspect("fails");
        assertEquals(3, c.path("State").path("ExitCode").asInt(), c::toString);
        assertEquals("on-failure", c.path("HostConfig").path("RestartPolicy").path("Name").asText(), c::toString);
        assertEquals(2, c.path("HostConfig").path("RestartPolicy").path("MaximumRetryCount").asInt(), c::toString);
        env.ok("rm", "fails");
    }

    @Test
    void alwaysRestartsAfterASuccessAndStopEndsIt() {
        // ends (exit 0) each time the test asks through a file, else runs on
        env.ok("run", "-d", "--name", "always", "--restart", "always", image, "sh", "-c",
                "while [ ! -f /tmp/end ]; do sleep 0.1; done; rm /tmp/end; exit 0");
        env.ok("exec", "always", "touch", "/tmp/end");
        Await.await("a restart after exit 0", RESTARTS, () -> is("always", "running", 1));
        env.ok("exec", "always", "touch", "/tmp/end");
        Await.await("a second restart", RESTARTS, () -> is("always", "running", 2));
        env.ok("stop", "-t", "0", "always");
        env.ok("rm", "always");
    }

    @Test
    void aForegroundRunReturnsItsStatusAndTheRestartGoesOnInTheBackground() {
        Result r = env.run(JpodEnv.NORMAL, "run", "--name", "fg", "--restart", "on-failure:1", image, "sh", "-c", "echo ran; exit 4");
        assertEquals(4, r.exitCode(), r::toString);
        Await.await("the one restart", RESTARTS, () -> endedAfter("fg", 1));
        env.ok("rm", "fg");
    }

    @Test
    void rmAndRestartContradictAndABadPolicyIsRefused() {
        Result both = env.run(JpodEnv.NORMAL, "run", "--rm", "--restart", "always", image, "true");
        assertEquals(125, both.exitCode(), both::toString);
        assertTrue(both.stderr().contains("--rm") && both.stderr().contains("--restart"), both::toString);
        Result bad = env.run(JpodEnv.NORMAL, "run", "--restart", "sometimes", image, "true");
        assertEquals(125, bad.exitCode(), bad::toString);
        assertTrue(bad.stderr().contains("on-failure"), bad::toString);
        assertEquals("", env.ok("ps", "-a", "-q").stdout(), "nothing was created");
    }
}
