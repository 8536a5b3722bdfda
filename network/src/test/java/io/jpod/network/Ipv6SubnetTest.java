package io.jpod.network;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.math.BigInteger;
import java.security.SecureRandom;
import org.junit.jupiter.api.Test;

class Ipv6SubnetTest {
    @Test
    void parsesClearsHostBitsAndPrintsTheShortForm() {
        assertEquals("fd12:3456:789a:1::/64", Ipv6Subnet.parse("fd12:3456:789a:1:0:0:0:5/64").toString());
        assertEquals("::/0", Ipv6Subnet.parse("fd00::1/0").toString());
        assertEquals("fd00::1", Ipv6Subnet.format(Ipv6Subnet.address("FD00:0000::0001")));
        assertEquals("2001:db8::1:0:0:1", Ipv6Subnet.format(Ipv6Subnet.address("2001:db8:0:0:1:0:0:1")), "the first of two equal runs");
        assertEquals("2001:db8:0:1:1:1:1:1", Ipv6Subnet.format(Ipv6Subnet.address("2001:db8::1:1:1:1:1")), "one zero group stays");
        assertEquals("::", Ipv6Subnet.format(BigInteger.ZERO));
        assertEquals("fd00::ffff", Ipv6Subnet.format(Ipv6Subnet.parse("fd00::/112").last()));
    }

    @Test
    void badInputIsPodmansMessage() {
        for (String bad : new String[] {"fd00::/129", "fd00::", "fd00:::1/64", "fd00::1::2/64", "1:2:3:4:5:6:7:8:9/64", "fd00::g/64", "::ffff:1.2.3.4/96"}) {
            NetworkException e = assertThrows(NetworkException.class, () -> Ipv6Subnet.parse(bad));
            assertEquals("invalid CIDR address: " + bad, e.getMessage());
        }
        assertNull(Ipv6Subnet.address("10.0.0.1"));
        assertTrue(Ipv6Subnet.isIpv6("fd00::/64"));
        assertFalse(Ipv6Subnet.isIpv6("10.0.0.0/8"));
    }

    @Test
    void containsOverlapsAndRandomUniqueLocal() {
        Ipv6Subnet a = Ipv6Subnet.parse("fd00:1::/48");
        assertTrue(a.contains(Ipv6Subnet.address("fd00:1:0:5::9")));
        assertFalse(a.contains(Ipv6Subnet.address("fd00:2::1")));
        assertTrue(a.overlaps(Ipv6Subnet.parse("fd00:1:0:7::/64")));
        assertFalse(a.overlaps(Ipv6Subnet.parse("fd00:2::/64")));
        SecureRandom r = new SecureRandom();
        for (int i = 0; i < 50; i++) {
            Ipv6Subnet u = Ipv6Subnet.randomUniqueLocal(r);
            assertEquals(64, u.prefix());
            assertTrue(u.toString().startsWith("fd"), u::toString);
            assertFalse(u.overlaps(Ipv6Subnet.parse("fd00::/64")), "never slirp4netns's subnet");
            assertEquals(u, Ipv6Subnet.parse(u.toString()));
        }
    }
}
