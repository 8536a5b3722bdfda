package io.jpod.network;

import java.util.ArrayList;
import java.util.Collection;
import java.util.List;

/** Parses podman's {@code -p/--publish} syntax and turns an image's ExposedPorts into mappings for {@code -P}. */
public final class PortParser {
    private PortParser() {
    }

    /**
     * {@code [ip:][hostPort:]containerPort[/tcp|/udp]}; each port may be a range {@code a-b}. A missing or empty host
     * port means "choose a free one". Host and container ranges must have the same length.
     */
    public static List<PortMapping> parse(String spec) {
        String s = spec.strip();
        String protocol = "tcp";
        int slash = s.lastIndexOf('/');
        if (slash >= 0) {
            protocol = s.substring(slash + 1).toLowerCase(java.util.Locale.ROOT);
            s = s.substring(0, slash);
            if (!protocol.equals("tcp") && !protocol.equals("udp")) {
                throw invalid(spec, "the protocol must be tcp or udp");
            }
        }
        String ip = PortMapping.ALL_ADDRESSES;
        String hostPart = "";
        String containerPart;
        if (s.startsWith("[")) {
            throw invalid(spec, "IPv6 host addresses are not supported; publish on an IPv4 address");
        }
        String[] f = s.split(":", -1);
        switch (f.length) {
            case 1 -> containerPart = f[0];
            case 2 -> {
                hostPart = f[0];
                containerPart = f[1];
            }
            case 3 -> {
                ip = f[0].isEmpty() ? PortMapping.ALL_ADDRESSES : f[0];
                hostPart = f[1];
                containerPart = f[2];
            }
            default -> throw invalid(spec, "use [ip:][hostPort:]containerPort[/tcp|/udp]");
        }
        if (!isIpv4(ip)) {
            throw invalid(spec, "\"" + ip + "\" is not an IPv4 address");
        }
        int[] container = range(spec, containerPart, "container port");
        int count = container[1] - container[0] + 1;
        int[] host = hostPart.isEmpty() ? null : range(spec, hostPart, "host port");
        if (host != null && host[1] - host[0] + 1 != count) {
            throw invalid(spec, "the host port range and the container port range must have the same length");
        }
        List<PortMapping> out = new ArrayList<>(count);
        for (int i = 0; i < count; i++) {
            out.add(new PortMapping(ip, host == null ? 0 : host[0] + i, container[0] + i, protocol));
        }
        return out;
    }

    /** {@code -P}: every ExposedPorts key ({@code 80/tcp}, {@code 53/udp}, {@code 8080}) on a free host port of all addresses. */
    public static List<PortMapping> exposed(Collection<String> exposedPorts) {
        List<PortMapping> out = new ArrayList<>();
        for (String key : exposedPorts) {
            try {
                out.addAll(parse(key));
            } catch (NetworkException e) {
                throw new NetworkException("the image exposes an invalid port \"" + key + "\"; publish ports with -p instead of -P");
            }
        }
        return out;
    }

    private static int[] range(String spec, String text, String what) {
        int dash = text.indexOf('-');
        int a = port(spec, dash < 0 ? text : text.substring(0, dash), what);
        int b = dash < 0 ? a : port(spec, text.substring(dash + 1), what);
        if (b < a) {
            throw invalid(spec, "the " + what + " range " + text + " ends before it starts");
        }
        return new int[] {a, b};
    }

    private static int port(String spec, String text, String what) {
        try {
            int p = Integer.parseInt(text);
            if (p >= 1 && p <= 65535 && text.chars().allMatch(Character::isDigit)) {
                return p;
            }
        } catch (NumberFormatException e) {
            // reported below
        }
        throw invalid(spec, "the " + what + " \"" + text + "\" must be a number from 1 to 65535");
    }

    static boolean isIpv4(String s) {
        String[] parts = s.split("\\.", -1);
        if (parts.length != 4) {
            return false;
        }
        for (String p : parts) {
            if (p.isEmpty() || p.length() > 3 || !p.chars().allMatch(Character::isDigit) || Integer.parseInt(p) > 255) {
                return false;
            }
        }
        return true;
    }

    private static NetworkException invalid(String spec, String why) {
        return new NetworkException("invalid port mapping \"" + spec + "\": " + why);
    }
}
