package io.jpod.engine.network;

import io.jpod.engine.EngineException;
import io.jpod.engine.container.ProcInfo;
import io.jpod.network.Ipv4Subnet;
import io.jpod.rootless.ContainerSpec;
import io.jpod.rootless.NativeHelper;
import io.jpod.storage.NetworkLease;
import io.jpod.storage.NetworkRecord;

import java.io.IOException;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/**
 * The data path of user-defined networks (see "Network" in docs/ARCHITECTURE.md): one network namespace per user,
 * held by the process {@code jpod-netns} ({@code <runroot>/netns/holder.pid}) and reaching out through one
 * slirp4netns; in it one bridge per network, its forwarding and NAT rules (iptables, applied once per holder
 * lifetime and network: {@code <runroot>/netns/rules/<bridge>}); and per container the helper's {@code netif}
 * records (a veth pair per network, made by the monitor). Java decides all names and addresses here.
 */
public final class BridgeNetworking {
    private static final long HELPER_TIMEOUT_S = 60;
    /** Serialises the threads of one JVM (the service): a file lock is per process, and a second one there throws. */
    private static final Object LOCK = new Object();
    private final Path dir;
    private final Map<String, String> env;
    private final java.util.function.Supplier<NativeHelper> helper;

    public BridgeNetworking(Path runRoot, Map<String, String> env, java.util.function.Supplier<NativeHelper> helper) {
        this.dir = runRoot.resolve("netns");
        this.env = env;
        this.helper = helper;
    }

    /** Whether a --network value names user networks (not one of the built-in modes). */
    public static boolean isBridge(String network) {
        if (network == null || network.isEmpty()) {
            return false;
        }
        String base = network.contains(":") ? network.substring(0, network.indexOf(':')) : network;
        return !List.of("slirp4netns", "none", "host", "pasta", "private", "ns", "container").contains(base);
    }

    /** The network names of a --network value: {@code bridge} is podman's default network. */
    public static List<String> names(String network) {
        List<String> out = new ArrayList<>();
        for (String n : network.split(",")) {
            if (!n.isEmpty()) {
                out.add(n.equals("bridge") ? Networks.DEFAULT : n);
            }
        }
        return out;
    }

    /** The holder's pid if it is alive, else 0. */
    long holderPid() {
        try {
            long pid = Long.parseLong(Files.readString(dir.resolve("holder.pid")).strip());
            if (!"jpod-netns".equals(ProcInfo.comm(pid))) {
                return 0;
            }
            Files.readSymbolicLink(Path.of("/proc/" + pid + "/ns/net")); // a zombie keeps its name but no namespace
            return pid;
        } catch (IOException | NumberFormatException e) {
            return 0;
        }
    }

    /** The holder, started (with its slirp4netns) when there is none: after a reboot, `system reset` or a kill. */
    long ensureHolder() {
        long pid = holderPid();
        if (pid > 0) {
            return pid;
        }
        synchronized (LOCK) {
            return startHolder();
        }
    }

    private long startHolder() {
        long pid;
        try {
            Files.createDirectories(dir);
            try (FileChannel ch = FileChannel.open(dir.resolve("holder.lock"), StandardOpenOption.CREATE, StandardOpenOption.WRITE);
                 FileLock ignored = ch.lock()) {
                pid = holderPid();
                if (pid > 0) {
                    return pid; // another jpod made it meanwhile
                }
                stopSlirp();
                deleteTree(dir.resolve("rules")); // the rules died with the old namespace
                Files.deleteIfExists(dir.resolve("holder.pid"));
                Path slirp = io.jpod.network.NetworkSetup.of("slirp4netns", env).slirp4netns();
                List<String> cmd = new ArrayList<>(List.of(helper.get().binary().toString(), "netns-holder", dir.toString(), slirp.toString()));
                boolean ipv6 = Ipv6Ipam.kernelHasIpv6() && find("ip6tables-restore") != null; // never IPv6 forwarding without its firewall
                if (ipv6) {
                    cmd.add("ipv6");
                }
                run(cmd, null, "start the user's network namespace");
                pid = holderPid();
                if (pid == 0) {
                    throw new EngineException("the network namespace holder did not start (see " + dir.resolve("slirp.log") + ")");
                }
                // only what a network's rules accept is forwarded: networks are isolated from each other
                iptables(pid, "*filter\n:FORWARD DROP [0:0]\nCOMMIT\n");
                if (ipv6) {
                    ip6tables(pid, "*filter\n:FORWARD DROP [0:0]\nCOMMIT\n");
                }
                return pid;
            }
        } catch (IOException e) {
            throw new EngineException("cannot start the user's network namespace in " + dir + ": " + e.getMessage(), e);
        }
    }

    /** Kills the previous slirp4netns if it outlived its holder (it exits by itself when the holder dies). */
    private void stopSlirp() {
        try {
            long pid = Long.parseLong(Files.readString(dir.resolve("slirp.pid")).strip());
            if ("slirp4netns".equals(ProcInfo.comm(pid))) {
                ProcessHandle.of(pid).ifPresent(ProcessHandle::destroyForcibly);
            }
        } catch (IOException | NumberFormatException e) {
            // none recorded
        }
    }

    /** Stops the holder and its slirp4netns (system reset): the bridges and veths go with the namespace. */
    public void stopHolder() {
        long pid = holderPid();
        if (pid > 0) {
            ProcessHandle.of(pid).ifPresent(ProcessHandle::destroyForcibly);
        }
        stopSlirp();
        deleteTree(dir);
    }

    /** The network's forwarding and NAT rules, once per holder lifetime. */
    void ensureRules(long holder, NetworkRecord n) {
        Path marker = dir.resolve("rules").resolve(n.networkInterface());
        if (Files.exists(marker)) {
            return;
        }
        synchronized (LOCK) {
            try (FileChannel ch = FileChannel.open(dir.resolve("holder.lock"), StandardOpenOption.CREATE, StandardOpenOption.WRITE);
                 FileLock ignored = ch.lock()) {
                if (Files.exists(marker)) {
                    return;
                }
                iptables(holder, rules(n, "-A"));
                if (n.ipv6Enabled()) {
                    ip6tables(holder, rules6(n, "-A"));
                }
                Files.createDirectories(marker.getParent());
                Files.createFile(marker);
            } catch (IOException e) {
                throw new EngineException("cannot set up network " + n.name() + ": " + e.getMessage(), e);
            }
        }
    }

    /**
     * Within a network: everything; out (not --internal): to tap0 with masquerade; in: what slirp4netns forwards.
     * Nothing between two networks (FORWARD's policy is DROP).
     */
    static String rules(NetworkRecord n, String op) {
        String br = n.networkInterface();
        StringBuilder f = new StringBuilder("*filter\n");
        f.append(op).append(" FORWARD -i ").append(br).append(" -o ").append(br).append(" -j ACCEPT\n");
        StringBuilder nat = new StringBuilder("*nat\n");
        if (!n.internal()) {
            f.append(op).append(" FORWARD -i ").append(br).append(" -o tap0 -j ACCEPT\n");
            f.append(op).append(" FORWARD -i tap0 -o ").append(br).append(" -j ACCEPT\n");
            for (NetworkRecord.Subnet s : n.subnets()) {
                if (Ipv6Ipam.isIpv6(s)) {
                    continue; // rules6
                }
                nat.append(op).append(" POSTROUTING -s ").append(s.subnet()).append(" -o tap0 -j MASQUERADE\n");
            }
        }
        return f + "COMMIT\n" + nat + "COMMIT\n";
    }

    /** The same for a network's IPv6 subnet (ip6tables): within, and out through slirp4netns's IPv6 with masquerade. */
    static String rules6(NetworkRecord n, String op) {
        String br = n.networkInterface();
        StringBuilder f = new StringBuilder("*filter\n");
        f.append(op).append(" FORWARD -i ").append(br).append(" -o ").append(br).append(" -j ACCEPT\n");
        StringBuilder nat = new StringBuilder("*nat\n");
        NetworkRecord.Subnet s = Ipv6Ipam.ipv6Subnet(n);
        if (!n.internal()) {
            f.append(op).append(" FORWARD -i ").append(br).append(" -o tap0 -j ACCEPT\n");
            f.append(op).append(" FORWARD -i tap0 -o ").append(br).append(" -j ACCEPT\n");
            if (s != null) {
                nat.append(op).append(" POSTROUTING -s ").append(s.subnet()).append(" -o tap0 -j MASQUERADE\n");
            }
        }
        return f + "COMMIT\n" + nat + "COMMIT\n";
    }

    /** `network reload`: the network's rules again, whatever happened to them (old copies out first). */
    public void reloadRules(NetworkRecord n) {
        long holder = ensureHolder();
        synchronized (LOCK) {
            try {
                iptables(holder, rules(n, "-D"));
            } catch (EngineException e) {
                // not there (or only part of them): -A below puts them back
            }
            try {
                if (n.ipv6Enabled()) {
                    ip6tables(holder, rules6(n, "-D"));
                }
            } catch (EngineException e) {
                // the same
            }
            try {
                Files.deleteIfExists(dir.resolve("rules").resolve(n.networkInterface()));
            } catch (IOException e) {
                // ensureRules rewrites it
            }
        }
        ensureRules(holder, n);
    }

    /** After `network rm`: its names, rules and bridge leave the namespace (nothing more to do without a holder). */
    public void removeNetwork(NetworkRecord n) {
        try {
            Files.deleteIfExists(dir.resolve("dns").resolve(n.subnets().get(0).gateway()));
        } catch (IOException e) {
            // a later network on the same gateway rewrites it at its first start
        }
        long pid = holderPid();
        if (pid == 0) {
            return;
        }
        Path marker = dir.resolve("rules").resolve(n.networkInterface());
        try {
            if (Files.deleteIfExists(marker)) {
                iptables(pid, rules(n, "-D"));
                if (n.ipv6Enabled()) {
                    ip6tables(pid, rules6(n, "-D"));
                }
            }
        } catch (IOException | EngineException e) {
            // rules of a network whose bridge is gone match nothing
        }
        run(List.of(helper.get().binary().toString(), "link-del", Long.toString(pid), n.networkInterface()), null,
                "delete the bridge of network " + n.name());
    }

    /**
     * The names the holder's name server answers on a network (see dns.c): {@code <runroot>/netns/dns/<gateway>},
     * lines "IP NAME ALIAS… SHORTID", "#internal" first for an internal network; written atomically. A network
     * without DNS has no file (queries to its gateway go unanswered).
     */
    public void writeDns(NetworkRecord n, List<NetworkLease> leases) {
        if (!n.dnsEnabled()) {
            return;
        }
        StringBuilder sb = new StringBuilder(n.internal() ? "#internal\n" : "");
        for (NetworkLease l : leases) {
            StringBuilder names = new StringBuilder(l.containerName());
            l.aliases().forEach(a -> names.append(' ').append(a));
            names.append(' ').append(l.containerId(), 0, 12).append('\n');
            sb.append(l.ip()).append(' ').append(names);
            if (l.ipv6() != null) { // the AAAA records of the same names
                sb.append(l.ipv6()).append(' ').append(names);
            }
        }
        try {
            Path d = dir.resolve("dns");
            Files.createDirectories(d);
            Path f = d.resolve(n.subnets().get(0).gateway());
            Path tmp = d.resolve("." + f.getFileName() + ".tmp-" + ProcessHandle.current().pid() + "-" + Thread.currentThread().getId());
            Files.writeString(tmp, sb.toString());
            Files.move(tmp, f, java.nio.file.StandardCopyOption.ATOMIC_MOVE, java.nio.file.StandardCopyOption.REPLACE_EXISTING);
        } catch (IOException e) {
            throw new EngineException("cannot write the names of network " + n.name() + ": " + e.getMessage(), e);
        }
    }

    /** The helper's records for a container's interfaces: the holder, and one netif per lease (eth0 routes out). */
    public List<ContainerSpec.Extra> launchRecords(List<Map.Entry<NetworkRecord, NetworkLease>> leases,
                                            java.util.function.Function<String, List<NetworkLease>> networkLeases) {
        List<ContainerSpec.Extra> out = new ArrayList<>();
        if (leases.isEmpty()) {
            return out;
        }
        long holder = ensureHolder();
        out.add(new ContainerSpec.Extra("netns_holder", Long.toString(holder)));
        // the default route goes through the first network with a way out: an internal network has no route out
        boolean routeAvailable = true;
        for (Map.Entry<NetworkRecord, NetworkLease> e : leases) {
            ensureRules(holder, e.getKey());
            writeDns(e.getKey(), networkLeases.apply(e.getKey().name()));
            boolean route = routeAvailable && !e.getKey().internal();
            out.add(new ContainerSpec.Extra("netif", netif(e.getKey(), e.getValue(), route)));
            routeAvailable = routeAvailable && !route;
        }
        return out;
    }

    /**
     * The links' MTU without --opt mtu: tap0's (slirp4netns's 65520). With 1500 on the bridge, traffic between tap0
     * and the bridge (published ports) fell to ~12 MB/s from ~110 (measured: bench/network.sh).
     */
    static final int DEFAULT_MTU = 65520;

    /** IFNAME HOSTVETH BRIDGE ADDR/PREFIX GATEWAY/PREFIX MTU DEFAULTROUTE [ADDR6/PREFIX GATEWAY6/PREFIX]. */
    static String netif(NetworkRecord n, NetworkLease l, boolean defaultRoute) {
        NetworkRecord.Subnet s = n.subnets().get(0);
        int prefix = Ipv4Subnet.parse(s.subnet()).prefix();
        String v4 = String.join("\t", l.interfaceName(), hostVeth(l), n.networkInterface(), l.ip() + "/" + prefix,
                s.gateway() + "/" + prefix, Integer.toString(n.mtu() > 0 ? n.mtu() : DEFAULT_MTU), defaultRoute ? "1" : "0");
        NetworkRecord.Subnet s6 = Ipv6Ipam.ipv6Subnet(n);
        if (s6 == null || l.ipv6() == null) {
            return v4;
        }
        int prefix6 = io.jpod.network.Ipv6Subnet.parse(s6.subnet()).prefix();
        return v4 + "\t" + l.ipv6() + "/" + prefix6 + "\t" + s6.gateway() + "/" + prefix6;
    }

    /** A name unique in the holder's namespace (15 bytes at most): the container and its interface. */
    static String hostVeth(NetworkLease l) {
        return "vj" + l.containerId().substring(0, 10) + l.interfaceName().substring(3);
    }

    /** `network connect` of a running container: its new interface, made now by the helper. */
    public void attachRunning(long containerPid, NetworkRecord n, NetworkLease l) {
        long holder = ensureHolder();
        ensureRules(holder, n);
        run(List.of(helper.get().binary().toString(), "net-attach", Long.toString(holder), Long.toString(containerPid),
                netif(n, l, false)), null, "connect the container to network " + n.name());
    }

    /** One published port of a container on a user network: slirp4netns's forward id and the DNAT rule. */
    record Forward(@com.fasterxml.jackson.annotation.JsonProperty("id") long id,
                   @com.fasterxml.jackson.annotation.JsonProperty("rule") String rule) {
    }

    private static final com.fasterxml.jackson.databind.ObjectMapper JSON = new com.fasterxml.jackson.databind.ObjectMapper();
    public static final String FORWARDS = "forwards.json";

    /**
     * {@code -p} for a container on a user network: slirp4netns forwards the host port to the holder (10.0.2.100, same
     * port), where a DNAT rule sends it on to the container's address. Recorded in the run dir for {@link #unpublish}.
     */
    public void publish(Path runDir, String containerIp, List<io.jpod.network.PortMapping> ports) {
        if (ports.isEmpty()) {
            return;
        }
        long holder = ensureHolder();
        List<Forward> done = new ArrayList<>();
        try {
            for (io.jpod.network.PortMapping p : ports) {
                Map<String, Object> args = new java.util.LinkedHashMap<>();
                args.put("proto", p.protocol());
                args.put("host_addr", p.hostIp() == null || p.hostIp().isEmpty() ? "0.0.0.0" : p.hostIp());
                args.put("host_port", p.hostPort());
                args.put("guest_addr", "10.0.2.100");
                args.put("guest_port", p.hostPort());
                com.fasterxml.jackson.databind.JsonNode r = slirpApi(Map.of("execute", "add_hostfwd", "arguments", args));
                if (r.has("error")) {
                    throw new EngineException("cannot publish port " + p.hostPort() + ": slirp4netns says "
                            + r.path("error").path("desc").asText());
                }
                String rule = "PREROUTING -i tap0 -p " + p.protocol() + " --dport " + p.hostPort() + " -j DNAT --to-destination "
                        + containerIp + ":" + p.containerPort();
                done.add(new Forward(r.path("return").path("id").asLong(), rule));
                iptables(holder, "*nat\n-A " + rule + "\nCOMMIT\n");
            }
        } finally {
            try {
                Files.write(runDir.resolve(FORWARDS), JSON.writeValueAsBytes(done));
            } catch (IOException e) {
                // the forwards die with the holder at the latest
            }
        }
    }

    /** Takes a stopped container's forwards out of slirp4netns and its DNAT rules out of the namespace. */
    public void unpublish(Path runDir) {
        Path f = runDir.resolve(FORWARDS);
        if (!Files.exists(f)) {
            return;
        }
        try {
            List<Forward> forwards = JSON.readValue(Files.readAllBytes(f), new com.fasterxml.jackson.core.type.TypeReference<List<Forward>>() { });
            long holder = holderPid();
            if (holder > 0) {
                StringBuilder rules = new StringBuilder("*nat\n");
                for (Forward fw : forwards) {
                    slirpApi(Map.of("execute", "remove_hostfwd", "arguments", Map.of("id", fw.id())));
                    rules.append("-D ").append(fw.rule()).append('\n');
                }
                iptables(holder, rules + "COMMIT\n");
            }
            Files.deleteIfExists(f);
        } catch (IOException | EngineException e) {
            // a holder that is gone took them along
        }
    }

    private com.fasterxml.jackson.databind.JsonNode slirpApi(Map<String, Object> request) {
        try (java.nio.channels.SocketChannel ch = java.nio.channels.SocketChannel.open(java.net.StandardProtocolFamily.UNIX)) {
            ch.connect(java.net.UnixDomainSocketAddress.of(dir.resolve("slirp.sock")));
            java.nio.ByteBuffer out = java.nio.ByteBuffer.wrap(JSON.writeValueAsBytes(request));
            while (out.hasRemaining()) {
                ch.write(out);
            }
            ch.shutdownOutput();
            java.io.ByteArrayOutputStream in = new java.io.ByteArrayOutputStream();
            java.nio.ByteBuffer buf = java.nio.ByteBuffer.allocate(4096);
            while (ch.read(buf) > 0) {
                in.write(buf.array(), 0, buf.position());
                buf.clear();
            }
            return JSON.readTree(in.toByteArray());
        } catch (IOException e) {
            throw new EngineException("cannot reach slirp4netns of the user's network namespace (" + dir.resolve("slirp.sock")
                    + "): " + e.getMessage(), e);
        }
    }

    /** `network disconnect` of a running container: its veth on that network goes (the peer inside with it). */
    public void detachRunning(NetworkLease l) {
        long holder = holderPid();
        if (holder > 0) {
            run(List.of(helper.get().binary().toString(), "link-del", Long.toString(holder), hostVeth(l)), null,
                    "disconnect the container");
        }
    }

    private void iptables(long holder, String input) {
        List<String> cmd = List.of(helper.get().binary().toString(), "netns-exec", Long.toString(holder), "--",
                locate("iptables-restore"), "--noflush");
        run(cmd, input, "set up the network rules (iptables-restore)");
    }

    private void ip6tables(long holder, String input) {
        List<String> cmd = List.of(helper.get().binary().toString(), "netns-exec", Long.toString(holder), "--",
                locate("ip6tables-restore"), "--noflush");
        run(cmd, input, "set up the network's IPv6 rules (ip6tables-restore)");
    }

    private String find(String name) {
        String path = env.getOrDefault("PATH", "") + ":/usr/sbin:/sbin:/usr/bin:/bin";
        for (String d : path.split(":")) {
            if (!d.isEmpty() && Files.isExecutable(Path.of(d, name))) {
                return Path.of(d, name).toString();
            }
        }
        return null;
    }

    private String locate(String name) {
        String found = find(name);
        if (found != null) {
            return found;
        }
        throw new EngineException(name + " is not installed; user-defined networks need it for their isolation and NAT"
                + " (Debian/Ubuntu: apt-get install iptables), or use --network slirp4netns");
    }

    /** Runs a helper command (bounded); its one error line becomes the exception's message. */
    private static void run(List<String> cmd, String stdin, String what) {
        try {
            ProcessBuilder pb = new ProcessBuilder(cmd).redirectErrorStream(true);
            if (stdin == null) {
                pb.redirectInput(ProcessBuilder.Redirect.from(new java.io.File("/dev/null")));
            }
            Process p = pb.start();
            if (stdin != null) {
                try (var in = p.getOutputStream()) {
                    in.write(stdin.getBytes(StandardCharsets.UTF_8));
                }
            }
            byte[] out = p.getInputStream().readAllBytes();
            if (!p.waitFor(HELPER_TIMEOUT_S, TimeUnit.SECONDS)) {
                p.destroyForcibly();
                throw new EngineException("cannot " + what + ": no answer within " + HELPER_TIMEOUT_S + " s");
            }
            if (p.exitValue() != 0) {
                String msg = new String(out, StandardCharsets.UTF_8).strip();
                throw new EngineException("cannot " + what + ": " + (msg.isEmpty() ? "exit status " + p.exitValue() : msg.replace('\n', ' ')));
            }
        } catch (IOException e) {
            throw new EngineException("cannot " + what + ": " + e.getMessage(), e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new EngineException("interrupted while trying to " + what);
        }
    }

    private static void deleteTree(Path p) {
        if (!Files.exists(p, java.nio.file.LinkOption.NOFOLLOW_LINKS)) {
            return;
        }
        try (var s = Files.walk(p)) {
            for (Path f : s.sorted(java.util.Comparator.reverseOrder()).toList()) {
                Files.deleteIfExists(f);
            }
        } catch (IOException e) {
            // best effort: leftovers are rewritten by the next holder
        }
    }
}
