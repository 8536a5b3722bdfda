package io.jpod.cli;

import io.jpod.engine.container.RunRequest;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

import java.util.ArrayList;
import java.util.List;

/** `jpod run` options about the container's network (shared with `create` later). */
@Command
public final class RunNetworkOptions {
    @Option(names = {"--network", "--net"}, paramLabel = "MODE", defaultValue = "slirp4netns",
            description = "slirp4netns[:OPTIONS] (default; allow_host_loopback=true, mtu=N, enable_ipv6=true, cidr=NET),"
                    + " pasta[:ARGS], none, host, bridge (podman's default network) or the name of a network (jpod network create)")
    String network;

    @Option(names = "--add-host", paramLabel = "HOST:IP", description = "Add a line to /etc/hosts")
    List<String> addHosts = new ArrayList<>();

    @Option(names = {"-p", "--publish"}, paramLabel = "[IP:][HOSTPORT:]PORT[/PROTO]",
            description = "Publish a container port (or range) on the host; no host port: a free one")
    List<String> publish = new ArrayList<>();

    @Option(names = {"-P", "--publish-all"}, description = "Publish every port the image exposes on a free host port")
    boolean publishAll;

    @Option(names = "--dns", paramLabel = "IP", split = ",", description = "DNS server for /etc/resolv.conf")
    List<String> dns = new ArrayList<>();

    @Option(names = "--dns-search", paramLabel = "DOMAIN", split = ",", description = "DNS search domain (\".\": none)")
    List<String> dnsSearch = new ArrayList<>();

    @Option(names = {"--dns-option", "--dns-opt"}, paramLabel = "OPTION", description = "resolv.conf option (e.g. ndots:2)")
    List<String> dnsOptions = new ArrayList<>();

    @Option(names = "--no-hosts", description = "Do not create /etc/hosts (the image's stays; conflicts with --add-host)")
    boolean noHosts;

    @Option(names = "--network-alias", paramLabel = "NAME", description = "Another name the container answers to on its network")
    List<String> aliases = new ArrayList<>();

    @Option(names = "--ip", paramLabel = "IPv4", description = "The container's address on its network (default: the next free one)")
    String ip;

    RunRequest.NetworkRequest toRequest() {
        return new RunRequest.NetworkRequest(network, List.copyOf(addHosts), List.copyOf(publish), publishAll,
                List.copyOf(dns), List.copyOf(dnsSearch), List.copyOf(dnsOptions), noHosts, List.copyOf(aliases), ip);
    }
}
