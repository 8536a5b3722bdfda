package io.jpod.engine;

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
}
