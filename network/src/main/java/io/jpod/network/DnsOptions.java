package io.jpod.network;

import java.util.ArrayList;
import java.util.List;

/**
 * {@code --dns}, {@code --dns-search} and {@code --dns-option}; each list empty means "the default for the mode".
 * A search list of just "." means no search domains (podman's convention).
 */
public record DnsOptions(List<String> servers, List<String> search, List<String> options) {
    public static final DnsOptions DEFAULTS = new DnsOptions(List.of(), List.of(), List.of());

    public DnsOptions {
        servers = List.copyOf(servers);
        search = List.copyOf(search);
        options = List.copyOf(options);
        for (String s : servers) {
            if (!PortParser.isIpv4(s) && !(s.contains(":") && s.matches("[0-9a-fA-F:.]+"))) {
                throw new NetworkException("invalid --dns \"" + s + "\": use an IPv4 or IPv6 address");
            }
        }
        for (String s : concat(search, options)) {
            if (s.isBlank() || s.chars().anyMatch(c -> c == '\n' || c == '\r' || c == ' ' || c == '\t')) {
                throw new NetworkException("invalid DNS search domain or option \"" + s + "\": one word without spaces");
            }
        }
    }

    public boolean isDefault() {
        return servers.isEmpty() && search.isEmpty() && options.isEmpty();
    }

    /**
     * resolv.conf: the requested servers or {@code defaultServers}, the requested search domains and options or those
     * of the host's file.
     */
    public String resolvConf(List<String> defaultServers, String hostResolvConf) {
        List<String> hostSearch = new ArrayList<>();
        List<String> hostOptions = new ArrayList<>();
        if (hostResolvConf != null) {
            for (String line : hostResolvConf.split("\n")) {
                String[] f = line.strip().split("\\s+");
                if (f.length > 1 && (f[0].equals("search") || f[0].equals("domain"))) {
                    hostSearch.addAll(List.of(f).subList(1, f.length));
                } else if (f.length > 1 && f[0].equals("options")) {
                    hostOptions.addAll(List.of(f).subList(1, f.length));
                }
            }
        }
        List<String> s = search.isEmpty() ? hostSearch : search.equals(List.of(".")) ? List.of() : search;
        List<String> o = options.isEmpty() ? hostOptions : options;
        StringBuilder sb = new StringBuilder();
        if (!s.isEmpty()) {
            sb.append("search ").append(String.join(" ", s)).append('\n');
        }
        for (String server : servers.isEmpty() ? defaultServers : servers) {
            sb.append("nameserver ").append(server).append('\n');
        }
        if (!o.isEmpty()) {
            sb.append("options ").append(String.join(" ", o)).append('\n');
        }
        return sb.toString();
    }

    /** The host's nameserver lines. */
    static List<String> nameservers(String hostResolvConf) {
        List<String> out = new ArrayList<>();
        if (hostResolvConf != null) {
            for (String line : hostResolvConf.split("\n")) {
                String[] f = line.strip().split("\\s+");
                if (f.length > 1 && f[0].equals("nameserver")) {
                    out.add(f[1]);
                }
            }
        }
        return out;
    }

    private static List<String> concat(List<String> a, List<String> b) {
        List<String> out = new ArrayList<>(a);
        out.addAll(b);
        return out;
    }
}
