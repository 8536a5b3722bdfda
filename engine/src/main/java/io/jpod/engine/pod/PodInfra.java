package io.jpod.engine.pod;

import io.jpod.engine.network.BridgeNetworking;
import io.jpod.engine.network.PodNetworks;

import io.jpod.engine.network.ContainerNetwork;
import io.jpod.engine.Dirs;
import io.jpod.engine.EngineException;
import io.jpod.engine.container.ContainerCgroups;
import io.jpod.engine.container.ContainerRunner;
import io.jpod.engine.container.Lifecycle;
import io.jpod.engine.container.ProcInfo;
import io.jpod.engine.container.ProcessHost;
import io.jpod.engine.container.RunRequest;
import io.jpod.engine.container.SandboxPolicy;
import io.jpod.engine.container.Signals;
import io.jpod.network.NetworkSetup;
import io.jpod.rootless.ContainerSpec;
import io.jpod.rootless.NativeHelper;
import io.jpod.storage.ContainerRecord;
import io.jpod.storage.ContainerState;
import io.jpod.storage.PodRecord;

import java.io.IOException;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * A pod's infra: the helper's `run` of a spec with {@code infra=1}, whose init holds the pod's network (with its
 * slirp4netns and published ports), IPC, UTS and PID namespaces and nothing else (no rootfs, no exec). It is the
 * pod's infra container ({@code <podid:12>-infra}, a record of the container store from the {@link PauseImage}):
 * its run state lives where a container's does, {@code <runroot>/containers/<infraid>/} ({@code monitor.pid},
 * {@code monitor.start}, {@code pid}, {@code exit}), and each start and stop is recorded in that record, so `ps`,
 * `inspect`, `kill` and the reconciliation of a monitor gone see it as any container.
 */
public final class PodInfra {
    private static final Duration START_TIMEOUT = Duration.ofSeconds(60);

    /** The running infra's init, and the monitor it must be the child of (what the helper checks before joining). */
    record Process(long pid, long monitorPid, long monitorStartTicks) {
    }

    private final io.jpod.storage.Store store;
    private final Dirs dirs;
    private final NativeHelper helper;
    private final ProcessHost host;
    private final Map<String, String> env;
    private final PrintStream err;

    public PodInfra(io.jpod.storage.Store store, Dirs dirs, NativeHelper helper, ProcessHost host, Map<String, String> env, PrintStream err) {
        this.store = store;
        this.dirs = dirs;
        this.helper = helper;
        this.host = host;
        this.env = env;
        this.err = err;
    }

    BridgeNetworking bridge() {
        return new BridgeNetworking(dirs.runRoot().path(), env, () -> helper);
    }

    Path runDir(PodRecord pod) {
        return dirs.runRoot().containerDir(pod.infraId());
    }

    /** The infra's process while it runs, else null. */
    Process running(PodRecord pod) {
        if (pod.infraId() == null) {
            return null; // pod create --infra=false
        }
        Path run = runDir(pod);
        if (Files.exists(run.resolve("exit"))) {
            return null;
        }
        long monitor = Lifecycle.readLong(run.resolve("monitor.pid"));
        long ticks = Lifecycle.readLong(run.resolve("monitor.start"));
        long pid = Lifecycle.readLong(run.resolve("pid"));
        if (monitor <= 0 || pid <= 0 || !ProcInfo.alive(monitor, ticks) || !ProcInfo.alive(pid, null)) {
            return null;
        }
        return new Process(pid, monitor, ticks);
    }

    /** Starts the infra unless it runs (in its cgroup below the pod's, when the pod in {@code podDir} has one); its process. */
    Process start(PodRecord pod, Path podDir) {
        Process p = running(pod);
        if (p != null) {
            return p;
        }
        Path run = runDir(pod);
        RunRequest.NetworkRequest netReq = new RunRequest.NetworkRequest(Pods.networkMode(pod), pod.addHosts(), pod.publish(),
                false, pod.dns(), List.of(), List.of());
        try (ContainerNetwork net = ContainerNetwork.plan(netReq, env, err)) {
            NetworkSetup network = net.setup();
            Files.createDirectories(run);
            for (String f : List.of("exit", "pid", "monitor.pid", "monitor.start")) {
                Files.deleteIfExists(run.resolve(f));
            }
            net.reservePorts(() -> new byte[0]);
            List<ContainerSpec.Extra> extras = new ArrayList<>(net.specExtras(dirs.runRoot(), pod.infraId()));
            extras.addAll(PodNetworks.infraRecords(store, bridge(), pod)); // a veth per user network (pod create --network NAME)
            extras.add(new ContainerSpec.Extra("infra", "1"));
            extras.add(new ContainerSpec.Extra("monitorpidfile", run.resolve("monitor.pid").toString()));
            extras.add(new ContainerSpec.Extra("detach", "1"));
            extras.addAll(ContainerCgroups.prepareInfra(podDir, pod.infraId()));
            if ("keep-id".equals(pod.userns())) { // the pod's namespaces are made inside it; its containers join it
                extras.addAll(SandboxPolicy.keepIdMapRecords());
            }
            List<String> argv = pod.infraCommand().isEmpty() ? List.of("jpod-infra") : pod.infraCommand();
            ContainerSpec spec = new ContainerSpec(Path.of("/"), Pods.hostname(pod), "/", 0, 0, List.of(), List.of(),
                    argv, net.specNetwork(), network.slirp4netns(), network.mtu() > 0 ? network.mtu() : NetworkSetup.DEFAULT_MTU,
                    List.of(), run.resolve("exit"), run.resolve("pid"), extras);
            Path specFile = run.resolve("spec");
            spec.writeTo(specFile);
            ProcessBuilder pb = helper.runContainer(specFile)
                    .redirectInput(ProcessBuilder.Redirect.from(new java.io.File("/dev/null")))
                    .redirectOutput(ProcessBuilder.Redirect.INHERIT).redirectError(ProcessBuilder.Redirect.INHERIT);
            java.lang.Process monitor = host.start(pb, ProcessHost.SignalProxy.NONE, helper);
            int status;
            if (!monitor.waitFor(START_TIMEOUT.toSeconds(), java.util.concurrent.TimeUnit.SECONDS)) {
                monitor.destroyForcibly();
                throw new EngineException("the infra of pod " + pod.name() + " did not start within " + START_TIMEOUT.toSeconds() + " s");
            }
            status = monitor.exitValue();
            if (status != 0) {
                throw new EngineException("cannot start the infra of pod " + pod.name() + " (status " + status + ")");
            }
            long monitorPid = Lifecycle.readLong(run.resolve("monitor.pid"));
            long ticks = ProcInfo.startTicks(monitorPid);
            Lifecycle.writeAtomic(run.resolve("monitor.start"), Long.toString(ticks).getBytes(java.nio.charset.StandardCharsets.US_ASCII));
            Process started = running(pod);
            if (started == null) {
                throw new EngineException("the infra of pod " + pod.name() + " ended right after it started");
            }
            record(pod, started);
            return started;
        } catch (IOException e) {
            throw new EngineException("cannot start the infra of pod " + pod.name() + ": " + e.getMessage(), e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new EngineException("interrupted while starting the infra of pod " + pod.name());
        }
    }

    /** The spec records that make a container of the pod join the infra's shared namespaces. */
    static List<ContainerSpec.Extra> joinRecords(PodRecord pod, Process infra) {
        List<ContainerSpec.Extra> records = new ArrayList<>();
        records.add(new ContainerSpec.Extra("joinpid", infra.pid() + ":" + infra.monitorPid() + ":" + infra.monitorStartTicks()));
        if ("keep-id".equals(pod.userns())) {
            records.add(new ContainerSpec.Extra("joinns", "user"));
        }
        for (String ns : pod.share()) {
            if (ns.equals("net") && "host".equals(pod.network())) {
                continue; // the host's network namespace is not ours to setns into; the container is in it already (host mode)
            }
            records.add(new ContainerSpec.Extra("joinns", ns));
        }
        return records;
    }

    /** Sends {@code signal} to the infra (SIGTERM ends it), then waits (bounded) for its exit; SIGKILL if it lingers. */
    public void stop(PodRecord pod, int signal) {
        Process p = running(pod);
        if (p == null) {
            return;
        }
        helper.signalChild(p.pid(), signal, p.monitorPid(), p.monitorStartTicks());
        if (!awaitGone(pod, p, Duration.ofSeconds(10))) {
            helper.signalChild(p.pid(), Signals.KILL, p.monitorPid(), p.monitorStartTicks());
            if (!awaitGone(pod, p, Duration.ofSeconds(30))) {
                throw new EngineException("the infra of pod " + pod.name() + " did not end within 30 s of SIGKILL");
            }
        }
        recordEnd(pod);
    }

    /** The infra container's record says it runs, with the monitor and init that `kill`/`inspect`/reconcile check. */
    private void record(PodRecord pod, Process p) {
        store.locked(() -> {
            store.containers().get(pod.infraId()).filter(r -> r.lifecycle() != null).ifPresent(r -> store.containers().update(
                    new ContainerRecord(r.id(), r.name(), r.imageId(), r.imageName(), r.command(), r.created(), ContainerState.RUNNING,
                            null, r.lifecycle().withRun(p.monitorPid(), p.monitorStartTicks(), p.pid(), Instant.now()))));
            return null;
        });
    }

    /** The infra container's record says it ended (with the exit file's code: 0 for a SIGTERM the init handled). */
    private void recordEnd(PodRecord pod) {
        Integer code;
        try {
            code = Integer.parseInt(Files.readString(runDir(pod).resolve("exit")).strip());
        } catch (IOException | NumberFormatException e) {
            code = 0; // the exit file is gone with a teardown that ran first: it recorded the code already
        }
        int exit = code;
        store.locked(() -> {
            store.containers().get(pod.infraId()).filter(r -> r.lifecycle() != null && r.state() != ContainerState.EXITED)
                    .ifPresent(r -> store.containers().update(new ContainerRecord(r.id(), r.name(), r.imageId(), r.imageName(),
                            r.command(), r.created(), ContainerState.EXITED, exit, r.lifecycle().withEnd(Instant.now(), null))));
            return null;
        });
    }

    private boolean awaitGone(PodRecord pod, Process p, Duration timeout) {
        Instant deadline = Instant.now().plus(timeout);
        while (Instant.now().isBefore(deadline)) {
            if (Files.exists(runDir(pod).resolve("exit")) || !ProcInfo.alive(p.monitorPid(), p.monitorStartTicks())) {
                return true;
            }
            Lifecycle.pause();
        }
        return false;
    }

    /** Forgets the infra's run state (pod rm). */
    void forget(PodRecord pod) {
        if (pod.infraId() == null) {
            return;
        }
        ContainerRunner.deleteTree(runDir(pod));
    }
}
