package io.jpod.network;

import java.util.Locale;

/**
 * The options of {@code --network slirp4netns:KEY=VALUE,...} (podman's names). The addresses the container sees are
 * derived from the CIDR the way slirp4netns assigns them: the gateway (the host) at .2, the DNS forwarder at .3 and
 * the container at .100.
 *
 * @param allowHostLoopback the container may reach the host's 127.0.0.1 through the gateway address
 * @param mtu               the MTU of tap0
 * @param enableIpv6        also give the container fd00::100/64 (gateway fd00::2, DNS fd00::3)
 * @param cidr              the IPv4 network of tap0
 */
public record SlirpOptions(boolean allowHostLoopback, int mtu, boolean enableIpv6, String cidr) {
    public static final String DEFAULT_CIDR = "10.0.2.0/24";
    public static final int DEFAULT_MTU = 65520;
    public static final SlirpOptions DEFAULTS = new SlirpOptions(false, DEFAULT_MTU, false, DEFAULT_CIDR);
    public static final String IPV6_DNS = "fd00::3";

    public SlirpOptions {
        if (mtu < 68 || mtu > 65521) {
            throw new NetworkException("invalid slirp4netns mtu " + mtu + ": use a value from 68 to 65521");
        }
        base(cidr); // validates
    }

    /** {@code a=b,c=d} after {@code slirp4netns:}; empty or null gives the defaults. */
    public static SlirpOptions parse(String options) {
        boolean loopback = false;
        boolean ipv6 = false;
        int mtu = DEFAULT_MTU;
        String cidr = DEFAULT_CIDR;
        if (options == null || options.isEmpty()) {
            return DEFAULTS;
        }
        for (String opt : options.split(",")) {
            int eq = opt.indexOf('=');
            String key = eq < 0 ? opt : opt.substring(0, eq);
            String value = eq < 0 ? "" : opt.substring(eq + 1);
            switch (key) {
                case "allow_host_loopback" -> loopback = bool(key, value);
                case "enable_ipv6" -> ipv6 = bool(key, value);
                case "mtu" -> {
                    try {
                        mtu = Integer.parseInt(value);
                    } catch (NumberFormatException e) {
                        throw new NetworkException("invalid slirp4netns option mtu=" + value + ": use a number from 68 to 65521");
                    }
                }
                case "cidr" -> cidr = value;
                case "port_handler" -> {
                    if (!value.equals("slirp4netns")) {
                        throw new NetworkException("slirp4netns port_handler=" + value + " is not supported: jpod forwards"
                                + " ports through slirp4netns itself; use port_handler=slirp4netns or leave it out");
                    }
                }
                default -> throw new NetworkException("unknown slirp4netns option \"" + opt + "\"; use allow_host_loopback,"
                        + " mtu, port_handler, enable_ipv6 or cidr");
            }
        }
        return new SlirpOptions(loopback, mtu, ipv6, cidr);
    }

    private static boolean bool(String key, String value) {
        return switch (value.toLowerCase(Locale.ROOT)) {
            case "true", "" -> true;
            case "false" -> false;
            default -> throw new NetworkException("invalid slirp4netns option " + key + "=" + value + ": use true or false");
        };
    }

    /** The host as the container sees it (host.containers.internal). */
    public String gateway() {
        return address(2);
    }

    /** slirp4netns's DNS forwarder. */
    public String dns() {
        return address(3);
    }

    /** The container's own address on tap0. */
    public String guestAddress() {
        return address(100);
    }

    private String address(int offset) {
        long a = base(cidr) + offset;
        return ((a >> 24) & 255) + "." + ((a >> 16) & 255) + "." + ((a >> 8) & 255) + "." + (a & 255);
    }

    /** The network address of {@code cidr}; the prefix must leave room for .100 (at most /25). */
    private static long base(String cidr) {
        int slash = cidr == null ? -1 : cidr.indexOf('/');
        if (slash < 0 || !PortParser.isIpv4(cidr.substring(0, slash))) {
            throw new NetworkException("invalid slirp4netns cidr \"" + cidr + "\": use an IPv4 network like 10.0.2.0/24");
        }
        int prefix;
        try {
            prefix = Integer.parseInt(cidr.substring(slash + 1));
        } catch (NumberFormatException e) {
            prefix = -1;
        }
        if (prefix < 1 || prefix > 25) {
            throw new NetworkException("invalid slirp4netns cidr \"" + cidr + "\": the prefix must be 1 to 25 bits");
        }
        long ip = 0;
        for (String p : cidr.substring(0, slash).split("\\.")) {
            ip = (ip << 8) | Integer.parseInt(p);
        }
        long mask = (0xffffffffL << (32 - prefix)) & 0xffffffffL;
        return ip & mask;
    }
}
