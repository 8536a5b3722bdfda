package io.jpod.network;

import java.util.Objects;

/**
 * One published port: traffic to {@code hostIp:hostPort} on the host reaches {@code containerPort} in the container.
 *
 * @param hostIp        IPv4 address on the host ("0.0.0.0": all addresses, podman's default)
 * @param hostPort      1..65535, or 0 while a free port is still to be chosen
 * @param containerPort 1..65535
 * @param protocol      "tcp" or "udp"
 */
public record PortMapping(String hostIp, int hostPort, int containerPort, String protocol) {
    public static final String ALL_ADDRESSES = "0.0.0.0";

    public PortMapping {
        Objects.requireNonNull(hostIp, "hostIp");
        Objects.requireNonNull(protocol, "protocol");
        if (hostPort < 0 || hostPort > 65535 || containerPort < 1 || containerPort > 65535) {
            throw new IllegalArgumentException("port out of range: " + hostPort + ":" + containerPort);
        }
        if (!protocol.equals("tcp") && !protocol.equals("udp")) {
            throw new IllegalArgumentException("protocol must be tcp or udp: " + protocol);
        }
    }

    public PortMapping withHostPort(int port) {
        return new PortMapping(hostIp, port, containerPort, protocol);
    }

    /** podman's `port` line: {@code 80/tcp -> 127.0.0.1:8080}. */
    public String describe() {
        return containerPort + "/" + protocol + " -> " + hostIp + ":" + hostPort;
    }

    /** The helper's {@code port=} record value: {@code tcp<TAB>127.0.0.1<TAB>8080<TAB>80}. */
    public String specValue() {
        return protocol + '\t' + hostIp + '\t' + hostPort + '\t' + containerPort;
    }
}
