package io.jpod.tests.e2e;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import io.jpod.tests.support.Await;
import io.jpod.tests.support.JpodEnv;
import io.jpod.tests.support.LocalRegistry;
import io.jpod.tests.support.RegistryAndJpod;
import io.jpod.tests.support.Result;
import io.jpod.tests.support.TestImage;
import java.time.Duration;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * Health checks: `healthcheck run` with podman's exit codes and state (starting → unhealthy after the retries →
 * healthy), the monitor's checker running the check every interval by itself, and an image's HEALTHCHECK.
 */
@Timeout(value = 5, unit = TimeUnit.MINUTES)
class HealthcheckTest {
    private static final Duration CHECKS = Duration.ofSeconds(60);

    @RegisterExtension
    static final RegistryAndJpod FX = RegistryAndJpod.withBusybox("library/health");
    private static JpodEnv env; // set by FX
    private static LocalRegistry registry; // set by FX
    @RegistryAndJpod.Image
    private static String image;

    private static String health(String name) {
        return env.inspect(name).path("State").path("Health").path("Status").asText();
    }

    @Test
    void manualRunsFollowPodmansStates() {
        env.ok("run", "-d", "--name", "manual", "--health-cmd", "test -f /tmp/ready", "--health-retries", "2",
                "--health-interval", "1h", image, "sleep", "300");
        assertEquals("starting", health("manual"));
        Result first = env.run(JpodEnv.NORMAL, "healthcheck", "run", "manual");
        assertEquals(1, first.exitCode(), first::toString);
        assertEquals("starting\n", first.stdout(), first::toString);
        Result second = env.run(JpodEnv.NORMAL, "healthcheck", "run", "manual");
        assertEquals(1, second.exitCode(), second::toString);
        assertEquals("unhealthy\n", second.stdout(), second::toString);
        assertTrue(env.ok("ps", "--format", "{{.Status}}").stdout().contains("(unhealthy)"));
        env.ok("exec", "manual", "touch", "/tmp/ready");
        assertEquals("", env.ok("healthcheck", "run", "manual").stdout());
        JsonNode h = env.inspect("manual").path("State").path("Health");
        assertEquals("healthy", h.path("Status").asText(), h::toString);
        assertEquals(0, h.path("FailingStreak").asInt(), h::toString);
        assertEquals(3, h.path("Log").size(), h::toString);
        JsonNode cfg = env.inspect("manual").path("Config").path("Healthcheck");
        assertEquals("[\"CMD-SHELL\",\"test -f /tmp/ready\"]", cfg.path("Test").toString(), cfg::toString);
        env.ok("rm", "-f", "manual");
    }

    @Test
    void theMonitorRunsTheCheckEveryInterval() {
        env.ok("run", "-d", "--name", "periodic", "--health-cmd", "test -f /tmp/ready", "--health-interval", "1s",
                "--health-retries", "1", image, "sleep", "300");
        Await.await("unhealthy without any manual run", CHECKS, () -> health("periodic").equals("unhealthy"));
        env.ok("exec", "periodic", "touch", "/tmp/ready");
        assertEquals("-1\n", env.ok("wait", "--condition", "healthy", "periodic").stdout()); // returns once healthy
        assertEquals("healthy", health("periodic"));
        env.ok("rm", "-f", "periodic");
    }

    @Test
    void anImagesHealthcheckIsUsedAndCanBeTurnedOff() {
        registry.push(TestImage.busybox().healthcheck("exit 0", Duration.ofHours(1)).build(), "library/health-image", "1");
        String withCheck = registry.hostPort() + "/library/health-image:1";
        env.ok("run", "-d", "--name", "from-image", withCheck, "sleep", "300");
        assertEquals("", env.ok("healthcheck", "run", "from-image").stdout());
        assertEquals("healthy", health("from-image"));
        env.ok("run", "-d", "--name", "no-check", "--no-healthcheck", withCheck, "sleep", "300");
        Result none = env.run(JpodEnv.NORMAL, "healthcheck", "run", "no-check");
        assertEquals(125, none.exitCode(), none::toString);
        assertTrue(none.stderr().contains("no defined healthcheck"), none::toString);
        Result noWait = env.run(JpodEnv.NORMAL, "wait", "--condition", "healthy", "no-check");
        assertEquals(125, noWait.exitCode(), noWait::toString);
        assertTrue(noWait.stderr().contains("no defined healthcheck"), noWait::toString);
        env.ok("rm", "-f", "from-image", "no-check");
    }

    @Test
    void badHealthFlagsAreRefusedBeforeAnythingIsCreated() {
        for (String[] args : new String[][]{{"--health-interval", "5s"}, {"--health-cmd", "true", "--health-interval", "soon"},
                {"--health-cmd", "[\"unclosed\""}, {"--health-cmd", "true", "--health-retries", "0"}}) {
            java.util.List<String> cmd = new java.util.ArrayList<>(java.util.List.of("run", "--rm"));
            cmd.addAll(java.util.List.of(args));
            cmd.addAll(java.util.List.of(image, "true"));
            Result r = env.run(JpodEnv.NORMAL, cmd.toArray(String[]::new));
            assertEquals(125, r.exitCode(), r::toString);
            assertEquals(1, r.stderr().lines().count(), r::toString);
        }
        assertEquals("", env.ok("ps", "-a", "-q", "--filter", "status=created").stdout(), "nothing was created");
    }
}
