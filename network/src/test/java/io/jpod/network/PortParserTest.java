package io.jpod.network;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import org.junit.jupiter.api.Test;

class PortParserTest {

    @Test
    void containerPortAloneGetsAFreeHostPortOnAllAddresses() {
        assertEquals(List.of(new PortMapping("0.0.0.0", 0, 80, "tcp")), PortParser.parse("80"));
    }

    @Test
    void hostAndContainerPort() {
        assertEquals(List.of(new PortMapping("0.0.0.0", 8080, 80, "tcp")), PortParser.parse("8080:80"));
    }

    @Test
    void addressHostPortContainerPortAndProtocol() {
        assertEquals(List.of(new PortMapping("127.0.0.1", 5353, 53, "udp")), PortParser.parse("127.0.0.1:5353:53/udp"));
    }

    @Test
    void emptyHostPortWithAddressMeansFree() {
        assertEquals(List.of(new PortMapping("127.0.0.1", 0, 80, "tcp")), PortParser.parse("127.0.0.1::80"));
    }

    @Test
    void rangesPairUp() {
        assertEquals(List.of(new PortMapping("0.0.0.0", 8080, 80, "tcp"), new PortMapping("0.0.0.0", 8081, 81, "tcp"),
                new PortMapping("0.0.0.0", 8082, 82, "tcp")), PortParser.parse("8080-8082:80-82"));
        assertEquals(2, PortParser.parse("90-91/udp").size());
    }

    @Test
    void invalidSpecsAreOneLineErrorsNamingTheSpec() {
        for (String bad : List.of("", "0", "70000", "a:b", "1:2:3:4", "80/sctp", "8080-8081:80", "300.0.0.1:80:80",
                "[::1]:80:80", "82-80", "-1:80")) {
            NetworkException e = assertThrows(NetworkException.class, () -> PortParser.parse(bad), bad);
            assertTrue(e.getMessage().contains("\"" + bad + "\""), e::getMessage);
        }
    }

    @Test
    void exposedPortsBecomeFreeHostPorts() {
        assertEquals(List.of(new PortMapping("0.0.0.0", 0, 80, "tcp"), new PortMapping("0.0.0.0", 0, 53, "udp")),
                PortParser.exposed(List.of("80/tcp", "53/udp")));
    }

    @Test
    void describeAndSpecValue() {
        PortMapping m = new PortMapping("127.0.0.1", 8080, 80, "tcp");
        assertEquals("80/tcp -> 127.0.0.1:8080", m.describe());
        assertEquals("tcp\t127.0.0.1\t8080\t80", m.specValue());
    }
}
