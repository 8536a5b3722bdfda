package io.jpod.tests.e2e;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.jpod.tests.support.Await;
import io.jpod.tests.support.JpodEnv;
import io.jpod.tests.support.RegistryAndJpod;
import io.jpod.tests.support.Result;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.MessageDigest;
import java.time.Duration;
import java.util.HexFormat;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * Issue 15 (podman's 700-play "play --service-container"): `kube play --service-container` makes one service
 * container named after the YAML, started before the pods, stopped when they are all done (a main container's stop,
 * pod stop, pod kill), started again with the pods, refused by `rm` while a pod of it is not done, and removed with
 * its last pod (pod rm, kube down); podman's edge cases (several pods, --start=false, =false).
 */
@Timeout(value = 10, unit = TimeUnit.MINUTES)
class KubeServiceContainerTest {
    private static final Duration NORMAL = Duration.ofSeconds(120);

    @RegisterExtension
    static final RegistryAndJpod FX = RegistryAndJpod.withBusybox("library/svcbox");
    private static JpodEnv env; // set by FX
    @RegistryAndJpod.Image
    private static String image;

    private static String pod(String name) {
        return """
                apiVersion: v1
                kind: Pod
                metadata:
                  name: NAME
                spec:
                  containers:
                    - name: main
                      image: IMAGE
                      command: [sleep, "600"]
                """.replace("NAME", name).replace("IMAGE", image);
    }

    @Test
    void serviceContainerFollowsItsPodAndGoesWithIt() throws Exception {
        Path yaml = write("svc.yaml", pod("svcpod"));
        env.ok("play", "kube", "--service-container=true", yaml.toString());
        String service = serviceName(yaml);
        String podId = env.ok("pod", "inspect", "--format", "{{.Id}}", "svcpod").stdout().strip();

        assertEquals("true", env.ok("container", "inspect", service, "--format", "{{.State.Running}}").stdout().strip());
        assertEquals("true", env.ok("container", "inspect", service, "--format", "{{.IsService}}").stdout().strip());
        assertTrue(env.inspect(service).path("IsService").asBoolean(), "JSON says IsService too");
        assertEquals("localhost/podman-pause", env.inspect(service).path("ImageName").asText().replaceFirst(":.*", ""));
        assertEquals("none", env.inspect(service).path("HostConfig").path("NetworkMode").asText());
        assertEquals("false", env.ok("container", "inspect", "svcpod-main", "--format", "{{.IsService}}").stdout().strip());
        assertTrue(env.inspect("svcpod-main").has("IsService"), "every container's JSON has the field");

        // the main container's stop: the pod is Exited (exit policy stop), and the service stops with it
        env.ok("stop", "-t", "0", "svcpod-main");
        awaitPodState("svcpod", "Exited");
        awaitRunning(service, false);

        env.ok("pod", "restart", "svcpod");
        assertEquals("true", env.ok("container", "inspect", service, "--format", "{{.State.Running}}").stdout().strip());

        String serviceId = env.inspect(service).path("Id").asText();
        Result rm = env.run(NORMAL, "container", "rm", service);
        assertEquals(125, rm.exitCode(), rm::toString);
        assertEquals("Error: container " + serviceId + " is the service container of pod(s) " + podId
                + " and cannot be removed without removing the pod(s)", rm.stderr().strip());
        Result rmForce = env.run(NORMAL, "rm", "-f", service);
        assertEquals(125, rmForce.exitCode(), "-f does not remove it either: " + rmForce);
        assertEquals("true", env.ok("container", "inspect", service, "--format", "{{.State.Running}}").stdout().strip());

        env.ok("pod", "kill", "svcpod");
        awaitRunning(service, false);

        env.ok("pod", "start", "svcpod");
        assertEquals("true", env.ok("container", "inspect", service, "--format", "{{.State.Running}}").stdout().strip());
        env.ok("pod", "stop", "-t", "0", "svcpod");
        awaitRunning(service, false);

        env.ok("pod", "rm", "svcpod");
        assertEquals(1, env.run(NORMAL, "container", "exists", service).exitCode(), "the service goes with its last pod");
    }

    @Test
    void onePodsDoneIsNotAllAndKubeDownRemovesIt() throws Exception {
        Path yaml = write("two.yaml", pod("first") + "---\n" + pod("second"));
        env.ok("kube", "play", "--service-container", yaml.toString());
        String service = serviceName(yaml);
        assertEquals(1, env.ok("ps", "-a", "--filter", "name=-service", "--format", "{{.Names}}").stdout().strip().lines().count(),
                "one service container for the whole YAML");
        String first = env.ok("pod", "inspect", "--format", "{{.Id}}", "first").stdout().strip();
        String second = env.ok("pod", "inspect", "--format", "{{.Id}}", "second").stdout().strip();

        Result rm = env.run(NORMAL, "rm", service);
        assertEquals(125, rm.exitCode(), rm::toString);
        assertTrue(rm.stderr().contains(" is the service container of pod(s) " + first + "," + second + " and cannot"), rm::toString);

        env.ok("pod", "stop", "-t", "0", "first");
        assertEquals("true", env.ok("container", "inspect", service, "--format", "{{.State.Running}}").stdout().strip(),
                "the other pod still runs");
        env.ok("pod", "stop", "-t", "0", "second");
        awaitRunning(service, false);

        env.ok("pod", "start", "first");
        assertEquals("true", env.ok("container", "inspect", service, "--format", "{{.State.Running}}").stdout().strip());
        env.ok("kube", "down", yaml.toString());
        assertEquals(1, env.run(NORMAL, "container", "exists", service).exitCode(), "kube down removes it with the pods");
        assertEquals(1, env.run(NORMAL, "pod", "exists", "first").exitCode());
    }

    @Test
    void startFalseIsRefusedAndFalseMakesNone() throws Exception {
        Path yaml = write("nosvc.yaml", pod("nosvc"));
        Result refused = env.run(NORMAL, "kube", "play", "--service-container", "--start=false", yaml.toString());
        assertEquals(125, refused.exitCode(), refused::toString);
        assertEquals("Error: running a service container requires starting the pod(s)", refused.stderr().strip());
        assertEquals(1, env.run(NORMAL, "pod", "exists", "nosvc").exitCode(), "nothing made");
        assertEquals(1, env.run(NORMAL, "container", "exists", serviceName(yaml)).exitCode(), "nothing made");

        env.ok("kube", "play", "--service-container=false", yaml.toString());
        assertEquals(1, env.run(NORMAL, "container", "exists", serviceName(yaml)).exitCode(), "=false: no service container");
        assertEquals("false", env.ok("container", "inspect", "nosvc-main", "--format", "{{.IsService}}").stdout().strip());
        env.ok("kube", "down", yaml.toString());
    }

    /** podman's name: the first 12 hex digits of the YAML file's sha256, and "-service". */
    private static String serviceName(Path yaml) throws Exception {
        byte[] digest = MessageDigest.getInstance("SHA-256").digest(Files.readAllBytes(yaml));
        return HexFormat.of().formatHex(digest).substring(0, 12) + "-service";
    }

    private static void awaitPodState(String pod, String state) {
        Await.await("pod " + pod + " " + state, NORMAL,
                () -> state.equals(env.run(NORMAL, "pod", "inspect", "--format", "{{.State}}", pod).stdout().strip()));
    }

    private static void awaitRunning(String container, boolean running) {
        Await.await(container + " running=" + running, NORMAL, () -> Boolean.toString(running)
                .equals(env.run(NORMAL, "container", "inspect", "--format", "{{.State.Running}}", container).stdout().strip()));
    }

    private static Path write(String name, String content) throws Exception {
        Path f = env.home().resolve(name);
        Files.writeString(f, content, StandardCharsets.UTF_8);
        Files.setPosixFilePermissions(f, PosixFilePermissions.fromString("rw-r--r--"));
        return f;
    }
}
