package io.jpod.engine.container;

import io.jpod.engine.EngineException;
import io.jpod.engine.NoSuchContainerException;

import io.jpod.engine.container.RunRequest;

import io.jpod.rootless.ContainerSpec;
import io.jpod.storage.ContainerLifecycle;
import io.jpod.storage.ContainerRecord;
import io.jpod.storage.Store;

import java.util.ArrayList;
import java.util.List;

/**
 * Containers that depend on another: {@code --network container:NAME} joins NAME's network namespace at each
 * start (as a pod's containers join the infra's), so NAME cannot be removed while they exist; {@code rm --depend}
 * removes them first (podman's rules). The dependency is stored in the dependent's record as its network mode,
 * {@code container:FULLID}.
 */
public final class ContainerDependencies {
    static final String PREFIX = "container:";

    private ContainerDependencies() {
    }

    /** True for a --network value that joins another container's network. */
    static boolean joins(String networkMode) {
        return networkMode != null && networkMode.startsWith(PREFIX);
    }

    /** The run request with {@code container:NAME} made {@code container:FULLID}; the container must exist. */
    static RunRequest resolve(Store store, RunRequest req) {
        if (req.network() == null || !joins(req.network().mode())) {
            return req;
        }
        String name = req.network().mode().substring(PREFIX.length());
        if (name.isEmpty()) {
            throw new EngineException("invalid --network \"" + req.network().mode() + "\": name the container whose network to join (container:NAME)");
        }
        ContainerRecord target = store.containers().get(name).orElseThrow(() -> new NoSuchContainerException(name));
        RunRequest.NetworkRequest n = req.network();
        if (!n.publish().isEmpty() || n.publishAll()) {
            throw new EngineException("--publish cannot be used with --network " + req.network().mode()
                    + ": the ports are those of the joined container; publish them on " + target.name());
        }
        RunRequest.NetworkRequest joined = new RunRequest.NetworkRequest(PREFIX + target.id(), n.addHosts(), n.publish(), n.publishAll(),
                n.dns(), n.dnsSearch(), n.dnsOptions(), n.noHosts(), n.aliases(), n.ip());
        return new RunRequest(req.image(), req.command(), req.process(), req.name(), req.remove(), req.pull(), joined,
                req.lifecycle(), req.security(), req.resources(), req.pod());
    }

    /** The network a joining container plans for itself: none (the other container's is joined at start). */
    static RunRequest.NetworkRequest ownNetwork(RunRequest.NetworkRequest n) {
        if (!joins(n.mode())) {
            return n;
        }
        return new RunRequest.NetworkRequest("none", n.addHosts(), List.of(), false, n.dns(), n.dnsSearch(), n.dnsOptions(), n.noHosts());
    }

    /** The spec records that make a starting container join the running {@code target}'s (init {@code pid}) network namespace. */
    static List<ContainerSpec.Extra> joinRecords(ContainerRecord target, long pid) {
        ContainerLifecycle l = target.lifecycle();
        if (target.state() != io.jpod.storage.ContainerState.RUNNING || pid <= 0 || l == null || l.monitorPid() == null || l.monitorStartTicks() == null) {
            throw new EngineException("container " + target.name() + " is not running: start it first, this container joins its network namespace");
        }
        return List.of(new ContainerSpec.Extra("joinpid", pid + ":" + l.monitorPid() + ":" + l.monitorStartTicks()),
                new ContainerSpec.Extra("joinns", "net"));
    }

    /** The id of the container whose network {@code networkMode} joins. */
    static String target(String networkMode) {
        return networkMode.substring(PREFIX.length());
    }

    /** The containers created with --network container:ID of this one. */
    public static List<ContainerRecord> dependents(Store store, String id) {
        List<ContainerRecord> out = new ArrayList<>();
        for (ContainerRecord c : store.containers().list()) {
            ContainerLifecycle l = c.lifecycle();
            if (l != null && l.config() != null && (PREFIX + id).equals(l.config().network())) {
                out.add(c);
            }
        }
        return out;
    }

    /** podman's refusal to remove a container others depend on (125). */
    public static void refuseIfDepended(Store store, ContainerRecord c) {
        List<ContainerRecord> deps = dependents(store, c.id());
        if (!deps.isEmpty()) {
            throw new EngineException("container " + c.id() + " has dependent containers which must be removed before it: "
                    + String.join(",", deps.stream().map(ContainerRecord::id).toList()) + ": container already exists");
        }
    }
}
