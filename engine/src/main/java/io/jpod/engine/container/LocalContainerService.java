package io.jpod.engine.container;

import io.jpod.engine.volume.Volumes;

import io.jpod.engine.ContainerRunningException;
import io.jpod.engine.Dirs;
import io.jpod.engine.EngineException;
import io.jpod.engine.RequestContext;
import io.jpod.engine.network.ContainerNetwork;
import io.jpod.image.ImageProgressEvent;
import io.jpod.network.PortMapping;
import io.jpod.storage.ContainerLifecycle;
import io.jpod.storage.ContainerRecord;
import io.jpod.storage.PodRecord;
import io.jpod.storage.ContainerState;
import io.jpod.storage.Store;
import io.jpod.storage.VolumeStore;

import io.jpod.rootless.NativeHelper;
import io.jpod.storage.RootfsDriver;

import java.io.PrintStream;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.BiFunction;
import java.util.function.Consumer;
import java.util.function.Supplier;

/** {@link ContainerService} on this machine's store, through the container's {@link Lifecycle}. */
public final class LocalContainerService implements ContainerService, ContainerRecords {
    private final Store store;
    private final Dirs dirs;
    private final Supplier<Lifecycle> lifecycle;
    private final PrintStream err;
    private final Map<String, String> env;
    private final Supplier<RootfsDriver> driver;
    private final BiFunction<String, RunRequest, String> newPod;

    /**
     * @param lifecycle a fresh Lifecycle per operation (it holds no state of its own between them)
     * @param driver    the storage driver a new container's rootfs is made with (chosen when first asked for)
     * @param newPod    `run --pod new:NAME`: makes the pod NAME for the request (its ports and hostname), returns its id
     */
    public LocalContainerService(Store store, Dirs dirs, Supplier<Lifecycle> lifecycle, PrintStream err, Map<String, String> env,
                                 Supplier<RootfsDriver> driver, BiFunction<String, RunRequest, String> newPod) {
        this.store = store;
        this.dirs = dirs;
        this.lifecycle = lifecycle;
        this.err = err;
        this.env = env;
        this.driver = driver;
        this.newPod = newPod;
    }

    private NativeHelper helper() {
        return NativeHelper.locate(env);
    }

    @Override
    public ContainerRunReport run(RunRequest request, Consumer<ImageProgressEvent> pullProgress) {
        RunFlags.validate(request); // one-line errors before anything is created or replaced
        NativeHelper helper = helper();
        if (request.pod() != null && request.pod().startsWith("new:")) { // --pod new:NAME: the pod is made first
            String podId = newPod.apply(request.pod().substring(4), request);
            // the ports and the hostname went to the new pod (its containers share its network and UTS namespace)
            RunRequest.NetworkRequest n = request.network();
            RunRequest.ProcessRequest p = request.process();
            RunRequest.ProcessRequest inPod = new RunRequest.ProcessRequest(p.entrypoint(), p.env(), p.workdir(), p.user(), null,
                    p.groupAdd(), p.envHost(), p.timezone());
            request = new RunRequest(request.image(), request.command(), inPod, request.name(), request.remove(),
                    request.pull(), new RunRequest.NetworkRequest(n.mode(), n.addHosts(), List.of(), false, n.dns(), n.dnsSearch(),
                    n.dnsOptions(), n.noHosts()), request.lifecycle(), request.security(), request.resources(), podId);
        }
        if (request.lifecycle().replace()) {
            RunFlags.replace(this, request.name());
        }
        ContainerRunner runner = new ContainerRunner(store, dirs, helper, driver.get(), env, err, pullProgress);
        int code = runner.run(request, lifecycle.get());
        return new ContainerRunReport(runner.lastId, code);
    }

    @Override
    public ContainerRunReport create(RunRequest r, Consumer<ImageProgressEvent> pullProgress) {
        return run(new RunRequest(r.image(), r.command(), r.process(), r.name(), r.remove(), r.pull(), r.network(),
                r.lifecycle().asCreateOnly(), r.security(), r.resources(), r.pod()), pullProgress);
    }

    @Override
    public int start(String nameOrId, ContainerStartOptions options) {
        Lifecycle lc = lifecycle.get();
        if (options.interactive()) {
            return Attacher.start(lc, helper(), nameOrId, options.attachOptions());
        }
        if (options.holdOutput()) {
            ContainerRecord r = lc.current(nameOrId);
            if (lc.running(r)) {
                return 0;
            }
            lc.awaitMonitorGone(r.id());
            lc.mount(r);
            return lc.launch(r, true, r.lifecycle().config().interactive(), true);
        }
        return lc.start(nameOrId, options.attach(), false);
    }

    @Override
    public int exec(ExecRequest request) {
        return new ExecRunner(store, lifecycle.get(), helper(), env).exec(request);
    }

    @Override
    public int attach(String nameOrId, AttachOptions options, RequestContext context) {
        return Attacher.attach(lifecycle.get(), helper(), nameOrId, options, context.stdout(), context.stderr());
    }

    @Override
    public AttachSession openAttach(String nameOrId) throws java.io.IOException {
        Lifecycle lc = lifecycle.get();
        ContainerRecord c = lc.current(nameOrId);
        return AttachSession.open(lc.runDir(c.id()).resolve(Lifecycle.ATTACH_SOCKET));
    }

    @Override
    public void copy(ContainerCopyOptions options, RequestContext context) {
        new Copier(store, lifecycle.get(), helper(), new Copier.Options(options.archive(), options.overwrite()))
                .copy(options.source(), options.destination(), context.stdin(), context.stdout());
    }

    @Override
    public void archiveOut(String nameOrId, String path, java.util.function.Function<Copier.PathStat, java.io.OutputStream> open) {
        new Copier(store, lifecycle.get(), helper(), new Copier.Options(false, false)).archiveOut(nameOrId, path, open);
    }

    @Override
    public void archiveIn(String nameOrId, String directory, java.io.InputStream tar) {
        new Copier(store, lifecycle.get(), helper(), new Copier.Options(false, false)).archiveIn(nameOrId, directory, tar);
    }

    @Override
    public ContainerStatsStream stats(List<String> namesOrIds) {
        Lifecycle lc = lifecycle.get();
        Map<String, ContainerStats.Sample> previous = new java.util.HashMap<>();
        boolean[] first = {true};
        return () -> {
            boolean skipStopped = !first[0];
            first[0] = false;
            List<ContainerRecord> cs = new ArrayList<>();
            if (namesOrIds.isEmpty()) {
                for (ContainerRecord c : store.containers().list()) {
                    ContainerRecord r = lc.reconcile(c);
                    if (lc.running(r)) {
                        cs.add(r);
                    }
                }
            } else {
                for (String n : namesOrIds) {
                    ContainerRecord r;
                    try {
                        r = lc.current(n);
                    } catch (EngineException gone) {
                        if (skipStopped) {
                            continue; // removed while streaming
                        }
                        throw gone;
                    }
                    if (!lc.running(r)) {
                        if (skipStopped) {
                            continue;
                        }
                        throw new EngineException("container " + r.name() + " is not running; stats are of running containers");
                    }
                    cs.add(r);
                }
            }
            List<ContainerStatsReport> rows = new ArrayList<>();
            for (ContainerRecord r : cs) {
                ContainerStats.Sample now = ContainerStats.sample(lc, r);
                rows.add(ContainerStats.row(now, previous.get(r.id()), r.lifecycle() == null ? null : r.lifecycle().startedAt()));
                previous.put(r.id(), now);
            }
            return rows;
        };
    }

    @Override
    public ContainerCounters counters(String nameOrId) {
        Lifecycle lc = lifecycle.get();
        ContainerRecord r = lc.current(nameOrId);
        if (!lc.running(r)) {
            return new ContainerCounters(r.id(), r.name(), false, java.time.Instant.now(), -1, -1, -1, -1, -1, -1, -1, -1);
        }
        ContainerStats.Sample s = ContainerStats.sample(lc, r);
        long limit = s.memLimit() == Long.MAX_VALUE || s.memLimit() < 0 ? ContainerStats.hostMemory() : s.memLimit();
        return new ContainerCounters(s.id(), s.name(), true, s.at(), s.cpuNanos(), s.memUsage(), limit, s.pids(),
                s.netIn(), s.netOut(), s.blockIn(), s.blockOut());
    }

    @Override
    public List<ContainerRecord> list() {
        Lifecycle lc = lifecycle.get();
        List<ContainerRecord> out = new ArrayList<>();
        for (ContainerRecord c : store.containers().list()) {
            try {
                out.add(lc.reconcile(c));
            } catch (RuntimeException e) {
                err.println("jpod: warning: container " + c.name() + ": " + e.getMessage());
                out.add(c);
            }
        }
        return out;
    }

    @Override
    public List<ContainerListReport> list(ContainerListOptions options) {
        Map<String, String> podNames = null; // read once, and only when a container is in a pod
        List<ContainerListReport> out = new ArrayList<>();
        for (ContainerRecord c : list()) {
            boolean running = c.state() == ContainerState.RUNNING;
            if (!options.all() && !running) {
                continue;
            }
            ContainerLifecycle life = c.lifecycle();
            ContainerLifecycle.Config cfg = life == null ? null : life.config();
            String pod = cfg == null ? null : cfg.pod();
            if (pod != null && podNames == null) {
                podNames = new java.util.HashMap<>();
                for (PodRecord p : store.pods().list()) {
                    podNames.put(p.id(), p.name());
                }
            }
            HealthChecks.State health = running ? HealthChecks.state(store, c) : null;
            List<PortMapping> ports;
            try {
                ports = ContainerNetwork.readPorts(store.containers().dir(c.id()));
            } catch (EngineException damaged) {
                ports = List.of(); // inspect names the damaged file
            }
            out.add(new ContainerListReport(c.id(), List.of(c.name()), c.imageName(), c.imageId(), c.command(), c.created(), c.state(),
                    c.exitCode(), running && life != null && life.pid() != null ? life.pid() : 0,
                    life == null ? null : life.startedAt(), life == null ? null : life.finishedAt(),
                    health == null ? null : health.status(), cfg == null ? null : cfg.labels(), ports, pod,
                    pod == null ? null : podNames.get(pod), cfg == null ? null : cfg.network(), cfg == null ? null : cfg.restart()));
        }
        return out;
    }

    @Override
    public ContainerRecord get(String nameOrId) {
        return lifecycle.get().current(nameOrId);
    }

    @Override
    public ContainerLookupReport lookup(String nameOrId) {
        ContainerRecord c = get(nameOrId);
        ContainerLifecycle.Config cfg = c.lifecycle() == null ? null : c.lifecycle().config();
        HealthChecks.State health = HealthChecks.state(store, c);
        return new ContainerLookupReport(c.id(), c.name(), c.imageId(), c.state(), c.exitCode(), health == null ? null : health.status(),
                cfg == null ? null : cfg.pod(), cfg != null && cfg.tty(), cfg != null && cfg.interactive());
    }

    @Override
    public boolean exists(String nameOrId) {
        return store.containers().get(nameOrId).isPresent();
    }

    @Override
    public ContainerStopReport stop(String nameOrId, ContainerStopOptions options) {
        Lifecycle lc = lifecycle.get();
        String warning = lc.stop(nameOrId, options.timeout());
        return new ContainerStopReport(store.containers().get(nameOrId).map(ContainerRecord::id).orElse(nameOrId), warning);
    }

    @Override
    public void kill(String nameOrId, ContainerKillOptions options) {
        lifecycle.get().kill(nameOrId, Signals.parse(options.signal()));
    }

    @Override
    public ContainerRemoveReport remove(String nameOrId, ContainerRemoveOptions options) {
        Lifecycle lc = lifecycle.get();
        ContainerRecord c = lc.current(nameOrId);
        if (io.jpod.engine.pod.Pods.isInfra(store, c)) { // it goes with its pod (pod rm, rm --depend, rmi -f)
            throw new EngineException("container " + c.id() + " is the infra container of pod " + io.jpod.engine.pod.Pods.podOf(c)
                    + " and cannot be removed without removing the pod");
        }
        io.jpod.engine.pod.ServiceContainers.refuseRemoval(store, c); // it goes with the last pod of it
        ContainerDependencies.refuseIfDepended(store, c); // --network container:ID of it (rm --depend removes them)
        if (c.state() != ContainerState.RUNNING) {
            lc.awaitMonitorGone(c.id()); // its exit command finishes first, and may start it again (--restart)
            c = lc.current(c.id());
        }
        if (c.state() == ContainerState.RUNNING) {
            if (!options.force()) {
                // podman's sentence (with the container as the user named it, and its "container state improper" cause)
                throw new ContainerRunningException("cannot remove container " + nameOrId + " as it is running - running or paused "
                        + "containers cannot be removed without force: container state improper");
            }
            lc.stop(c.id(), options.timeout());
        }
        lc.awaitMonitorGone(c.id()); // its exit command finishes before the container goes
        lc.unmountStopped(c);
        if (options.volumes()) {
            Volumes.releaseAnonymous(new VolumeStore(store.root()), store.containers().dir(c.id()));
        }
        lc.event("remove", c, Map.of());
        store.containers().remove(c.id());
        lc.releaseAddresses(c);
        ContainerRunner.deleteTree(dirs.runRoot().containerDir(c.id()));
        return new ContainerRemoveReport(c.id());
    }

    @Override
    public int wait(String nameOrId, ContainerWaitOptions options) {
        Lifecycle lc = lifecycle.get();
        if (options.exitCodeRequired() && options.condition() == ContainerWaitOptions.Condition.NOT_RUNNING) {
            Integer code = lc.await(nameOrId);
            if (code == null) {
                throw new EngineException("container " + nameOrId + " was removed before its exit code could be read");
            }
            return code;
        }
        String id = lc.get(nameOrId).id();
        if (options.condition() != ContainerWaitOptions.Condition.NOT_RUNNING) {
            while (true) {
                ContainerRecord r = store.containers().get(id).orElse(null);
                if (r == null || r.state() != ContainerState.CREATED) {
                    break;
                }
                Lifecycle.pause();
            }
        }
        Integer code = lc.await(id);
        if (options.condition() == ContainerWaitOptions.Condition.REMOVED) {
            while (store.containers().get(id).isPresent()) {
                Lifecycle.pause();
            }
            try {
                Integer after = lc.await(id); // the code recorded when --rm removed it
                code = after != null ? after : code;
            } catch (EngineException gone) {
                // no code recorded: the one seen at the exit stands
            }
        }
        return code == null ? 0 : code;
    }

    @Override
    public void restart(String nameOrId, ContainerRestartOptions options) {
        Lifecycle lc = lifecycle.get();
        lc.stop(nameOrId, options.timeout());
        int code = lc.start(nameOrId, false, false);
        if (code != 0) {
            throw new EngineException("container " + nameOrId + " failed to start again (status " + code + ")");
        }
    }

    @Override
    public void rename(String nameOrId, String newName) {
        ContainerRecord c = lifecycle.get().get(nameOrId);
        ContainerNames.validate(newName);
        store.containers().update(new ContainerRecord(c.id(), newName, c.imageId(), c.imageName(), c.command(),
                c.created(), c.state(), c.exitCode(), c.lifecycle()));
    }

    @Override
    public ContainerPruneReport prune() {
        List<String> removed = new ArrayList<>();
        for (ContainerRecord c : list()) {
            if (c.state() != ContainerState.RUNNING && !io.jpod.engine.pod.Pods.isInfra(store, c)) { // an infra goes with its pod
                remove(c.id(), new ContainerRemoveOptions(false, false, 0));
                removed.add(c.id());
            }
        }
        return new ContainerPruneReport(removed);
    }

    @Override
    public void logs(List<String> namesOrIds, LogOptions options, RequestContext context) {
        PrintStream out = context.stdout();
        PrintStream errOut = context.stderr();
        Lifecycle lc = lifecycle.get();
        List<ContainerRecord> containers = new ArrayList<>();
        for (String nameOrId : namesOrIds) {
            ContainerRecord c = lc.get(nameOrId);
            if (Lifecycle.logsNothing(c)) {
                throw new EngineException("this container is using the 'none' log driver, cannot read logs: this container is not logging output");
            }
            containers.add(c);
        }
        if (containers.size() == 1) {
            new LogReader(lc, options).print(containers.get(0).id(), out, errOut);
            return;
        }
        if (!options.follow()) {
            for (ContainerRecord c : containers) {
                new LogReader(lc, options, c.id().substring(0, 12) + " ").print(c.id(), out, errOut);
            }
            return;
        }
        List<Thread> readers = new ArrayList<>();
        AtomicReference<RuntimeException> failure = new AtomicReference<>();
        for (ContainerRecord c : containers) {
            Thread t = new Thread(() -> {
                try {
                    new LogReader(lc, options, c.id().substring(0, 12) + " ").print(c.id(), out, errOut);
                } catch (RuntimeException e) {
                    failure.compareAndSet(null, e);
                }
            }, "logs-" + c.id().substring(0, 12));
            t.setDaemon(true);
            t.start();
            readers.add(t);
        }
        for (Thread t : readers) {
            try {
                t.join();
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new EngineException("interrupted while following the logs");
            }
        }
        if (failure.get() != null) {
            throw failure.get();
        }
    }

    @Override
    public ContainerTopReport top(String nameOrId, List<String> descriptors) {
        List<String> columns = Top.descriptors(descriptors);
        Lifecycle lc = lifecycle.get();
        ContainerRecord c = lc.current(nameOrId);
        if (c.state() != ContainerState.RUNNING) {
            throw new EngineException("container " + c.name() + " is not running; start it first");
        }
        return new ContainerTopReport(Top.processes(lc.initPid(c), columns, store.containers().mergedDir(c.id())));
    }

    @Override
    public List<Map<String, Object>> inspect(List<String> namesOrIds) {
        Lifecycle lc = lifecycle.get();
        List<Map<String, Object>> out = new ArrayList<>();
        for (String c : namesOrIds) {
            out.add(Inspector.inspect(lc.current(c), store, lc, dirs));
        }
        return out;
    }
}
