package io.jpod.network;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * What a container's network needs from the host: the slirp4netns (or pasta) binary, the mode's options and the
 * contents of the per-container /etc files. The namespace itself is created by the helper.
 *
 * @param mode         the --network mode
 * @param slirp4netns  the slirp4netns binary (slirp4netns mode only)
 * @param mtu          tap0's MTU (slirp4netns mode), else 0
 * @param slirp        slirp4netns's options (the defaults for the other modes)
 * @param pasta        the pasta binary (pasta mode only)
 * @param pastaOptions extra pasta arguments from {@code --network pasta:ARG,ARG}
 */
public record NetworkSetup(NetworkMode mode, Path slirp4netns, int mtu, SlirpOptions slirp, Path pasta, List<String> pastaOptions) {
    /** slirp4netns's built-in DNS forwarder on its default virtual network 10.0.2.0/24. */
    public static final String SLIRP_DNS = "10.0.2.3";
    public static final int DEFAULT_MTU = SlirpOptions.DEFAULT_MTU;

    public NetworkSetup {
        pastaOptions = List.copyOf(pastaOptions);
    }

    public NetworkSetup(NetworkMode mode, Path slirp4netns, int mtu) {
        this(mode, slirp4netns, mtu, SlirpOptions.DEFAULTS, null, List.of());
    }

    public static NetworkSetup of(NetworkMode mode, Map<String, String> env) {
        return of(mode.flag(), env);
    }

    /** From the whole {@code --network} value, options included; finds the binary the mode needs. */
    public static NetworkSetup of(String network, Map<String, String> env) {
        NetworkMode mode = NetworkMode.parse(network);
        String options = NetworkMode.options(network);
        return switch (mode) {
            case SLIRP4NETNS -> {
                SlirpOptions slirp = SlirpOptions.parse(options);
                yield new NetworkSetup(mode, locateSlirp4netns(env), slirp.mtu(), slirp, null, List.of());
            }
            case PASTA -> new NetworkSetup(mode, null, 0, SlirpOptions.DEFAULTS, locate(env, "pasta",
                    "pasta is not installed; install it (Debian/Ubuntu: apt-get install passt) or use --network slirp4netns"),
                    options.isEmpty() ? List.of() : List.of(options.split(",")));
            default -> {
                if (!options.isEmpty()) {
                    throw new NetworkException("--network " + mode.flag() + " takes no options (got \"" + options + "\")");
                }
                yield new NetworkSetup(mode, null, 0);
            }
        };
    }

    static Path locateSlirp4netns(Map<String, String> env) {
        return locate(env, "slirp4netns", "slirp4netns is not installed; install it (Debian/Ubuntu: apt-get install slirp4netns)"
                + " or run the container with --network none");
    }

    private static Path locate(Map<String, String> env, String name, String missing) {
        String path = env.getOrDefault("PATH", "") + ":/usr/bin:/usr/local/bin:/bin";
        for (String dir : path.split(":")) {
            if (!dir.isEmpty() && Files.isExecutable(Path.of(dir, name))) {
                return Path.of(dir, name);
            }
        }
        throw new NetworkException(missing);
    }

    /** /etc/hosts for the container: loopback names plus its own hostname (and name), the host, and --add-host. */
    public String hostsFile(String hostname, String containerName, List<String> extraHosts) {
        StringBuilder sb = new StringBuilder();
        sb.append("127.0.0.1\tlocalhost localhost.localdomain\n");
        sb.append("::1\tlocalhost localhost.localdomain ip6-localhost ip6-loopback\n");
        // podman writes both, even when they are the same ("--name c --hostname c" gives "IP c c")
        String names = hostname + (containerName != null ? " " + containerName : "");
        if (mode == NetworkMode.SLIRP4NETNS) {
            // rootless podman names the host by its own address; slirp's gateway only if the host has none
            sb.append(HostAddress.first().orElse(slirp.gateway())).append("\thost.containers.internal\n");
            sb.append(slirp.guestAddress()).append('\t').append(names).append('\n');
        } else if (mode == NetworkMode.NONE || mode == NetworkMode.PASTA) {
            sb.append("127.0.1.1\t").append(names).append('\n');
        }
        for (String h : extraHosts) {
            int colon = h.indexOf(':');
            if (colon <= 0 || colon == h.length() - 1) {
                throw new NetworkException("invalid --add-host \"" + h + "\": use HOST:IP");
            }
            sb.append(h.substring(colon + 1)).append('\t').append(h, 0, colon).append('\n');
        }
        return sb.toString();
    }

    /** /etc/resolv.conf: slirp's forwarder by default, or the host's file for --network host. */
    public String resolvConf(String hostResolvConf) {
        return resolvConf(DnsOptions.DEFAULTS, hostResolvConf);
    }

    /**
     * /etc/resolv.conf: the --dns servers, or slirp's forwarder (slirp4netns), the host's servers (host, pasta) or
     * none (none); search domains and options from the flags or the host's file.
     */
    public String resolvConf(DnsOptions dns, String hostResolvConf) {
        if (mode == NetworkMode.HOST && dns.isDefault() && hostResolvConf != null) {
            return hostResolvConf;
        }
        List<String> servers = new ArrayList<>();
        switch (mode) {
            case SLIRP4NETNS -> {
                servers.add(slirp.dns());
                if (slirp.enableIpv6()) {
                    servers.add(SlirpOptions.IPV6_DNS);
                }
            }
            case HOST, PASTA -> servers.addAll(DnsOptions.nameservers(hostResolvConf));
            case NONE -> {
                if (dns.isDefault()) {
                    return "";
                }
            }
        }
        return dns.resolvConf(servers, hostResolvConf);
    }
}
