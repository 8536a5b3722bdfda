package io.jpod.engine.network;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.jpod.storage.NetworkLease;
import io.jpod.storage.NetworkRecord;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class BridgeNetworkingTest {
    private static NetworkRecord net(boolean internal, String mtu) {
        return new NetworkRecord("n", "0".repeat(64), "bridge", "podman3", Instant.EPOCH,
                List.of(new NetworkRecord.Subnet("10.89.2.0/24", "10.89.2.1", null)), false, internal, true, Map.of(),
                mtu == null ? Map.of() : Map.of("mtu", mtu), null);
    }

    @Test
    void builtInModesAreNotNetworks() {
        for (String m : new String[] {"slirp4netns", "slirp4netns:mtu=1500", "none", "host", "pasta", "pasta:-T,80", "private"}) {
            assertFalse(BridgeNetworking.isBridge(m), m);
        }
        assertTrue(BridgeNetworking.isBridge("bridge"));
        assertTrue(BridgeNetworking.isBridge("mynet"));
        assertEquals(List.of("podman", "b"), BridgeNetworking.names("bridge,b"));
    }

    @Test
    void rulesIsolateAndAnInternalNetworkHasNoWayOut() {
        String open = BridgeNetworking.rules(net(false, null), "-A");
        assertTrue(open.contains("-A FORWARD -i podman3 -o podman3 -j ACCEPT"), open);
        assertTrue(open.contains("-A FORWARD -i podman3 -o tap0 -j ACCEPT"), open);
        assertTrue(open.contains("-A POSTROUTING -s 10.89.2.0/24 -o tap0 -j MASQUERADE"), open);
        String internal = BridgeNetworking.rules(net(true, null), "-D");
        assertTrue(internal.contains("-D FORWARD -i podman3 -o podman3 -j ACCEPT"), internal);
        assertFalse(internal.contains("tap0"), internal);
    }

    @Test
    void netifRecordForTheHelper() {
        NetworkLease l = new NetworkLease("10.89.2.7", "abcdef0123456789", "web", List.of("www"), "eth1", null);
        assertEquals("eth1\tvjabcdef01231\tpodman3\t10.89.2.7/24\t10.89.2.1/24\t1400\t0",
                BridgeNetworking.netif(net(false, "1400"), l, false));
        assertTrue(BridgeNetworking.hostVeth(l).length() <= 15, "IFNAMSIZ");
        assertTrue(BridgeNetworking.netif(net(false, null), l, true).endsWith("\t65520\t1"), "tap0's MTU by default, and the default route");
    }

    private static NetworkRecord dualStack(boolean internal) {
        return new NetworkRecord("n6", "0".repeat(64), "bridge", "podman4", Instant.EPOCH,
                List.of(new NetworkRecord.Subnet("10.89.3.0/24", "10.89.3.1", null),
                        new NetworkRecord.Subnet("fd12:3456:789a:1::/64", "fd12:3456:789a:1::1", null)), true, internal, true, Map.of(),
                Map.of(), null);
    }

    @Test
    void aDualStackLeaseGivesTheHelperBothAddressesAndIp6tablesItsRules() {
        NetworkLease l = new NetworkLease("10.89.3.2", "abcdef0123456789", "web", List.of(), "eth0", "fd12:3456:789a:1::2");
        assertEquals("eth0\tvjabcdef01230\tpodman4\t10.89.3.2/24\t10.89.3.1/24\t65520\t1\tfd12:3456:789a:1::2/64\tfd12:3456:789a:1::1/64",
                BridgeNetworking.netif(dualStack(false), l, true));
        String open = BridgeNetworking.rules6(dualStack(false), "-A");
        assertTrue(open.contains("-A FORWARD -i podman4 -o podman4 -j ACCEPT"), open);
        assertTrue(open.contains("-A POSTROUTING -s fd12:3456:789a:1::/64 -o tap0 -j MASQUERADE"), open);
        assertFalse(open.contains("10.89."), "IPv4 subnets stay out of ip6tables: " + open);
        String v4 = BridgeNetworking.rules(dualStack(false), "-A");
        assertFalse(v4.contains("fd12"), "and IPv6 ones out of iptables: " + v4);
        String internal = BridgeNetworking.rules6(dualStack(true), "-D");
        assertFalse(internal.contains("tap0"), internal);
    }

    @Test
    void ipv6LeasesComeFromTheSubnetPastTheGateway() {
        NetworkLease taken = new NetworkLease("10.89.3.2", "a".repeat(16), "a", List.of(), "eth0", "fd12:3456:789a:1::2");
        assertEquals("fd12:3456:789a:1::3", Ipv6Ipam.pick(dualStack(false), List.of(taken)));
        assertEquals(null, Ipv6Ipam.pick(net(false, null), List.of()), "an IPv4-only network has no IPv6 leases");
    }
}
