package io.jpod.engine.network;

import io.jpod.network.NetworkSetup;
import io.jpod.network.PortMapping;
import io.jpod.rootless.ContainerSpec;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The helper's pasta records: the binary, the run dir (netns bind mount, pid FIFO, log) and pasta's arguments:
 * published ports as {@code -t}/{@code -u} specs ({@code [ADDRESS/]HOSTPORT:CONTAINERPORT}), no automatic forwarding
 * in either direction otherwise (the container must not reach the host's loopback, as with slirp4netns), then the
 * user's {@code --network pasta:ARG,...}.
 */
final class PastaArgs {
    private PastaArgs() {
    }

    static List<ContainerSpec.Extra> extras(NetworkSetup setup, List<PortMapping> ports, Path runDir) {
        List<ContainerSpec.Extra> extras = new ArrayList<>();
        extras.add(new ContainerSpec.Extra("pasta", setup.pasta().toString()));
        extras.add(new ContainerSpec.Extra("pasta_dir", runDir.toString()));
        List<String> args = new ArrayList<>();
        forwards(args, "-t", ports, "tcp");
        forwards(args, "-u", ports, "udp");
        args.addAll(List.of("-T", "none", "-U", "none"));
        args.addAll(setup.pastaOptions());
        args.forEach(a -> extras.add(new ContainerSpec.Extra("pasta_arg", a)));
        return extras;
    }

    /** One option per host address: pasta applies an address to a whole spec. */
    static void forwards(List<String> args, String option, List<PortMapping> ports, String protocol) {
        Map<String, List<String>> byAddress = new LinkedHashMap<>();
        for (PortMapping p : ports) {
            if (p.protocol().equals(protocol)) {
                byAddress.computeIfAbsent(p.hostIp(), k -> new ArrayList<>()).add(p.hostPort() + ":" + p.containerPort());
            }
        }
        if (byAddress.isEmpty()) {
            args.addAll(List.of(option, "none"));
        }
        byAddress.forEach((ip, specs) -> args.addAll(List.of(option,
                (ip.equals(PortMapping.ALL_ADDRESSES) ? "" : ip + "/") + String.join(",", specs))));
    }
}
