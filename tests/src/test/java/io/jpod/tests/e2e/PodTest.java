package io.jpod.tests.e2e;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.jpod.tests.support.Await;
import io.jpod.tests.support.JpodEnv;
import io.jpod.tests.support.LocalRegistry;
import io.jpod.tests.support.RegistryAndJpod;
import io.jpod.tests.support.Result;
import io.jpod.tests.support.TestImage;
import java.io.IOException;
import java.io.InputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * Issue 13: pods. Two containers of one pod reach each other on localhost and share the pod's host name; the host
 * reaches the pod's published port; pod stop/start/rm; podman's messages for the common mistakes.
 */
@Timeout(value = 8, unit = TimeUnit.MINUTES)
class PodTest {
    private static final Duration NORMAL = Duration.ofSeconds(120);
    private static final String CONTENT = "hello from the pod";

    @RegisterExtension
    static final RegistryAndJpod FX = RegistryAndJpod.empty();
    private static JpodEnv env; // set by FX
    private static LocalRegistry registry; // set by FX
    private static String image;

    @BeforeAll
    static void setUp() {
        registry.push(TestImage.busybox()
                .layer(l -> l.dir("www", 0755).file("www/index.html", (CONTENT + "\n").getBytes(StandardCharsets.UTF_8), 0644))
                .build(), "library/podbox", "latest");
        image = registry.hostPort() + "/library/podbox:latest";
        Result pull = env.run(NORMAL, "pull", "-q", image);
        assertEquals(0, pull.exitCode(), pull::toString);
    }

    @Test
    void twoContainersOfAPodTalkOnLocalhostAndTheHostReachesThePublishedPort() throws Exception {
        int port = freePort();
        String podId = env.ok("pod", "create", "--name", "web", "--label", "tier=front", "-p", "127.0.0.1:" + port + ":80").stdout().strip();
        assertTrue(podId.matches("[0-9a-f]{64}"), podId);
        assertEquals(0, env.run(NORMAL, "pod", "exists", "web").exitCode());
        assertEquals("Created", status("web"));
        JsonNode inspect = new ObjectMapper().readTree(env.ok("pod", "inspect", "web").stdout());
        assertEquals(podId, inspect.path("Id").asText());
        assertEquals("front", inspect.path("Labels").path("tier").asText());
        assertEquals(1, inspect.path("NumContainers").asInt(), inspect::toString);
        assertTrue(inspect.path("InfraContainerID").asText().matches("[0-9a-f]{64}"), inspect::toString);

        String serverId = env.ok("run", "-d", "--pod", "web", "--name", "server", image, "httpd", "-f", "-p", "80", "-h", "/www")
                .stdout().strip();
        assertEquals("Running", status("web"));

        // a second container of the pod reaches the first on localhost, and sees the pod's host name
        Result fetched = env.run(NORMAL, "run", "--rm", "--pod", "web", image, "sh", "-c",
                "for i in $(seq 1 50); do wget -q -O - http://localhost:80/ && break; sleep 0.2; done; hostname");
        assertEquals(0, fetched.exitCode(), fetched::toString);
        assertEquals(CONTENT + "\nweb", fetched.stdout().strip());

        // the host reaches the pod's published port (the infra's slirp4netns)
        assertEquals(CONTENT, httpGet(port));

        Result ps = env.ok("ps", "-a", "--pod", "--filter", "pod=web");
        assertTrue(ps.stdout().contains("PODNAME") && ps.stdout().contains(podId.substring(0, 12)) && ps.stdout().contains("server"), ps::toString);
        String infraId = inspect.path("InfraContainerID").asText(); // the pod's infra container is listed as podman lists it
        assertEquals(java.util.Set.of(serverId.substring(0, 12), infraId.substring(0, 12)),
                java.util.Set.copyOf(env.ok("ps", "-a", "-q", "--filter", "pod=" + podId.substring(0, 8)).stdout().strip().lines().toList()));
        assertEquals("", env.ok("ps", "-a", "-q", "--filter", "pod=nopod").stdout().strip());

        // stop: every container and the infra; the published port is gone with it
        assertEquals(podId, env.ok("pod", "stop", "web").stdout().strip());
        assertEquals("Exited", status("web"));
        assertEquals("exited", env.inspect("server").path("State").path("Status").asText());
        assertFalse(answers(port), "the pod's port still answers after pod stop");

        assertEquals(podId, env.ok("pod", "start", "web").stdout().strip());
        assertEquals("Running", status("web"));
        assertEquals(CONTENT, httpGet(port));

        Result refused = env.run(NORMAL, "pod", "rm", "web");
        assertEquals(125, refused.exitCode(), refused::toString);
        assertTrue(refused.stderr().contains("cannot remove container " + serverId + " as it is running"), refused::toString);

        assertEquals(podId, env.ok("pod", "rm", "-f", "web").stdout().strip());
        assertEquals(1, env.run(NORMAL, "pod", "exists", "web").exitCode());
        assertEquals(1, env.run(NORMAL, "container", "exists", "server").exitCode());
        assertEquals("", env.ok("ps", "-a", "-q", "--filter", "id=" + serverId).stdout().strip());
        assertFalse(answers(port), "the pod's port still answers after pod rm");
    }

    @Test
    void sharedPidNamespaceAndDegradedState() {
        env.ok("pod", "create", "--name", "pids", "--share", "+pid");
        env.ok("run", "-d", "--pod", "pids", "--name", "sleeper", image, "sleep", "600");
        // in a shared PID namespace the infra is PID 1 and the other container's process is visible
        Result ps = env.run(NORMAL, "run", "--rm", "--pod", "pids", image, "ps", "-o", "pid,comm");
        assertEquals(0, ps.exitCode(), ps::toString);
        assertTrue(ps.stdout().contains("sleep") && ps.stdout().lines().anyMatch(l -> l.strip().startsWith("1 ")), ps::toString);
        env.ok("create", "--pod", "pids", "--name", "idle", image, "true");
        assertEquals("Degraded", status("pids"));
        assertTrue(env.ok("pod", "top", "pids").stdout().contains("sleep"));
        env.ok("pod", "rm", "-f", "-t", "0", "pids");
        assertEquals(1, env.run(NORMAL, "pod", "exists", "pids").exitCode());
    }

    @Test
    void podmansMessages() {
        Result share = env.run(NORMAL, "pod", "create", "--share", "net,foo");
        assertEquals(125, share.exitCode(), share::toString);
        assertEquals("Error: invalid kernel namespace to share: foo. Options are: cgroup, ipc, net, pid, uts or none", share.stderr().strip());

        Result missing = env.run(NORMAL, "pod", "rm", "nope");
        assertEquals(1, missing.exitCode(), missing::toString);
        assertEquals("Error: no pod with name or ID nope found: no such pod", missing.stderr().strip());
        Result forced = env.run(NORMAL, "pod", "rm", "--force", "nope"); // 200-pod "pod rm --force bogus"
        assertEquals(0, forced.exitCode(), forced::toString);
        assertEquals("", forced.stdout() + forced.stderr());

        // 130-kill: a bad signal is said before any pod is looked up, as podman parses it first
        for (String sig : new String[]{"0", "SIGBADSIG", "-"}) {
            Result kill = env.run(NORMAL, "pod", "kill", "-s", sig, "nope");
            assertEquals(125, kill.exitCode(), kill::toString);
            assertEquals("Error: invalid signal: " + (sig.equals("-") ? "" : sig) + "\n", kill.stderr());
        }
        Result range = env.run(NORMAL, "pod", "kill", "-s", "65", "nope");
        assertEquals("Error: valid signals are 1 through 64", range.stderr().strip(), range::toString);

        // 015-help: --latest or --all with pods named, and --all with --latest, in podman's words (as for containers)
        Result latestAndPod = env.run(NORMAL, "pod", "kill", "-l", "nope");
        assertEquals(125, latestAndPod.exitCode(), latestAndPod::toString);
        assertEquals("Error: --latest and pods cannot be used together", latestAndPod.stderr().strip());
        Result allAndLatest = env.run(NORMAL, "pod", "stop", "--all", "--latest");
        assertEquals(125, allAndLatest.exitCode(), allAndLatest::toString);
        assertEquals("Error: --all and --latest cannot be used together", allAndLatest.stderr().strip());

        Result inspect = env.run(NORMAL, "pod", "inspect", "nope");
        assertEquals(125, inspect.exitCode(), inspect::toString);
        assertEquals("Error: inspecting object: no such pod nope", inspect.stderr().strip());

        env.ok("pod", "create", "--name", "twice");
        Result twice = env.run(NORMAL, "pod", "create", "--name", "twice");
        assertEquals(125, twice.exitCode(), twice::toString);
        assertEquals("Error: adding pod to state: name \"twice\" is in use: pod already exists", twice.stderr().strip());

        Result ports = env.run(NORMAL, "run", "--rm", "--pod", "twice", "-p", "8080:80", image, "true");
        assertEquals(125, ports.exitCode(), ports::toString);
        assertTrue(ports.stderr().contains("published or exposed ports must be defined when the pod is created"), ports::toString);

        Result hostname = env.run(NORMAL, "run", "--rm", "--pod", "twice", "--hostname", "h", image, "true");
        assertEquals(125, hostname.exitCode(), hostname::toString);
        assertEquals("Error: invalid config provided: cannot set hostname when joining the pod UTS namespace", hostname.stderr().strip());

        Result noPod = env.run(NORMAL, "run", "--rm", "--pod", "nope", image, "true");
        assertEquals(125, noPod.exitCode(), noPod::toString);
        assertEquals("Error: no pod with name or ID nope found: no such pod", noPod.stderr().strip());

        // pod prune removes the pods that do not run
        String twiceId = env.ok("pod", "inspect", "--format", "{{.Id}}", "twice").stdout().strip();
        assertTrue(env.ok("pod", "prune", "-f").stdout().contains(twiceId));
        assertEquals(1, env.run(NORMAL, "pod", "exists", "twice").exitCode());
    }

    /** 200-pod "exit policies": podman's --exit-policy; stop ends the infra with the last container (kube play's default). */
    @Test
    void exitPolicyStopEndsThePodWithItsLastContainer() throws Exception {
        String cont = env.ok("pod", "create", "--exit-policy", "continue").stdout().strip();
        assertEquals("continue", env.ok("pod", "inspect", cont, "--format", "{{.ExitPolicy}}").stdout().strip());
        env.ok("run", "--pod", cont, image, "true");
        assertEquals("Degraded", env.ok("pod", "inspect", cont, "--format", "{{.State}}").stdout().strip());
        env.ok("pod", "rm", "-f", cont);

        String stop = env.ok("pod", "create", "--exit-policy", "stop").stdout().strip();
        assertEquals("stop", env.ok("pod", "inspect", stop, "--format", "{{.ExitPolicy}}").stdout().strip());
        env.ok("run", "--pod", stop, image, "true");
        Await.await("the pod with exit policy stop exits with its last container", Duration.ofSeconds(60),
                () -> "Exited".equals(env.ok("pod", "inspect", stop, "--format", "{{.State}}").stdout().strip()));
        env.ok("pod", "rm", stop);

        Result bad = env.run(NORMAL, "pod", "create", "--exit-policy", "invalid");
        assertEquals(125, bad.exitCode(), bad::toString);
        assertEquals("Error: running pod create option: invalid pod exit policy: \"invalid\"\n", bad.stderr());
    }

    /** 200-pod "--share", "share net": --replace makes the pod again; new:NAME with --hostname names the new pod's host. */
    @Test
    void replaceAndANewPodsHostname() {
        String first = env.ok("pod", "create", "--share", "ipc", "--name", "again").stdout().strip();
        env.ok("create", "--pod", "again", image, "true");
        assertEquals("[ipc]", env.ok("pod", "inspect", "again", "--format", "{{.SharedNamespaces}}").stdout().strip());
        String second = env.ok("pod", "create", "--share", "+pid", "--replace", "--name", "again").stdout().strip();
        assertFalse(first.equals(second));
        assertEquals("1", env.ok("pod", "inspect", "again", "--format", "{{.NumContainers}}").stdout().strip()); // the infra only
        String shared = env.ok("pod", "inspect", "again", "--format", "{{.SharedNamespaces}}").stdout();
        for (String ns : new String[]{"uts", "pid", "ipc", "net"}) {
            assertTrue(shared.contains(ns), shared);
        }
        env.ok("pod", "rm", "-f", "again");

        assertEquals("foobar", env.ok("run", "--rm", "--pod", "new:named", "--hostname", "foobar", image, "hostname").stdout().strip());
        env.ok("pod", "rm", "named");
        assertEquals("named", env.ok("run", "--rm", "--pod", "new:named", image, "hostname").stdout().strip());
        env.ok("pod", "rm", "named");
    }

    /** 200-pod "communicating via /dev/shm": a pod sharing IPC shares /dev/shm; another pod's is its own. */
    @Test
    void aPodSharingIpcSharesDevShm() {
        env.ok("pod", "create", "--name", "shm");
        env.ok("pod", "create", "--name", "othershm");
        try {
            env.ok("run", "--rm", "--pod", "shm", image, "touch", "/dev/shm/test1");
            assertEquals("/dev/shm/test1", env.ok("run", "--rm", "--pod", "shm", image, "ls", "/dev/shm/test1").stdout().strip());
            assertEquals(1, env.run(NORMAL, "run", "--rm", "--pod", "othershm", image, "ls", "/dev/shm/test1").exitCode());
            assertEquals(1, env.run(NORMAL, "run", "--rm", image, "ls", "/dev/shm/test1").exitCode());
        } finally {
            env.ok("pod", "rm", "-f", "shm", "othershm");
        }
    }

    /** 200-pod "pod top": a container in jpod's own user namespace shows its users as they are inside (root, not nobody). */
    @Test
    void podTopShowsTheUsersInside() {
        String pod = env.ok("pod", "create", "--infra=false").stdout().strip();
        try {
            env.ok("run", "-d", "--pod", pod, image, "sleep", "100");
            env.ok("run", "-d", "--pod", pod, image, "sleep", "100");
            String top = env.ok("pod", "top", pod).stdout();
            assertTrue(top.matches("(?s).*root.*sleep 100.*root.*sleep 100.*"), top);
        } finally {
            env.ok("pod", "rm", "-f", "-t", "0", pod);
        }
    }

    private static String status(String pod) {
        return env.ok("pod", "ps", "--filter", "name=^" + pod + "$", "--format", "{{.Status}}").stdout().strip();
    }

    private static int freePort() throws IOException {
        try (ServerSocket s = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            return s.getLocalPort();
        }
    }

    private static boolean answers(int port) {
        try (Socket s = new Socket()) {
            s.connect(new InetSocketAddress("127.0.0.1", port), 2000);
            s.setSoTimeout(5000);
            s.getOutputStream().write("GET / HTTP/1.0\r\n\r\n".getBytes(StandardCharsets.US_ASCII));
            return s.getInputStream().read() >= 0;
        } catch (IOException e) {
            return false;
        }
    }

    /** GET / on 127.0.0.1:port until it answers (bounded): the body. */
    private static String httpGet(int port) {
        String[] body = new String[1];
        Await.await("the pod's published port " + port + " to answer", Duration.ofSeconds(60), () -> {
            try (Socket s = new Socket()) {
                s.connect(new InetSocketAddress("127.0.0.1", port), 2000);
                s.setSoTimeout(5000);
                s.getOutputStream().write("GET / HTTP/1.0\r\n\r\n".getBytes(StandardCharsets.US_ASCII));
                InputStream in = s.getInputStream();
                String resp = new String(in.readAllBytes(), StandardCharsets.UTF_8);
                int i = resp.indexOf("\r\n\r\n");
                if (!resp.startsWith("HTTP/1") || i < 0) {
                    return false;
                }
                body[0] = resp.substring(i + 4).strip();
                return true;
            } catch (IOException e) {
                return false;
            }
        });
        return body[0];
    }
}
