package io.jpod.tests.e2e;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.jpod.tests.support.JpodEnv;
import io.jpod.tests.support.LocalRegistry;
import io.jpod.tests.support.RegistryAndJpod;
import io.jpod.tests.support.Result;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * A pod's infra is a container of the pod, as podman's (conformance 200-pod, 700-play, 500-networking, 070-build,
 * 010-images): named {@code <podid:12>-infra}, from {@code localhost/podman-pause:VERSION-BUILT} built on first need,
 * listed by `ps`, inspected, started and stopped with the pod, removed only with it (rm --depend, rm --all, rmi -f).
 * Its own jpod (rm --all and rmi -f remove everything of it).
 */
@Timeout(value = 8, unit = TimeUnit.MINUTES)
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class PodInfraTest {
    private static final Duration NORMAL = Duration.ofSeconds(120);
    private static final String IN_POD = "and cannot be removed without removing the pod";

    @RegisterExtension
    static final RegistryAndJpod FX = RegistryAndJpod.withBusybox("library/infrabox");
    private static JpodEnv env; // set by FX
    private static LocalRegistry registry; // set by FX
    @RegistryAndJpod.Image
    private static String image;

    private static String pauseImage() {
        return "localhost/podman-pause:" + env.ok("version", "--format", "{{.Server.Version}}-{{.Server.Built}}").stdout().strip();
    }

    @Test
    @Order(1)
    void theInfraIsAContainerOfThePodFromThePauseImageBuiltOnFirstNeed() {
        assertFalse(env.ok("images", "--format", "{{.Repository}}:{{.Tag}}").stdout().contains("podman-pause"));
        String podId = env.ok("pod", "create", "--name", "talk").stdout().strip();
        String pause = pauseImage();
        assertEquals(0, env.run(NORMAL, "image", "exists", pause).exitCode(), "pod create builds " + pause);
        assertEquals("[/catatonit -P]", env.ok("image", "inspect", "--format", "{{.Config.Entrypoint}}", pause).stdout().strip());
        String infraId = env.ok("pod", "inspect", "--format", "{{.InfraContainerID}}", "talk").stdout().strip();
        String infraName = podId.substring(0, 12) + "-infra";
        assertEquals(infraId.substring(0, 12) + " " + infraName + " " + pause + " Created " + podId.substring(0, 12),
                env.ok("ps", "-a", "--format", "{{.ID}} {{.Names}} {{.Image}} {{.Status}} {{.Pod}}").stdout().strip());
        assertEquals("slirp4netns", env.ok("container", "inspect", "--format", "{{.HostConfig.NetworkMode}}", infraId).stdout().strip());

        // a container of the pod starts the infra: `ps` (running only) shows both with the pod's id, as 200-pod asserts
        env.ok("run", "-d", "--pod", "talk", "--name", "listener", image, "sleep", "600");
        assertEquals(podId.substring(0, 12) + "\n" + podId.substring(0, 12), env.ok("ps", "--format", "{{.Pod}}").stdout().strip());
        assertEquals("running", env.inspect(infraName).path("State").path("Status").asText());
        Result logs = env.ok("logs", infraName); // the pause process says nothing
        assertEquals("", logs.stdout() + logs.stderr());

        // stopped with the pod, and started again on its own (start of an infra starts the pod's infra)
        env.ok("pod", "stop", "-t", "0", "talk");
        assertEquals("exited", env.inspect(infraId).path("State").path("Status").asText());
        env.ok("start", infraId);
        assertEquals("running", env.inspect(infraId).path("State").path("Status").asText());
        assertEquals("Degraded", env.ok("pod", "ps", "--format", "{{.Status}}", "--filter", "name=talk").stdout().strip());

        // removed only with its pod: podman's words and exit codes
        for (List<String> rm : List.of(List.of("rm", infraId), List.of("rm", "--force", infraId))) {
            Result refused = env.run(NORMAL, rm.toArray(String[]::new));
            assertEquals(125, refused.exitCode(), refused::toString);
            assertEquals("Error: container " + infraId + " is the infra container of pod " + podId + " " + IN_POD, refused.stderr().strip());
        }
        Result inUse = env.run(NORMAL, "rmi", pause);
        assertEquals(2, inUse.exitCode(), inUse::toString);
        assertTrue(inUse.stderr().contains("image is in use by a container: consider listing external containers and force-removing image"), inUse::toString);
        // container prune takes the exited listener and leaves the infra (it goes with the pod)
        env.ok("container", "prune", "-f");
        assertEquals(0, env.run(NORMAL, "container", "exists", infraId).exitCode());
        assertEquals(1, env.run(NORMAL, "container", "exists", "listener").exitCode());

        String listener = env.ok("create", "--pod", "talk", "--name", "second", image, "true").stdout().strip();
        Result depend = env.ok("rm", "-f", "--depend", infraId);
        assertTrue(depend.stdout().contains(infraId) && depend.stdout().contains(listener), depend::toString);
        assertEquals(1, env.run(NORMAL, "pod", "exists", podId).exitCode());
        assertEquals("", env.ok("ps", "-a", "-q").stdout().strip());

        // the image stays until removed; unused now, rmi takes it
        assertEquals(0, env.run(NORMAL, "rmi", pause).exitCode());
    }

    @Test
    @Order(2)
    void rmForceAllRemovesPodsWithTheirInfraAndRmiForceOfThePauseImageRemovesThePod() {
        String c1 = env.ok("create", "--pod", "new:all1", image, "true").stdout().strip();
        String c2 = env.ok("create", "--pod", "all1", image, "true").stdout().strip();
        String c3 = env.ok("create", image, "true").stdout().strip();
        String infra = env.ok("pod", "inspect", "--format", "{{.InfraContainerID}}", "all1").stdout().strip();
        String out = env.ok("rm", "--force", "--all").stdout();
        for (String id : List.of(infra, c1, c2, c3)) {
            assertTrue(out.contains(id), id + " in " + out);
        }
        assertEquals("", env.ok("pod", "ps", "-q").stdout().strip());

        env.ok("create", "--pod", "new:rmi1", image, "true");
        String pause = pauseImage();
        String pauseId = env.ok("image", "inspect", "--format", "{{.Id}}", pause).stdout().strip();
        assertEquals("Untagged: " + pause + "\nDeleted: " + pauseId, env.ok("rmi", "-f", pause).stdout().strip());
        assertEquals("", env.ok("ps", "-a", "--noheading").stdout().strip());
        assertEquals("", env.ok("pod", "ps", "--noheading").stdout().strip());
        assertEquals(0, env.run(NORMAL, "image", "exists", image).exitCode());
    }

    @Test
    @Order(3)
    void infraNameInUseAndNoInfra() {
        env.ok("pod", "create", "--name", "named", "--infra-name", "my-infra");
        assertEquals("named", env.ok("ps", "-a", "--format", "{{.PodName}}", "--filter", "name=my-infra").stdout().strip());
        Result taken = env.run(NORMAL, "pod", "create", "--infra-name", "my-infra");
        assertEquals(125, taken.exitCode(), taken::toString);
        assertTrue(taken.stderr().matches("(?s)Error: .*: the container name \"my-infra\" is already in use by [0-9a-f]{64}\\. You have to remove "
                + "that container to be able to reuse that name: that name is already in use\\s*"), taken::toString);
        assertEquals(1, env.ok("pod", "ps", "-q").stdout().strip().lines().count(), "nothing half-made stays");

        // --infra-image: the infra container's image (pulled when missing); one that cannot be had fails the create, nothing made
        // a missing one is pulled quietly, as podman pulls an infra image: its events go to the CLI, which shows no progress
        env.ok("rmi", image);
        Result pulled = env.ok("pod", "create", "--name", "custom", "--infra-image", image, "--infra-name", "custom-infra");
        assertTrue(pulled.stdout().matches("[0-9a-f]{64}\n"), pulled::toString);
        assertFalse(pulled.stderr().contains("Copying blob"), pulled::toString);
        assertEquals(0, env.run(NORMAL, "image", "exists", image).exitCode(), "pod create pulled " + image);
        assertEquals(image, env.ok("ps", "-a", "--format", "{{.Image}}", "--filter", "name=custom-infra").stdout().strip());
        Result bad = env.run(NORMAL, "pod", "create", "--name", "nope", "--infra-image", registry.hostPort() + "/no/such:image");
        assertEquals(125, bad.exitCode(), bad::toString);
        assertEquals(1, env.run(NORMAL, "pod", "exists", "nope").exitCode());
        env.ok("pod", "rm", "custom");

        env.ok("pod", "create", "--name", "bare", "--infra=false");
        assertEquals("false", env.ok("pod", "inspect", "--format", "{{.CreateInfra}}", "bare").stdout().strip());
        assertEquals("my-infra", env.ok("ps", "-a", "--format", "{{.Names}}").stdout().strip());
        env.ok("pod", "rm", "-a", "-f");
        assertEquals("", env.ok("ps", "-a", "-q").stdout().strip());
    }
}
