package io.jpod.engine;

import io.jpod.engine.container.ContainerCounters;

import io.jpod.engine.container.ContainerDependencies;
import io.jpod.engine.image.ManifestLists;
import io.jpod.engine.container.PathCompletion;
import io.jpod.engine.image.ImageCommands;
import io.jpod.engine.image.ImageResolver;
import io.jpod.engine.image.ImageService;
import io.jpod.engine.image.StoreImageService;
import io.jpod.engine.network.BridgeNetworking;
import io.jpod.engine.network.ContainerNetwork;
import io.jpod.engine.network.NetworkService;
import io.jpod.engine.network.Networks;
import io.jpod.engine.network.StoreNetworkService;
import io.jpod.engine.volume.StoreVolumeService;
import io.jpod.engine.volume.VolumeService;
import io.jpod.engine.volume.Volumes;
import io.jpod.engine.pod.PodService;
import io.jpod.engine.container.AttachOptions;
import io.jpod.engine.container.AttachSession;
import io.jpod.engine.container.Attacher;
import io.jpod.engine.container.ContainerFiles;
import io.jpod.engine.container.ContainerNames;
import io.jpod.engine.container.ContainerRemoveOptions;
import io.jpod.engine.container.ContainerRunner;
import io.jpod.engine.container.ContainerService;
import io.jpod.engine.container.LocalContainerService;
import io.jpod.engine.container.ContainerStats;
import io.jpod.engine.container.Copier;
import io.jpod.engine.container.ExecRequest;
import io.jpod.engine.container.ExecRunner;
import io.jpod.engine.container.HealthChecks;
import io.jpod.engine.container.Inspector;
import io.jpod.engine.container.Lifecycle;
import io.jpod.engine.container.LogOptions;
import io.jpod.engine.container.LogReader;
import io.jpod.engine.container.ProcessHost;
import io.jpod.engine.container.RunFlags;
import io.jpod.engine.container.RunRequest;
import io.jpod.engine.container.Signals;
import io.jpod.engine.container.Top;
import io.jpod.engine.pod.KubeGenerator;
import io.jpod.engine.pod.PodCreateRequest;
import io.jpod.engine.pod.Pods;
import io.jpod.engine.system.EventLog;
import io.jpod.engine.system.SystemCommands;
import io.jpod.engine.system.SystemService;
import io.jpod.storage.ContainerState;
import io.jpod.rootless.NativeHelper;
import io.jpod.storage.ContainerRecord;
import io.jpod.storage.ImageRecord;
import io.jpod.storage.Store;

import java.io.PrintStream;
import java.util.ArrayList;
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
            // and so does --hostname: the new pod's (its containers share its UTS namespace)
            RunRequest.ProcessRequest p = request.process();
            io.jpod.storage.PodRecord pod = pods().create(new PodCreateRequest(podName, n.publish(), null, p.hostname(), Map.of(), true,
                    List.of(), List.of(), List.of(), null, null, List.of()));
            RunRequest.ProcessRequest inPod = new RunRequest.ProcessRequest(p.entrypoint(), p.env(), p.workdir(), p.user(), null,
                    p.groupAdd(), p.envHost(), p.timezone());
            request = new RunRequest(request.image(), request.command(), inPod, request.name(), request.remove(),
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

    /** The front door for containers: see {@link ContainerService}. */
    public ContainerService containers() {
        Store s = store();
        return new LocalContainerService(s, dirs, this::lifecycle, err);
    }

    /** `jpod pod …`. */
    public PodService pods() {
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

    /** Starts a stopped container; attached: in the foreground, returning its status. */
    public int start(String idOrName, boolean attach, boolean interactive) {
        return lifecycle().start(idOrName, attach, interactive);
    }

    /** `start -i` (with or without -a): starts the container and attaches its stdin through the monitor's socket. */
    public int startInteractive(String idOrName, AttachOptions options) {
        return Attacher.start(lifecycle(), NativeHelper.locate(env), idOrName, options);
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
        containers().logs(List.of(idOrName), options, new RequestContext(env, null, null, out, errOut, false, null, -1, -1));
    }

    /**
     * `attach`: the container's output, and the caller's stdin to a -i container, through the monitor's attach
     * socket until the detach keys or the container's end; returns its exit code (0 after a detach).
     */
    public int attach(String idOrName, AttachOptions options, PrintStream out, PrintStream errOut) {
        return Attacher.attach(lifecycle(), NativeHelper.locate(env), idOrName, options, out, errOut);
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

    /** The raw counters of one container now (docker's stats API computes its own rates from them). */
    public ContainerCounters counters(String idOrName) {
        Lifecycle lc = lifecycle();
        ContainerRecord r = lc.current(idOrName);
        if (!lc.running(r)) {
            return new ContainerCounters(r.id(), r.name(), false, java.time.Instant.now(), -1, -1, -1, -1, -1, -1, -1, -1);
        }
        ContainerStats.Sample s = ContainerStats.sample(lc, r);
        long limit = s.memLimit() == Long.MAX_VALUE || s.memLimit() < 0 ? ContainerStats.hostMemory() : s.memLimit();
        return new ContainerCounters(s.id(), s.name(), true, s.at(), s.cpuNanos(), s.memUsage(), limit, s.pids(),
                s.netIn(), s.netOut(), s.blockIn(), s.blockOut());
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

    /** `jpod push`: the pushed manifest digest. */
    public String push(String image, String destination, boolean tlsVerify, boolean quiet, PrintStream progress, String creds,
                       String authfile) {
        String digest = imageCommands().push(image, destination, tlsVerify, quiet, progress, creds, authfile);
        // as podman's: the event names the image by its id and the destination as given
        imageEvent("push", imageCommands().find(image), destination == null ? image : destination);
        return digest;
    }

    /** @param file the archive, or null to read {@code in} */
    public List<ImageRecord> load(java.nio.file.Path file, java.io.InputStream in, PrintStream progress) {
        List<ImageRecord> loaded = imageCommands().load(file, in, progress);
        // podman's: one event for the archive, no id, the archive's path as its name
        EventLog.of(dirs.runRoot().path(), "image", "loadfromarchive", null, file == null ? "" : file.toString());
        return loaded;
    }

    /** The images in local storage (`jpod images`, `image …`, the API's /images). */
    public ImageService images() {
        // rmi -f: a running container of the image is stopped and removed as `rm -f` would (podman's)
        return new StoreImageService(store(), env, imageCommands(), dirs.runRoot().path())
                .removingRunningContainers(id -> removeContainer(id, true, false, 10));
    }

    private ImageCommands imageCommands;

    private ImageCommands imageCommands() {
        if (imageCommands == null) {
            imageCommands = new ImageCommands(store(), env, dirs.runRoot().path());
        }
        return imageCommands;
    }

    /** Removes a container; with force a running one is killed first. */
    public void removeContainer(String idOrName, boolean force) {
        removeContainer(idOrName, force, false, 0);
    }

    /**
     * `rm --depend`: the containers that depend on this one (recursively, theirs first), then it; returns the ids
     * removed, the dependents' first, as podman lists them.
     */
    public List<String> removeContainerAndDependents(String idOrName, boolean force, boolean volumes, int stopSeconds) {
        ContainerRecord c = lifecycle().current(idOrName);
        List<String> removed = new ArrayList<>();
        for (ContainerRecord d : ContainerDependencies.dependents(store(), c.id())) {
            removed.addAll(removeContainerAndDependents(d.id(), force, volumes, stopSeconds));
        }
        removeContainer(c.id(), force, volumes, stopSeconds);
        removed.add(c.id());
        return removed;
    }

    /** Kept for the image and network commands (build, network rm, volume rm): see {@link ContainerService#remove}. */
    public void removeContainer(String idOrName, boolean force, boolean volumes, int stopSeconds) {
        containers().remove(idOrName, new ContainerRemoveOptions(force, volumes, stopSeconds));
    }

    /** The ports a container publishes (recorded at its start), in the order given. */
    public List<io.jpod.network.PortMapping> ports(String idOrName) {
        ContainerRecord c = store().containers().get(idOrName)
                .orElseThrow(() -> new NoSuchContainerException(idOrName));
        return ContainerNetwork.readPorts(store().containers().dir(c.id()));
    }

    /** Named volumes (`jpod volume …`, the API's /volumes); removing one with its containers goes through {@link #removeContainer}. */
    public VolumeService volumes() {
        return new StoreVolumeService(new Volumes(store(), dirs.volumes()), (id, stopSeconds) -> removeContainer(id, true, false, stopSeconds));
    }

    /** `jpod secret …` (podman's file driver, under the storage root). */
    public io.jpod.engine.secret.Secrets secrets() {
        return new io.jpod.engine.secret.Secrets(store());
    }

    /** User networks (`jpod network …`); the containers they touch are reached through {@link #lifecycle()}. */
    public NetworkService networks() {
        Lifecycle lc = lifecycle();
        return new StoreNetworkService(new Networks(store()), new StoreNetworkService.Containers() {
            @Override
            public ContainerRecord current(String idOrName) {
                return lc.current(idOrName);
            }

            @Override
            public List<ContainerRecord> all() {
                return store().containers().list();
            }

            @Override
            public long initPid(ContainerRecord c) {
                return lc.initPid(c);
            }

            @Override
            public void remove(String id, int stopSeconds) {
                removeContainer(id, true, false, stopSeconds);
            }

            @Override
            public BridgeNetworking bridge() {
                return lc.bridge();
            }
        });
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

    /** `jpod manifest`: local manifest lists. */
    public ManifestLists manifestLists() {
        return new ManifestLists(store());
    }

    /** Shell completion of paths inside images and containers. */
    public PathCompletion pathCompletion() {
        Store s = store();
        return new PathCompletion(s, DriverSelector.choose(storageDriver, s, dirs, NativeHelper.locate(env), env, err));
    }

    /** `jpod build`: see {@link io.jpod.engine.build.ImageBuilder}; returns the image id. */
    public String build(io.jpod.engine.build.BuildRequest request, PrintStream out) {
        Store s = store();
        String driver = DriverSelector.choose(storageDriver, s, dirs, NativeHelper.locate(env), env, err).name();
        return new io.jpod.engine.build.ImageBuilder(this, s, driver, request, out).build();
    }

    /** `jpod system df/prune/reset/check`. */
    public SystemService system() {
        return new SystemCommands(store(), dirs, NativeHelper.locate(env));
    }

    @Override
    public void close() {
        if (store != null) {
            store.close();
        }
    }
}
