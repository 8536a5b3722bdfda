package io.jpod.network;

import java.io.Closeable;
import java.io.IOException;
import java.net.BindException;
import java.net.DatagramSocket;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;

/**
 * Checks, before the container starts, that every host port can be bound, and picks free ports for mappings without
 * one. The sockets stay bound until {@link #close()} so the ports chosen in one call cannot collide; they are closed
 * just before slirp4netns binds the same ports.
 */
public final class PortReservation implements Closeable {
    private final List<PortMapping> mappings;
    private final List<Closeable> sockets;

    private PortReservation(List<PortMapping> mappings, List<Closeable> sockets) {
        this.mappings = List.copyOf(mappings);
        this.sockets = sockets;
    }

    /** The mappings with every host port chosen. */
    public List<PortMapping> mappings() {
        return mappings;
    }

    /** Binds every requested host port (a free one where none was given); a port in use is a one-line error. */
    public static PortReservation reserve(List<PortMapping> requested) {
        List<Closeable> sockets = new ArrayList<>();
        List<PortMapping> resolved = new ArrayList<>();
        Set<String> seen = new HashSet<>();
        try {
            for (PortMapping m : requested) {
                if (m.hostPort() != 0 && !seen.add(m.protocol() + " " + m.hostIp() + " " + m.hostPort())) {
                    throw new NetworkException("host port " + m.hostPort() + "/" + m.protocol() + " on " + m.hostIp()
                            + " is published twice; give each mapping its own host port");
                }
                int port = bind(m, sockets);
                resolved.add(m.withHostPort(port));
            }
            return new PortReservation(resolved, sockets);
        } catch (RuntimeException e) {
            closeAll(sockets);
            throw e;
        }
    }

    private static int bind(PortMapping m, List<Closeable> sockets) {
        InetSocketAddress address;
        try {
            address = new InetSocketAddress(InetAddress.getByName(m.hostIp()), m.hostPort());
        } catch (IOException e) {
            throw new NetworkException("invalid host address " + m.hostIp() + " for port " + m.containerPort());
        }
        try {
            if (m.protocol().equals("udp")) {
                DatagramSocket s = new DatagramSocket(null);
                sockets.add(s);
                s.bind(address);
                return s.getLocalPort();
            }
            ServerSocket s = new ServerSocket();
            sockets.add(s);
            s.bind(address, 1);
            return s.getLocalPort();
        } catch (IOException e) {
            String where = m.hostIp() + ":" + m.hostPort() + "/" + m.protocol();
            if (isPermission(e) && m.hostPort() != 0 && m.hostPort() < unprivilegedPortStart()) {
                throw new NetworkException("cannot publish host port " + where + ": ports below " + unprivilegedPortStart()
                        + " need privileges; use a higher host port (or lower sysctl net.ipv4.ip_unprivileged_port_start)");
            }
            if (e instanceof BindException && String.valueOf(e.getMessage()).contains("in use")) {
                throw new PortInUseException("host port " + m.hostPort() + " (" + where + ") is already in use;"
                        + " choose another host port or stop what uses it");
            }
            throw new NetworkException("cannot publish host port " + where + ": " + e.getMessage()
                    + "; check the host address");
        }
    }

    private static boolean isPermission(IOException e) {
        String msg = String.valueOf(e.getMessage()).toLowerCase(java.util.Locale.ROOT);
        return msg.contains("permission denied") || msg.contains("not permitted");
    }

    static int unprivilegedPortStart() {
        try {
            // A stream, not Files.readString: /proc files report size 0 and readString was seen returning a prefix.
            try (var in = Files.newInputStream(Path.of("/proc/sys/net/ipv4/ip_unprivileged_port_start"))) {
                return Integer.parseInt(new String(in.readAllBytes(), java.nio.charset.StandardCharsets.US_ASCII).strip());
            }
        } catch (IOException | NumberFormatException e) {
            return 1024;
        }
    }

    /** Releases the ports for slirp4netns (or pasta) to bind. */
    @Override
    public void close() {
        closeAll(sockets);
    }

    private static void closeAll(List<Closeable> sockets) {
        for (Closeable c : sockets) {
            try {
                c.close();
            } catch (IOException e) {
                // closing a bound socket does not fail in a way that matters here
            }
        }
        sockets.clear();
    }
}
