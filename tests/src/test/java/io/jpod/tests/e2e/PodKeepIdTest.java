package io.jpod.tests.e2e;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import io.jpod.tests.support.JpodEnv;
import io.jpod.tests.support.LocalRegistry;
import io.jpod.tests.support.RegistryAndJpod;
import io.jpod.tests.support.Result;
import io.jpod.tests.support.TestUser;
import java.io.IOException;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.RegisterExtension;

/** `pod create --userns=keep-id`: the infra holds a keep-id user namespace and every container of the pod joins it. */
@Timeout(value = 5, unit = TimeUnit.MINUTES)
class PodKeepIdTest {
    private static final Duration NORMAL = Duration.ofSeconds(120);

    @RegisterExtension
    static final RegistryAndJpod FX = RegistryAndJpod.withBusybox("library/podkeepid");
    private static JpodEnv env; // set by FX
    private static LocalRegistry registry; // set by FX

    @Test
    void thePodsContainersShareTheInfrasKeepIdUserNamespace() throws IOException {
        TestUser user = TestUser.get();
        env.run(NORMAL, "pod", "create", "--name", "kid", "--userns=keep-id").ok();
        JsonNode inspect = env.run(NORMAL, "pod", "inspect", "kid").ok().json();
        JsonNode p = inspect.isArray() ? inspect.get(0) : inspect;
        assertEquals("keep-id", p.path("InfraConfig").path("userns").asText(), p::toString);

        env.run(NORMAL, "run", "-d", "--pod", "kid", "--name", "sleeper", FX.image(), "sleep", "300").ok();
        Result r = env.run(NORMAL, "run", "--rm", "--pod", "kid", FX.image(), "sh", "-c",
                "id -u; id -g; whoami; readlink /proc/self/ns/user; cat /proc/self/uid_map");
        assertEquals(0, r.exitCode(), r::toString);
        List<String> lines = r.normalisedLines();
        assertEquals(List.of(Long.toString(user.uid()), Long.toString(user.gid()), user.name()), lines.subList(0, 3), r::toString);
        assertEquals(List.of("0 1 " + user.uid(), user.uid() + " 0 1"), lines.subList(4, 6), () -> "keep-id's map: " + r);
        String ns = lines.get(3);
        assertTrue(ns.startsWith("user:["), r::toString);
        Result other = env.run(NORMAL, "exec", "sleeper", "readlink", "/proc/self/ns/user").ok();
        assertEquals(ns, other.stdout().strip(), "both containers are in the infra's user namespace");
        Result own = env.run(NORMAL, "run", "--rm", FX.image(), "readlink", "/proc/self/ns/user").ok();
        assertNotEquals(ns, own.stdout().strip(), "a container outside the pod is not");
        env.run(NORMAL, "pod", "rm", "-f", "kid").ok();
    }

    @Test
    void unsupportedPodUsernsModesAreRefusedInOneLine() {
        Result auto = env.run(NORMAL, "pod", "create", "--name", "ua", "--userns=auto");
        assertEquals(125, auto.exitCode(), auto::toString);
        assertTrue(auto.stderr().contains("--userns"), auto::toString);
        Result none = env.run(NORMAL, "pod", "create", "--name", "un", "--share", "none", "--userns=keep-id");
        assertEquals(125, none.exitCode(), none::toString);
        assertEquals(1, none.stderr().strip().lines().count(), none::toString);
        assertNotEquals(0, env.run(NORMAL, "pod", "exists", "un").exitCode(), "no pod was made");
    }
}
