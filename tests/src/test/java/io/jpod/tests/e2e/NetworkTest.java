package io.jpod.tests.e2e;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.jpod.tests.support.BoundedProcess;
import io.jpod.tests.support.JpodEnv;
import io.jpod.tests.support.LocalRegistry;
import io.jpod.tests.support.ProcFs;
import io.jpod.tests.support.Result;
import io.jpod.tests.support.TestImage;
import java.io.IOException;
import java.io.InputStream;
import java.net.DatagramPacket;
import java.net.DatagramSocket;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.TreeSet;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import io.jpod.tests.support.RegistryAndJpod;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * Issue 6: published ports (TCP and UDP) reached from the host on 127.0.0.1 only, port clashes, the none/host modes,
 * host loopback through slirp4netns, the generated /etc files, and no slirp4netns outliving its container.
 */
@Timeout(value = 5, unit = TimeUnit.MINUTES)
class NetworkTest {

    private static final Duration NORMAL = Duration.ofSeconds(60);
    private static final Duration READY = Duration.ofSeconds(60);
    private static final String LOOPBACK = "127.0.0.1";

    @RegisterExtension
    static final RegistryAndJpod FX = RegistryAndJpod.empty();
    private static JpodEnv env; // set by FX
    private static LocalRegistry registry; // set by FX
    private static String image;

    @BeforeAll
    static void setUp() throws Exception {
        byte[] udpEcho = compileUdpEcho();
        registry.push(TestImage.busybox()
                .layer(l -> l.dir("www", 0755).file("www/index.html", "hello over a published port\n".getBytes(StandardCharsets.UTF_8), 0644)
                        .file("bin/udp-echo", udpEcho, 0755))
                .expose("80/tcp")
                .build(), "library/netbox", "latest");
        image = registry.hostPort() + "/library/netbox:latest";
        Result pull = env.run(Duration.ofSeconds(120), "pull", "-q", image);
        assertEquals(0, pull.exitCode(), pull::toString);
    }


    /** The UDP echo server (busybox has no UDP server applet), compiled static so the busybox image can run it. */
    private static byte[] compileUdpEcho() throws Exception {
        Path dir = Files.createTempDirectory("jpod-udp-echo-");
        try (InputStream in = NetworkTest.class.getResourceAsStream("/udp-echo.c")) {
            Files.write(dir.resolve("udp-echo.c"), in.readAllBytes());
        }
        Process cc = new ProcessBuilder("cc", "-static", "-O2", "-o", dir.resolve("udp-echo").toString(), dir.resolve("udp-echo.c").toString())
                .redirectErrorStream(true).start();
        String out = new String(cc.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertTrue(cc.waitFor(60, TimeUnit.SECONDS), "cc did not finish");
        assertEquals(0, cc.exitValue(), () -> "cc -static udp-echo.c failed (libc6-dev provides libc.a): " + out);
        byte[] binary = Files.readAllBytes(dir.resolve("udp-echo"));
        Files.delete(dir.resolve("udp-echo"));
        Files.delete(dir.resolve("udp-echo.c"));
        Files.delete(dir);
        return binary;
    }

    private static Result jpod(String... args) {
        return env.run(NORMAL, args);
    }

    private static int freePort() throws IOException {
        try (ServerSocket s = new ServerSocket(0, 1, InetAddress.getByName(LOOPBACK))) {
            return s.getLocalPort();
        }
    }

    /** A busybox httpd serving /www on the container's port 80, published on 127.0.0.1:hostPort. */
    private static BoundedProcess startWeb(String name, int hostPort, String content) {
        return env.start("run", "--rm", "--name", name, "-p", LOOPBACK + ":" + hostPort + ":80", image, "sh", "-c",
                "echo " + content + " > /www/" + name + ".txt && exec httpd -f -p 80 -h /www");
    }

    /** GETs http://127.0.0.1:port/path until it answers 200 (bounded); fails early when the container is gone. */
    private static String awaitHttp(int port, String path, BoundedProcess running) {
        HttpClient client = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(2)).build();
        HttpRequest request = HttpRequest.newBuilder(URI.create("http://" + LOOPBACK + ":" + port + path))
                .timeout(Duration.ofSeconds(5)).build();
        long deadline = System.nanoTime() + READY.toNanos();
        String last = "";
        while (System.nanoTime() < deadline) {
            if (!running.process().isAlive()) {
                return fail("jpod run exited before serving" + running.await(Duration.ofSeconds(5)));
            }
            try {
                HttpResponse<String> r = client.send(request, HttpResponse.BodyHandlers.ofString());
                if (r.statusCode() == 200) {
                    return r.body();
                }
                last = "status " + r.statusCode();
            } catch (IOException e) {
                last = e.toString();
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return fail("interrupted");
            }
            pollInterval();
        }
        running.killTree();
        return fail("nothing served on " + LOOPBACK + ":" + port + path + " within " + READY.toSeconds() + " s: " + last);
    }

    private static void pollInterval() {
        try {
            Thread.sleep(100); // the interval of a bounded poll
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted", e);
        }
    }

    /** The host pid of the named container's init, from the run dir's pid file (bounded wait until written). */
    private static long containerPid(String name) throws IOException {
        String id = containerId(name);
        Path pidFile = env.runRoot().resolve("containers").resolve(id).resolve("pid");
        long deadline = System.nanoTime() + READY.toNanos();
        while (!Files.isRegularFile(pidFile)) {
            assertTrue(System.nanoTime() < deadline, () -> pidFile + " was not written");
            pollInterval();
        }
        return Long.parseLong(Files.readString(pidFile, StandardCharsets.UTF_8).strip());
    }

    /** The id of the named container, waiting (bounded) for a starting `jpod run` to create its record. */
    private static String containerId(String name) throws IOException {
        long deadline = System.nanoTime() + READY.toNanos();
        Optional<String> id = findContainerId(name);
        while (id.isEmpty() && System.nanoTime() < deadline) {
            pollInterval();
            id = findContainerId(name);
        }
        return id.orElseGet(() -> fail("no container named " + name + " within " + READY.toSeconds() + " s"));
    }

    private static Optional<String> findContainerId(String name) throws IOException {
        Path containers = env.storageRoot().resolve("containers");
        if (!Files.isDirectory(containers)) {
            return Optional.empty();
        }
        try (Stream<Path> dirs = Files.list(containers)) {
            for (Path d : dirs.toList()) {
                Path json = d.resolve("container.json");
                if (Files.isRegularFile(json)) {
                    JsonNode node = new ObjectMapper().readTree(json.toFile());
                    if (name.equals(node.path("name").asText())) {
                        return Optional.of(node.path("id").asText(d.getFileName().toString()));
                    }
                }
            }
        } catch (java.nio.file.NoSuchFileException e) {
            return Optional.empty(); // a container directory removed while listing
        }
        return Optional.empty();
    }

    /** Ends a foreground `jpod run` by SIGKILLing its container's init, then waits for jpod to report it. */
    private static Result killContainer(String name, BoundedProcess running) throws IOException {
        long pid = containerPid(name);
        ProcessHandle.of(pid).ifPresent(ProcessHandle::destroyForcibly);
        return running.await(NORMAL);
    }

    /** The test user's slirp4netns processes belonging to this env (their API socket lives under its run dir). */
    private static List<ProcFs.Proc> slirpProcesses() {
        String marker = env.runtimeDir().toString();
        return ProcFs.snapshot().stream()
                .filter(p -> env.user().ownsHostUid(p.effectiveUid()) || env.user().ownsHostUid(p.realUid()))
                .filter(p -> p.comm().equals("slirp4netns") || p.program().equals("slirp4netns"))
                .filter(p -> p.cmdline().stream().anyMatch(a -> a.contains(marker)))
                .toList();
    }

    private static void awaitNoSlirp(String after) {
        long deadline = System.nanoTime() + Duration.ofSeconds(15).toNanos();
        List<ProcFs.Proc> left = slirpProcesses();
        while (!left.isEmpty()) {
            if (System.nanoTime() > deadline) {
                fail("slirp4netns outlived its container (" + after + "): " + left);
            }
            pollInterval();
            left = slirpProcesses();
        }
    }

    @Test
    void aFileServedInTheContainerIsFetchedThroughAPublishedPortAndPortListsIt() throws Exception {
        int port = freePort();
        BoundedProcess web = startWeb("web1", port, "first");
        try {
            assertEquals("first\n", awaitHttp(port, "/web1.txt", web));
            assertEquals("hello over a published port\n", awaitHttp(port, "/index.html", web));
            Result ports = jpod("port", "web1");
            assertEquals(0, ports.exitCode(), ports::toString);
            assertEquals("80/tcp -> 127.0.0.1:" + port + "\n", ports.stdout(), ports::toString);
            Result one = jpod("port", "web1", "80");
            assertEquals(LOOPBACK + ":" + port + "\n", one.stdout(), one::toString);
            assertFalse(slirpProcesses().isEmpty(), "the running container has no slirp4netns of this env");
            Result end = killContainer("web1", web);
            assertEquals(137, end.exitCode(), end::toString);
        } finally {
            web.killTree();
        }
        awaitNoSlirp("container killed");
    }

    @Test
    void twoContainersPublishDifferentPortsAtOnce() throws Exception {
        int portA = freePort();
        int portB = freePort();
        assumeTrue(portA != portB, "the kernel handed out the same free port twice");
        BoundedProcess a = startWeb("twin-a", portA, "alpha");
        BoundedProcess b = startWeb("twin-b", portB, "beta");
        try {
            assertEquals("alpha\n", awaitHttp(portA, "/twin-a.txt", a));
            assertEquals("beta\n", awaitHttp(portB, "/twin-b.txt", b));
            killContainer("twin-a", a);
            killContainer("twin-b", b);
        } finally {
            a.killTree();
            b.killTree();
        }
    }

    @Test
    void udpIsEchoedThroughAPublishedUdpPort() throws Exception {
        int port;
        try (DatagramSocket probe = new DatagramSocket(0, InetAddress.getByName(LOOPBACK))) {
            port = probe.getLocalPort();
        }
        // libslirp drops the container's UDP replies to 10.0.2.2 (where host-loopback clients appear to come from)
        // under --disable-host-loopback (podman issue #4586), so a 127.0.0.1 client needs allow_host_loopback=true.
        BoundedProcess echo = env.start("run", "--rm", "--name", "echo", "--network", "slirp4netns:allow_host_loopback=true",
                "-p", LOOPBACK + ":" + port + ":5353/udp", image, "udp-echo", "5353");
        try (DatagramSocket socket = new DatagramSocket(0, InetAddress.getByName(LOOPBACK))) {
            socket.setSoTimeout(500);
            byte[] payload = "ping over udp".getBytes(StandardCharsets.UTF_8);
            long deadline = System.nanoTime() + READY.toNanos();
            String answer = null;
            while (answer == null) {
                assertTrue(echo.process().isAlive(), "jpod run exited");
                assertTrue(System.nanoTime() < deadline, "no UDP echo within " + READY.toSeconds() + " s");
                socket.send(new DatagramPacket(payload, payload.length, new InetSocketAddress(LOOPBACK, port)));
                DatagramPacket reply = new DatagramPacket(new byte[2048], 2048);
                try {
                    socket.receive(reply); // bounded by the socket timeout; datagrams before the forward exists are lost
                    answer = new String(reply.getData(), 0, reply.getLength(), StandardCharsets.UTF_8);
                } catch (SocketTimeoutException e) {
                    // not forwarded yet: send again
                }
            }
            assertEquals("ping over udp", answer);
            Result ports = jpod("port", "echo");
            assertEquals("5353/udp -> 127.0.0.1:" + port + "\n", ports.stdout(), ports::toString);
            killContainer("echo", echo);
        } finally {
            echo.killTree();
        }
    }

    @Test
    void aHostPortInUseIsA126ErrorNamingItBeforeTheContainerStarts() throws Exception {
        try (ServerSocket busy = new ServerSocket(0, 1, InetAddress.getByName(LOOPBACK))) {
            int port = busy.getLocalPort();
            Result r = jpod("run", "--rm", "-p", LOOPBACK + ":" + port + ":80", image, "echo", "must not run");
            assertEquals(126, r.exitCode(), r::toString); // podman's: the container exists, its start fails
            assertTrue(r.stderr().contains(Integer.toString(port)) && r.stderr().contains("in use"), r::toString);
            assertFalse(r.stdout().contains("must not run"), r::toString);
        }
    }

    @Test
    void invalidPortSpecsAndSlirpOptionsAreClearErrors() {
        Result p = jpod("run", "--rm", "-p", "80/sctp", image, "true");
        assertEquals(125, p.exitCode(), p::toString);
        assertTrue(p.stderr().contains("80/sctp"), p::toString);
        Result h = jpod("run", "--rm", "--network", "slirp4netns:port_handler=rootlesskit", image, "true");
        assertEquals(125, h.exitCode(), h::toString);
        assertTrue(h.stderr().contains("rootlesskit"), h::toString);
    }

    @Test
    void publishAllPublishesTheImagesExposedPortsOnFreePorts() throws Exception {
        BoundedProcess web = env.start("run", "--rm", "--name", "exposed", "-P", image, "httpd", "-f", "-p", "80", "-h", "/www");
        try {
            containerPid("exposed"); // started: ports.json is written before the container runs
            Result ports = jpod("port", "exposed", "80/tcp");
            assertEquals(0, ports.exitCode(), ports::toString);
            String hostPort = ports.stdout().strip();
            assertTrue(hostPort.matches("0\\.0\\.0\\.0:\\d+"), ports::toString);
            int port = Integer.parseInt(hostPort.substring(hostPort.indexOf(':') + 1));
            assertEquals("hello over a published port\n", awaitHttp(port, "/index.html", web));
            killContainer("exposed", web);
        } finally {
            web.killTree();
        }
    }

    @Test
    void networkNoneHasOnlyLoopbackUp() {
        Result r = jpod("run", "--rm", "--network", "none", image, "ip", "-o", "link");
        assertEquals(0, r.exitCode(), r::toString);
        List<String> links = r.stdout().lines().toList();
        assertEquals(1, links.size(), r::toString);
        assertTrue(links.get(0).contains(": lo:") && links.get(0).contains("UP"), r::toString);
    }

    @Test
    void networkHostSeesTheHostsInterfaces() throws IOException {
        TreeSet<String> host = new TreeSet<>();
        try (Stream<Path> s = Files.list(Path.of("/sys/class/net"))) {
            s.forEach(p -> host.add(p.getFileName().toString()));
        }
        Result r = jpod("run", "--rm", "--network", "host", image, "ls", "/sys/class/net");
        assertEquals(0, r.exitCode(), r::toString);
        assertEquals(host, new TreeSet<>(List.of(r.stdout().strip().split("\\s+"))), r::toString);
        Result link = jpod("run", "--rm", "--network", "host", image, "ip", "-o", "link");
        assertEquals(host.size(), link.stdout().lines().count(), link::toString);
    }

    @Test
    void theHostsLoopbackIsReachableAt10_0_2_2OnlyWhenAllowed() throws Exception {
        try (ServerSocket server = new ServerSocket(0, 5, InetAddress.getByName(LOOPBACK))) {
            server.setSoTimeout(30_000);
            int port = server.getLocalPort();
            String script = "echo hello-host | nc -w 5 10.0.2.2 " + port;

            Result denied = jpod("run", "--rm", image, "sh", "-c", script);
            assertNotEquals(0, denied.exitCode(), () -> "reached the host's loopback without allow_host_loopback" + denied);

            CompletableFuture<String> received = CompletableFuture.supplyAsync(() -> {
                try (Socket s = server.accept()) {
                    s.setSoTimeout(30_000);
                    return new String(s.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
                } catch (IOException e) {
                    return "accept failed: " + e;
                }
            });
            Result allowed = jpod("run", "--rm", "--network", "slirp4netns:allow_host_loopback=true", image, "sh", "-c", script);
            assertEquals(0, allowed.exitCode(), allowed::toString);
            assertEquals("hello-host\n", received.get(40, TimeUnit.SECONDS), allowed::toString);
        }
    }

    @Test
    void resolvConfAndHostsAreGeneratedWithDefaults() {
        Result r = jpod("run", "--rm", "--name", "files", "--hostname", "boxhost", image, "cat", "/etc/resolv.conf", "/etc/hosts", "/etc/hostname");
        assertEquals(0, r.exitCode(), r::toString);
        List<String> lines = r.stdout().lines().toList();
        assertTrue(lines.contains("nameserver 10.0.2.3"), r::toString);
        // as rootless podman: the host by its own address (500-networking "slirp4ns assigns correct addresses to /etc/hosts")
        assertTrue(lines.contains(hostAddress() + "\thost.containers.internal"), r::toString);
        assertTrue(lines.contains("10.0.2.100\tboxhost files"), r::toString);
        assertTrue(lines.stream().anyMatch(l -> l.startsWith("127.0.0.1\tlocalhost")), r::toString);
        assertTrue(lines.contains("boxhost"), r::toString);
    }

    @Test
    void dnsFlagsAndAddHostShapeTheFiles() {
        Result r = jpod("run", "--rm", "--dns", "192.0.2.53", "--dns-search", "example.test", "--dns-option", "ndots:3",
                "--add-host", "db.test:192.0.2.7", image, "cat", "/etc/resolv.conf", "/etc/hosts");
        assertEquals(0, r.exitCode(), r::toString);
        List<String> lines = r.stdout().lines().toList();
        assertTrue(lines.contains("nameserver 192.0.2.53"), r::toString);
        assertFalse(lines.contains("nameserver 10.0.2.3"), r::toString);
        assertTrue(lines.contains("search example.test"), r::toString);
        assertTrue(lines.contains("options ndots:3"), r::toString);
        assertTrue(lines.contains("192.0.2.7\tdb.test"), r::toString);
    }

    @Test
    void slirpOptionsReachSlirp4netns() {
        Result r = jpod("run", "--rm", "--network", "slirp4netns:mtu=1500,cidr=10.0.5.0/24", image, "sh", "-c",
                "cat /sys/class/net/tap0/mtu; ip -o -4 addr show tap0; grep nameserver /etc/resolv.conf");
        assertEquals(0, r.exitCode(), r::toString);
        List<String> lines = r.stdout().lines().toList();
        assertEquals("1500", lines.get(0), r::toString);
        assertTrue(lines.get(1).contains("10.0.5.100/24"), r::toString);
        assertEquals("nameserver 10.0.5.3", lines.get(2), r::toString);
    }

    @Test
    void pastaPublishesAPortAndStopsWithItsContainer() throws IOException {
        assumeTrue(Files.isExecutable(Path.of("/usr/bin/pasta")), "pasta is not installed (Debian package passt): skipped");
        int port = freePort();
        BoundedProcess web = env.start("run", "--rm", "--name", "pasta-web", "--network", "pasta", "-p", LOOPBACK + ":" + port + ":80",
                image, "httpd", "-f", "-p", "80", "-h", "/www");
        try {
            assertEquals("hello over a published port\n", awaitHttp(port, "/index.html", web));
            assertFalse(pastaProcesses().isEmpty(), "no pasta process of this env while the container runs");
            Result end = killContainer("pasta-web", web);
            assertEquals(137, end.exitCode(), end::toString);
        } finally {
            web.killTree();
        }
        long deadline = System.nanoTime() + Duration.ofSeconds(15).toNanos();
        while (!pastaProcesses().isEmpty()) {
            assertTrue(System.nanoTime() < deadline, () -> "pasta outlived its container: " + pastaProcesses());
            pollInterval();
        }
    }

    private static List<ProcFs.Proc> pastaProcesses() {
        String marker = env.runtimeDir().toString();
        return ProcFs.snapshot().stream()
                .filter(p -> env.user().ownsHostUid(p.effectiveUid()) || env.user().ownsHostUid(p.realUid()))
                .filter(p -> p.program().startsWith("pasta") || p.program().startsWith("passt"))
                .filter(p -> p.cmdline().stream().anyMatch(a -> a.contains(marker)))
                .toList();
    }

    @Test
    void aPortRangeMapsEachPort() throws Exception {
        int first = -1;
        for (int attempt = 0; attempt < 20 && first < 0; attempt++) {
            int p = freePort();
            if (p < 65535 && isFree(p + 1)) {
                first = p;
            }
        }
        assumeTrue(first > 0, "no two consecutive free ports on 127.0.0.1");
        int a = first;
        int b = first + 1;
        BoundedProcess web = env.start("run", "--rm", "--name", "ranged", "-p", LOOPBACK + ":" + a + "-" + b + ":80-81", image,
                "sh", "-c", "echo eighty > /www/which.txt && httpd -p 80 -h /www && mkdir /www81"
                        + " && echo eighty-one > /www81/which.txt && exec httpd -f -p 81 -h /www81");
        try {
            assertEquals("eighty\n", awaitHttp(a, "/which.txt", web));
            assertEquals("eighty-one\n", awaitHttp(b, "/which.txt", web));
            Result ports = jpod("port", "ranged");
            assertEquals("80/tcp -> 127.0.0.1:" + a + "\n81/tcp -> 127.0.0.1:" + b + "\n", ports.stdout(), ports::toString);
            killContainer("ranged", web);
        } finally {
            web.killTree();
        }
    }

    private static boolean isFree(int port) {
        try (ServerSocket s = new ServerSocket(port, 1, InetAddress.getByName(LOOPBACK))) {
            return true;
        } catch (IOException e) {
            return false;
        }
    }

    @Test
    void enableIpv6GivesAnFd00AddressAndTheIpv6Forwarder() {
        // SLAAC from slirp4netns's router advertisement: the container polls (bounded, 15 s) for the address.
        Result r = jpod("run", "--rm", "--network", "slirp4netns:enable_ipv6=true", image, "sh", "-c",
                "i=0; while [ $i -lt 50 ] && ! ip -6 addr show tap0 | grep -q 'inet6 fd00:'; do sleep 0.3; i=$((i+1)); done;"
                        + " ip -6 addr show tap0; cat /etc/resolv.conf");
        assertEquals(0, r.exitCode(), r::toString);
        assertTrue(r.stdout().contains("inet6 fd00:"), r::toString);
        assertTrue(r.stdout().lines().anyMatch(l -> l.equals("nameserver fd00::3")), r::toString);
    }

    @Test
    void noSlirp4netnsOutlivesAFailedStart() throws IOException {
        int port = freePort();
        Result r = jpod("run", "--rm", "-p", LOOPBACK + ":" + port + ":80", image, "no-such-command");
        assertEquals(127, r.exitCode(), r::toString);
        awaitNoSlirp("failed start");
    }

    @Test
    void noSlirp4netnsOutlivesAKilledMonitor() throws IOException {
        int port = freePort();
        BoundedProcess web = startWeb("victim", port, "victim");
        try {
            awaitHttp(port, "/victim.txt", web);
            assertFalse(slirpProcesses().isEmpty(), "no slirp4netns while the container runs");
            String id = containerId("victim");
            Optional<ProcFs.Proc> monitor = ProcFs.snapshot().stream()
                    .filter(p -> env.user().ownsHostUid(p.effectiveUid()) || env.user().ownsHostUid(p.realUid()))
                    .filter(p -> p.cmdline().size() == 3 && p.cmdline().get(1).equals("run") && p.cmdline().get(2).contains(id))
                    .findFirst();
            assertTrue(monitor.isPresent(), "no jpod-helper run process for " + id);
            ProcessHandle.of(monitor.get().pid()).ifPresent(ProcessHandle::destroyForcibly);
            Result end = web.await(NORMAL);
            assertNotEquals(0, end.exitCode(), end::toString);
        } finally {
            web.killTree();
        }
        awaitNoSlirp("monitor killed with SIGKILL");
        List<String> left = new ArrayList<>();
        ProcFs.snapshot().stream().filter(p -> env.user().ownsHostUid(p.effectiveUid()))
                .filter(p -> p.cmdline().size() > 1 && p.cmdline().get(0).equals("httpd") && p.cmdline().contains("-f"))
                .filter(p -> ProcFs.userNs(p.pid()).equals(env.pauseProcess().flatMap(ProcFs.Proc::userNs)))
                .forEach(p -> left.add(p.toString()));
        assertTrue(left.isEmpty(), () -> "the container outlived its monitor: " + left);
    }

    /** The host's first non-loopback IPv4 address in interface order (what rootless podman calls host.containers.internal). */
    static String hostAddress() {
        try {
            return java.net.NetworkInterface.networkInterfaces()
                    .sorted(java.util.Comparator.comparingInt(java.net.NetworkInterface::getIndex))
                    .flatMap(java.net.NetworkInterface::inetAddresses)
                    .filter(a -> a instanceof java.net.Inet4Address && !a.isLoopbackAddress())
                    .map(java.net.InetAddress::getHostAddress).findFirst().orElse("10.0.2.2");
        } catch (java.net.SocketException e) {
            throw new IllegalStateException(e);
        }
    }
}
