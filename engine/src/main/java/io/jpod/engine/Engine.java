package io.jpod.engine;


import io.jpod.engine.container.ContainerDependencies;
import io.jpod.engine.image.ManifestLists;
import io.jpod.engine.container.PathCompletion;
import io.jpod.engine.image.ImageCommands;
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
import io.jpod.engine.container.ContainerFiles;
import io.jpod.engine.container.ContainerNames;
import io.jpod.engine.container.ContainerRemoveOptions;
import io.jpod.engine.container.ContainerService;
import io.jpod.engine.container.LocalContainerService;
import io.jpod.engine.container.ContainerStats;
import io.jpod.engine.container.ExecRunner;
import io.jpod.engine.container.HealthChecks;
import io.jpod.engine.container.Inspector;
import io.jpod.engine.container.Lifecycle;
import io.jpod.engine.container.LogOptions;
import io.jpod.engine.container.LogReader;
import io.jpod.engine.container.ProcessHost;
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

    private Lifecycle lifecycle() {
        Store s = store();
        return new Lifecycle(s, dirs, env, err, () -> NativeHelper.locate(env),
                name -> DriverSelector.choose(name != null ? name : storageDriver, s, dirs, NativeHelper.locate(env), env, err), host);
    }

    /** `kube generate`: the YAML of a pod, or of containers (as one pod). */
    public String kubeGenerate(List<String> names, String type, boolean service) {
        return new KubeGenerator(store(), this, localPods(), localContainers()).generate(names, type, service);
    }

    /** The front door for containers: see {@link ContainerService}. */
    public ContainerService containers() {
        return localContainers();
    }

    /** The container service and, for the engine's own callers (pods, kube generate, info), its records. */
    private LocalContainerService localContainers() {
        Store s = store();
        return new LocalContainerService(s, dirs, this::lifecycle, err, env,
                () -> DriverSelector.choose(storageDriver, s, dirs, NativeHelper.locate(env), env, err), this::newPodFor);
    }

    /** `run --pod new:NAME`: the pod, made first; as podman, the ports and the hostname asked for go to it. */
    private String newPodFor(String podName, RunRequest request) {
        return pods().create(new PodCreateRequest(podName, request.network().publish(), null, request.process().hostname(), Map.of(),
                true, List.of(), List.of(), List.of(), null, null, List.of()), null).id(); // the pause image: nothing to pull
    }

    /** `jpod pod …`. */
    public PodService pods() {
        return localPods();
    }

    private Pods localPods() {
        return new Pods(this, localContainers(), store(), dirs, env, err, host);
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

    /** `jpod healthcheck run`: runs the container's check once; returns the health status it leads to. */
    public String runHealthcheck(String idOrName) {
        Lifecycle lc = lifecycle();
        return new HealthChecks(store(), lc, new ExecRunner(store(), lc, NativeHelper.locate(env), env)).run(idOrName);
    }

    /** `build`'s RUN output (the CLI and the API call {@link ContainerService#logs}). */
    public void logs(String idOrName, LogOptions options, PrintStream out, PrintStream errOut) {
        containers().logs(List.of(idOrName), options, new RequestContext(env, null, null, out, errOut, false, null, -1, -1));
    }

    /** `update`: new resource limits for a container (applied now when it runs, kept for its next start). */
    public void update(String idOrName, RunRequest.ResourceRequest limits) {
        Lifecycle lc = lifecycle();
        ContainerStats.update(lc, lc.current(idOrName), limits);
    }

    /** `jpod save`'s event: the (first) image by id and where it went as given (podman's "image save ID PATH"). */
    public void imageSaved(String image, String destination) {
        EventLog.of(dirs.runRoot().path(), "image", "save", imageCommands().find(image).id().replaceFirst("^sha256:", ""), destination);
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
            imageCommands = new ImageCommands(store(), env, dirs.runRoot().path()).withPodInfraRemover(c -> // rmi -f: an infra goes with its pod
                    io.jpod.engine.pod.Pods.isInfra(store(), c) && !pods().removeWithInfra(io.jpod.engine.pod.Pods.podOf(c), true, 0).isEmpty());
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
        if (io.jpod.engine.pod.Pods.isInfra(store(), c)) { // podman's rm --depend (and rm --all) of an infra: its pod goes
            return pods().removeWithInfra(io.jpod.engine.pod.Pods.podOf(c), force, stopSeconds);
        }
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
    public io.jpod.engine.secret.SecretService secrets() {
        return new io.jpod.engine.secret.StoreSecretService(new io.jpod.engine.secret.Secrets(store()));
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

    /** `jpod build`: see {@link io.jpod.engine.build.ImageBuilder} (its pulls go through {@link #images()}); returns the image id. */
    public String build(io.jpod.engine.build.BuildRequest request, PrintStream out) {
        Store s = store();
        String driver = DriverSelector.choose(storageDriver, s, dirs, NativeHelper.locate(env), env, err).name();
        return new io.jpod.engine.build.ImageBuilder(this, s, driver, request, out).build();
    }

    /** `jpod system df/prune/reset/check`. */
    public SystemService system() {
        return new SystemCommands(store(), dirs, NativeHelper.locate(env), () -> new SystemCommands.InfoSources() {
            @Override
            public String driverName() {
                return DriverSelector.choose(storageDriver, store(), dirs, NativeHelper.locate(env), env, err).name();
            }

            @Override
            public String driverReason() {
                return DriverSelector.decide(storageDriver, store(), dirs, NativeHelper.locate(env), env).reason();
            }

            @Override
            public List<ContainerState> containerStates() {
                return localContainers().list().stream().map(ContainerRecord::state).toList();
            }

            @Override
            public Map<String, Object> cgroups() {
                return ContainerStats.info(env);
            }
        });
    }

    @Override
    public void close() {
        if (store != null) {
            store.close();
        }
    }
}
