package io.jpod.network;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;

class NetworkSetupTest {

    private static final String HOST_RESOLV = "domain corp.example\nnameserver 192.0.2.53\noptions edns0\n";

    private static NetworkSetup slirp(String options) {
        SlirpOptions o = SlirpOptions.parse(options);
        return new NetworkSetup(NetworkMode.SLIRP4NETNS, Path.of("/usr/bin/slirp4netns"), o.mtu(), o, null, List.of());
    }

    @Test
    void slirpOptionsParse() {
        SlirpOptions o = SlirpOptions.parse("allow_host_loopback=true,mtu=1500,port_handler=slirp4netns,enable_ipv6=true,cidr=10.0.3.0/24");
        assertTrue(o.allowHostLoopback());
        assertTrue(o.enableIpv6());
        assertEquals(1500, o.mtu());
        assertEquals("10.0.3.2", o.gateway());
        assertEquals("10.0.3.3", o.dns());
        assertEquals("10.0.3.100", o.guestAddress());
        assertEquals(SlirpOptions.DEFAULTS, SlirpOptions.parse(""));
        assertFalse(SlirpOptions.DEFAULTS.allowHostLoopback());
    }

    @Test
    void badSlirpOptionsAreClearErrors() {
        for (String bad : List.of("port_handler=rootlesskit", "mtu=x", "mtu=10", "cidr=10.0.2.0/30", "cidr=nope",
                "allow_host_loopback=maybe", "outbound_addr=eth0")) {
            NetworkException e = assertThrows(NetworkException.class, () -> SlirpOptions.parse(bad), bad);
            assertFalse(e.getMessage().contains("\n"));
        }
        assertTrue(assertThrows(NetworkException.class, () -> SlirpOptions.parse("port_handler=rootlesskit"))
                .getMessage().contains("rootlesskit"));
    }

    @Test
    void modesParseWithOptions() {
        assertEquals(NetworkMode.SLIRP4NETNS, NetworkMode.parse("slirp4netns:mtu=1500"));
        assertEquals("mtu=1500", NetworkMode.options("slirp4netns:mtu=1500"));
        assertEquals(NetworkMode.PASTA, NetworkMode.parse("pasta"));
        assertEquals(NetworkMode.BRIDGE, NetworkMode.parse("bridge"), "podman's default network");
        assertEquals(NetworkMode.BRIDGE, NetworkMode.parse("mynet"), "a user network's name (the engine checks it exists)");
        assertThrows(NetworkException.class, () -> NetworkMode.parse("container:web"));
        assertThrows(NetworkException.class, () -> NetworkSetup.of("none:x=1", java.util.Map.of()));
    }

    @Test
    void hostsNameTheContainerTheHostAndExtraHosts() {
        String hosts = slirp("cidr=10.0.3.0/24").hostsFile("abc123", "web", List.of("db:192.0.2.7"));
        assertTrue(hosts.contains("127.0.0.1\tlocalhost"), hosts);
        // rootless podman: the host's own address (slirp's gateway only when the host has none)
        assertTrue(hosts.contains(HostAddress.first().orElse("10.0.3.2") + "\thost.containers.internal\n"), hosts);
        assertTrue(hosts.contains("10.0.3.100\tabc123 web\n"), hosts);
        String same = slirp("").hostsFile("c1", "c1", List.of());
        assertTrue(same.contains("10.0.2.100\tc1 c1\n"), "podman writes the hostname and the name even when equal: " + same);
        assertTrue(hosts.contains("192.0.2.7\tdb\n"), hosts);
        assertThrows(NetworkException.class, () -> slirp("").hostsFile("h", "n", List.of("nocolon")));
    }

    @Test
    void resolvConfDefaultsToSlirpsForwarderWithTheHostsSearchAndOptions() {
        assertEquals("search corp.example\nnameserver 10.0.2.3\noptions edns0\n", slirp("").resolvConf(HOST_RESOLV));
        assertTrue(slirp("enable_ipv6=true").resolvConf(HOST_RESOLV).contains("nameserver fd00::3\n"));
    }

    @Test
    void dnsFlagsReplaceTheDefaults() {
        DnsOptions dns = new DnsOptions(List.of("192.0.2.1", "2001:db8::1"), List.of("a.example", "b.example"), List.of("ndots:2"));
        assertEquals("search a.example b.example\nnameserver 192.0.2.1\nnameserver 2001:db8::1\noptions ndots:2\n",
                slirp("").resolvConf(dns, HOST_RESOLV));
        DnsOptions noSearch = new DnsOptions(List.of(), List.of("."), List.of());
        assertEquals("nameserver 10.0.2.3\noptions edns0\n", slirp("").resolvConf(noSearch, HOST_RESOLV));
        assertThrows(NetworkException.class, () -> new DnsOptions(List.of("not-an-ip"), List.of(), List.of()));
    }

    @Test
    void hostModeKeepsTheHostsFileAndNoneHasNoServers() {
        assertEquals(HOST_RESOLV, new NetworkSetup(NetworkMode.HOST, null, 0).resolvConf(HOST_RESOLV));
        assertEquals("", new NetworkSetup(NetworkMode.NONE, null, 0).resolvConf(HOST_RESOLV));
    }
}
