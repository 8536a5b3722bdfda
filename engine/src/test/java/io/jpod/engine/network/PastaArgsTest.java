package io.jpod.engine.network;

import static org.junit.jupiter.api.Assertions.assertEquals;

import io.jpod.network.NetworkMode;
import io.jpod.network.NetworkSetup;
import io.jpod.network.PortMapping;
import io.jpod.network.SlirpOptions;
import io.jpod.rootless.ContainerSpec;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;

class PastaArgsTest {

    @Test
    void portsBecomeOneSpecPerAddressAndNothingElseIsForwarded() {
        NetworkSetup setup = new NetworkSetup(NetworkMode.PASTA, null, 0, SlirpOptions.DEFAULTS, Path.of("/usr/bin/pasta"), List.of("--mtu", "1500"));
        List<PortMapping> ports = List.of(new PortMapping("127.0.0.1", 8080, 80, "tcp"), new PortMapping("127.0.0.1", 8443, 443, "tcp"),
                new PortMapping("0.0.0.0", 9000, 90, "tcp"), new PortMapping("0.0.0.0", 5353, 53, "udp"));
        List<ContainerSpec.Extra> extras = PastaArgs.extras(setup, ports, Path.of("/run/c/1"));
        assertEquals(new ContainerSpec.Extra("pasta", "/usr/bin/pasta"), extras.get(0));
        assertEquals(new ContainerSpec.Extra("pasta_dir", "/run/c/1"), extras.get(1));
        List<String> args = extras.subList(2, extras.size()).stream().map(ContainerSpec.Extra::value).toList();
        assertEquals(List.of("-t", "127.0.0.1/8080:80,8443:443", "-t", "9000:90", "-u", "5353:53", "-T", "none", "-U", "none",
                "--mtu", "1500"), args);
    }

    @Test
    void noPortsMeansNoForwarding() {
        NetworkSetup setup = new NetworkSetup(NetworkMode.PASTA, null, 0, SlirpOptions.DEFAULTS, Path.of("/usr/bin/pasta"), List.of());
        List<String> args = PastaArgs.extras(setup, List.of(), Path.of("/r")).stream().skip(2).map(ContainerSpec.Extra::value).toList();
        assertEquals(List.of("-t", "none", "-u", "none", "-T", "none", "-U", "none"), args);
    }
}
