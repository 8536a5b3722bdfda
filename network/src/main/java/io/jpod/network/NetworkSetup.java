package io.jpod.network;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;

/**
 * What a container's network needs from the host: the slirp4netns binary for the default mode and the
 * contents of the per-container /etc files. The namespace itself is created by the helper.
 */
public record NetworkSetup(NetworkMode mode, Path slirp4netns, int mtu) {
    /** slirp4netns's built-in DNS forwarder on its virtual network 10.0.2.0/24. */
    public static final String SLIRP_DNS = "10.0.2.3";
    public static final int DEFAULT_MTU = 65520;

    public static NetworkSetup of(NetworkMode mode, Map<String, String> env) {
        if (mode != NetworkMode.SLIRP4NETNS) {
            return new NetworkSetup(mode, null, 0);
        }
        return new NetworkSetup(mode, locateSlirp4netns(env), DEFAULT_MTU);
    }

    static Path locateSlirp4netns(Map<String, String> env) {
        String path = env.getOrDefault("PATH", "") + ":/usr/bin:/usr/local/bin:/bin";
        for (String dir : path.split(":")) {
            if (!dir.isEmpty() && Files.isExecutable(Path.of(dir, "slirp4netns"))) {
                return Path.of(dir, "slirp4netns");
            }
        }
        throw new NetworkException("slirp4netns is not installed; install it (Debian/Ubuntu: apt-get install slirp4netns)"
                + " or run the container with --network none");
    }

    /** /etc/hosts for the container: loopback names plus its own hostname (and name). */
    public String hostsFile(String hostname, String containerName, List<String> extraHosts) {
        StringBuilder sb = new StringBuilder();
        sb.append("127.0.0.1\tlocalhost localhost.localdomain\n");
        sb.append("::1\tlocalhost localhost.localdomain ip6-localhost ip6-loopback\n");
        if (mode == NetworkMode.SLIRP4NETNS) {
            sb.append("10.0.2.2\thost.containers.internal\n");
            sb.append("10.0.2.100\t").append(hostname);
            if (containerName != null && !containerName.equals(hostname)) {
                sb.append(' ').append(containerName);
            }
            sb.append('\n');
        } else if (mode == NetworkMode.NONE) {
            sb.append("127.0.1.1\t").append(hostname).append('\n');
        }
        for (String h : extraHosts) {
            int colon = h.indexOf(':');
            if (colon <= 0) {
                throw new NetworkException("invalid --add-host \"" + h + "\": use HOST:IP");
            }
            sb.append(h.substring(colon + 1)).append('\t').append(h, 0, colon).append('\n');
        }
        return sb.toString();
    }

    /** /etc/resolv.conf: slirp's forwarder by default, or the host's file for --network host. */
    public String resolvConf(String hostResolvConf) {
        if (mode == NetworkMode.SLIRP4NETNS) {
            return "nameserver " + SLIRP_DNS + "\n";
        }
        if (mode == NetworkMode.HOST && hostResolvConf != null) {
            return hostResolvConf;
        }
        return "";
    }
}
