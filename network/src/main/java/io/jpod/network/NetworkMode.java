package io.jpod.network;

/** The --network modes jpod supports. */
public enum NetworkMode {
    /** A private network namespace reaching out through slirp4netns (the rootless default). */
    SLIRP4NETNS("slirp4netns"),
    /** A private network namespace with only loopback. */
    NONE("none"),
    /** The host's network namespace. */
    HOST("host"),
    /** A private network namespace reaching out through pasta (package passt). */
    PASTA("pasta"),
    /** A veth into a user-defined network's bridge in the user's network namespace (`--network NAME`, `bridge`). */
    BRIDGE("bridge");

    private final String flag;

    NetworkMode(String flag) {
        this.flag = flag;
    }

    /** The name used on the command line and in the helper's spec. */
    public String flag() {
        return flag;
    }

    /** The options after the mode's colon ({@code slirp4netns:mtu=1500} gives {@code mtu=1500}), or "". */
    public static String options(String value) {
        int colon = value.indexOf(':');
        return colon < 0 ? "" : value.substring(colon + 1);
    }

    public static NetworkMode parse(String value) {
        String base = value.contains(":") ? value.substring(0, value.indexOf(':')) : value;
        for (NetworkMode m : values()) {
            if (m.flag.equals(base)) {
                return m;
            }
        }
        if (base.equals("private")) {
            return SLIRP4NETNS;
        }
        if (base.equals("ns") || base.equals("container") || base.isEmpty()) {
            throw new NetworkException("unknown network mode \"" + value + "\"; use slirp4netns, pasta, none, host, bridge or a network's name");
        }
        return BRIDGE; // network names (a,b): the engine checks they exist
    }
}
