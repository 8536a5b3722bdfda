package io.jpod.engine.network;

import io.jpod.network.NetworkException;
import io.jpod.network.NetworkSetup;
import io.jpod.network.PortMapping;
import io.jpod.rootless.ContainerSpec;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * Published ports on the host's loopback ({@code -p 127.0.0.1:PORT:PORT}) of a container on a user network: forwarded
 * by a pasta of the container's own, started by the monitor on the container's network namespace with
 * {@code pasta_forward_only} (no --config-net: its tap {@code pasta0} stays down, the container's interfaces are the
 * bridge's). pasta splices a loopback connection into the container's loopback, so the container sees the client's
 * real address, 127.0.0.1, where the holder's path (slirp4netns's forward and a DNAT rule) shows slirp4netns's
 * 10.0.2.2. Ports on other addresses keep the holder's path: pasta would bring a non-loopback client in through its
 * tap, which must stay down beside the bridge's default route. Without pasta installed, every port takes the
 * holder's path.
 */
public final class LoopbackForwards {
    private LoopbackForwards() {
    }

    /** The ports pasta forwards: those on a loopback address, when pasta is installed. */
    public static List<PortMapping> spliced(List<PortMapping> ports, Map<String, String> env) {
        List<PortMapping> out = new ArrayList<>();
        for (PortMapping p : ports) {
            if (p.hostIp().startsWith("127.")) {
                out.add(p);
            }
        }
        if (out.isEmpty() || pasta(env) == null) {
            return List.of();
        }
        return out;
    }

    /** The helper's records for them (none for none). */
    public static List<ContainerSpec.Extra> records(List<PortMapping> spliced, Path runDir, Map<String, String> env) {
        if (spliced.isEmpty()) {
            return List.of();
        }
        List<ContainerSpec.Extra> extras = new ArrayList<>();
        extras.add(new ContainerSpec.Extra("pasta", pasta(env).toString()));
        extras.add(new ContainerSpec.Extra("pasta_dir", runDir.toString()));
        extras.add(new ContainerSpec.Extra("pasta_forward_only", "1"));
        List<String> args = new ArrayList<>();
        PastaArgs.forwards(args, "-t", spliced, "tcp");
        PastaArgs.forwards(args, "-u", spliced, "udp");
        args.addAll(List.of("-T", "none", "-U", "none", "-I", "pasta0"));
        args.forEach(a -> extras.add(new ContainerSpec.Extra("pasta_arg", a)));
        return extras;
    }

    private static Path pasta(Map<String, String> env) {
        try {
            return NetworkSetup.of("pasta", env).pasta();
        } catch (NetworkException e) {
            return null; // not installed: the holder's path
        }
    }
}
