package io.jpod.engine;

import io.jpod.rootless.NativeHelper;
import io.jpod.storage.ContainerRecord;
import io.jpod.storage.ImageRecord;
import io.jpod.storage.Store;

import java.io.PrintStream;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * The one entry point the CLI uses. Opens the store lazily so commands that never touch it stay cheap.
 * Every jpod JVM runs inside the rootless user and mount namespaces (the launcher joined them).
 */
public final class Engine implements AutoCloseable {
    private final Dirs dirs;
    private final Map<String, String> env;
    private final PrintStream err;
    private final String storageDriver;
    private final ProcessHost host;
    private Store store;

    public Engine(Dirs dirs, Map<String, String> env, PrintStream err, String storageDriver) {
        this(dirs, env, err, storageDriver, ProcessHost.LOCAL);
    }

    /** @param host where the processes that use the caller's terminal run (see {@link ProcessHost}) */
    public Engine(Dirs dirs, Map<String, String> env, PrintStream err, String storageDriver, ProcessHost host) {
        this.host = host;
        this.dirs = dirs;
        this.env = env;
        this.err = err;
        this.storageDriver = storageDriver;
    }

    public Dirs dirs() {
        return dirs;
    }

    private Store store() {
        if (store == null) {
            dirs.runRoot().create(err);
            store = Store.open(dirs.storageRoot());
        }
        return store;
    }

    public int run(RunRequest request) {
        RunFlags.validate(request); // one-line errors before anything is created or replaced
        NativeHelper helper = NativeHelper.locate(env);
        Store s = store();
        if (request.pod() != null && request.pod().startsWith("new:")) { // --pod new:NAME: the pod is made first
            String podName = request.pod().substring(4);
            // as podman: the ports asked for go to the new pod (ports belong to the pod's network)
            RunRequest.NetworkRequest n = request.network();
            io.jpod.storage.PodRecord pod = pods().create(new PodCreateRequest(podName, n.publish(), null, null, Map.of(), true,
                    List.of(), List.of(), List.of(), null, null, List.of()));
            request = new RunRequest(request.image(), request.command(), request.process(), request.name(), request.remove(),
                    request.pull(), new RunRequest.NetworkRequest(n.mode(), n.addHosts(), List.of(), false, n.dns(), n.dnsSearch(),
                    n.dnsOptions(), n.noHosts()), request.lifecycle(), request.security(), request.resources(), pod.id());
        }
        if (request.lifecycle().replace()) {
            RunFlags.replace(this, request.name());
        }
        ContainerRunner runner = new ContainerRunner(s, dirs, helper, DriverSelector.choose(storageDriver, s, dirs, helper, env, err), env, err);
        try {
            return runner.run(request, lifecycle());
        } finally {
            lastRunId = runner.lastId;
        }
    }

    private String lastRunId;

    /** The full id of the container the last {@link #run} created (what `run -d` prints). */
    public String lastRunId() {
        return lastRunId;
    }

    private Lifecycle lifecycle() {
        Store s = store();
        return new Lifecycle(s, dirs, env, err, () -> NativeHelper.locate(env),
                name -> DriverSelector.choose(name != null ? name : storageDriver, s, dirs, NativeHelper.locate(env), env, err), host);
    }

    /** `kube generate`: the YAML of a pod, or of containers (as one pod). */
    public String kubeGenerate(List<String> names, String type, boolean service) {
        return new KubeGenerator(store(), this, pods()).generate(names, type, service);
    }

    /** `jpod pod …`. */
    public Pods pods() {
        return new Pods(this, store(), dirs, env, err, host);
    }

    /** The monitor's exit command: tear down what the ended container used. */
    public void cleanup(String idOrName) {
        Lifecycle lc = lifecycle();
        store().containers().get(idOrName).filter(c -> lc.cleanupIsFor(c.id(), env.get("JPOD_MONITOR_PID")))
                .ifPresent(c -> {
                    lc.teardown(c.id(), null, null);
                    lc.restartByPolicy(c.id());
                });
    }

    /** Whether a container has this name or id (`inspect` with no --type looks for containers first). */
    public boolean hasContainer(String idOrName) {
        return store().containers().get(idOrName).isPresent();
    }

    /** One container, its state reconciled with reality. */
    public ContainerRecord container(String idOrName) {
        return lifecycle().current(idOrName);
    }

    /** Stops the container; podman's warning when it took SIGKILL after the timeout, else null. */
    public String stop(String idOrName, Integer timeoutSeconds) {
        return lifecycle().stop(idOrName, timeoutSeconds);
    }

    public void kill(String idOrName, String signal) {
        lifecycle().kill(idOrName, Signals.parse(signal));
    }

    /** Blocks until the container has ended; its exit code. */
    public int waitFor(String idOrName) {
        Integer code = lifecycle().await(idOrName);
        if (code == null) {
            throw new EngineException("container " + idOrName + " was removed before its exit code could be read");
        }
        return code;
    }

    /** Starts a stopped container; attached: in the foreground, returning its status. */
    public int start(String idOrName, boolean attach, boolean interactive) {
        return lifecycle().start(idOrName, attach, interactive);
    }

    /** `start -i` (with or without -a): starts the container and attaches its stdin through the monitor's socket. */
    public int startInteractive(String idOrName, AttachOptions options) {
        return Attacher.start(lifecycle(), NativeHelper.locate(env), idOrName, options);
    }

    /** What {@link #await(String, WaitCondition)} waits for (docker's {@code wait?condition=}). */
    public enum WaitCondition { NOT_RUNNING, NEXT_EXIT, REMOVED }

    /**
     * Blocks until the condition holds: NOT_RUNNING returns at once for a container that is not running;
     * NEXT_EXIT first waits for a created container to be started; REMOVED also waits for its record to go
     * (--rm). Returns the exit code (0 when none was recorded).
     */
    public int await(String idOrName, WaitCondition condition) {
        Lifecycle lc = lifecycle();
        String id = lc.get(idOrName).id();
        if (condition != WaitCondition.NOT_RUNNING) {
            while (true) {
                ContainerRecord r = store().containers().get(id).orElse(null);
                if (r == null || !"created".equals(r.state())) {
                    break;
                }
                Lifecycle.pause();
            }
        }
        Integer code = lc.await(id);
        if (condition == WaitCondition.REMOVED) {
            while (store().containers().get(id).isPresent()) {
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

    /**
     * Starts a created or stopped container detached, its monitor holding the output until the first attacher
     * connected to its attach socket (an API attach that arrived before the start sees the whole run).
     */
    public int startHeldForAttach(String idOrName) {
        Lifecycle lc = lifecycle();
        ContainerRecord r = lc.current(idOrName);
        if (lc.running(r)) {
            return 0;
        }
        lc.awaitMonitorGone(r.id());
        lc.mount(r);
        return lc.launch(r, true, r.lifecycle().config().interactive(), true);
    }

    /** Connects to a running container's monitor (see {@link AttachSession}). */
    public AttachSession openAttach(String idOrName) throws java.io.IOException {
        Lifecycle lc = lifecycle();
        ContainerRecord c = lc.current(idOrName);
        return AttachSession.open(lc.runDir(c.id()).resolve(Lifecycle.ATTACH_SOCKET));
    }

    public void restart(String idOrName, Integer timeoutSeconds) {
        Lifecycle lc = lifecycle();
        lc.stop(idOrName, timeoutSeconds);
        int code = lc.start(idOrName, false, false);
        if (code != 0) {
            throw new EngineException("container " + idOrName + " failed to start again (status " + code + ")");
        }
    }

    public void rename(String idOrName, String newName) {
        ContainerRecord c = lifecycle().get(idOrName);
        ContainerNames.validate(newName);
        store().containers().update(new ContainerRecord(c.id(), newName, c.imageId(), c.imageName(), c.command(),
                c.created(), c.state(), c.exitCode(), c.lifecycle()));
    }

    /** Removes every container that is not running; their ids. */
    public List<String> pruneContainers() {
        List<String> removed = new java.util.ArrayList<>();
        for (ContainerRecord c : containers()) {
            if (!"running".equals(c.state())) {
                removeContainer(c.id(), false);
                removed.add(c.id());
            }
        }
        return removed;
    }

    public int exec(ExecRequest request) {
        return new ExecRunner(store(), lifecycle(), NativeHelper.locate(env), env).exec(request);
    }

    /** `jpod healthcheck run`: runs the container's check once; returns the health status it leads to. */
    public String runHealthcheck(String idOrName) {
        Lifecycle lc = lifecycle();
        return new HealthChecks(store(), lc, new ExecRunner(store(), lc, NativeHelper.locate(env), env)).run(idOrName);
    }

    /** The container's health status ("starting", "healthy", "unhealthy"), or null if it has no check. */
    public String health(ContainerRecord c) {
        HealthChecks.State s = HealthChecks.state(store(), c);
        return s == null ? null : s.status();
    }

    public void logs(String idOrName, LogOptions options, PrintStream out, PrintStream errOut) {
        logs(List.of(idOrName), options, out, errOut);
    }

    /**
     * Several containers' logs, as podman's: each line after its container's short id; with --follow read side by
     * side (one reader thread each) so lines come in the order they were written, until every container has ended.
     */
    public void logs(List<String> idsOrNames, LogOptions options, PrintStream out, PrintStream errOut) {
        Lifecycle lc = lifecycle();
        List<ContainerRecord> containers = new java.util.ArrayList<>();
        for (String idOrName : idsOrNames) {
            ContainerRecord c = lc.get(idOrName);
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
        List<Thread> readers = new java.util.ArrayList<>();
        java.util.concurrent.atomic.AtomicReference<RuntimeException> failure = new java.util.concurrent.atomic.AtomicReference<>();
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

    /**
     * `attach`: the container's output, and the caller's stdin to a -i container, through the monitor's attach
     * socket until the detach keys or the container's end; returns its exit code (0 after a detach).
     */
    public int attach(String idOrName, AttachOptions options, PrintStream out, PrintStream errOut) {
        return Attacher.attach(lifecycle(), NativeHelper.locate(env), idOrName, options, out, errOut);
    }

    public List<Map<String, Object>> inspect(List<String> idsOrNames) {
        Lifecycle lc = lifecycle();
        List<Map<String, Object>> out = new java.util.ArrayList<>();
        for (String c : idsOrNames) {
            out.add(Inspector.inspect(lc.current(c), store(), lc, dirs));
        }
        return out;
    }

    /** `top`: a header row, then one row per process of the container. */
    public List<String[]> top(String idOrName) {
        return top(idOrName, List.of());
    }

    /** `top` with podman's format descriptors (e.g. "huser,user" or "pid args"; none: user, pid, ppid, args). */
    public List<String[]> top(String idOrName, List<String> descriptors) {
        List<String> columns = Top.descriptors(descriptors);
        Lifecycle lc = lifecycle();
        ContainerRecord c = lc.current(idOrName);
        if (!"running".equals(c.state())) {
            throw new EngineException("container " + c.name() + " is not running; start it first");
        }
        return Top.processes(lc.initPid(c), columns, store().containers().mergedDir(c.id()));
    }

    /**
     * `stats`: one row per running container named (all running ones when none is). {@code previous} carries the
     * last samples between calls of a streaming stats, so CPU % is over the interval; empty: since the start.
     */
    public List<Map<String, Object>> stats(List<String> idsOrNames, Map<String, Object> previous) {
        return stats(idsOrNames, previous, false);
    }

    /** As above; with {@code skipStopped} (later samples of a stream) named containers that stopped are left out. */
    public List<Map<String, Object>> stats(List<String> idsOrNames, Map<String, Object> previous, boolean skipStopped) {
        Lifecycle lc = lifecycle();
        List<ContainerRecord> cs = new java.util.ArrayList<>();
        if (idsOrNames.isEmpty()) {
            for (ContainerRecord c : store().containers().list()) {
                ContainerRecord r = lc.reconcile(c);
                if (lc.running(r)) {
                    cs.add(r);
                }
            }
        } else {
            for (String n : idsOrNames) {
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
        List<Map<String, Object>> rows = new java.util.ArrayList<>();
        for (ContainerRecord r : cs) {
            ContainerStats.Sample now = ContainerStats.sample(lc, r);
            ContainerStats.Sample before = (ContainerStats.Sample) previous.get(r.id());
            rows.add(ContainerStats.row(now, before, r.lifecycle() == null ? null : r.lifecycle().startedAt()));
            previous.put(r.id(), now);
        }
        return rows;
    }

    /** `update`: new resource limits for a container (applied now when it runs, kept for its next start). */
    public void update(String idOrName, RunRequest.ResourceRequest limits) {
        Lifecycle lc = lifecycle();
        ContainerStats.update(lc, lc.current(idOrName), limits);
    }

    /** The cgroups section of `info`: what is delegated to this user, or why nothing is. */
    public Map<String, Object> cgroupInfo() {
        return ContainerStats.info(env);
    }

    /**
     * `cp`: source or destination (or both) is CONTAINER:PATH; a host side "-" is a tar on {@code stdin} or
     * {@code stdout}. {@code archive}: what is copied in becomes the container user's; {@code overwrite}: a
     * directory may replace a non-directory and the other way round.
     */
    public void copy(String source, String destination, boolean archive, boolean overwrite, java.io.InputStream stdin,
                     java.io.OutputStream stdout) {
        new Copier(store(), lifecycle(), NativeHelper.locate(env), new Copier.Options(archive, overwrite))
                .copy(source, destination, stdin, stdout);
    }

    /** docker's archive GET/HEAD: see {@link Copier#archiveOut}. */
    public void archiveOut(String idOrName, String path, java.util.function.Function<Copier.PathStat, java.io.OutputStream> open) {
        new Copier(store(), lifecycle(), NativeHelper.locate(env), new Copier.Options(false, false)).archiveOut(idOrName, path, open);
    }

    /** docker's archive PUT: see {@link Copier#archiveIn}. */
    public void archiveIn(String idOrName, String directory, java.io.InputStream tar) {
        new Copier(store(), lifecycle(), NativeHelper.locate(env), new Copier.Options(false, false)).archiveIn(idOrName, directory, tar);
    }

    public ImageRecord pull(String name, boolean tlsVerify, String platform, boolean quiet, PrintStream progress) {
        return imageEvent("pull", new ImageResolver(store(), dirs.runRoot().path(), env).pull(name, tlsVerify, platform, quiet, progress), name);
    }

    private ImageRecord imageEvent(String status, ImageRecord r, String name) {
        // podman records a pull from a file (docker-archive:…, dir:…) without an id, as its loads
        boolean fromFile = status.equals("pull") && io.jpod.image.ImageTransports.parse(name).filter(
                io.jpod.image.ImageTransports.Reference::local).isPresent();
        EventLog.of(dirs.runRoot().path(), "image", status, fromFile ? null : r.id().replaceFirst("^sha256:", ""), name);
        return r;
    }

    /** `jpod save`'s event: the (first) image by id and where it went as given (podman's "image save ID PATH"). */
    public void imageSaved(String image, String destination) {
        imageEvent("save", imageCommands().find(image), destination);
    }

    /** A pull with registry credentials: "USER:PASS" as --creds gives them, else from authfile / podman's auth files. */
    public ImageRecord pull(String name, boolean tlsVerify, String platform, boolean quiet, PrintStream progress, String creds,
                            String authfile) {
        return imageEvent("pull", imageCommands().pull(name, tlsVerify, platform, quiet, progress, creds, authfile), name);
    }

    /** `jpod login`: checks the credentials with the registry and stores them; returns the file written. */
    public java.nio.file.Path login(String registry, String username, String password, String authfile, boolean tlsVerify) {
        return ImageCommands.login(env, registry, new io.jpod.image.Credentials(username, password), authfile, tlsVerify);
    }

    /** `jpod logout`: false when there were no credentials for the registry. */
    public boolean logout(String registry, String authfile) {
        return ImageCommands.logout(env, registry, authfile);
    }

    /** `jpod push`: the pushed manifest digest. */
    public String push(String image, String destination, boolean tlsVerify, boolean quiet, PrintStream progress, String creds,
                       String authfile) {
        String digest = imageCommands().push(image, destination, tlsVerify, quiet, progress, creds, authfile);
        // as podman's: the event names the image by its id and the destination as given
        imageEvent("push", imageCommands().find(image), destination == null ? image : destination);
        return digest;
    }

    public void save(String image, java.io.OutputStream out) {
        imageCommands().save(image, io.jpod.image.ImageArchives.DOCKER_ARCHIVE, out);
    }

    /**
     * `jpod save [-m] IMAGE [IMAGE...]` to a tarball in {@code format} (docker-archive or oci-archive): without
     * {@code multi} the extra arguments are more names for the first image, with it more images (docker-archive only).
     */
    public void save(List<String> images, boolean multi, String format, java.io.OutputStream out) {
        save(images, multi, format, false, out);
    }

    /** As above; {@code uncompressed}: an oci-archive's layers as plain tars (podman's save --uncompressed). */
    public void save(List<String> images, boolean multi, String format, boolean uncompressed, java.io.OutputStream out) {
        imageCommands().save(images, multi, format, uncompressed, out);
    }

    /** `jpod save --format oci-dir|docker-dir -o DIR IMAGE [NAME]`: a new directory {@code target}, written whole or not at all. */
    public void saveDirectory(List<String> images, String format, boolean compress, java.nio.file.Path target) {
        imageCommands().saveDirectory(images, format, compress, target);
    }

    /** `jpod save --format FORMAT` (docker-archive or oci-archive). */
    public void save(String image, String format, java.io.OutputStream out) {
        imageCommands().save(image, format, out);
    }

    /** @param file the archive, or null to read {@code in} */
    public List<ImageRecord> load(java.nio.file.Path file, java.io.InputStream in, PrintStream progress) {
        List<ImageRecord> loaded = imageCommands().load(file, in, progress);
        // podman's: one event for the archive, no id, the archive's path as its name
        EventLog.of(dirs.runRoot().path(), "image", "loadfromarchive", null, file == null ? "" : file.toString());
        return loaded;
    }

    /** `jpod import`: file null reads {@code in}. */
    public ImageRecord importTarball(java.nio.file.Path file, java.io.InputStream in, List<String> changes, String message,
                                     String reference) {
        ImageRecord r = imageCommands().importTarball(file, in, changes, message, reference);
        return imageEvent("import", r, r.names().isEmpty() ? "" : r.names().get(0));
    }

    public void tag(String image, List<String> targets) {
        imageCommands().tag(image, targets);
    }

    public void untag(String image, List<String> names) {
        imageCommands().untag(image, names);
    }

    /** `jpod rmi`: the lines to print ("Untagged: …", "Deleted: …"). */
    public List<String> removeImages(List<String> images, boolean force, boolean all) {
        return imageCommands().remove(images, force, all);
    }

    public List<String> pruneImages(boolean all) {
        return imageCommands().prune(all);
    }

    /** An image's labels, for `images` (its --format and json). */
    public Map<String, String> imageLabels(ImageRecord image) {
        return imageCommands().labels(image);
    }

    /** When the image was made (its config's created), as podman's images and history show it. */
    public java.time.Instant imageCreated(ImageRecord image) {
        return imageCommands().created(image);
    }

    public Map<String, Object> inspectImage(String image) {
        return imageCommands().inspect(image);
    }

    /** Rows of created, created-by, size, comment; newest first. */
    public List<String[]> imageHistory(String image) {
        return imageCommands().history(image);
    }

    public ImageRecord findImage(String nameOrId) {
        return imageCommands().find(nameOrId);
    }

    private ImageCommands imageCommands;

    private ImageCommands imageCommands() {
        if (imageCommands == null) {
            imageCommands = new ImageCommands(store(), env, dirs.runRoot().path());
        }
        return imageCommands;
    }

    public List<ImageRecord> images() {
        return store().images().list();
    }

    /** Image ids (hex) whose record is damaged, so that {@link #images()} leaves them out. */
    public List<String> damagedImages() {
        return store().images().damaged();
    }

    public Optional<ImageRecord> image(String nameOrId) {
        return new ImageResolver(store(), env).local(nameOrId);
    }

    /** All containers, newest first, their states reconciled with reality (a dead monitor: exited, torn down). */
    public List<ContainerRecord> containers() {
        Lifecycle lc = lifecycle();
        List<ContainerRecord> out = new java.util.ArrayList<>();
        for (ContainerRecord c : store().containers().list()) {
            try {
                out.add(lc.reconcile(c));
            } catch (RuntimeException e) {
                err.println("jpod: warning: container " + c.name() + ": " + e.getMessage());
                out.add(c);
            }
        }
        return out;
    }

    /** Removes a container; with force a running one is killed first. */
    public void removeContainer(String idOrName, boolean force) {
        removeContainer(idOrName, force, false);
    }

    /**
     * `volume rm`: a volume no container uses; with force the containers that use it are removed first (running
     * ones get stopSeconds to stop), as podman does.
     */
    public void removeVolume(String name, boolean force, int stopSeconds) {
        Volumes v = volumes();
        v.require(name);
        if (force) {
            for (String id : v.usedBy(name)) {
                removeContainer(id, true, false, stopSeconds);
            }
        }
        v.remove(name, force);
    }

    /** Removes a container; with force a running one is killed first; with volumes its anonymous volumes go too. */
    public void removeContainer(String idOrName, boolean force, boolean volumes) {
        removeContainer(idOrName, force, volumes, 0);
    }

    /** As {@link #removeContainer(String, boolean, boolean)}; a running container gets stopSeconds to stop (0: killed at once). */
    public void removeContainer(String idOrName, boolean force, boolean volumes, int stopSeconds) {
        Lifecycle lc = lifecycle();
        ContainerRecord c = lc.current(idOrName);
        if (!"running".equals(c.state())) {
            lc.awaitMonitorGone(c.id()); // its exit command finishes first, and may start it again (--restart)
            c = lc.current(c.id());
        }
        if ("running".equals(c.state())) {
            if (!force) {
                // podman's sentence (with the container as the user named it, and its "container state improper" cause)
                throw new ContainerRunningException("cannot remove container " + idOrName + " as it is running - running or paused "
                        + "containers cannot be removed without force: container state improper");
            }
            lc.stop(c.id(), stopSeconds);
        }
        lc.awaitMonitorGone(c.id()); // its exit command finishes before the container goes
        lc.unmountStopped(c);
        if (volumes) {
            Volumes.releaseAnonymous(new io.jpod.storage.VolumeStore(store().root()), store().containers().dir(c.id()));
        }
        lc.event("remove", c, Map.of());
        store().containers().remove(c.id());
        lc.releaseAddresses(c);
        ContainerRunner.deleteTree(dirs.runRoot().containerDir(c.id()));
    }

    /** The ports a container publishes (recorded at its start), in the order given. */
    public List<io.jpod.network.PortMapping> ports(String idOrName) {
        ContainerRecord c = store().containers().get(idOrName)
                .orElseThrow(() -> new NoSuchContainerException(idOrName));
        return ContainerNetwork.readPorts(store().containers().dir(c.id()));
    }

    /** Named volumes (`jpod volume …`). */
    public Volumes volumes() {
        return new Volumes(store(), dirs.volumes());
    }

    public Networks networks() {
        return new Networks(store());
    }

    /** `network rm`: the record, then its bridge and rules in the user's network namespace; -f removes its containers. */
    public String removeNetwork(String nameOrId, boolean force, int stopSeconds) {
        io.jpod.storage.NetworkRecord n = networks().remove(nameOrId, force, id -> removeContainer(id, true, false, stopSeconds));
        lifecycle().bridge().removeNetwork(n);
        return n.name();
    }

    /**
     * `network connect`: an address on the network (and its name server's names) for a container on user networks;
     * a running one gets its new interface at once, a stopped one at its next start.
     */
    public void connectNetwork(String network, String container, List<String> aliases, String ip) {
        Lifecycle lc = lifecycle();
        ContainerRecord c = lc.current(container);
        String mode = c.lifecycle() == null || c.lifecycle().config() == null ? null : c.lifecycle().config().network();
        if (!BridgeNetworking.isBridge(mode)) {
            throw new EngineException("container " + c.name() + " uses --network " + (mode == null ? "slirp4netns" : mode)
                    + ": network connect needs a container on a bridge network (run it with --network bridge or NAME)");
        }
        Networks n = networks();
        var joined = n.lease(c.id(), c.name(), List.of(new Networks.Join(network, aliases, ip))).get(0);
        BridgeNetworking bridge = lc.bridge();
        if ("running".equals(c.state())) {
            try {
                bridge.attachRunning(lc.initPid(c), joined.getKey(), joined.getValue());
            } catch (RuntimeException e) {
                n.release(c.id(), joined.getKey().name());
                throw e;
            }
        }
        bridge.writeDns(joined.getKey(), n.leases(joined.getKey().name()));
    }

    /** `network disconnect`: the container's address on the network goes, and its interface if it runs. */
    public void disconnectNetwork(String network, String container) {
        Lifecycle lc = lifecycle();
        ContainerRecord c = lc.current(container);
        Networks n = networks();
        io.jpod.storage.NetworkRecord net = n.require(network);
        var lease = n.leasesOf(c.id()).stream().filter(e -> e.getKey().name().equals(net.name())).findFirst()
                .orElseThrow(() -> new EngineException("container " + c.id() + " is not connected to network " + net.name()
                        + ": network is not connected"));
        BridgeNetworking bridge = lc.bridge();
        if ("running".equals(c.state())) {
            bridge.detachRunning(lease.getValue());
        }
        n.release(c.id(), net.name());
        bridge.writeDns(net, n.leases(net.name()));
    }

    /**
     * `network reload`: the forwarding, NAT and name-server state of the containers' networks is applied again (the
     * rules of each network, the names); returns the ids, as podman prints them.
     */
    public List<String> reloadNetworks(List<String> containers, boolean all) {
        Lifecycle lc = lifecycle();
        List<ContainerRecord> targets = new java.util.ArrayList<>();
        if (all) {
            for (ContainerRecord c : store().containers().list()) {
                if ("running".equals(lc.current(c.id()).state())) {
                    targets.add(c);
                }
            }
        } else {
            for (String c : containers) {
                targets.add(lc.current(c));
            }
        }
        Networks n = networks();
        BridgeNetworking bridge = lc.bridge();
        java.util.Set<String> done = new java.util.HashSet<>();
        List<String> ids = new java.util.ArrayList<>();
        for (ContainerRecord c : targets) {
            for (var e : n.leasesOf(c.id())) {
                if (done.add(e.getKey().name())) {
                    bridge.reloadRules(e.getKey());
                    bridge.writeDns(e.getKey(), n.leases(e.getKey().name()));
                }
            }
            ids.add(c.id());
        }
        return ids;
    }

    /** `network prune`: every unused network matching the filter, bridges included; their names. */
    public List<String> pruneNetworks(java.util.function.Predicate<io.jpod.storage.NetworkRecord> filter) {
        List<String> names = new java.util.ArrayList<>();
        for (io.jpod.storage.NetworkRecord n : networks().prune(filter)) {
            lifecycle().bridge().removeNetwork(n);
            names.add(n.name());
        }
        return names;
    }

    public String storageDriverName() {
        NativeHelper helper = NativeHelper.locate(env);
        return DriverSelector.choose(storageDriver, store(), dirs, helper, env, err).name();
    }

    /** Why the storage driver in use was chosen, for `jpod info`. */
    public String storageDriverReason() {
        return DriverSelector.decide(storageDriver, store(), dirs, NativeHelper.locate(env), env).reason();
    }

    /** `jpod mount/umount/diff/export/commit`. */
    public ContainerFiles containerFiles() {
        NativeHelper helper = NativeHelper.locate(env);
        Store s = store();
        return new ContainerFiles(s, DriverSelector.choose(storageDriver, s, dirs, helper, env, err));
    }

    /** `jpod build`: see {@link io.jpod.engine.build.ImageBuilder}; returns the image id. */
    public String build(io.jpod.engine.build.BuildRequest request, PrintStream out) {
        Store s = store();
        String driver = DriverSelector.choose(storageDriver, s, dirs, NativeHelper.locate(env), env, err).name();
        return new io.jpod.engine.build.ImageBuilder(this, s, driver, request, out).build();
    }

    /** `jpod system df/prune/reset/check`. */
    public SystemCommands system() {
        return new SystemCommands(store(), dirs, NativeHelper.locate(env));
    }

    @Override
    public void close() {
        if (store != null) {
            store.close();
        }
    }
}
