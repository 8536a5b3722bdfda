package io.jpod.tests.e2e;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.jpod.tests.support.Await;
import io.jpod.tests.support.JpodEnv;
import io.jpod.tests.support.RegistryAndJpod;
import io.jpod.tests.support.Result;
import io.jpod.tests.support.TestImage;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.time.Duration;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * Issue 18, names and IPv6: the name server of a user network answers PTR (a container's address → its name) and
 * AAAA; a network created with --ipv6 is dual stack (a random unique local /64 beside the IPv4 subnet, or the one
 * given), its containers reach each other over IPv6 by the name's AAAA record, and names leave with the containers.
 */
@Timeout(value = 8, unit = TimeUnit.MINUTES)
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class NetworkNamesIpv6Test {
    private static final Duration T = Duration.ofSeconds(120);
    /** The IPv6 address of name $1 (AAAA), polled until the server answers: readiness, not timing. */
    private static final String AAAA = "for i in $(seq 100); do a=$(nslookup -type=AAAA \"$1\" 2>/dev/null | awk '/^Address: .*:/{print $2; exit}');"
            + " [ -n \"$a\" ] && { echo \"$a\"; exit 0; }; sleep 0.2; done; exit 1";

    @RegisterExtension
    static final RegistryAndJpod FX = RegistryAndJpod.empty();
    private static JpodEnv env;
    private static String image;

    @BeforeAll
    static void setUp() {
        env = FX.env();
        image = FX.pushAndPull(TestImage.busybox()
                .layer(l -> l.dir("www", 0755).file("www/index.html", "hello over IPv6\n".getBytes(StandardCharsets.UTF_8), 0644))
                .build(), "library/netsix");
    }

    @Test
    @Order(1)
    void reverseLookupAndAnEmptyAaaaOnAnIpv4Network() {
        env.ok("network", "create", "names4");
        env.ok("run", "-d", "--name", "named", "--network", "names4", "--network-alias", "nick", image, "sleep", "600");
        String ip = env.ok("inspect", "--format", "{{.NetworkSettings.Networks.names4.IPAddress}}", "named").stdout().strip();
        Result ptr = env.run(T, "run", "--rm", "--network", "names4", image, "sh", "-c",
                "nslookup " + ip + "; echo ---; nslookup -type=AAAA nick; echo status $?");
        assertEquals(0, ptr.exitCode(), ptr::toString);
        String[] parts = ptr.stdout().split("---");
        assertTrue(parts[0].contains("name = named"), () -> "the reverse lookup of a container's address is its name: " + ptr);
        assertFalse(parts[1].contains("Address: fd") || parts[1].contains("NXDOMAIN") || parts[1].contains("can't find"),
                () -> "an IPv4-only name has no AAAA record but exists: " + ptr);

        env.ok("rm", "-f", "named");
        Result gone = env.run(T, "run", "--rm", "--network", "names4", image, "sh", "-c",
                "nslookup " + ip + " 2>&1 | grep -q 'name = named' && echo ptr; nslookup nick >/dev/null 2>&1 && echo alias; true");
        assertEquals("", gone.stdout(), () -> "the names leave with the container (PTR and alias): " + gone);
        env.ok("network", "rm", "names4");
    }

    @Test
    @Order(2)
    void anIpv6NetworkIsDualStackAndContainersReachEachOtherOverIpv6ByName() throws IOException {
        env.ok("network", "create", "--ipv6", "six");
        String subnets = env.ok("network", "inspect", "--format", "{{.IPv6Enabled}} {{range .Subnets}}{{.Subnet}} {{end}}", "six").stdout().strip();
        assertTrue(subnets.matches("true 10\\.89\\.\\d+\\.0/24 fd[0-9a-f]{2}:[0-9a-f:]+::/64"), subnets);

        env.ok("network", "create", "--subnet", "fd12:3456:789a:1::/64", "--subnet", "10.89.200.0/24", "sixfixed");
        assertEquals("true 10.89.200.0/24 10.89.200.1 fd12:3456:789a:1::/64 fd12:3456:789a:1::1",
                env.ok("network", "inspect", "--format", "{{.IPv6Enabled}}{{range .Subnets}} {{.Subnet}} {{.Gateway}}{{end}}", "sixfixed").stdout().strip());
        Result clash = env.run(T, "network", "create", "--subnet", "fd12:3456:789a:1::/80", "clash");
        assertEquals(125, clash.exitCode(), clash::toString);
        assertEquals("Error: subnet fd12:3456:789a:1::/80 is already used on the host or by another config\n", clash.stderr());
        env.ok("network", "rm", "sixfixed");

        env.ok("run", "-d", "--name", "web6", "--network", "six", image, "httpd", "-f", "-p", "80", "-h", "/www");
        String ip6 = env.ok("inspect", "--format", "{{.NetworkSettings.Networks.six.GlobalIPv6Address}}", "web6").stdout().strip();
        assertTrue(ip6.startsWith(subnets.split(" ")[2].replace("::/64", ":")), () -> ip6 + " in " + subnets);

        Result client = env.run(T, "run", "--rm", "--network", "six", image, "sh", "-c",
                "a=$(sh -c '" + AAAA.replace("'", "'\\''") + "' aaaa web6) || exit 3; echo \"aaaa $a\";"
                        + " ip -6 addr show eth0 | grep -q 'inet6 fd' && echo own;"
                        + " for i in $(seq 100); do timeout 5 wget -q -O- \"http://[$a]/\" && break; sleep 0.2; done;"
                        + " nslookup \"$a\" | grep -o 'name = web6'");
        assertEquals(0, client.exitCode(), client::toString);
        assertTrue(client.stdout().contains("aaaa " + ip6 + "\n"), () -> "web6's AAAA record is its address: " + client);
        assertTrue(client.stdout().contains("own\n"), () -> "the client has an IPv6 address of the network: " + client);
        assertTrue(client.stdout().contains("hello over IPv6\n"), () -> "fetched over IPv6 by name: " + client);
        assertTrue(client.stdout().contains("name = web6"), () -> "the reverse lookup of the IPv6 address: " + client);
        // the way out over IPv6: slirp4netns (--enable-ipv6) gives the holder's tap0 an address and a default route by
        // router advertisement (accepted although the holder forwards); the container's default route leads there
        long holder = Long.parseLong(Files.readString(env.runRoot().resolve("netns/holder.pid")).strip());
        String[] route = {""};
        Await.await("the holder's IPv6 default route through slirp4netns", Duration.ofSeconds(60), () -> {
            try {
                Process p = new ProcessBuilder("nsenter", "-t", Long.toString(holder), "-n", "ip", "-6", "route", "show", "default")
                        .redirectErrorStream(true).start();
                route[0] = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
                return p.waitFor(30, TimeUnit.SECONDS) && route[0].contains("dev tap0");
            } catch (IOException e) {
                return false;
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return false;
            }
        });

        env.ok("rm", "-f", "web6");
        env.ok("network", "rm", "six");
    }

    @Test
    @Order(3)
    void aPodOnANetworkIsFoundByThePodsName() {
        env.ok("network", "create", "podnet");
        env.ok("pod", "create", "--name", "shop", "--network", "podnet");
        env.ok("run", "-d", "--name", "shopweb", "--pod", "shop", image, "httpd", "-f", "-p", "80", "-h", "/www");
        Result byPod = env.run(T, "run", "--rm", "--network", "podnet", image, "sh", "-c",
                "for i in $(seq 150); do timeout 5 wget -q -O- http://shop/ && exit 0; sleep 0.2; done; exit 1");
        assertEquals("hello over IPv6\n", byPod.stdout(), () -> "the pod's container is reached by the pod's name: " + byPod);
        Result inside = env.ok("exec", "shopweb", "sh", "-c", "ip -4 -o addr show eth0; cat /etc/resolv.conf");
        assertTrue(inside.stdout().contains("inet 10.89.") && inside.stdout().contains("nameserver 10.89."),
                () -> "the pod's containers share its address and name server: " + inside);

        Result inUse = env.run(T, "network", "rm", "podnet");
        assertEquals(125, inUse.exitCode(), inUse::toString);
        assertTrue(inUse.stderr().contains("pod shop"), inUse::toString);
        env.ok("pod", "rm", "-f", "shop");
        Result gone = env.run(T, "run", "--rm", "--network", "podnet", image, "sh", "-c", "nslookup shop >/dev/null 2>&1 && echo found; true");
        assertEquals("", gone.stdout(), () -> "the pod's name leaves with the pod: " + gone);
        env.ok("network", "rm", "podnet");
    }
}
