package io.jpod.tests.e2e;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.jpod.tests.support.JpodEnv;
import io.jpod.tests.support.RegistryAndJpod;
import io.jpod.tests.support.Result;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * Causes found by podman's system tests (docs/CONFORMANCE.md) in events, images, save/load, import, history, info,
 * help and option parsing: one cause per test, with podman's arguments as its tests give them.
 */
@Timeout(value = 5, unit = TimeUnit.MINUTES)
class PodmanImageCompatTest {
    @RegisterExtension
    static final RegistryAndJpod FX = RegistryAndJpod.withBusybox("library/imgcompat");
    private static JpodEnv env; // set by FX
    private static String image;

    @BeforeAll
    static void setUp() {
        image = FX.image();
    }

    @Test
    void containerEventsCarryLabelsFilterByThemAndTruncateOnRequest() {
        Result died = env.run(JpodEnv.NORMAL, "--events-backend=file", "run", "--rm", "--name", "evlabels",
                "--label", "evkey=ev value", image, "sh", "-c", "exit 17");
        assertEquals(17, died.exitCode(), died::toString);
        assertEquals("ev value\n", env.ok("events", "--filter=container=evlabels", "--filter=status=died", "--stream=false",
                "--format={{.Attributes.evkey}}").stdout());
        String start = env.ok("events", "-f", "type=container", "--filter", "label=evkey=ev value", "--filter", "event=start",
                "--stream=false").stdout();
        assertTrue(start.matches("(?s).* container start [0-9a-f]{64} \\(image=.*, name=evlabels, .*evkey=ev value.*"), start);
        assertEquals("", env.ok("events", "--filter", "label=evkey=other", "--stream=false").stdout());
        String shortIds = env.ok("events", "--filter", "container=evlabels", "--filter", "event=start", "--stream=false",
                "--no-trunc=false").stdout();
        assertTrue(shortIds.matches("(?s).* container start [0-9a-f]{12} \\(.*"), shortIds);
        String id = env.ok("events", "--filter", "container=evlabels", "--filter", "event=died", "--stream=false",
                "--no-trunc=false", "--format", "{{.ID}}").stdout().strip();
        assertEquals(64, id.length(), id);
    }

    @Test
    void eventsFromTheNoneBackendAreRefused() {
        for (String[] args : new String[][]{{"--events-backend", "none", "events"}, {"--events-backend", "none", "events", "--stream=false"}}) {
            Result r = env.run(JpodEnv.NORMAL, args);
            assertEquals(125, r.exitCode(), r::toString);
            assertEquals("Error: cannot read events with the \"none\" backend\n", r.stderr());
        }
        env.ok("--events-backend", "none", "images");
    }
}
