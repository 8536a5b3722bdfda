package io.jpod.engine.network;

import io.jpod.engine.EngineException;
import io.jpod.network.Ipv4Subnet;
import io.jpod.network.NetworkException;
import io.jpod.storage.NetworkLease;
import io.jpod.storage.NetworkRecord;
import io.jpod.storage.NetworkStore;
import io.jpod.storage.Store;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.security.SecureRandom;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;
import java.util.regex.Pattern;

/**
 * `jpod network …`: user-defined bridge networks kept in the store ({@link NetworkStore}), plus podman's default
 * network {@code podman} (10.88.0.0/16, never stored, never removable). Creation and every lease change happen
 * under the store lock. Messages and exit codes are podman 4.3's.
 */
public final class Networks {
    public static final String DEFAULT = "podman";
    private static final Pattern NAME = Pattern.compile("[a-zA-Z0-9][a-zA-Z0-9_.-]*");
    private static final Ipv4Subnet DEFAULT_SUBNET = Ipv4Subnet.parse("10.88.0.0/16");

    private final Store store;
    private final NetworkStore networks;

    public Networks(Store store) {
        this.store = store;
        this.networks = new NetworkStore(store.root());
    }

    public NetworkRecord create(NetworkCreateOptions asked) {
        Ipv6Ipam.Plan ipv6 = Ipv6Ipam.plan(asked); // the IPv6 subnet (--ipv6, an IPv6 --subnet) beside the IPv4 one below
        NetworkCreateOptions req = Ipv6Ipam.ipv4Part(asked);
        if (req.name() != null && !NAME.matcher(req.name()).matches()) {
            throw new EngineException("network name " + req.name() + " invalid: names must match [a-zA-Z0-9][a-zA-Z0-9_.-]*: invalid argument");
        }
        String driver = req.driver() == null ? "bridge" : req.driver();
        if (!driver.equals("bridge")) {
            throw new EngineException("unsupported driver " + driver + ": invalid argument");
        }
        Map<String, String> options = new TreeMap<>();
        req.options().forEach((k, v) -> {
            if (!k.equals("mtu")) {
                throw new EngineException("unsupported network option " + k);
            }
            int mtu;
            try {
                mtu = Integer.parseInt(v);
            } catch (NumberFormatException e) {
                throw new EngineException("strconv.Atoi: parsing \"" + v + "\": invalid syntax");
            }
            if (mtu < 0) {
                throw new EngineException("mtu " + mtu + " can not be negative");
            }
            options.put(k, v);
        });
        if (req.subnets().isEmpty() && (!req.gateways().isEmpty() || !req.ipRanges().isEmpty())) {
            throw new EngineException("cannot set gateway or range without subnet");
        }
        if (req.gateways().size() > req.subnets().size()) {
            throw new EngineException("cannot set more gateways than subnets");
        }
        if (req.ipRanges().size() > req.subnets().size()) {
            throw new EngineException("cannot set more ranges than subnets");
        }
        List<Ipv4Subnet> subnets = new ArrayList<>();
        List<Integer> gateways = new ArrayList<>();
        List<Ipv4Subnet> ranges = new ArrayList<>();
        try {
            for (String s : req.subnets()) {
                subnets.add(Ipv4Subnet.parse(s));
            }
            for (String r : req.ipRanges()) {
                ranges.add(Ipv4Subnet.parse(r));
            }
        } catch (NetworkException e) {
            throw new EngineException(e.getMessage());
        }
        for (String g : req.gateways()) {
            Integer a = Ipv4Subnet.address(g);
            if (a == null) {
                throw new EngineException("invalid argument \"" + g + "\" for \"--gateway\" flag: invalid string being converted to IP address: " + g);
            }
            gateways.add(a);
        }
        return store.locked(() -> {
            List<NetworkRecord> existing = list();
            String name = req.name() != null ? req.name() : freeInterfaceName(existing);
            if (existing.stream().anyMatch(n -> n.name().equals(name))) {
                throw new EngineException("network name " + name + " already used: network already exists");
            }
            List<Ipv4Subnet> used = usedSubnets(existing);
            List<NetworkRecord.Subnet> out = new ArrayList<>();
            if (subnets.isEmpty()) {
                subnets.add(freeSubnet(used));
            }
            for (int i = 0; i < subnets.size(); i++) {
                Ipv4Subnet s = subnets.get(i);
                for (Ipv4Subnet u : used) {
                    if (u.overlaps(s)) {
                        throw new EngineException("subnet " + s + " is already used on the host or by another config");
                    }
                }
                int gw = i < gateways.size() ? gateways.get(i) : s.base() + 1;
                if (!s.contains(gw)) {
                    throw new EngineException("gateway " + Ipv4Subnet.format(gw) + " not in subnet " + s);
                }
                NetworkRecord.LeaseRange range = null;
                if (i < ranges.size()) {
                    Ipv4Subnet r = ranges.get(i);
                    int start = r.base() + 1;
                    int end = r.last() == s.last() ? r.last() - 1 : r.last();
                    if (!s.contains(start)) {
                        throw new EngineException("lease range start ip " + Ipv4Subnet.format(start) + " not in subnet " + s);
                    }
                    if (!s.contains(end)) {
                        throw new EngineException("lease range end ip " + Ipv4Subnet.format(end) + " not in subnet " + s);
                    }
                    range = new NetworkRecord.LeaseRange(Ipv4Subnet.format(start), Ipv4Subnet.format(end));
                }
                out.add(new NetworkRecord.Subnet(s.toString(), Ipv4Subnet.format(gw), range));
                used.add(s);
            }
            out.addAll(Ipv6Ipam.subnets(ipv6, existing));
            NetworkRecord r = new NetworkRecord(name, randomId(), "bridge", freeInterfaceName(existing), Instant.now(), out,
                    ipv6.enabled(), req.internal(), !req.disableDns(), req.labels(), options, null);
            if (!networks.create(r)) {
                throw new EngineException("network name " + name + " already used: network already exists");
            }
            return r;
        });
    }

    /** podmanN with the lowest N ≥ 1 no network's bridge has (netavark names bridges and unnamed networks so). */
    private static String freeInterfaceName(List<NetworkRecord> existing) {
        for (int i = 1; ; i++) {
            String n = "podman" + i;
            if (existing.stream().noneMatch(r -> r.networkInterface().equals(n) || r.name().equals(n))) {
                return n;
            }
        }
    }

    private static List<Ipv4Subnet> usedSubnets(List<NetworkRecord> existing) {
        List<Ipv4Subnet> used = new ArrayList<>(hostRoutes());
        for (NetworkRecord n : existing) {
            for (NetworkRecord.Subnet s : n.subnets()) {
                if (!Ipv6Ipam.isIpv6(s)) {
                    used.add(Ipv4Subnet.parse(s.subnet()));
                }
            }
        }
        return used;
    }

    /** The first 10.89.N.0/24 nothing uses, as netavark picks them. */
    private static Ipv4Subnet freeSubnet(List<Ipv4Subnet> used) {
        for (int n = 0; n < 256; n++) {
            Ipv4Subnet s = Ipv4Subnet.parse("10.89." + n + ".0/24");
            if (used.stream().noneMatch(s::overlaps)) {
                return s;
            }
        }
        throw new EngineException("could not find free subnet from subnet pools: give one with --subnet");
    }

    /** The host's directly connected IPv4 networks (its routes other than the default), from /proc/net/route. */
    private static List<Ipv4Subnet> hostRoutes() {
        List<Ipv4Subnet> out = new ArrayList<>();
        try {
            for (String line : Files.readAllLines(Path.of("/proc/net/route"))) {
                String[] f = line.trim().split("\\s+");
                if (f.length < 8 || f[0].equals("Iface")) {
                    continue;
                }
                int dest = Integer.reverseBytes((int) Long.parseLong(f[1], 16));
                int mask = Integer.reverseBytes((int) Long.parseLong(f[7], 16));
                if (mask != 0) {
                    out.add(new Ipv4Subnet(dest & mask, Integer.bitCount(mask)));
                }
            }
        } catch (IOException | NumberFormatException e) {
            // no routing table to read: only the networks' own subnets are checked
        }
        return out;
    }

    private static String randomId() {
        byte[] b = new byte[32];
        new SecureRandom().nextBytes(b);
        return HexFormat.of().formatHex(b);
    }

    /** podman's default network: the bridge podman0, 10.88.0.0/16, no DNS; never stored. */
    public static NetworkRecord defaultNetwork() {
        String id;
        try {
            id = HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(DEFAULT.getBytes(StandardCharsets.UTF_8)));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
        return new NetworkRecord(DEFAULT, id, "bridge", "podman0", Instant.now(),
                List.of(new NetworkRecord.Subnet(DEFAULT_SUBNET.toString(), "10.88.0.1", null)),
                false, false, false, Map.of(), Map.of(), null);
    }

    /** Every network, the default one included, by name. */
    public List<NetworkRecord> list() {
        List<NetworkRecord> out = new ArrayList<>(networks.list());
        if (out.stream().noneMatch(n -> n.name().equals(DEFAULT))) {
            out.add(defaultNetwork());
        }
        out.sort(java.util.Comparator.comparing(NetworkRecord::name));
        return out;
    }

    /** By full name, else by a unique id prefix (podman's lookup). */
    public Optional<NetworkRecord> get(String nameOrId) {
        List<NetworkRecord> all = list();
        for (NetworkRecord n : all) {
            if (n.name().equals(nameOrId)) {
                return Optional.of(n);
            }
        }
        if (nameOrId.isEmpty()) {
            return Optional.empty();
        }
        List<NetworkRecord> byId = all.stream().filter(n -> n.id().startsWith(nameOrId)).toList();
        if (byId.size() > 1) {
            throw new EngineException("more than one result for network ID " + nameOrId + ": network not found");
        }
        return byId.stream().findFirst();
    }

    public NetworkRecord require(String nameOrId) {
        return get(nameOrId).orElseThrow(() -> new NoSuchNetworkException(nameOrId));
    }

    /** Leases of a network (who has which address). */
    public List<NetworkLease> leases(String name) {
        return networks.leases(name);
    }

    /** Ids of existing containers holding an address of the network. */
    public List<String> containers(String name) {
        List<String> ids = new ArrayList<>();
        for (NetworkLease l : networks.leases(name)) {
            if (store.containers().get(l.containerId()).isPresent() && !ids.contains(l.containerId())) {
                ids.add(l.containerId());
            }
        }
        return ids;
    }

    /**
     * Removes a network. Containers on it are an error without {@code force}; with it, {@code removeContainer} is
     * called for each first (podman's -f removes them).
     */
    public NetworkRecord remove(String nameOrId, boolean force, java.util.function.Consumer<String> removeContainer) {
        NetworkRecord n = require(nameOrId);
        if (n.name().equals(DEFAULT)) {
            throw new EngineException("default network " + DEFAULT + " cannot be removed");
        }
        List<String> pods = PodNetworks.podsOn(store, n.name());
        if (!pods.isEmpty()) {
            throw new EngineException("network " + n.name() + " is used by pod " + pods.get(0) + ": remove the pod first (pod rm): network is being used");
        }
        List<String> users = containers(n.name());
        if (!users.isEmpty()) {
            if (!force) {
                throw new NetworkInUseException(n.name());
            }
            users.forEach(removeContainer);
        }
        store.locked(() -> {
            networks.remove(n.name());
            return null;
        });
        return n;
    }

    /** Removes every user network no container uses; returns their names. */
    public List<NetworkRecord> prune(java.util.function.Predicate<NetworkRecord> filter) {
        List<NetworkRecord> removed = new ArrayList<>();
        for (NetworkRecord n : networks.list()) {
            if (!n.name().equals(DEFAULT) && filter.test(n) && containers(n.name()).isEmpty() && PodNetworks.podsOn(store, n.name()).isEmpty()) {
                store.locked(() -> {
                    networks.remove(n.name());
                    return null;
                });
                removed.add(n);
            }
        }
        return removed;
    }

    /** One network a container joins: by name, with its aliases there and optionally a fixed address. */
    public record Join(String network, List<String> aliases, String ip) {
        public Join {
            aliases = aliases == null ? List.of() : List.copyOf(aliases);
        }
    }

    /**
     * Gives the container an address on each network (interfaces eth0, eth1… in this order, after those it has),
     * under the store lock: concurrent runs never get one address twice. Leases of containers that no longer exist
     * are freed on the way. Returns the new leases with their networks.
     */
    public List<Map.Entry<NetworkRecord, NetworkLease>> lease(String containerId, String containerName, List<Join> joins) {
        return store.locked(() -> {
            List<Map.Entry<NetworkRecord, NetworkLease>> out = new ArrayList<>();
            int ifIndex = leasesOf(containerId).size();
            for (Join j : joins) {
                NetworkRecord n = require(j.network());
                List<NetworkLease> leases = new ArrayList<>(networks.leases(n.name()));
                leases.removeIf(l -> store.containers().get(l.containerId()).isEmpty() && !l.containerId().equals(containerId)
                        && !PodNetworks.isInfra(store, l.containerId()));
                if (leases.stream().anyMatch(l -> l.containerId().equals(containerId))) {
                    throw new EngineException("container " + containerName + " is already connected to network " + n.name()
                            + ": network is already connected");
                }
                String ip = pickAddress(n, leases, j.ip());
                NetworkLease l = new NetworkLease(ip, containerId, containerName, j.aliases(), "eth" + ifIndex++,
                        Ipv6Ipam.pick(n, leases));
                leases.add(l);
                networks.writeLeases(n.name(), leases);
                out.add(Map.entry(n, l));
            }
            return out;
        });
    }

    private static String pickAddress(NetworkRecord n, List<NetworkLease> leases, String requested) {
        NetworkRecord.Subnet s = n.subnets().get(0);
        Ipv4Subnet subnet = Ipv4Subnet.parse(s.subnet());
        int gateway = Ipv4Subnet.address(s.gateway());
        java.util.Set<Integer> taken = new java.util.HashSet<>();
        leases.forEach(l -> taken.add(Ipv4Subnet.address(l.ip())));
        if (requested != null) {
            Integer a = Ipv4Subnet.address(requested);
            if (a == null) {
                throw new EngineException("\"" + requested + "\" is not an IP address");
            }
            if (!subnet.contains(a) || a == subnet.base() || a == subnet.last()) {
                throw new EngineException("requested static ip " + requested + " not in any subnet on network " + n.name());
            }
            if (taken.contains(a) || a == gateway) {
                throw new EngineException("IPAM error: requested ip address " + requested + " is already allocated");
            }
            return requested;
        }
        int start = s.leaseRange() != null ? Ipv4Subnet.address(s.leaseRange().startIp()) : subnet.base() + 1;
        int end = s.leaseRange() != null ? Ipv4Subnet.address(s.leaseRange().endIp()) : subnet.last() - 1;
        for (int a = start; Integer.compareUnsigned(a, end) <= 0; a++) {
            if (a != gateway && !taken.contains(a)) {
                return Ipv4Subnet.format(a);
            }
        }
        throw new EngineException("IPAM error: failed to find free IP in range: " + Ipv4Subnet.format(start) + " - " + Ipv4Subnet.format(end));
    }

    /** The container's leases on every network, with the networks, in interface order. */
    public List<Map.Entry<NetworkRecord, NetworkLease>> leasesOf(String containerId) {
        List<Map.Entry<NetworkRecord, NetworkLease>> out = new ArrayList<>();
        for (NetworkRecord n : list()) {
            for (NetworkLease l : networks.leases(n.name())) {
                if (l.containerId().equals(containerId)) {
                    out.add(Map.entry(n, l));
                }
            }
        }
        out.sort(java.util.Comparator.comparing(e -> e.getValue().interfaceName()));
        return out;
    }

    /** Gives back the container's addresses (rm, a failed create, network disconnect of one network when named). */
    public void release(String containerId, String onlyNetwork) {
        store.locked(() -> {
            for (NetworkRecord n : list()) {
                if (onlyNetwork != null && !n.name().equals(onlyNetwork)) {
                    continue;
                }
                List<NetworkLease> leases = new ArrayList<>(networks.leases(n.name()));
                if (leases.removeIf(l -> l.containerId().equals(containerId))) {
                    networks.writeLeases(n.name(), leases);
                }
            }
            return null;
        });
    }
}
