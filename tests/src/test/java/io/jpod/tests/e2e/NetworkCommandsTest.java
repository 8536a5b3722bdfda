package io.jpod.tests.e2e;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import com.fasterxml.jackson.databind.JsonNode;
import io.jpod.tests.support.JpodEnv;
import io.jpod.tests.support.PodmanEnv;
import io.jpod.tests.support.Result;
import io.jpod.tests.support.TestUser;
import java.nio.file.Files;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * Issue 18, step 1: `network create|ls|inspect|rm|prune|exists` beside podman 4.3.1 as the reference: the same
 * `network inspect` JSON keys and values (but for ids, times and bridge names), the same error texts and exit codes.
 */
@Timeout(value = 5, unit = TimeUnit.MINUTES)
class NetworkCommandsTest {
    private static final Duration T = Duration.ofSeconds(120);
    private static JpodEnv jpod;
    private static PodmanEnv podman;

    @BeforeAll
    static void setUp() {
        jpod = JpodEnv.create(TestUser.get());
        if (PodmanEnv.available()) {
            podman = PodmanEnv.create(TestUser.get());
        }
    }

    @AfterAll
    static void tearDown() {
        if (podman != null) {
            podman.close();
        }
        if (jpod != null) {
            jpod.close();
        }
    }

    /** The inspect JSON without what differs by nature (id, creation time, the bridge's name). */
    private static JsonNode comparable(Result r) {
        JsonNode n = r.json();
        for (JsonNode net : n) {
            ((com.fasterxml.jackson.databind.node.ObjectNode) net).remove(List.of("id", "created", "network_interface", "dns_enabled"));
        }
        return n;
    }

    private static List<String> keys(JsonNode n) {
        List<String> k = new ArrayList<>();
        for (Iterator<String> it = n.fieldNames(); it.hasNext(); ) {
            k.add(it.next());
        }
        return k;
    }

    @Test
    void createInspectAsPodman() {
        assumeTrue(podman != null, "podman is not installed: it is the reference");
        String[][] creates = {
                {"--subnet", "10.97.3.5/24", "--label", "a=b", "--internal", "n-int"},
                {"--opt", "mtu=1400", "--gateway", "10.98.0.5", "--subnet", "10.98.0.0/16", "--ip-range", "10.98.1.0/24", "--disable-dns", "n-range"},
        };
        for (String[] c : creates) {
            List<String> args = new ArrayList<>(List.of("network", "create"));
            args.addAll(List.of(c));
            Result j = jpod.run(T, args.toArray(String[]::new));
            Result p = podman.run(T, args.toArray(String[]::new));
            assertEquals(0, p.exitCode(), p::toString);
            assertEquals(0, j.exitCode(), j::toString);
            assertEquals(p.stdout(), j.stdout());
            String name = c[c.length - 1];
            Result ji = jpod.run(T, "network", "inspect", name);
            Result pi = podman.run(T, "network", "inspect", name);
            assertEquals(0, ji.exitCode(), ji::toString);
            JsonNode jn = ji.json().get(0);
            assertEquals(keys(pi.json().get(0)).stream().filter(k -> !k.equals("dns_enabled")).toList(),
                    keys(jn).stream().filter(k -> !k.equals("dns_enabled")).toList(), "the keys in podman's order");
            assertEquals(64, jn.get("id").asText().length(), jn::toString);
            if (!name.equals("n-int")) { // podman's CNI backend leaves an internal network's gateway out; netavark and jpod keep it
                assertEquals(comparable(pi), comparable(ji));
            } else {
                assertEquals("10.97.3.0/24", jn.get("subnets").get(0).get("subnet").asText());
                assertTrue(jn.get("internal").asBoolean());
                assertEquals("b", jn.get("labels").get("a").asText());
            }
        }
        // the default network, never stored
        assertEquals(comparable(podman.run(T, "network", "inspect", "podman")), comparable(jpod.run(T, "network", "inspect", "podman")));
        assertEquals(podman.run(T, "network", "ls", "-q").stdout(), jpod.run(T, "network", "ls", "-q").stdout());
        assertEquals(podman.run(T, "network", "ls", "--format", "{{.Name}} {{.Driver}} {{.Internal}} {{.Labels}}").stdout(),
                jpod.run(T, "network", "ls", "--format", "{{.Name}} {{.Driver}} {{.Internal}} {{.Labels}}").stdout());
        assertEquals(podman.run(T, "network", "ls", "--filter", "label=a", "--noheading", "--format", "{{.Name}}").stdout(),
                jpod.run(T, "network", "ls", "--filter", "label=a", "--noheading", "--format", "{{.Name}}").stdout());
        String table = jpod.run(T, "network", "ls").stdout();
        assertTrue(table.startsWith("NETWORK ID    NAME        DRIVER\n"), table);
        assertEquals(podman.run(T, "network", "ls", "--filter", "name=range", "--noheading").stdout().replaceAll("[0-9a-f]{12}", "ID"),
                jpod.run(T, "network", "ls", "--filter", "name=range", "--noheading").stdout().replaceAll("[0-9a-f]{12}", "ID"));

        // podman's errors and exit codes, verbatim
        String[][] bad = {
                {"network", "create", "--subnet", "10.99.0.0/33", "a1"},
                {"network", "create", "--subnet", "foo", "a1"},
                {"network", "create", "--gateway", "10.0.0.1", "a1"},
                {"network", "create", "--subnet", "10.95.0.0/24", "--gateway", "10.96.0.1", "a1"},
                {"network", "create", "--subnet", "10.95.0.0/24", "--ip-range", "10.96.0.0/28", "a1"},
                {"network", "create", "-d", "macvlan2", "a1"},
                {"network", "create", "bad name"},
                {"network", "create", "--subnet", "10.97.3.128/25", "a2"},
                {"network", "create", "--opt", "mtu=abc", "a3"},
                {"network", "create", "--opt", "foo=bar", "a4"},
                {"network", "create", "n-int"},
                {"network", "inspect", "nope"},
                {"network", "rm", "nope"},
                {"network", "rm", "podman"},
                {"network", "exists", "nope"},
                {"network", "ls", "--filter", "bogus=1"},
        };
        for (String[] b : bad) {
            Result j = jpod.run(T, b);
            Result p = podman.run(T, b);
            assertEquals(p.exitCode(), j.exitCode(), () -> String.join(" ", b) + ": podman " + p + " jpod " + j);
            assertEquals(lastLine(p.stderr()), lastLine(j.stderr()), () -> String.join(" ", b));
            assertEquals(p.stdout(), j.stdout(), () -> String.join(" ", b));
        }
        for (String n : List.of("n-int", "n-range")) {
            assertEquals(0, jpod.run(T, "network", "exists", n).exitCode());
        }
        Result rm = jpod.run(T, "network", "rm", "n-int", "n-int");
        assertEquals(1, rm.exitCode(), rm::toString);
        assertEquals("n-int\n", rm.stdout());
        assertEquals(1, jpod.run(T, "network", "exists", "n-int").exitCode());
        podman.run(T, "network", "rm", "n-int", "n-range");
    }

    private static String lastLine(String s) {
        String[] lines = s.strip().split("\n");
        return lines[lines.length - 1];
    }

    @Test
    void unnamedNetworksPruneAndTheRecordsOnDisk() throws Exception {
        Result a = jpod.ok("network", "create");
        Result b = jpod.ok("network", "create", "--label", "keep=1");
        assertTrue(a.stdout().strip().matches("podman[0-9]+"), a::toString);
        assertFalse(a.stdout().equals(b.stdout()), "two unnamed networks get two names");
        JsonNode na = jpod.ok("network", "inspect", a.stdout().strip()).json().get(0);
        JsonNode nb = jpod.ok("network", "inspect", b.stdout().strip()).json().get(0);
        assertTrue(na.get("subnets").get(0).get("subnet").asText().startsWith("10.89."), na::toString);
        assertFalse(na.get("subnets").get(0).get("subnet").asText().equals(nb.get("subnets").get(0).get("subnet").asText()),
                "each network gets its own free subnet");
        assertTrue(na.get("dns_enabled").asBoolean(), "a user network resolves names unless --disable-dns");
        // by id prefix, as podman finds networks
        assertEquals(a.stdout(), jpod.ok("network", "inspect", "--format", "{{.Name}}", na.get("id").asText().substring(0, 10)).stdout());
        assertTrue(Files.isRegularFile(jpod.storageRoot().resolve("networks").resolve(a.stdout().strip()).resolve("network.json")));

        Result prune = jpod.ok("network", "prune", "-f", "--filter", "label!=keep");
        assertEquals(a.stdout(), prune.stdout(), "prune removes only the unused networks that match the filter");
        assertEquals(1, jpod.run(T, "network", "exists", a.stdout().strip()).exitCode());
        assertEquals(0, jpod.run(T, "network", "exists", b.stdout().strip()).exitCode());
        assertEquals(b.stdout(), jpod.ok("network", "prune", "-f").stdout());
        assertEquals("podman\n", jpod.ok("network", "ls", "-q").stdout(), "the default network stays");
        // --ipv6: dual stack, a random unique local /64 beside the free IPv4 subnet (as podman picks them)
        JsonNode six = jpod.ok("network", "inspect", jpod.ok("network", "create", "--ipv6", "six").stdout().strip()).json().get(0);
        assertTrue(six.get("ipv6_enabled").asBoolean(), six::toString);
        assertEquals(2, six.get("subnets").size(), six::toString);
        assertTrue(six.get("subnets").get(0).get("subnet").asText().startsWith("10.89."), six::toString);
        String ula = six.get("subnets").get(1).get("subnet").asText();
        assertTrue(ula.matches("fd[0-9a-f]{2}(:[0-9a-f]{1,4}){3}::/64"), ula);
        assertEquals(ula.replace("::/64", "::1"), six.get("subnets").get(1).get("gateway").asText());
        Result two = jpod.run(T, "network", "create", "--subnet", "fd00:1::/64", "--subnet", "fd00:2::/64", "two6");
        assertEquals(125, two.exitCode(), two::toString);
        assertEquals("Error: jpod's networks take one IPv6 subnet; fd00:2::/64 is a second one\n", two.stderr());
        assertEquals(1, jpod.run(T, "network", "exists", "two6").exitCode(), "nothing half-created");
        jpod.ok("network", "rm", "six");
    }
}
