package io.jpod.network;

import java.net.Inet4Address;
import java.net.InetAddress;
import java.net.NetworkInterface;
import java.net.SocketException;
import java.util.Comparator;
import java.util.List;
import java.util.Optional;

/**
 * The host's own address as a rootless container names it ({@code host.containers.internal}): as podman does
 * rootless, the first address of the host's interfaces (in interface order) that is not a loopback one, IPv4
 * preferred. A container behind slirp4netns reaches it through slirp's outgoing sockets, which run on the host.
 */
public final class HostAddress {
    private HostAddress() {
    }

    /** The address, or empty when the host has only loopback addresses (or its interfaces cannot be listed). */
    public static Optional<String> first() {
        List<NetworkInterface> interfaces;
        try {
            interfaces = NetworkInterface.networkInterfaces()
                    .sorted(Comparator.comparingInt(NetworkInterface::getIndex)).toList();
        } catch (SocketException e) {
            return Optional.empty();
        }
        String ipv6 = null;
        for (NetworkInterface i : interfaces) {
            for (InetAddress a : i.inetAddresses().toList()) {
                if (a.isLoopbackAddress()) {
                    continue;
                }
                if (a instanceof Inet4Address) {
                    return Optional.of(a.getHostAddress());
                }
                if (ipv6 == null && !a.isLinkLocalAddress()) {
                    ipv6 = a.getHostAddress().replaceFirst("%.*$", "");
                }
            }
        }
        return Optional.ofNullable(ipv6);
    }
}
