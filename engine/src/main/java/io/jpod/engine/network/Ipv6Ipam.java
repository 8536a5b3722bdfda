package io.jpod.engine.network;

import io.jpod.engine.EngineException;

import io.jpod.network.Ipv6Subnet;
import io.jpod.network.NetworkException;
import io.jpod.storage.NetworkLease;
import io.jpod.storage.NetworkRecord;

import java.math.BigInteger;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;

/**
 * The IPv6 half of a dual-stack user network ({@code network create --ipv6}, or an IPv6 {@code --subnet}): one
 * IPv6 subnet beside the IPv4 one (which is always there, first: the name server, NAT and published ports are
 * IPv4), its gateway the subnet's first address unless given, container addresses from the second on. Without a
 * subnet given, a random unique local /64 as podman picks it.
 */
public final class Ipv6Ipam {
    private static final Path KERNEL_IPV6 = Path.of("/proc/sys/net/ipv6");

    private Ipv6Ipam() {
    }

    /** The IPv6 subnets asked for (parsed) and their gateways (null: the first address), in the order given. */
    record Plan(boolean enabled, Ipv6Subnet subnet, BigInteger gateway) {
    }

    /** Whether the kernel has IPv6 at all (booted with ipv6.disable=1 it has no /proc/sys/net/ipv6). */
    static boolean kernelHasIpv6() {
        return Files.isDirectory(KERNEL_IPV6);
    }

    /** The IPv4 part of a create request: its subnets with their gateways and ranges (paired by position, as podman). */
    static NetworkCreateOptions ipv4Part(NetworkCreateOptions req) {
        List<String> subnets = new ArrayList<>();
        List<String> gateways = new ArrayList<>();
        List<String> ranges = new ArrayList<>();
        for (int i = 0; i < Math.max(req.subnets().size(), Math.max(req.gateways().size(), req.ipRanges().size())); i++) {
            boolean v6 = i < req.subnets().size() && Ipv6Subnet.isIpv6(req.subnets().get(i));
            if (v6) {
                continue;
            }
            if (i < req.subnets().size()) {
                subnets.add(req.subnets().get(i));
            }
            if (i < req.gateways().size()) {
                gateways.add(req.gateways().get(i));
            }
            if (i < req.ipRanges().size()) {
                ranges.add(req.ipRanges().get(i));
            }
        }
        return new NetworkCreateOptions(req.name(), req.driver(), subnets, gateways, ranges, req.internal(), req.disableDns(),
                req.labels(), req.options(), false);
    }

    /** Checks the IPv6 part of a create request: one subnet at most, its gateway inside, the kernel able. */
    static Plan plan(NetworkCreateOptions req) {
        Ipv6Subnet subnet = null;
        BigInteger gateway = null;
        for (int i = 0; i < req.subnets().size(); i++) {
            String s = req.subnets().get(i);
            if (!Ipv6Subnet.isIpv6(s)) {
                continue;
            }
            if (subnet != null) {
                throw new EngineException("jpod's networks take one IPv6 subnet; " + s + " is a second one");
            }
            try {
                subnet = Ipv6Subnet.parse(s);
            } catch (NetworkException e) {
                throw new EngineException(e.getMessage());
            }
            if (subnet.prefix() > 120) {
                throw new EngineException("IPv6 subnet " + subnet + " is too small: use a prefix of /120 or shorter (podman: /64)");
            }
            if (i < req.ipRanges().size()) {
                throw new EngineException("--ip-range " + req.ipRanges().get(i) + ": lease ranges of IPv6 subnets are not supported");
            }
            if (i < req.gateways().size()) {
                String g = req.gateways().get(i);
                gateway = Ipv6Subnet.address(g);
                if (gateway == null) {
                    throw new EngineException("invalid argument \"" + g + "\" for \"--gateway\" flag: invalid string being converted to IP address: " + g);
                }
                if (!subnet.contains(gateway) || gateway.equals(subnet.base())) {
                    throw new EngineException("gateway " + g + " not in subnet " + subnet);
                }
            }
        }
        boolean enabled = req.ipv6() || subnet != null;
        if (enabled && !kernelHasIpv6()) {
            throw new EngineException("--ipv6: this kernel has no IPv6 (" + KERNEL_IPV6 + " is missing: booted with ipv6.disable=1?);"
                    + " create the network without --ipv6 or an IPv6 --subnet");
        }
        return new Plan(enabled, subnet, gateway);
    }

    /** The network's IPv6 subnet record (none when not enabled), clear of every other network's. */
    static List<NetworkRecord.Subnet> subnets(Plan p, List<NetworkRecord> existing) {
        if (!p.enabled()) {
            return List.of();
        }
        List<Ipv6Subnet> used = new ArrayList<>();
        used.add(Ipv6Subnet.parse("fd00::/64")); // slirp4netns's own, on tap0
        for (NetworkRecord n : existing) {
            for (NetworkRecord.Subnet s : n.subnets()) {
                if (Ipv6Subnet.isIpv6(s.subnet())) {
                    used.add(Ipv6Subnet.parse(s.subnet()));
                }
            }
        }
        Ipv6Subnet subnet = p.subnet();
        if (subnet == null) {
            SecureRandom random = new SecureRandom();
            do {
                subnet = Ipv6Subnet.randomUniqueLocal(random);
            } while (overlapsAny(subnet, used));
        } else if (overlapsAny(subnet, used)) {
            throw new EngineException("subnet " + subnet + " is already used on the host or by another config");
        }
        BigInteger gw = p.gateway() != null ? p.gateway() : subnet.base().add(BigInteger.ONE);
        return List.of(new NetworkRecord.Subnet(subnet.toString(), Ipv6Subnet.format(gw), null));
    }

    private static boolean overlapsAny(Ipv6Subnet s, List<Ipv6Subnet> used) {
        return used.stream().anyMatch(s::overlaps);
    }

    /** The network's IPv6 subnet record, or null for an IPv4-only network. */
    public static NetworkRecord.Subnet ipv6Subnet(NetworkRecord n) {
        return n.subnets().stream().filter(s -> Ipv6Subnet.isIpv6(s.subnet())).findFirst().orElse(null);
    }

    /** A free IPv6 address of the network for a new lease (under the store lock), or null for an IPv4-only network. */
    static String pick(NetworkRecord n, List<NetworkLease> leases) {
        NetworkRecord.Subnet s = ipv6Subnet(n);
        if (s == null) {
            return null;
        }
        Ipv6Subnet subnet = Ipv6Subnet.parse(s.subnet());
        Set<BigInteger> taken = new HashSet<>();
        taken.add(Ipv6Subnet.address(s.gateway()));
        for (NetworkLease l : leases) {
            if (l.ipv6() != null) {
                taken.add(Ipv6Subnet.address(l.ipv6()));
            }
        }
        for (BigInteger a = subnet.base().add(BigInteger.ONE); a.compareTo(subnet.last()) < 0; a = a.add(BigInteger.ONE)) {
            if (!taken.contains(a)) {
                return Ipv6Subnet.format(a);
            }
        }
        throw new EngineException("IPAM error: failed to find free IP in subnet " + subnet);
    }

    /** The IPv6 subnets of networks, skipped where IPv4 subnets are compared. */
    static boolean isIpv6(NetworkRecord.Subnet s) {
        return Ipv6Subnet.isIpv6(s.subnet());
    }
}
