package io.jpod.network;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;

class Ipv4SubnetTest {
    @Test
    void parsesAndClearsTheHostBitsAsPodmanStoresThem() {
        assertEquals("10.97.3.0/24", Ipv4Subnet.parse("10.97.3.5/24").toString());
        assertEquals("0.0.0.0/0", Ipv4Subnet.parse("1.2.3.4/0").toString());
        assertEquals("10.89.0.255", Ipv4Subnet.format(Ipv4Subnet.parse("10.89.0.0/24").last()));
    }

    @Test
    void badCidrIsPodmansMessage() {
        for (String bad : new String[] {"10.99.0.0/33", "foo", "10.0.0/8", "10.0.0.256/8", "10.0.0.0/+8", "10.0.0.0"}) {
            NetworkException e = assertThrows(NetworkException.class, () -> Ipv4Subnet.parse(bad));
            assertEquals("invalid CIDR address: " + bad, e.getMessage());
        }
        assertNull(Ipv4Subnet.address("1.2.3"));
    }

    @Test
    void containsAndOverlaps() {
        Ipv4Subnet a = Ipv4Subnet.parse("10.88.0.0/16");
        assertTrue(a.contains(Ipv4Subnet.address("10.88.5.1")));
        assertFalse(a.contains(Ipv4Subnet.address("10.89.0.1")));
        assertTrue(a.overlaps(Ipv4Subnet.parse("10.88.5.0/24")));
        assertTrue(Ipv4Subnet.parse("10.88.5.0/24").overlaps(a));
        assertFalse(a.overlaps(Ipv4Subnet.parse("10.89.0.0/24")));
        assertTrue(Ipv4Subnet.parse("192.168.0.0/16").contains(Ipv4Subnet.address("192.168.255.254")), "high bit set");
    }
}
