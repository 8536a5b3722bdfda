package io.jpod.engine.network;

import io.jpod.engine.container.RunRequest;
import com.fasterxml.jackson.annotation.JsonProperty;
import com.fasterxml.jackson.core.type.TypeReference;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.jpod.engine.EngineException;
import io.jpod.image.ImageConfig;
import io.jpod.network.DnsOptions;
import io.jpod.network.NetworkException;
import io.jpod.network.NetworkMode;
import io.jpod.network.NetworkSetup;
import io.jpod.network.PortMapping;
import io.jpod.network.PortParser;
import io.jpod.network.PortReservation;
import io.jpod.rootless.ContainerSpec;
import io.jpod.rootless.RunRoot;

import java.io.IOException;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.function.Supplier;

/**
 * One container's network, from the request to the helper's spec records: the mode and its binary, published ports
 * (checked free before the container starts, recorded in {@code ports.json} beside container.json for `jpod port`),
 * DNS and hosts file contents, and the API socket slirp4netns forwards ports through.
 */
public final class ContainerNetwork implements AutoCloseable {
    private static final ObjectMapper JSON = new ObjectMapper(); // shared: ps and inspect read every container's ports
    static final String PORTS_FILE = "ports.json";

    private final NetworkSetup setup;
    private final RunRequest.NetworkRequest request;
    private final DnsOptions dns;
    private final List<PortMapping> requested;
    private final PrintStream err;
    private PortReservation reservation;
    private Path apiSocket;
    private List<Map.Entry<io.jpod.storage.NetworkRecord, io.jpod.storage.NetworkLease>> leases = List.of();

    private ContainerNetwork(NetworkSetup setup, RunRequest.NetworkRequest request, DnsOptions dns, List<PortMapping> requested,
                             PrintStream err) {
        this.err = err;
        this.setup = setup;
        this.request = request;
        this.dns = dns;
        this.requested = requested;
    }

    /** Parses and checks everything that needs no image: mode, options, -p specs, DNS flags. */
    public static ContainerNetwork plan(RunRequest.NetworkRequest req, Map<String, String> env, PrintStream err) {
        NetworkSetup setup = NetworkSetup.of(req.mode(), env);
        DnsOptions dns = new DnsOptions(req.dns(), req.dnsSearch(), req.dnsOptions());
        List<PortMapping> ports = new ArrayList<>();
        for (String p : req.publish()) {
            ports.addAll(PortParser.parse(p));
        }
        boolean publishes = !ports.isEmpty() || req.publishAll();
        if (setup.mode() != NetworkMode.BRIDGE && (!req.aliases().isEmpty() || req.ip() != null)) {
            throw new EngineException((req.ip() != null ? "--ip" : "--network-alias")
                    + " can only be used with a bridge network (--network bridge or NAME)");
        }
        if (publishes && !(setup.mode() == NetworkMode.SLIRP4NETNS || setup.mode() == NetworkMode.PASTA || setup.mode() == NetworkMode.BRIDGE)) {
            // podman's behaviour: the ports are dropped with a warning, the container still runs
            err.println("Port mappings have been discarded as one of the Host, Container, Pod, and None network modes are in use"); // podman's words
            ports.clear();
            return new ContainerNetwork(setup, withoutPublishAll(req), dns, ports, err);
        }
        return new ContainerNetwork(setup, req, dns, ports, err);
    }

    private static RunRequest.NetworkRequest withoutPublishAll(RunRequest.NetworkRequest r) {
        return new RunRequest.NetworkRequest(r.mode(), r.addHosts(), List.of(), false, r.dns(), r.dnsSearch(), r.dnsOptions(), r.noHosts(),
                r.aliases(), r.ip());
    }

    public NetworkSetup setup() {
        return setup;
    }

    /**
     * Adds -P's ExposedPorts, then binds every host port once (a free one where none was given): a port in use fails
     * here, before the container exists. The ports stay bound until {@link #specExtras}.
     */
    private io.jpod.network.PortInUseException portInUse;
    private List<PortMapping> unreserved = List.of();

    public List<PortMapping> reservePorts(Supplier<byte[]> imageConfig) {
        List<PortMapping> all = new ArrayList<>(requested);
        if (request.publishAll()) {
            ImageConfig.Config c = ImageConfig.parse(imageConfig.get(), "local image").config();
            if (c != null && c.exposedPorts() != null) {
                all.addAll(PortParser.exposed(c.exposedPorts().keySet()));
            }
        }
        if (all.isEmpty()) {
            return List.of();
        }
        try {
            reservation = PortReservation.reserve(all);
        } catch (io.jpod.network.PortInUseException e) {
            // as podman: the container is still created with its ports; `run` then fails to start it (portInUse)
            portInUse = e;
            unreserved = List.copyOf(all);
            return unreserved;
        }
        if (setup.mode() == NetworkMode.SLIRP4NETNS && !setup.slirp().allowHostLoopback()
                && all.stream().anyMatch(p -> p.protocol().equals("udp"))) {
            // libslirp drops UDP replies to the gateway address under --disable-host-loopback (podman issue #4586)
            err.println("jpod: warning: UDP replies reach clients on the host's loopback only with"
                    + " --network slirp4netns:allow_host_loopback=true");
        }
        return reservation.mappings();
    }

    List<PortMapping> ports() {
        return reservation == null ? unreserved : reservation.mappings();
    }

    /** Why the ports could not be reserved because another process holds one (null: reserved, or none asked). */
    public io.jpod.network.PortInUseException portInUse() {
        return portInUse;
    }

    public String hostsFile(String hostname, String name) {
        // in a pod the address is the infra's, named by it as podman names it; the container itself is on loopback
        String hosts = setup.hostsFile(hostname, podInfraName != null ? podInfraName : name, request.addHosts());
        if (setup.mode() == NetworkMode.BRIDGE && !leases.isEmpty()) {
            String names = hostname + (name != null ? " " + (podInfraName != null ? podInfraName : name) : "");
            hosts += leases.get(0).getValue().ip() + "\t" + names + "\n";
        }
        if (podInfraName != null && name != null) {
            hosts += "127.0.0.1\t" + name + "\n";
        }
        return hosts;
    }

    private String podInfraName;

    /** The container joins the network of its pod's infra container {@code infraName} (null: it has its own). */
    public void joinsPodInfra(String infraName) {
        this.podInfraName = infraName;
    }

    public String resolvConf(String hostResolvConf) {
        if (setup.mode() == NetworkMode.BRIDGE && !leases.isEmpty()) {
            return dns.resolvConf(bridgeNameservers(), hostResolvConf);
        }
        return setup.resolvConf(dns, hostResolvConf);
    }

    /** The gateways of networks with DNS (their resolver answers names and forwards the rest), else slirp's forwarder. */
    private List<String> bridgeNameservers() {
        List<String> servers = new ArrayList<>();
        for (var e : leases) {
            if (e.getKey().dnsEnabled()) {
                servers.add(e.getKey().subnets().get(0).gateway());
            }
        }
        if (servers.isEmpty() && leases.stream().anyMatch(e -> !e.getKey().internal())) {
            servers.add(io.jpod.network.NetworkSetup.SLIRP_DNS); // reached through the namespace's NAT
        }
        return servers;
    }

    /** The container's addresses on its user networks (bridge mode), for /etc/hosts and /etc/resolv.conf. */
    public void bridgeLeases(List<Map.Entry<io.jpod.storage.NetworkRecord, io.jpod.storage.NetworkLease>> l) {
        this.leases = List.copyOf(l);
    }

    public RunRequest.NetworkRequest request() {
        return request;
    }

    public ContainerSpec.Network specNetwork() {
        return switch (setup.mode()) {
            case NONE -> ContainerSpec.Network.NONE;
            case HOST -> ContainerSpec.Network.HOST;
            case SLIRP4NETNS -> ContainerSpec.Network.SLIRP4NETNS;
            // pasta attaches itself to a private namespace like none's (the pasta= records say so)
            case PASTA -> ContainerSpec.Network.NONE;
            // the monitor's worker adds the veths to the private namespace (the netif= records say so)
            case BRIDGE -> ContainerSpec.Network.NONE;
        };
    }

    /**
     * The helper's network records. Releases the reserved host ports: slirp4netns binds them moments later (a
     * program grabbing one in between makes the start fail with the helper's error, never silently).
     */
    public List<ContainerSpec.Extra> specExtras(RunRoot runRoot, String id) throws IOException {
        List<ContainerSpec.Extra> extras = new ArrayList<>();
        List<PortMapping> ports = ports();
        if (setup.mode() == NetworkMode.SLIRP4NETNS) {
            if (!ports.isEmpty()) {
                // Short: a unix socket path has at most 107 bytes, and run dirs are long.
                Path dir = runRoot.path().resolve("net");
                Files.createDirectories(dir);
                apiSocket = dir.resolve(id.substring(0, 16) + ".sock");
                Files.deleteIfExists(apiSocket);
                if (apiSocket.toString().getBytes(java.nio.charset.StandardCharsets.UTF_8).length > 107) {
                    throw new NetworkException("the run root " + runRoot.path() + " is too long for slirp4netns's API socket;"
                            + " use a shorter --runroot to publish ports");
                }
                extras.add(new ContainerSpec.Extra("slirp_api", apiSocket.toString()));
            }
            if (setup.slirp().allowHostLoopback()) {
                extras.add(new ContainerSpec.Extra("slirp_host_loopback", "1"));
            }
            if (setup.slirp().enableIpv6()) {
                extras.add(new ContainerSpec.Extra("slirp_arg", "--enable-ipv6"));
            }
            if (!setup.slirp().cidr().equals(io.jpod.network.SlirpOptions.DEFAULT_CIDR)) {
                extras.add(new ContainerSpec.Extra("slirp_arg", "--cidr=" + setup.slirp().cidr()));
            }
            ports.forEach(p -> extras.add(new ContainerSpec.Extra("port", p.specValue())));
        } else if (setup.mode() == NetworkMode.PASTA) {
            extras.addAll(PastaArgs.extras(setup, ports, runRoot.containerDir(id)));
        }
        if (reservation != null) {
            reservation.close();
        }
        return extras;
    }

    /** ports.json in the container's storage directory (removed with the container). */
    public void recordPorts(Path containerDir) throws IOException {
        if (ports().isEmpty()) {
            return;
        }
        List<PortRecord> records = ports().stream()
                .map(p -> new PortRecord(p.hostIp(), p.hostPort(), p.containerPort(), p.protocol())).toList();
        Path tmp = containerDir.resolve(PORTS_FILE + ".tmp");
        Files.write(tmp, JSON.writerWithDefaultPrettyPrinter().writeValueAsBytes(records));
        Files.move(tmp, containerDir.resolve(PORTS_FILE), StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
    }

    /** The published ports of the container whose storage directory is {@code containerDir}; none without ports.json. */
    public static List<PortMapping> readPorts(Path containerDir) {
        try {
            List<PortRecord> records = JSON.readValue(Files.readAllBytes(containerDir.resolve(PORTS_FILE)),
                    new TypeReference<List<PortRecord>>() { });
            return records.stream().map(r -> new PortMapping(r.hostIp(), r.hostPort(), r.containerPort(), r.protocol())).toList();
        } catch (NoSuchFileException e) {
            return List.of();
        } catch (IOException | IllegalArgumentException e) {
            throw new EngineException("cannot read the published ports in " + containerDir.resolve(PORTS_FILE) + ": "
                    + e.getMessage() + "; remove the container and run it again");
        }
    }

    /** podman's port record names. */
    record PortRecord(@JsonProperty("host_ip") String hostIp, @JsonProperty("host_port") int hostPort,
                      @JsonProperty("container_port") int containerPort, @JsonProperty("protocol") String protocol) {
    }

    /** Releases reserved ports (a failed start) and the API socket file slirp4netns leaves behind. */
    @Override
    public void close() {
        if (reservation != null) {
            reservation.close();
        }
        if (apiSocket != null) {
            try {
                Files.deleteIfExists(apiSocket);
            } catch (IOException e) {
                // the run root is a tmpfs cleared at reboot; a stale socket name is replaced on reuse
            }
        }
    }
}
