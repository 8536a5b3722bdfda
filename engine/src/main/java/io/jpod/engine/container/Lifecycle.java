package io.jpod.engine.container;

import io.jpod.engine.DriverSelector;

import io.jpod.engine.pod.PodExitPolicy;



import io.jpod.engine.network.LoopbackForwards;

import io.jpod.engine.network.BridgeNetworking;
import io.jpod.engine.network.ContainerNetwork;
import io.jpod.engine.network.Networks;
import io.jpod.engine.volume.Volumes;
import io.jpod.engine.Dirs;
import io.jpod.engine.EngineException;
import io.jpod.engine.NoSuchContainerException;
import io.jpod.engine.Trace;
import io.jpod.engine.pod.PodInfra;
import io.jpod.engine.pod.Pods;
import io.jpod.engine.system.EventLog;
import io.jpod.storage.ContainerState;
import io.jpod.rootless.ContainerSpec;
import io.jpod.rootless.NativeHelper;
import io.jpod.storage.ContainerLifecycle;
import io.jpod.storage.ContainerRecord;
import io.jpod.storage.ImageRecord;
import io.jpod.storage.Mounts;
import io.jpod.storage.RootfsDriver;
import io.jpod.storage.Store;
import io.jpod.storage.VolumeStore;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.function.Function;
import java.util.function.Supplier;

/**
 * A container's life after `run` prepared it: launching the native monitor (foreground or as a daemon), the
 * teardown when it ends (the same code for both: in-process after a foreground run, through the monitor's exit
 * command {@code jpod container cleanup ID} after a detached one), and reconciling the stored state with what
 * /proc says, so a container whose monitor was killed shows as exited and its mounts are cleaned up.
 *
 * <p>State files: {@code <storage>/containers/<id>/spec} (the container's spec without launch settings, kept for
 * `start`), {@code ctr.log} (k8s-file log, rotated to {@code ctr.log.1}); {@code <runroot>/containers/<id>/}
 * {@code spec} (as launched), {@code monitor.pid}, {@code pid} (the init), {@code exit} (status; its mtime is the
 * finish time).
 */
public final class Lifecycle {
    static final String LOG = "ctr.log";
    static final long LOG_MAX = 16L * 1024 * 1024;
    public static final String ATTACH_SOCKET = "attach.sock";
    /** Made by `stop` before it signals: the monitor then skips its exit command, stop tears down itself. */
    static final String TEARDOWN_CLAIM = "teardown-claimed";
    /** Written by `stop` and `kill` (podman's "stopped by user"): the restart policy leaves this run ended. */
    static final String STOPPED_BY_USER = "stopped-by-user";
    private static final Duration POLL = Duration.ofMillis(50);
    private static final Duration START_TIMEOUT = Duration.ofSeconds(120);
    private static final Duration TEARDOWN_TIMEOUT = Duration.ofSeconds(60);
    private static final Duration STALE_CREATED = Duration.ofMinutes(5);

    private final Store store;
    private final Dirs dirs;
    private final Map<String, String> env;
    private final PrintStream err;
    private final Supplier<NativeHelper> helper;
    private final Function<String, RootfsDriver> drivers;
    private final ProcessHost host;

    public Lifecycle(Store store, Dirs dirs, Map<String, String> env, PrintStream err, Supplier<NativeHelper> helper,
              Function<String, RootfsDriver> drivers) {
        this(store, dirs, env, err, helper, drivers, ProcessHost.LOCAL);
    }

    public Lifecycle(Store store, Dirs dirs, Map<String, String> env, PrintStream err, Supplier<NativeHelper> helper,
              Function<String, RootfsDriver> drivers, ProcessHost host) {
        this.host = host;
        this.store = store;
        this.dirs = dirs;
        this.env = env;
        this.err = err;
        this.helper = helper;
        // a keep-id container's record names its mapped fuse-overlayfs rootfs: resolved here, beside the container code
        // it needs (SandboxPolicy's maps), so that the core's DriverSelector knows only the store's drivers
        this.drivers = name -> UsernsRootfs.isMapped(name)
                ? UsernsRootfs.forRecorded(name, DriverSelector.requiredFuseOverlayfs(env), helper.get().binary())
                : drivers.apply(name);
    }

    Store store() {
        return store;
    }

    ProcessHost host() {
        return host;
    }

    public Path runDir(String id) {
        return dirs.runRoot().containerDir(id);
    }

    /** The container's k8s-file log: --log-opt path=, else ctr.log in its directory. */
    Path logFile(String id) {
        return store.containers().get(id).map(this::logFile).orElseGet(() -> store.containers().dir(id).resolve(LOG));
    }

    /** As {@link #logFile(String)}, for a record already read. */
    Path logFile(ContainerRecord r) {
        ContainerLifecycle.Config c = r.lifecycle() == null ? null : r.lifecycle().config();
        return c != null && c.logPath() != null ? Path.of(c.logPath()) : store.containers().dir(r.id()).resolve(LOG);
    }

    /** --log-driver none: the monitor writes no log. */
    public static boolean logsNothing(ContainerRecord r) {
        return r.lifecycle() != null && r.lifecycle().config() != null && "none".equals(r.lifecycle().config().logDriver());
    }

    Path baseSpec(String id) {
        return store.containers().dir(id).resolve("spec");
    }

    public ContainerRecord get(String idOrName) {
        return store.containers().get(idOrName)
                .orElseThrow(() -> new NoSuchContainerException(idOrName));
    }

    // ---- launch

    /** A removed container's addresses on user networks go back to their networks. */
    public void releaseAddresses(ContainerRecord removed) {
        if (removed != null && removed.lifecycle() != null && removed.lifecycle().config() != null
                && BridgeNetworking.isBridge(removed.lifecycle().config().network())) {
            Networks networks = new Networks(store);
            List<Map.Entry<io.jpod.storage.NetworkRecord, io.jpod.storage.NetworkLease>> had = networks.leasesOf(removed.id());
            networks.release(removed.id(), null);
            BridgeNetworking b = bridge();
            for (var e : had) { // its names leave the network's name server
                b.writeDns(e.getKey(), networks.leases(e.getKey().name()));
            }
        }
    }

    public BridgeNetworking bridge() {
        return new BridgeNetworking(dirs.runRoot().path(), env, helper);
    }

    /** Keeps the spec of a prepared container for later starts. */
    void saveSpec(String id, ContainerSpec spec) throws IOException {
        writeAtomic(baseSpec(id), spec.encode());
    }

    /**
     * Starts the monitor on the saved spec, rootfs already mounted. Foreground: waits, tears down, returns the
     * container's status. Detached: returns 0 once the container runs (the monitor's exit command tears down),
     * or tears down and returns the failure's status.
     */
    public int launch(ContainerRecord r, boolean detach, boolean interactive) {
        return launch(r, detach, interactive, false);
    }

    /** With attachWait, the monitor relays nothing until the first attacher connected (start -i: no output lost). */
    public int launch(ContainerRecord r, boolean detach, boolean interactive, boolean attachWait) {
        return launch(r, detach, interactive, attachWait, java.util.Set.of());
    }

    /** {@code attach}: run --attach, the streams the foreground relays (empty: all of them). */
    public int launch(ContainerRecord r, boolean detach, boolean interactive, boolean attachWait, java.util.Set<String> attach) {
        String id = r.id();
        ContainerLifecycle.Config config = r.lifecycle().config();
        Path run = runDir(id);
        Path specFile = run.resolve("spec");
        Process monitor;
        Instant started = Instant.now();
        try {
            Files.createDirectories(run);
            for (String f : List.of("exit", "pid", "monitor.pid", ATTACH_SOCKET, TEARDOWN_CLAIM, STOPPED_BY_USER)) {
                Files.deleteIfExists(run.resolve(f));
            }
            ByteArrayOutputStream spec = new ByteArrayOutputStream();
            spec.writeBytes(Files.readAllBytes(baseSpec(id)));
            record(spec, "exitfile", run.resolve("exit").toString());
            record(spec, "pidfile", run.resolve("pid").toString());
            record(spec, "monitorpidfile", run.resolve("monitor.pid").toString());
            if (!logsNothing(r)) {
                Long max = config.logMaxSize();
                record(spec, "logfile", logFile(id).toString());
                record(spec, "logmax", Long.toString(max == null ? LOG_MAX : max < 0 ? 0 : max)); // 0: no cap
            }
            record(spec, "attachsock", run.resolve(ATTACH_SOCKET).toString());
            if (BridgeNetworking.isBridge(config.network())) { // the holder's pid and the veths: fresh at every start
                Networks networks = new Networks(store);
                var leases = networks.leasesOf(id);
                BridgeNetworking bridge = bridge();
                for (ContainerSpec.Extra e : bridge.launchRecords(leases, networks::leases)) {
                    record(spec, e.key(), e.value());
                }
                if (!leases.isEmpty()) {
                    bridge.unpublish(run); // a previous run's, if its teardown never came
                    List<io.jpod.network.PortMapping> ports = new java.util.ArrayList<>(ContainerNetwork.readPorts(store.containers().dir(id)));
                    List<io.jpod.network.PortMapping> spliced = LoopbackForwards.spliced(ports, env); // the client's address kept
                    for (ContainerSpec.Extra e : LoopbackForwards.records(spliced, run, env)) {
                        record(spec, e.key(), e.value());
                    }
                    ports.removeAll(spliced);
                    bridge.publish(run, leases.get(0).getValue().ip(), ports);
                }
            }
            if (attachWait) {
                record(spec, "attachwait", "1");
            }
            if (config.tty()) {
                record(spec, "tty", "1");
            }
            if (interactive) {
                record(spec, "interactive", "1");
            }
            if (config.init()) {
                record(spec, "init", "1");
            }
            if (config.runFlags() != null && config.runFlags().timeout() != null) { // --timeout: the monitor's SIGKILL
                record(spec, "timeout", Long.toString(config.runFlags().timeout()));
            }
            io.jpod.storage.HealthcheckConfig health = HealthChecks.config(r);
            if (health != null) { // the monitor's checker runs `jpod healthcheck run` every interval
                record(spec, "healthinterval", Long.toString(Math.max(1, health.intervalOrDefault() / 1_000_000)));
                for (String a : jpodCommand(config.storageDriver(), "healthcheck", "run", id)) {
                    record(spec, "healthcmd", a);
                }
            }
            if (detach) {
                record(spec, "detach", "1");
                for (String a : jpodCommand(config.storageDriver(), "container", "cleanup", id)) {
                    record(spec, "exitcmd", a);
                }
                record(spec, "exitcmdskip", run.resolve(TEARDOWN_CLAIM).toString());
            }
            if (config.pod() != null) { // the pod's infra runs (started now if need be) and its namespaces are joined
                List<ContainerSpec.Extra> join;
                try {
                    join = Pods.joinForStart(store, new PodInfra(store, dirs, helper.get(), host, env, err), config.pod());
                } catch (RuntimeException e) {
                    teardown(id, 125, e.getMessage());
                    throw e;
                }
                join.forEach(x -> record(spec, x.key(), x.value()));
            }
            try {
                VolumeOwnership.apply(store.containers().dir(id)); // -v …:U, at every start as in podman
                if (ContainerDependencies.joins(config.network())) { // --network container:ID: its namespace, joined now
                    ContainerRecord joined = current(ContainerDependencies.target(config.network()));
                    ContainerDependencies.joinRecords(joined, running(joined) ? initPid(joined) : -1)
                            .forEach(x -> record(spec, x.key(), x.value()));
                }
            } catch (RuntimeException e) {
                teardown(id, 125, e.getMessage());
                throw e;
            }
            writeAtomic(specFile, spec.toByteArray());
            if (config.pod() != null) { // the pod's cgroup (gone after a reboot) before its container's below it
                ContainerCgroups.createFor(store.pods().dir(config.pod()));
            }
            ContainerCgroups.createFor(store.containers().dir(id)); // limits in place before the child joins
            ProcessBuilder pb = runtimeOf(config).runContainer(specFile);
            if (detach) {
                pb.redirectInput(ProcessBuilder.Redirect.from(new java.io.File("/dev/null")))
                        .redirectOutput(ProcessBuilder.Redirect.INHERIT).redirectError(ProcessBuilder.Redirect.INHERIT);
            } else if (attach.isEmpty()) {
                pb.inheritIO();
            } else { // a stream not attached still reaches the log through the monitor
                pb.redirectInput(attach.contains("stdin") ? ProcessBuilder.Redirect.INHERIT
                                : ProcessBuilder.Redirect.from(new java.io.File("/dev/null")))
                        .redirectOutput(attach.contains("stdout") ? ProcessBuilder.Redirect.INHERIT : ProcessBuilder.Redirect.DISCARD)
                        .redirectError(attach.contains("stderr") ? ProcessBuilder.Redirect.INHERIT : ProcessBuilder.Redirect.DISCARD);
            }
            // the foreground monitor gets podman's signal proxy (with -t, ^C is a byte on the container's pty)
            monitor = host.start(pb, detach ? ProcessHost.SignalProxy.NONE
                    : config.tty() ? ProcessHost.SignalProxy.ALL_BUT_INT : ProcessHost.SignalProxy.ALL, helper.get());
            Trace.mark("launch: monitor started");
        } catch (IOException e) {
            teardown(id, 125, "cannot start the container monitor: " + e.getMessage());
            throw new EngineException("cannot start container " + id.substring(0, 12) + ": " + e.getMessage(), e);
        }
        if (!detach) {
            markRunning(id, monitor.pid(), started);
            Trace.mark("launch: recorded running");
            event("start", r, Map.of());
            Trace.mark("launch: start event");
            int status;
            try {
                status = monitor.waitFor();
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                monitor.destroy();
                status = 125;
            }
            Trace.mark("launch: container ended");
            teardown(id, status, null);
            Trace.mark("launch: torn down");
            restartByPolicy(id);
            Trace.mark("launch: restart policy applied");
            return status;
        }
        int status;
        try {
            if (!monitor.waitFor(START_TIMEOUT.toSeconds(), java.util.concurrent.TimeUnit.SECONDS)) {
                monitor.destroyForcibly();
                status = 125;
                err.println("Error: the container did not start within " + START_TIMEOUT.toSeconds() + " s");
            } else {
                status = monitor.exitValue();
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            status = 125;
        }
        if (status != 0) {
            awaitMonitorGone(id);
            teardown(id, status, null);
            return status;
        }
        Trace.mark("launch: container running");
        long monitorPid = readLong(run.resolve("monitor.pid"));
        markRunning(id, monitorPid, started);
        event("start", r, Map.of());
        Trace.mark("launch: recorded");
        return 0;
    }

    /** `jpod create`: the container is prepared (spec saved, state "created"); its rootfs waits for `start`. */
    int leaveCreated(ContainerRecord r) {
        unmount(r);
        return 0;
    }

    /** The helper that runs this container: the one its --runtime named, while it is there, else this jpod's. */
    private NativeHelper runtimeOf(ContainerLifecycle.Config config) {
        String given = config.runFlags() == null ? null : config.runFlags().ociRuntime();
        return given != null && Files.isExecutable(Path.of(given)) ? NativeHelper.locate(Map.of("JPOD_HELPER", given)) : helper.get();
    }

    /** bin/jpod with this store's global options, then {@code args}: what the monitor's helpers run. */
    private List<String> jpodCommand(String driver, String... args) {
        String home = env.get("JPOD_HOME");
        if (home == null) {
            throw new EngineException("JPOD_HOME is not set: start jpod through its launcher bin/jpod");
        }
        List<String> cmd = new ArrayList<>(List.of(Path.of(home, "bin", "jpod").toString(),
                "--root", dirs.storageRoot().toString(), "--runroot", dirs.runRoot().path().toString()));
        if (driver != null) {
            cmd.addAll(List.of("--storage-driver", driver));
        }
        if (dirs.volumesMoved()) {
            cmd.addAll(List.of("--volumepath", dirs.volumes().toString()));
        }
        cmd.addAll(List.of(args));
        return cmd;
    }

    /** Running, unless the teardown of this very run already happened (a container faster than us). */
    private void markRunning(String id, long monitorPid, Instant started) {
        store.locked(() -> {
            ContainerRecord r = store.containers().get(id).orElse(null);
            if (r == null) {
                return null;
            }
            ContainerLifecycle lc = r.lifecycle();
            if (r.state() == ContainerState.EXITED && lc.finishedAt() != null && !lc.finishedAt().isBefore(started)) {
                return null;
            }
            long pid = readLong(runDir(id).resolve("pid"));
            long ticks = ProcInfo.startTicks(monitorPid);
            store.containers().update(with(r, ContainerState.RUNNING, null, lc.withRun(monitorPid > 0 ? monitorPid : null,
                    ticks > 0 ? ticks : null, pid > 0 ? pid : null, started)));
            return null;
        });
    }

    // ---- teardown and reconciliation

    /**
     * What happens when a container has ended, from whichever process sees it first: unmount the rootfs, record
     * the status and time, remove the container when --rm. Idempotent.
     *
     * @param status the status if known; else the exit file's, else 137 (the monitor died, the container with it)
     */
    public int teardown(String id, Integer status, String error) {
        ContainerRecord r = store.containers().get(id).orElse(null);
        if (r == null) {
            return status == null ? 137 : status;
        }
        Path run = runDir(id);
        Path exitFile = run.resolve("exit");
        Instant finished = Instant.now();
        Integer code = status;
        if (Files.exists(run.resolve(BridgeNetworking.FORWARDS))) {
            bridge().unpublish(run); // its published ports on a user network
        }
        try {
            if (Files.exists(exitFile)) {
                finished = Files.getLastModifiedTime(exitFile).toInstant();
                // the monitor's own record of the code wins over its process status, which is that & 0xff
                // (--timeout's -1 is 255 as a status)
                code = Integer.parseInt(Files.readString(exitFile).strip());
            }
        } catch (IOException | NumberFormatException e) {
            // unreadable: treated as missing
        }
        if (code == null) {
            code = 137;
            error = "the container monitor died; the container was killed with it";
        }
        unmount(r);
        final boolean oom = ContainerCgroups.teardown(store.containers().dir(id), err);
        final int exit = code;
        final Instant end = finished;
        final String why = error;
        boolean remove = store.locked(() -> {
            ContainerRecord cur = store.containers().get(id).orElse(null);
            if (cur == null || (cur.state() == ContainerState.EXITED && status == null)) {
                return false; // torn down already (stop does it in-process; the exit command may come second)
            }
            ContainerLifecycle lc = cur.lifecycle();
            ContainerLifecycle ended = lc == null ? null : oom ? lc.withEnd(end, why).withOomKilled(true) : lc.withEnd(end, why);
            store.containers().update(with(cur, ContainerState.EXITED, exit, ended));
            event("died", cur, Map.of("containerExitCode", Integer.toString(exit)));
            return lc != null && lc.config() != null && lc.config().autoRemove();
        });
        store.containers().get(id).filter(c -> Pods.podOf(c) != null) // a pod's --exit-policy stop
                .ifPresent(c -> PodExitPolicy.containerExited(store, new PodInfra(store, dirs, helper.get(), host, env, err), c,
                        service -> stop(service, null)));
        for (String f : List.of("exit", "pid", "monitor.pid", TEARDOWN_CLAIM)) {
            try {
                Files.deleteIfExists(run.resolve(f));
            } catch (IOException e) {
                // best effort
            }
        }
        if (remove) {
            Path dir = store.containers().dir(id);
            VolumeStore volumes = VolumeStore.at(dirs.volumes());
            Volumes.releaseAnonymous(volumes, dir); // read before the container's dir goes
            keepExitCode(id, exit);
            ContainerRecord gone = store.containers().get(id).orElse(null);
            if (gone != null) {
                event("remove", gone, Map.of());
            }
            store.containers().remove(id);
            releaseAddresses(gone);
            ContainerRunner.deleteTree(run);
        }
        return exit;
    }

    /** Records a container event (`jpod events`). */
    public void event(String status, ContainerRecord c, Map<String, String> attributes) {
        EventLog.container(dirs.runRoot().path(), status, c.id(), c.name(), c.imageName(), withLabels(c, attributes));
    }

    /** podman's container events carry the container's labels among their attributes (`events --filter label=`). */
    private static Map<String, String> withLabels(ContainerRecord c, Map<String, String> attributes) {
        ContainerLifecycle lc = c.lifecycle();
        if (lc == null || lc.config() == null || lc.config().labels() == null || lc.config().labels().isEmpty()) {
            return attributes;
        }
        Map<String, String> all = new java.util.LinkedHashMap<>(lc.config().labels());
        all.putAll(attributes);
        return all;
    }

    /** `wait` on a --rm container outlives its record: the code stays a few minutes in {@code <runroot>/exits/}. */
    private void keepExitCode(String id, int code) {
        Path dir = dirs.runRoot().path().resolve("exits");
        try {
            Files.createDirectories(dir);
            writeAtomic(dir.resolve(id), (code + "\n").getBytes(StandardCharsets.UTF_8));
            try (var old = Files.list(dir)) {
                Instant cutoff = Instant.now().minus(Duration.ofMinutes(10));
                for (Path p : old.toList()) {
                    if (Files.getLastModifiedTime(p).toInstant().isBefore(cutoff)) {
                        Files.deleteIfExists(p);
                    }
                }
            }
        } catch (IOException e) {
            // best effort: only a later `wait` misses the code
        }
    }

    private Integer removedExitCode(String id) {
        long code = readLong(dirs.runRoot().path().resolve("exits").resolve(id));
        return code >= 0 ? (int) code : null;
    }

    private void unmount(ContainerRecord r) {
        Path merged = store.containers().mergedDir(r.id());
        if (!Mounts.isMountPoint(merged)) {
            return;
        }
        String driver = r.lifecycle() != null && r.lifecycle().config() != null ? r.lifecycle().config().storageDriver() : null;
        try {
            drivers.apply(driver).unmount(merged);
        } catch (RuntimeException e) {
            if (Mounts.isMountPoint(merged)) {
                err.println("jpod: warning: " + e.getMessage());
            }
        }
    }

    /** The record as reality has it: a running container whose monitor is gone is torn down now. */
    public ContainerRecord reconcile(ContainerRecord r) {
        if (r.state() == ContainerState.CREATED && r.lifecycle() != null) {
            return reconcileCreated(r);
        }
        if (r.state() != ContainerState.RUNNING || r.lifecycle() == null) {
            return r;
        }
        ContainerLifecycle lc = r.lifecycle();
        boolean monitorAlive = lc.monitorPid() == null || ProcInfo.alive(lc.monitorPid(), lc.monitorStartTicks());
        Path exitFile = runDir(r.id()).resolve("exit");
        if (monitorAlive) {
            Integer code = exitCode(exitFile);
            if (code != null) { // ended, teardown under way (the exit command runs in the monitor's pid)
                Instant finished;
                try {
                    finished = Files.getLastModifiedTime(exitFile).toInstant();
                } catch (IOException e) {
                    finished = Instant.now(); // removed by the teardown meanwhile: it ended just now
                }
                return with(r, ContainerState.EXITED, code, lc.withEnd(finished, null)); // ps: "Exited (N) … ago"
            }
            // No exit file: still running, or the teardown finished after r was read (it records "exited" before
            // it deletes the exit file), so the store's record as of now is the answer.
            ContainerRecord now = store.containers().get(r.id()).orElse(null);
            if (now == null) { // a --rm container, removed by its teardown meanwhile
                Integer removed = removedExitCode(r.id());
                return with(r, ContainerState.EXITED, removed == null ? 0 : removed, lc);
            }
            return now;
        }
        int code = teardown(r.id(), null, null);
        return store.containers().get(r.id()).orElse(with(r, ContainerState.EXITED, code, lc));
    }

    /**
     * A created container whose jpod died around the launch: a live monitor is recorded now (it runs); a rootfs
     * left mounted long after creation with no monitor is unmounted (a launch in progress is never older).
     */
    private ContainerRecord reconcileCreated(ContainerRecord r) {
        long monitor = readLong(runDir(r.id()).resolve("monitor.pid"));
        if (monitor > 0 && ProcInfo.alive(monitor, null)
                && List.of("jpod-helper", "jpod-monitor").contains(ProcInfo.comm(monitor))) {
            markRunning(r.id(), monitor, r.created() == null ? Instant.now() : r.created());
            return store.containers().get(r.id()).orElse(r);
        }
        if (r.created() != null && r.created().isBefore(Instant.now().minus(STALE_CREATED))) {
            unmount(r);
        }
        return r;
    }

    private static Integer exitCode(Path exitFile) {
        try {
            return Integer.parseInt(Files.readString(exitFile).strip());
        } catch (IOException | NumberFormatException e) {
            return null;
        }
    }

    public ContainerRecord current(String idOrName) {
        return reconcile(get(idOrName));
    }

    public boolean running(ContainerRecord r) {
        return r.state().isRunning();
    }

    /** The container init's host pid (from the monitor's pid file, else the record). */
    public long initPid(ContainerRecord r) {
        long pid = readLong(runDir(r.id()).resolve("pid"));
        if (pid <= 0 && r.lifecycle() != null && r.lifecycle().pid() != null) {
            pid = r.lifecycle().pid();
        }
        if (pid <= 0) {
            throw new EngineException("container " + r.name() + " has no running process yet; try again");
        }
        return pid;
    }

    /** The running container's init with its monitor's pid and start time, for the helper's reuse checks. */
    NativeHelper.ContainerProcess containerProcess(ContainerRecord r) {
        ContainerLifecycle lc = r.lifecycle();
        Long monitorPid = lc == null ? null : lc.monitorPid();
        Long monitorStart = lc == null ? null : lc.monitorStartTicks();
        boolean known = monitorPid != null && monitorPid > 0 && monitorStart != null && monitorStart > 0;
        return new NativeHelper.ContainerProcess(initPid(r), known ? monitorPid : 0, known ? monitorStart : 0);
    }

    /**
     * Signals the container's init through the helper, and only while it is still the child of the recorded monitor
     * (a pidfd, checked against the monitor's start time), so a pid reused since the record was written is never
     * signalled; without a recorded monitor (an older record) by pid alone. False when it is gone.
     */
    private boolean signalInit(ContainerRecord r, long pid, int signal) {
        NativeHelper.ContainerProcess p = containerProcess(r);
        return p.monitorPid() > 0 ? helper.get().signalChild(pid, signal, p.monitorPid(), p.monitorStartTicks())
                : helper.get().signal(pid, signal);
    }

    // ---- signals, stop, wait

    public void kill(String idOrName, int signal) {
        ContainerRecord r = current(idOrName);
        if (!running(r)) {
            throw new EngineException("container " + r.name() + " is not running; start it first");
        }
        markStoppedByUser(r.id());
        signalInit(r, initPid(r), signal);
        event("kill", r, Map.of("signal", Integer.toString(signal)));
    }

    private void markStoppedByUser(String id) {
        try {
            Files.write(runDir(id).resolve(STOPPED_BY_USER), new byte[0]);
        } catch (IOException e) {
            // without it a --restart policy may start the container again, as if it had ended by itself
        }
    }

    /**
     * Stop signal, then SIGKILL after {@code timeoutSeconds}; returns when the container is torn down: podman's
     * warning when the stop signal did not end it in time (null when it did, or when it was not running).
     */
    public String stop(String idOrName, Integer timeoutSeconds) {
        Trace.mark("stop: store open");
        ContainerRecord r = current(idOrName);
        if (!running(r)) {
            return null;
        }
        ContainerLifecycle.Config config = r.lifecycle().config();
        int timeout = timeoutSeconds != null ? timeoutSeconds
                : config != null && config.stopTimeout() != null ? config.stopTimeout() : 10;
        int signal = config != null && config.stopSignal() != null ? Signals.parse(config.stopSignal()) : Signals.TERM;
        long pid = initPid(r);
        markStoppedByUser(r.id());
        claimTeardown(r.id());
        event("stop", r, Map.of());
        if (timeout > 0 && signal != Signals.KILL) {
            signalInit(r, pid, signal);
            if (awaitEnded(r, Duration.ofSeconds(timeout))) {
                teardown(r.id(), null, null);
                return null;
            }
        }
        String warning = timeout <= 0 || signal == Signals.KILL ? null : "StopSignal " + Signals.name(signal) + " failed to stop container "
                + r.name() + " in " + timeout + " seconds, resorting to SIGKILL"; // podman's words
        Trace.mark("stop: container found");
        signalInit(r, pid, Signals.KILL);
        Trace.mark("stop: SIGKILL sent");
        if (!awaitEnded(r, Duration.ofSeconds(30))) {
            throw new EngineException("container " + r.name() + " did not end within 30 s of SIGKILL");
        }
        Trace.mark("stop: exit recorded");
        // The teardown here rather than waiting for the monitor's exit command (a JVM start): that one finds
        // the container exited and leaves it; a later start or rm waits for the old monitor first.
        teardown(r.id(), null, null);
        Trace.mark("stop: torn down");
        return warning;
    }

    /** A running container that `stop` is stopping (it claimed the teardown): podman's "stopping" state. */
    boolean stopping(ContainerRecord r) {
        return running(r) && Files.exists(runDir(r.id()).resolve(TEARDOWN_CLAIM));
    }

    /**
     * Tells the monitor that we tear down (it then starts no exit command, a JVM). If we die before, the next
     * command's reconcile sees the monitor gone and tears down instead.
     */
    private void claimTeardown(String id) {
        try {
            Files.write(runDir(id).resolve(TEARDOWN_CLAIM), new byte[0]);
        } catch (IOException e) {
            // then the exit command runs, and finds the container torn down
        }
    }

    /** The exit file appeared or the monitor is gone. */
    private boolean awaitEnded(ContainerRecord r, Duration timeout) {
        Path exitFile = runDir(r.id()).resolve("exit");
        ContainerLifecycle lc = r.lifecycle();
        Instant deadline = Instant.now().plus(timeout);
        while (Instant.now().isBefore(deadline)) {
            if (Files.exists(exitFile) || (lc.monitorPid() != null && !ProcInfo.alive(lc.monitorPid(), lc.monitorStartTicks()))) {
                return true;
            }
            pause();
        }
        return false;
    }

    /**
     * The exit command of a monitor is for its own run only: false when the container was started again since
     * (another monitor's pid in monitor.pid) or is torn down already (no monitor.pid).
     */
    public boolean cleanupIsFor(String id, String monitorPid) {
        if (monitorPid == null) {
            return true; // a monitor of an older jpod
        }
        return Long.toString(readLong(runDir(id).resolve("monitor.pid"))).equals(monitorPid.strip());
    }

    /**
     * --restart, after the teardown of a run that ended by itself (the exit command, or a foreground `run`): starts
     * the container again, detached, if its policy says so. `stop` claims the teardown, so no exit command runs and a
     * stopped container stays stopped; a removed one (--rm is refused with a policy, `rm`) is gone. The monitor of
     * the ended run is still alive here (it waits for its exit command), so this must not wait for it to go.
     */
    public void restartByPolicy(String id) {
        ContainerRecord r = store.containers().get(id).orElse(null);
        if (r == null || r.state() != ContainerState.EXITED || r.lifecycle() == null || r.lifecycle().config() == null) {
            return;
        }
        RestartPolicy policy = RestartPolicy.parse(r.lifecycle().config().restart());
        int restarts = r.lifecycle().restartCount() == null ? 0 : r.lifecycle().restartCount();
        if (!policy.restartsAfter(r.exitCode() == null ? 0 : r.exitCode(), restarts) || !Files.exists(baseSpec(id))
                || Files.exists(runDir(id).resolve(STOPPED_BY_USER))) {
            return;
        }
        store.locked(() -> {
            store.containers().get(id).ifPresent(cur -> store.containers().update(with(cur, cur.state(), cur.exitCode(),
                    cur.lifecycle().withRestarted())));
            return null;
        });
        event("restart", r, Map.of("policy", policy.stored()));
        mount(r);
        launch(store.containers().get(id).orElse(r), true, r.lifecycle().config().interactive());
    }

    /** The monitor (by then running the exit command) has finished its teardown. Bounded. */
    public void awaitMonitorGone(String id) {
        ContainerRecord r = store.containers().get(id).orElse(null);
        Long pid = r != null && r.lifecycle() != null ? r.lifecycle().monitorPid() : null;
        if (pid == null) {
            long p = readLong(runDir(id).resolve("monitor.pid"));
            pid = p > 0 ? p : null;
        }
        if (pid == null) {
            return;
        }
        Long ticks = r != null && r.lifecycle() != null ? r.lifecycle().monitorStartTicks() : null;
        Instant deadline = Instant.now().plus(TEARDOWN_TIMEOUT);
        while (ProcInfo.alive(pid, ticks) && Instant.now().isBefore(deadline)) {
            pause();
        }
    }

    /** Blocks until the container is not running; its exit code (null when it was removed meanwhile). */
    public Integer await(String idOrName) {
        ContainerRecord found = store.containers().get(idOrName).orElse(null);
        if (found == null && idOrName.matches("[0-9a-f]{64}") && removedExitCode(idOrName) != null) {
            return removedExitCode(idOrName); // a --rm container that ended before we looked
        }
        String id = found != null ? found.id() : get(idOrName).id();
        while (true) {
            ContainerRecord r = store.containers().get(id).orElse(null);
            if (r == null) {
                return removedExitCode(id);
            }
            r = reconcile(r);
            if (!running(r)) {
                if (r.state() == ContainerState.CREATED) {
                    return r.exitCode() == null ? 0 : r.exitCode();
                }
                return r.exitCode() == null ? 0 : r.exitCode();
            }
            pause();
        }
    }

    public static void pause() {
        try {
            Thread.sleep(POLL.toMillis());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new EngineException("interrupted");
        }
    }

    // ---- start

    /** Mounts the rootfs again and launches the saved spec. */
    public int start(String idOrName, boolean attach, boolean interactive) {
        ContainerRecord r = current(idOrName);
        if (!running(r) && Pods.isInfra(store, r)) { // no rootfs of its own to launch: the pod's infra starts
            Pods.startInfra(store, new PodInfra(store, dirs, helper.get(), host, env, err), Pods.podOf(r));
            return 0;
        }
        if (running(r)) {
            if (attach) {
                throw new EngineException("container " + r.name() + " is already running; use jpod attach or jpod logs -f");
            }
            return 0;
        }
        if (r.lifecycle() == null || r.lifecycle().config() == null || !Files.exists(baseSpec(r.id()))) {
            throw new EngineException("container " + r.name() + " was created by an older jpod and cannot be started; remove it and run it again");
        }
        awaitMonitorGone(r.id()); // the last run's exit command must not tear down this one
        mount(r);
        // detached, a -i container keeps its stdin open for attachers (as conmon does)
        boolean stdin = r.lifecycle().config().interactive() && (!attach || interactive);
        return launch(r, !attach, stdin);
    }

    /** Mounts a stopped container's rootfs (start, cp); no-op when mounted. */
    public void mount(ContainerRecord r) {
        Path merged = store.containers().mergedDir(r.id());
        if (Mounts.isMountPoint(merged)) {
            return;
        }
        ImageRecord image = store.images().get(r.imageId())
                .orElseThrow(() -> new EngineException("the image " + r.imageName() + " of container " + r.name() + " is gone; remove the container"));
        List<Path> lowers = new ArrayList<>();
        for (int i = image.layers().size() - 1; i >= 0; i--) {
            lowers.add(store.layers().diffDir(image.layers().get(i)));
        }
        String driver = r.lifecycle() != null && r.lifecycle().config() != null ? r.lifecycle().config().storageDriver() : null;
        drivers.apply(driver).mount(lowers, store.containers().upperDir(r.id()), store.containers().workDir(r.id()), merged);
    }

    public void unmountStopped(ContainerRecord r) {
        unmount(r);
    }

    // ---- helpers

    /** The record in {@code state}: a move its current state allows (else "container state improper"). */
    static ContainerRecord with(ContainerRecord r, ContainerState state, Integer exit, ContainerLifecycle lc) {
        return new ContainerRecord(r.id(), r.name(), r.imageId(), r.imageName(), r.command(), r.created(),
                r.state() == null ? state : r.state().moveTo(state, r.name()), exit, lc);
    }

    public static long readLong(Path file) {
        try {
            return Long.parseLong(Files.readString(file).strip());
        } catch (NoSuchFileException e) {
            return -1;
        } catch (IOException | NumberFormatException e) {
            return -1;
        }
    }

    private static void record(ByteArrayOutputStream out, String key, String value) {
        if (value.indexOf('\0') >= 0) {
            throw new EngineException("a path contains a NUL character: " + value.replace("\0", "\\0"));
        }
        out.writeBytes((key + '=' + value).getBytes(StandardCharsets.UTF_8));
        out.write(0);
    }

    public static void writeAtomic(Path file, byte[] data) throws IOException {
        Path tmp = Files.createTempFile(file.toAbsolutePath().getParent(), "." + file.getFileName() + ".", ".tmp",
                PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rw-------")));
        try {
            Files.write(tmp, data);
            Files.move(tmp, file, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
        } finally {
            Files.deleteIfExists(tmp);
        }
    }
}
