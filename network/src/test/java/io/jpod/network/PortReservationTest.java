package io.jpod.network;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.net.InetAddress;
import java.net.ServerSocket;
import java.util.List;
import org.junit.jupiter.api.Test;

class PortReservationTest {

    @Test
    void freePortsAreChosenAndDistinct() {
        try (PortReservation r = PortReservation.reserve(List.of(new PortMapping("127.0.0.1", 0, 80, "tcp"),
                new PortMapping("127.0.0.1", 0, 81, "tcp"), new PortMapping("127.0.0.1", 0, 53, "udp")))) {
            List<PortMapping> m = r.mappings();
            assertTrue(m.stream().allMatch(p -> p.hostPort() > 0), m::toString);
            assertNotEquals(m.get(0).hostPort(), m.get(1).hostPort());
            assertEquals(List.of(80, 81, 53), m.stream().map(PortMapping::containerPort).toList());
        }
    }

    @Test
    void aPortInUseIsAnErrorNamingIt() throws Exception {
        try (ServerSocket busy = new ServerSocket(0, 1, InetAddress.getByName("127.0.0.1"))) {
            int port = busy.getLocalPort();
            NetworkException e = assertThrows(NetworkException.class,
                    () -> PortReservation.reserve(List.of(new PortMapping("127.0.0.1", port, 80, "tcp"))));
            assertTrue(e.getMessage().contains(Integer.toString(port)) && e.getMessage().contains("in use"), e::getMessage);
        }
    }

    @Test
    void theSamePortTwiceIsAnError() {
        NetworkException e = assertThrows(NetworkException.class, () -> PortReservation.reserve(List.of(
                new PortMapping("127.0.0.1", 40999, 80, "tcp"), new PortMapping("127.0.0.1", 40999, 81, "tcp"))));
        assertTrue(e.getMessage().contains("40999"), e::getMessage);
    }

    @Test
    void closingReleasesThePorts() throws Exception {
        int port;
        try (PortReservation r = PortReservation.reserve(List.of(new PortMapping("127.0.0.1", 0, 80, "tcp")))) {
            port = r.mappings().get(0).hostPort();
        }
        try (ServerSocket again = new ServerSocket(port, 1, InetAddress.getByName("127.0.0.1"))) {
            assertEquals(port, again.getLocalPort());
        }
    }
}
