package io.jpod.engine.container;

import io.jpod.engine.pod.PodShm;


import io.jpod.engine.ContainersConf;

import io.jpod.engine.DriverSelector;

import io.jpod.engine.network.PodNetworks;

import io.jpod.engine.image.ImageResolver;
import io.jpod.engine.image.ImageSettings;
import io.jpod.engine.network.BridgeNetworking;
import io.jpod.engine.network.ContainerNetwork;
import io.jpod.engine.network.Networks;
import io.jpod.engine.volume.Volumes;
import io.jpod.engine.CannotInvokeException;
import io.jpod.engine.Dirs;
import io.jpod.engine.EngineException;
import io.jpod.engine.NoSuchPodException;
import io.jpod.engine.Trace;
import io.jpod.engine.pod.KubeSource;
import io.jpod.engine.pod.Pods;
import io.jpod.network.NetworkSetup;
import io.jpod.image.ImageProgressEvent;
import io.jpod.rootless.ContainerSpec;
import io.jpod.rootless.NativeHelper;
import io.jpod.storage.ContainerRecord;
import io.jpod.storage.ImageRecord;
import io.jpod.storage.RootfsDriver;
import io.jpod.storage.Store;
import io.jpod.storage.VolumeStore;

import java.io.IOException;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.function.Consumer;

/**
 * The path of `jpod run` from a parsed request to the helper's exec: image, container record, rootfs mount,
 * identity, environment, /etc files, spec file, then the native monitor; and the teardown after it.
 */
public final class ContainerRunner {
    private final Store store;
    private final Dirs dirs;
    private final NativeHelper helper;
    private final RootfsDriver driver;
    private final Map<String, String> callerEnv;
    private final PrintStream err;
    private final Consumer<ImageProgressEvent> pullProgress;

    /** @param pullProgress the implicit pull's events (the front end renders them); null: nowhere */
    public ContainerRunner(Store store, Dirs dirs, NativeHelper helper, RootfsDriver driver, Map<String, String> callerEnv, PrintStream err,
                           Consumer<ImageProgressEvent> pullProgress) {
        this.store = store;
        this.dirs = dirs;
        this.helper = helper;
        this.driver = driver;
        this.callerEnv = callerEnv;
        this.err = err;
        this.pullProgress = pullProgress;
    }

    /** The id of the container {@link #run} created (printed by `run -d`). */
    public String lastId;

    /**
     * Runs the container and returns its exit status (125/126/127 for failures to start); with -d returns 0 as
     * soon as it runs. The launch and the teardown are {@link Lifecycle}'s.
     */
    public int run(RunRequest req, Lifecycle lifecycle) {
        Trace.mark("run: start");
        io.jpod.storage.PodRecord pod = null;
        if (req.pod() != null) {
            pod = store.pods().get(req.pod()).orElseThrow(() -> new NoSuchPodException(req.pod()));
            if (pod.infraId() != null && pod.share().contains("uts") && req.process().hostname() != null) {
                throw new EngineException("invalid config provided: cannot set hostname when joining the pod UTS namespace"); // podman's words
            }
            if (pod.infraId() != null && !pod.share().isEmpty() && "keep-id".equals(req.security().userns()) && !"keep-id".equals(pod.userns())) {
                throw new EngineException("--userns=keep-id cannot be used with --pod: the pod's namespaces belong to jpod's user namespace");
            }
        }
        RunRequest resolved = VolumesFrom.resolve(store, ContainerDependencies.resolve(store, req)); // --network container:NAME names it by id
        RunRequest.NetworkRequest netReq = pod == null ? ContainerDependencies.ownNetwork(resolved.network()) : Pods.containerNetwork(pod, req.network());
        try (ContainerNetwork net = ContainerNetwork.plan(netReq, callerEnv, err)) {
            return run(resolved, lifecycle, net, pod);
        }
    }

    private int run(RunRequest req, Lifecycle lifecycle, ContainerNetwork net, io.jpod.storage.PodRecord pod) {
        // a container sharing the pod's (or another container's) network has none of its own: that one's is joined at start
        boolean podNet = pod != null && pod.infraId() != null && pod.share().contains("net")
                || ContainerDependencies.joins(req.network().mode());
        boolean podUts = pod != null && pod.infraId() != null && pod.share().contains("uts");
        // pod --userns=keep-id: the caller's ids and names as keep-id gives them, the user namespace the infra's (joined at start)
        boolean podKeepId = pod != null && pod.infraId() != null && !pod.share().isEmpty() && "keep-id".equals(pod.userns());
        // no --userns outside a pod: PODMAN_USERNS or containers.conf's [containers] userns (podman's order)
        RunRequest.SecurityRequest own = pod == null && req.security().userns() == null
                ? withUserns(req.security(), ContainersConf.userns(callerEnv)) : req.security();
        RunRequest.SecurityRequest idSec = podKeepId ? withUserns(req.security(), "keep-id") : own;
        RunRequest.SecurityRequest nsSec = podKeepId ? withUserns(req.security(), null) : own;
        NetworkSetup network = net.setup();
        if (network.mode() == io.jpod.network.NetworkMode.BRIDGE) { // podman's "network not found" before anything exists
            Networks networks = new Networks(store);
            BridgeNetworking.names(net.request().mode()).forEach(networks::require); // a pod's: its network
        }
        ImageRecord image = new ImageResolver(store, dirs.runRoot().path(), callerEnv).resolve(req.image(), req.pull().policy(), req.pull().tlsVerify(), req.pull().platform(), req.pull().quiet(), pullProgress);
        Trace.mark("run: image resolved");
        ImageSettings settings = ImageSettings.parse(store.images().config(image.id()));
        net.reservePorts(() -> store.images().config(image.id())); // a port in use: created, not started (below)
        List<String> argv = ProcessArgs.of(settings.entrypoint(), settings.cmd(), req.process().entrypoint(), req.command());
        ContainerCgroups.Planned cgroupPlan = ContainerCgroups.planRun(req.resources(), callerEnv, err,
                pod == null ? null : store.pods().dir(pod.id())); // limits fail before the container exists

        io.jpod.engine.secret.Secrets secrets = new io.jpod.engine.secret.Secrets(store);
        io.jpod.engine.secret.ContainerSecrets.check(secrets, req.security().secrets()); // no such secret: nothing made
        SecureRandom random = new SecureRandom();
        String id = ContainerNames.newId(random);
        if (req.name() != null) {
            ContainerNames.validate(req.name());
        }
        String imageName = nameAsGiven(image, req.image());
        Trace.mark("run: config parsed");
        // a generated name is picked under the store lock, among the names in use then (concurrent runs: no clash)
        ContainerRecord record = req.name() != null ? store.containers().create(id, req.name(), image.id(), imageName, argv)
                : store.containers().createWithGeneratedName(id, taken -> ContainerNames.newName(random, taken), image.id(), imageName, argv);
        String name = record.name();
        lifecycle.event("create", record, java.util.Map.of());
        lastId = id;
        Path runDir = dirs.runRoot().containerDir(id);
        Path merged = store.containers().mergedDir(id);
        RootfsDriver driver = UsernsRootfs.select(this.driver, SandboxPolicy.usernsMode(idSec),
                DriverSelector.usableFuseOverlayfs(callerEnv), helper.binary());
        boolean mounted = false;
        boolean leased = false;
        boolean launched = false;
        VolumeStore volumeStore = VolumeStore.at(dirs.volumes());
        MountSpecs.Prepared userMounts = null;
        try {
            List<Path> lowers = new ArrayList<>();
            for (int i = image.layers().size() - 1; i >= 0; i--) {
                lowers.add(store.layers().diffDir(image.layers().get(i)));
            }
            Trace.mark("run: container created");
            driver.mount(lowers, store.containers().upperDir(id), store.containers().workDir(id), merged);
            mounted = true;
            Trace.mark("run: rootfs mounted");

            String hostname = podUts ? Pods.hostname(pod)
                    : req.process().hostname() != null ? req.process().hostname() : id.substring(0, 12);
            ContainerUser user = ContainerUser.resolve(merged, req.process().user() != null ? req.process().user() : SandboxPolicy.defaultUser(idSec, settings.user()));
            if (!req.process().groupAdd().isEmpty()) {
                user = RunFlags.addGroups(merged, user, req.process().groupAdd());
            }
            String cwd = req.process().workdir() != null ? req.process().workdir() : (settings.workingDir() == null || settings.workingDir().isEmpty() ? "/" : settings.workingDir());
            if (!cwd.startsWith("/")) {
                throw new EngineException("the working directory \"" + cwd + "\" is not an absolute path");
            }
            List<String> env = ContainerEnv.build(req.process().envHost() ? RunFlags.withHostEnv(callerEnv, settings.env()) : settings.env(),
                    req.process().env(), hostname, user.home(), req.lifecycle().tty(), callerEnv);

            if (podNet && pod != null && PodNetworks.onUserNetwork(pod)) { // the infra's addresses: the pod's containers share its namespace
                net.bridgeLeases(PodNetworks.ensureLeases(store, pod));
            } else if (network.mode() == io.jpod.network.NetworkMode.BRIDGE) { // an address on each network, under the store lock
                List<Networks.Join> joins = new ArrayList<>();
                for (String n : BridgeNetworking.names(req.network().mode())) {
                    joins.add(new Networks.Join(n, req.network().aliases(), joins.isEmpty() ? req.network().ip() : null));
                }
                leased = true;
                net.bridgeLeases(new Networks(store).lease(id, name, joins));
            }
            Files.createDirectories(runDir);
            if (podNet && pod != null) { // (--network container:NAME joins that container's network, named as itself here)
                net.joinsPodInfra(Pods.infraName(pod));
            }
            List<ContainerSpec.Mount> mounts = etcFiles(runDir, merged, net, hostname, name, req.network().noHosts());
            if (pod != null && pod.infraId() != null && pod.share().contains("ipc")) {
                mounts.add(PodShm.mount(dirs, pod.id())); // the pod's IPC includes its /dev/shm
            }
            if (req.process().timezone() != null && Files.isDirectory(RootfsPath.resolve(merged, "/etc"), LinkOption.NOFOLLOW_LINKS)) {
                mounts.add(RunFlags.timezoneMount(req.process().timezone(), merged, runDir));
            }
            userMounts = MountSpecs.prepare(req.security(), merged, volumeStore, id);
            ensureWorkdir(merged, cwd, req.process().workdir() != null, userMounts.mounts(), id);
            mounts.add(containerEnv(runDir, merged, req, id, name, imageName, image.id()));
            mounts = MountSpecs.merge(userMounts.mounts(), mounts);
            mounts.addAll(SandboxPolicy.userEtcFiles(idSec, merged, runDir));
            mounts.addAll(RunFlags.deviceMounts(req.security().devices(), merged));
            env = new ArrayList<>(env);
            mounts.addAll(io.jpod.engine.secret.ContainerSecrets.prepare(secrets, req.security().secrets(), merged, store.containers().dir(id), env));
            Path exitFile = runDir.resolve("exit");
            List<ContainerSpec.Extra> sandbox = SandboxPolicy.extras(nsSec, user.uid(), runDir, err);
            List<ContainerSpec.Extra> cgroups = cgroupPlan.prepare(id, store.containers().dir(id), err);
            // a container sharing the pod's network has none of its own (no slirp4netns, no ports): the infra's is joined at start
            List<ContainerSpec.Extra> netExtras = podNet ? List.of() : net.specExtras(dirs.runRoot(), id);
            ContainerSpec spec = new ContainerSpec(merged, podUts ? null : hostname, cwd, (int) user.uid(), (int) user.gid(),
                    user.groups().stream().map(Long::intValue).toList(), env, argv, podNet ? ContainerSpec.Network.NONE : net.specNetwork(),
                    network.slirp4netns(), network.mtu() > 0 ? network.mtu() : NetworkSetup.DEFAULT_MTU, mounts, exitFile, runDir.resolve("pid"),
                    concat(concat(concat(netExtras, sandbox), cgroups), RunFlags.extras(req)));
            net.recordPorts(store.containers().dir(id));
            KubeSource.of(req).write(store.containers().dir(id));
            Volumes.recordAnonymous(store.containers().dir(id), userMounts);
            long[] owner = VolumeOwnership.parentIds(SandboxPolicy.usernsMode(idSec), user.uid(), user.gid());
            VolumeOwnership.record(store.containers().dir(id), userMounts.chownToUser(), owner[0], owner[1]);
            lifecycle.saveSpec(id, spec);
            record = store.containers().update(LifecycleSetup.created(record, pod == null ? req : req.inPod(pod.id()), hostname, cwd, env, settings, driver.name(), givenRuntime()));
            if (req.lifecycle().cidFile() != null) {
                RunFlags.writeCidFile(req.lifecycle().cidFile(), id);
            }
            if (net.portInUse() != null && !req.lifecycle().createOnly()) {
                // podman's: the container exists but cannot start (126); with --rm it goes again (the finally below)
                if (!req.remove()) {
                    launched = true;
                    lifecycle.leaveCreated(record);
                }
                throw new CannotInvokeException(net.portInUse().getMessage());
            }
            launched = true;
            Trace.mark("run: spec written");
            if (req.lifecycle().createOnly()) {
                return lifecycle.leaveCreated(record);
            }
            return lifecycle.launch(record, req.lifecycle().detach(), req.lifecycle().interactive(), false, req.lifecycle().attach());
        } catch (IOException e) {
            throw new EngineException("cannot prepare container " + id.substring(0, 12) + ": " + e.getMessage(), e);
        } finally {
            if (!launched) { // once launched, the teardown is the lifecycle's
                ContainerCgroups.teardown(store.containers().dir(id), err);
                if (mounted) {
                    try {
                        driver.unmount(merged);
                    } catch (RuntimeException e) {
                        err.println("jpod: warning: " + e.getMessage());
                    }
                }
                if (req.remove()) {
                    store.containers().remove(id);
                    if (leased) {
                        new Networks(store).release(id, null);
                    }
                    Volumes.release(volumeStore, userMounts, id);
                }
                deleteTree(runDir);
            }
        }
    }

    /** A helper other than this installation's (--runtime sets JPOD_HELPER): kept as the container's runtime. */
    private String givenRuntime() {
        String helper = callerEnv.get("JPOD_HELPER");
        String home = callerEnv.get("JPOD_HOME");
        return helper == null || home != null && Path.of(home, "libexec", "jpod-helper").toString().equals(helper) ? null : helper;
    }

    private static <T> List<T> concat(List<T> a, List<T> b) {
        List<T> all = new ArrayList<>(a);
        all.addAll(b);
        return all;
    }

    /**
     * The image's name as the user gave it, completed to the stored name it matched ("x/y" → "localhost/x/y:latest");
     * podman's .ImageName. An id, or a name that is no image name, gives the image's first name (else its id).
     */
    static String nameAsGiven(ImageRecord image, String given) {
        for (String n : image.names()) {
            for (String g : new String[]{given, given + ":latest"}) {
                if (n.equals(g) || n.endsWith("/" + g)) {
                    return n;
                }
            }
        }
        return image.names().isEmpty() ? image.id() : image.names().get(0);
    }

    /**
     * /run/.containerenv, which tells programs that they run in a container: empty, and with --privileged podman's
     * KEY="value" lines naming the engine, the container and its image.
     */
    private static ContainerSpec.Mount containerEnv(Path runDir, Path rootfs, RunRequest req, String id, String name,
                                                    String imageName, String imageId) throws IOException {
        String content = "";
        if (req.security().privileged()) {
            content = "engine=\"jpod\"\nname=\"" + name + "\"\nid=\"" + id + "\"\nimage=\"" + imageName
                    + "\"\nimageid=\"" + imageId.replaceFirst("^sha256:", "") + "\"\nrootless=1\n";
        }
        write(runDir.resolve("containerenv"), content);
        String inRoot = "/" + rootfs.relativize(RootfsPath.resolve(rootfs, "/run/.containerenv"));
        return new ContainerSpec.Mount("bind", runDir.resolve("containerenv").toString(), inRoot, List.of("rbind", "nosuid", "nodev", "noexec"));
    }

    /**
     * The image's WorkingDir is created when missing, as podman does; a --workdir the user gave must exist, or be a
     * mount's destination or hold one (the mount creates it), else the command cannot be invoked (126).
     */
    private static void ensureWorkdir(Path rootfs, String cwd, boolean userGiven, List<ContainerSpec.Mount> mounts, String id)
            throws IOException {
        Path dir = RootfsPath.resolve(rootfs, cwd);
        if (!Files.exists(dir, LinkOption.NOFOLLOW_LINKS)) {
            String c = cwd.replaceAll("/+$", "");
            boolean mounted = mounts.stream().anyMatch(m -> m.destination().equals(c.isEmpty() ? "/" : c)
                    || m.destination().startsWith(c + "/"));
            if (userGiven && !mounted) {
                throw new CannotInvokeException("workdir \"" + cwd + "\" does not exist on container " + id);
            }
            Files.createDirectories(dir); // every component was resolved inside the rootfs
        } else if (!Files.isDirectory(dir, LinkOption.NOFOLLOW_LINKS)) {
            throw new EngineException("the working directory " + cwd + " is not a directory in the image");
        }
    }

    /** /etc/hostname, /etc/hosts and /etc/resolv.conf are generated per container and bind-mounted, never written into layers. */
    private List<ContainerSpec.Mount> etcFiles(Path runDir, Path rootfs, ContainerNetwork network, String hostname,
                                               String name, boolean noHosts) throws IOException {
        List<ContainerSpec.Mount> mounts = new ArrayList<>();
        Path etc = RootfsPath.resolve(rootfs, "/etc");
        if (!Files.isDirectory(etc, LinkOption.NOFOLLOW_LINKS)) {
            return mounts; // images without /etc (scratch) get none, like podman
        }
        String hostResolv = null;
        try {
            hostResolv = Files.readString(Path.of("/etc/resolv.conf"));
        } catch (IOException e) {
            // no host resolv.conf: the container gets an empty one
        }
        write(runDir.resolve("hostname"), hostname + "\n");
        if (!noHosts) { // --no-hosts: the image's own /etc/hosts stays
            write(runDir.resolve("hosts"), network.hostsFile(hostname, name));
        }
        write(runDir.resolve("resolv.conf"), network.resolvConf(hostResolv));
        for (String f : noHosts ? List.of("hostname", "resolv.conf") : List.of("hostname", "hosts", "resolv.conf")) {
            String inRoot = "/" + rootfs.relativize(RootfsPath.resolve(rootfs, "/etc/" + f));
            mounts.add(new ContainerSpec.Mount("bind", runDir.resolve(f).toString(), inRoot, List.of("rbind", "nosuid", "nodev", "noexec")));
        }
        return mounts;
    }

    private static void write(Path file, String content) throws IOException {
        Files.writeString(file, content, StandardCharsets.UTF_8);
    }

    public static void deleteTree(Path dir) {
        if (!Files.exists(dir, LinkOption.NOFOLLOW_LINKS)) {
            return;
        }
        try (var walk = Files.walk(dir)) {
            walk.sorted(java.util.Comparator.reverseOrder()).forEach(p -> {
                try {
                    Files.deleteIfExists(p);
                } catch (IOException e) {
                    // best effort: a leftover run dir is swept with its container
                }
            });
        } catch (IOException e) {
            // best effort
        }
    }

    private static RunRequest.SecurityRequest withUserns(RunRequest.SecurityRequest s, String userns) {
        return new RunRequest.SecurityRequest(s.capAdd(), s.capDrop(), s.privileged(), s.securityOpts(), s.volumes(), s.mounts(),
                s.tmpfs(), s.readOnly(), s.readOnlyTmpfs(), userns, s.ulimits(), s.devices(), s.hostUsers(), s.secrets(), s.volumesFrom());
    }
}
