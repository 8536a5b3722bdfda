package io.jpod.tests.e2e;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.jpod.tests.support.BoundedProcess;
import io.jpod.tests.support.JpodEnv;
import io.jpod.tests.support.ProcFs;
import io.jpod.tests.support.RegistryAndJpod;
import io.jpod.tests.support.Result;
import io.jpod.tests.support.TestImage;
import java.io.IOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * Issue 18: user-defined networks, rootless. Containers on one network reach each other by name and alias through
 * the network's name server; other networks cannot reach them; --internal has no way out; 20 concurrent runs get
 * 20 addresses; network rm -f, kill -9 of the holder and system reset leave no veth, bridge or slirp4netns behind.
 */
@Timeout(value = 10, unit = TimeUnit.MINUTES)
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class UserNetworksTest {
    private static final Duration T = Duration.ofSeconds(120);
    /** Polls (bounded) until the server in another container answers: readiness, not timing. */
    private static final String FETCH = "for i in $(seq 150); do timeout 5 wget -q -O- \"$1\" && exit 0; sleep 0.2; done; exit 1";

    @RegisterExtension
    static final RegistryAndJpod FX = RegistryAndJpod.empty();
    private static JpodEnv env;
    private static String image;

    @BeforeAll
    static void setUp() {
        env = FX.env();
        image = FX.pushAndPull(TestImage.busybox()
                .layer(l -> l.dir("www", 0755).file("www/index.html", "hello from the web container\n".getBytes(StandardCharsets.UTF_8), 0644))
                .build(), "library/netweb");
    }

    private static Path netnsDir() {
        return env.runRoot().resolve("netns");
    }

    private static long pidIn(String file) throws IOException {
        return Long.parseLong(Files.readString(netnsDir().resolve(file)).strip());
    }

    /** The links of the holder's namespace, as the kernel lists them for its process. */
    private static Set<String> holderLinks() throws IOException {
        Set<String> links = new TreeSet<>();
        for (String line : Files.readAllLines(Path.of("/proc/" + pidIn("holder.pid") + "/net/dev"))) {
            if (line.contains(":")) {
                links.add(line.substring(0, line.indexOf(':')).strip());
            }
        }
        return links;
    }

    /** The holder's network namespace, as the kernel names it ("net:[4026532…]"). */
    private static String holderNamespace(long holder) throws IOException {
        return Files.readSymbolicLink(Path.of("/proc/" + holder + "/ns/net")).toString();
    }

    /** The processes still in that network namespace (none: the namespace, its bridges, veths, rules and name server are gone). */
    private static List<Long> processesIn(String namespace) {
        List<Long> in = new ArrayList<>();
        for (ProcFs.Proc p : ProcFs.snapshot()) {
            try {
                if (Files.readSymbolicLink(Path.of("/proc/" + p.pid() + "/ns/net")).toString().equals(namespace)) {
                    in.add(p.pid());
                }
            } catch (IOException e) {
                // exited meanwhile
            }
        }
        return in;
    }

    /** This user's slirp4netns processes of the networks' namespace (their API socket is in its run dir). */
    private static List<Long> holderSlirps() {
        String socket = netnsDir().resolve("slirp.sock").toString();
        return ProcFs.snapshot().stream().filter(p -> p.program().equals("slirp4netns") && p.cmdline().contains("--api-socket=" + socket))
                .map(ProcFs.Proc::pid).toList();
    }

    /** The holder's firewall as iptables-save prints it (the test runs as root: nsenter reaches the namespace). */
    private static String holderRules() throws Exception {
        Process p = new ProcessBuilder("nsenter", "-t", Long.toString(pidIn("holder.pid")), "-n", "iptables-save")
                .redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertTrue(p.waitFor(60, TimeUnit.SECONDS) && p.exitValue() == 0, out);
        return out;
    }

    /** The host's first non-loopback IPv4 address: slirp4netns reaches it as any host program would. */
    private static InetAddress hostAddress() throws IOException {
        for (var nif : java.util.Collections.list(java.net.NetworkInterface.getNetworkInterfaces())) {
            if (nif.isUp() && !nif.isLoopback()) {
                for (InetAddress a : java.util.Collections.list(nif.getInetAddresses())) {
                    if (a instanceof java.net.Inet4Address) {
                        return a;
                    }
                }
            }
        }
        throw new IllegalStateException("this host has no non-loopback IPv4 address to test the way out with");
    }

    private static Result fetch(String network, String url) {
        return env.run(T, "run", "--rm", "--network", network, image, "sh", "-c", FETCH, "fetch", url);
    }

    @Test
    @Order(1)
    void byNameAndAliasOnlyWithinTheNetworkAndInternalHasNoWayOut() throws Exception {
        env.ok("network", "create", "neta");
        env.ok("network", "create", "netb");
        env.ok("network", "create", "--internal", "neti");
        env.ok("run", "-d", "--name", "web", "--network", "neta", "--network-alias", "www", image, "httpd", "-f", "-p", "80", "-h", "/www");

        Result byName = fetch("neta", "http://web/");
        assertEquals(0, byName.exitCode(), byName::toString);
        assertEquals("hello from the web container\n", byName.stdout());
        Result byAlias = fetch("neta", "http://www/");
        assertEquals(0, byAlias.exitCode(), byAlias::toString);
        assertEquals("hello from the web container\n", byAlias.stdout());

        String hosts = env.ok("exec", "web", "cat", "/etc/hosts").stdout();
        String webIp = hosts.lines().filter(l -> l.contains("web")).reduce((a, b) -> b).orElseThrow().split("\t")[0];
        assertTrue(webIp.startsWith("10.89."), hosts);
        assertEquals(webIp + " www\n", env.ok("inspect", "--format",
                "{{.NetworkSettings.Networks.neta.IPAddress}} {{range .NetworkSettings.Networks.neta.Aliases}}{{.}}{{end}}", "web").stdout());
        Result other = env.run(T, "run", "--rm", "--network", "netb", image, "sh", "-c",
                "nslookup web >/dev/null 2>&1 && echo resolved; timeout 5 wget -q -O- http://" + webIp + "/ && echo reached; true");
        assertEquals(0, other.exitCode(), other::toString);
        assertEquals("", other.stdout(), "a container on another network neither resolves nor reaches web");

        // the way out: slirp4netns's DNS forwarder answers from a normal network, not from an internal one
        // (an answer, even NXDOMAIN, names the server it came from; without one nslookup says no server could be reached)
        Result out = env.run(T, "run", "--rm", "--network", "neta", image, "nslookup", "localhost", "10.0.2.3");
        assertTrue(out.stdout().contains("Address:\t10.0.2.3:53"), () -> "a normal network reaches slirp4netns's forwarder: " + out);
        // a host-side HTTP listener on every address: a normal network reaches it on the host's address (slirp4netns
        // connects as a host program); an internal one reaches it neither there nor on loopback (10.0.2.2)
        com.sun.net.httpserver.HttpServer host = com.sun.net.httpserver.HttpServer.create(new java.net.InetSocketAddress(0), 10);
        host.createContext("/", x -> {
            byte[] b = "host listener\n".getBytes(StandardCharsets.UTF_8);
            x.sendResponseHeaders(200, b.length);
            x.getResponseBody().write(b);
            x.close();
        });
        host.start();
        try {
            int port = host.getAddress().getPort();
            String hostIp = hostAddress().getHostAddress();
            Result normal = fetch("neta", "http://" + hostIp + ":" + port + "/");
            assertEquals("host listener\n", normal.stdout(), () -> "the control: a normal network reaches the host's listener: " + normal);
            Result internal = env.run(T, "run", "--rm", "--network", "neti", image, "sh", "-c",
                    "nslookup localhost 10.0.2.3 2>&1 | grep -q 'Address:.*10.0.2.3:53' && echo dns;"
                            + " timeout 5 wget -q -O- http://10.0.2.2:" + port + "/ && echo loopback;"
                            + " timeout 5 wget -q -O- http://" + hostIp + ":" + port + "/ && echo host; ip route; true");
            assertEquals(0, internal.exitCode(), internal::toString);
            assertFalse(internal.stdout().contains("dns") || internal.stdout().contains("listener"), internal::toString);
            assertFalse(internal.stdout().contains("default"), () -> "an internal network has no default route: " + internal);
        } finally {
            host.stop(0);
        }
        // the names follow the containers: a new one is found, a removed one is not
        env.ok("run", "-d", "--name", "web2", "--network", "neta", image, "httpd", "-f", "-p", "80", "-h", "/www");
        assertEquals(0, fetch("neta", "http://web2/").exitCode());
        env.ok("rm", "-f", "web2");
        Result gone = env.run(T, "run", "--rm", "--network", "neta", image, "sh", "-c", "nslookup web2 >/dev/null 2>&1 && echo found; true");
        assertEquals("", gone.stdout(), gone::toString);
    }

    @Test
    @Order(2)
    void publishedPortAnswersFromTheHostAndConnectMakesARunningContainerReachable() throws Exception {
        int port;
        int anyPort;
        try (ServerSocket s = new ServerSocket(0, 1, InetAddress.getLoopbackAddress()); ServerSocket t = new ServerSocket(0)) {
            port = s.getLocalPort();
            anyPort = t.getLocalPort();
        }
        // a port on loopback (pasta splices it in: the container sees the client's 127.0.0.1) and one on every address
        // (slirp4netns's forward into the holder and DNAT: the container sees slirp4netns's 10.0.2.2)
        env.ok("run", "-d", "--name", "pub", "--network", "neta", "-p", "127.0.0.1:" + port + ":80", "-p", anyPort + ":80", image,
                "httpd", "-f", "-vv", "-p", "80", "-h", "/www");
        java.net.http.HttpClient http = java.net.http.HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();
        for (int p : new int[] {port, anyPort}) {
            java.net.http.HttpRequest get = java.net.http.HttpRequest.newBuilder(java.net.URI.create("http://127.0.0.1:" + p + "/"))
                    .timeout(Duration.ofSeconds(10)).build();
            String[] body = {null};
            io.jpod.tests.support.Await.await("the published port " + p + " answers from the host", Duration.ofSeconds(60), () -> {
                try {
                    body[0] = http.send(get, java.net.http.HttpResponse.BodyHandlers.ofString()).body();
                    return true;
                } catch (IOException e) {
                    return false;
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                    return false;
                }
            });
            assertEquals("hello from the web container\n", body[0]);
            if (p == port) {
                Result log = env.ok("logs", "pub");
                String clients = log.stdout() + log.stderr();
                assertTrue(clients.contains("127.0.0.1]:") && !clients.contains("10.0.2.2]:"),
                        () -> "the loopback port keeps the client's address: " + clients);
            }
        }
        Result log = env.ok("logs", "pub");
        String clients = log.stdout() + log.stderr();
        assertTrue(clients.contains("10.0.2.2]:"), () -> "the port on every address comes through slirp4netns: " + clients);
        env.ok("rm", "-f", "pub");

        env.ok("run", "-d", "--name", "lonely", "--network", "netb", image, "httpd", "-f", "-p", "80", "-h", "/www");
        Result before = env.run(T, "run", "--rm", "--network", "neta", image, "sh", "-c", "nslookup lonely >/dev/null 2>&1 && echo found; true");
        assertEquals("", before.stdout(), before::toString);
        env.ok("network", "connect", "--alias", "lone", "neta", "lonely");
        Result byName = fetch("neta", "http://lonely/");
        assertEquals(0, byName.exitCode(), () -> "network connect makes a running container reachable by name: " + byName);
        Result byAlias = fetch("neta", "http://lone/");
        assertEquals(0, byAlias.exitCode(), byAlias::toString);
        Result twice = env.run(T, "network", "connect", "neta", "lonely");
        assertEquals(125, twice.exitCode(), twice::toString);
        String id = env.ok("inspect", "--format", "{{.Id}}", "lonely").stdout();
        assertEquals(id, env.ok("network", "reload", "lonely").stdout(), "reload prints the container's id");
        Result reloaded = fetch("neta", "http://lone/");
        assertEquals(0, reloaded.exitCode(), () -> "still reachable after network reload: " + reloaded);
        env.ok("network", "disconnect", "neta", "lonely");
        Result after = env.run(T, "run", "--rm", "--network", "neta", image, "sh", "-c",
                "nslookup lonely >/dev/null 2>&1 && echo found; timeout 5 wget -q -O- http://lonely/ >/dev/null 2>&1 && echo reached; true");
        assertEquals("", after.stdout(), after::toString);
        env.ok("rm", "-f", "lonely");
    }

    @Test
    @Order(3)
    void twentyConcurrentRunsGetTwentyAddresses() {
        env.ok("network", "create", "netc");
        List<BoundedProcess> runs = new ArrayList<>();
        for (int i = 0; i < 20; i++) {
            runs.add(env.start("run", "-d", "--name", "c" + i, "--network", "netc", image, "sh", "-c",
                    "ip -4 -o addr show eth0; exec sleep 600"));
        }
        for (BoundedProcess p : runs) {
            Result r = p.await(Duration.ofSeconds(300));
            assertEquals(0, r.exitCode(), r::toString);
        }
        Set<String> addresses = new TreeSet<>();
        for (int i = 0; i < 20; i++) {
            String line = env.ok("logs", "c" + i).stdout();
            String ip = line.replaceAll("(?s).*inet ([0-9.]+)/.*", "$1");
            assertTrue(ip.startsWith("10.89."), line);
            addresses.add(ip);
        }
        assertEquals(20, addresses.size(), addresses::toString);
    }

    @Test
    @Order(4)
    void rmForceKillOfTheHolderAndResetLeaveNothingBehind() throws Exception {
        String bridge = env.ok("network", "inspect", "--format", "{{.NetworkInterface}}", "netc").stdout().strip();
        String gateway = env.ok("network", "inspect", "--format", "{{range .Subnets}}{{.Gateway}}{{end}}", "netc").stdout().strip();
        Path records = env.storageRoot().resolve("networks").resolve("netc");
        Set<String> before = holderLinks();
        assertTrue(before.contains(bridge) && before.stream().filter(l -> l.startsWith("vj")).count() >= 20, before::toString);
        assertTrue(holderRules().contains("-i " + bridge), "the network's rules are in the holder");
        assertTrue(Files.exists(netnsDir().resolve("dns").resolve(gateway)) && Files.exists(netnsDir().resolve("rules").resolve(bridge))
                && Files.exists(records.resolve("leases.json")), "names, rules marker and leases exist");
        Result rm = env.ok("network", "rm", "-f", "netc");
        assertEquals("netc\n", rm.stdout());
        String names = env.ok("ps", "-a", "--format", "{{.Names}}").stdout();
        assertFalse(names.lines().anyMatch(n -> n.matches("c[0-9]+")), () -> "network rm -f removed its containers: " + names);
        Set<String> after = holderLinks();
        assertFalse(after.contains(bridge), after::toString);
        assertTrue(after.stream().filter(l -> l.startsWith("vj")).count() <= 1, () -> "only web's veth is left: " + after);
        String rules = holderRules();
        assertFalse(rules.contains(bridge + " ") || rules.contains(bridge + "\n"), () -> "the network's rules are gone: " + rules);
        assertFalse(Files.exists(netnsDir().resolve("dns").resolve(gateway)), "its name server's names are gone");
        assertFalse(Files.exists(netnsDir().resolve("rules").resolve(bridge)), "its rules marker is gone");
        assertFalse(Files.exists(records), "its record and leases are gone");

        long holder = pidIn("holder.pid");
        long slirp = pidIn("slirp.pid");
        String namespace = holderNamespace(holder);
        assertEquals(List.of(slirp), holderSlirps());
        new ProcessBuilder("kill", "-9", Long.toString(holder)).start().waitFor();
        io.jpod.tests.support.Await.await("slirp4netns of the killed holder exits", Duration.ofSeconds(60),
                () -> ProcFs.read(slirp).isEmpty() && ProcFs.read(holder).isEmpty());
        // nothing is left in the namespace: with it went its bridges, veths, rules and the name server (the holder itself)
        assertEquals(List.of(), processesIn(namespace), "no process holds the killed holder's namespace");
        assertEquals(List.of(), holderSlirps());
        env.ok("run", "-d", "--name", "web3", "--network", "neta", image, "httpd", "-f", "-p", "80", "-h", "/www");
        Result again = fetch("neta", "http://web3/");
        assertEquals(0, again.exitCode(), () -> "the next run works on a new holder: " + again);
        long newHolder = pidIn("holder.pid");
        assertNotEquals(holder, newHolder);

        long newSlirp = pidIn("slirp.pid");
        String newNamespace = holderNamespace(newHolder);
        assertEquals(List.of(newSlirp), holderSlirps(), "one slirp4netns: the killed holder's is not back");
        env.ok("rm", "-f", "web", "web3");
        env.ok("system", "reset", "-f");
        io.jpod.tests.support.Await.await("the holder and its slirp4netns are gone after system reset", Duration.ofSeconds(60),
                () -> ProcFs.read(newHolder).isEmpty() && ProcFs.read(newSlirp).isEmpty());
        assertEquals(List.of(), processesIn(newNamespace), "no process holds the namespace after system reset");
        assertEquals(List.of(), holderSlirps());
        assertFalse(Files.exists(netnsDir()), "the namespace's run dir (pids, names, rules markers, slirp socket) is gone");
        Path networks = env.storageRoot().resolve("networks");
        if (Files.exists(networks)) {
            try (var left = Files.list(networks)) {
                assertEquals(List.of(), left.toList(), "no network records or leases are left");
            }
        }
        assertEquals("podman\n", env.ok("network", "ls", "-q").stdout());

        // and the next run works: a new network, a new holder, found by name
        env.ok("network", "create", "netd");
        env.ok("run", "-d", "--name", "web4", "--network", "netd", image, "httpd", "-f", "-p", "80", "-h", "/www");
        Result fresh = fetch("netd", "http://web4/");
        assertEquals("hello from the web container\n", fresh.stdout(), () -> "the first run after system reset: " + fresh);
        assertNotEquals(newHolder, pidIn("holder.pid"));
        env.ok("rm", "-f", "web4");
        env.ok("network", "rm", "netd");
    }
}
