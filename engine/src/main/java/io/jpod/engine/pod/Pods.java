package io.jpod.engine.pod;


import io.jpod.engine.network.PodNetworks;
import io.jpod.engine.container.ContainerStopOptions;
import io.jpod.engine.container.ContainerRemoveOptions;
import io.jpod.engine.container.ContainerKillOptions;
import io.jpod.engine.ContainerRunningException;
import io.jpod.engine.Dirs;
import io.jpod.engine.Engine;
import io.jpod.engine.EngineException;
import io.jpod.engine.NoSuchPodException;
import io.jpod.engine.container.ContainerCgroups;
import io.jpod.engine.container.ContainerNames;
import io.jpod.engine.container.ContainerRecords;
import io.jpod.engine.container.ProcessHost;
import io.jpod.engine.container.RunRequest;
import io.jpod.engine.container.SandboxPolicy;
import io.jpod.engine.container.Signals;
import io.jpod.storage.ContainerState;
import io.jpod.network.PortMapping;
import io.jpod.network.PortParser;
import io.jpod.rootless.NativeHelper;
import io.jpod.storage.ContainerLifecycle;
import io.jpod.storage.ContainerRecord;
import io.jpod.storage.PodRecord;
import io.jpod.storage.Store;

import java.io.IOException;
import java.io.PrintStream;
import java.security.SecureRandom;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * `jpod pod …`: pods as podman has them. A pod is a record ({@code storage.PodStore}), an infra process holding the
 * shared namespaces ({@link PodInfra}) and the containers whose creation settings name the pod. Its state is derived
 * from its containers' (the infra counting as one), as podman derives it.
 */
public final class Pods implements PodService {
    /** podman's default --share. */
    static final List<String> DEFAULT_SHARE = List.of("uts", "ipc", "net");
    private static final List<String> SHAREABLE = List.of("cgroup", "ipc", "net", "pid", "uts", "none");

    private final Engine engine;
    private final ContainerRecords records;
    private final Store store;
    private final PodInfra infra;
    private final PrintStream err;
    private final Map<String, String> env;
    private final Dirs dirs;

    /** @param records the containers' records (the pod's members, its infra's state), reconciled */
    public Pods(Engine engine, ContainerRecords records, Store store, Dirs dirs, Map<String, String> env, PrintStream err, ProcessHost host) {
        this.engine = engine;
        this.records = records;
        this.store = store;
        this.err = err;
        this.env = env;
        this.dirs = dirs;
        this.infra = new PodInfra(store, dirs, NativeHelper.locate(env), host, env, err);
    }

    /** The shared host name: --hostname, else the pod's name (podman's default). */
    public static String hostname(PodRecord pod) {
        String h = pod.hostname() != null ? pod.hostname() : pod.name();
        return h.length() > 64 ? h.substring(0, 64) : h;
    }

    /** The pod's --network, slirp4netns when none was given. */
    static String networkMode(PodRecord pod) {
        return pod.network() == null ? "slirp4netns" : pod.network();
    }

    // ---- create

    @Override
    public PodCreateReport create(PodCreateRequest req, java.util.function.Consumer<io.jpod.image.ImageProgressEvent> pullProgress) {
        PodRecord pod = createRecord(req, pullProgress);
        return new PodCreateReport(pod.id(), pod.name(), pod.infraId());
    }

    private PodRecord createRecord(PodCreateRequest req, java.util.function.Consumer<io.jpod.image.ImageProgressEvent> pullProgress) {
        String exitPolicy = PodExitPolicy.parse(req.exitPolicy());
        List<String> share = parseShare(req.share());
        if (req.name() != null && !io.jpod.storage.PodStore.validName(req.name())) {
            throw new EngineException("invalid pod name \"" + req.name() + "\": use letters, digits, '_', '.' and '-', starting with a letter or digit");
        }
        if (!req.infra()) {
            if (!req.publish().isEmpty()) {
                throw new EngineException("you must have an infra container to publish port bindings to the host");
            }
            share = List.of();
        }
        for (String p : req.publish()) {
            PortParser.parse(p); // a bad spec fails now, not at the pod's start
        }
        if (req.network() != null) {
            io.jpod.network.NetworkMode.parse(req.network());
            PodNetworks.checkCreate(store, req.network(), req.publish());
        }
        String userns = null;
        if (req.userns() != null && !req.userns().isEmpty() && !req.userns().equals("host")) {
            if (!req.userns().equals("keep-id")) {
                throw new EngineException("--userns=" + req.userns() + " is not supported for pods: use keep-id (or host, the default)");
            }
            if (share.isEmpty()) {
                throw new EngineException("--userns=keep-id on a pod needs an infra sharing namespaces: give it to each container instead (run --userns=keep-id)");
            }
            SandboxPolicy.keepIdMapRecords(); // the caller's ids fit, or one line saying what to add
            userns = "keep-id";
        }
        if (req.hostname() != null && (req.hostname().isEmpty() || req.hostname().length() > 64)) {
            throw new EngineException("invalid hostname \"" + req.hostname() + "\": 1 to 64 characters");
        }
        ContainerCgroups.Planned limits = req.limited() ? ContainerCgroups.planPod(req.memory(), req.cpus(), env) : null;
        SecureRandom random = new SecureRandom();
        String id = ContainerNames.newId(random);
        String name = req.name();
        if (name == null) {
            Set<String> taken = new HashSet<>();
            store.pods().list().forEach(p -> taken.add(p.name()));
            name = ContainerNames.newName(random, taken);
        }
        PodRecord pod = new PodRecord(id, name, Instant.now(), req.labels(), req.infra() ? ContainerNames.newId(random) : null,
                share, req.publish(), req.hostname(), req.network(), req.addHosts(), req.dns(), req.infraCommand(), req.createCommand(),
                userns, exitPolicy, req.infraName(), req.serviceContainerId());
        if (req.serviceContainerId() != null && store.containers().get(req.serviceContainerId()).filter(ServiceContainers::isService).isEmpty()) {
            throw new EngineException("associating service container " + req.serviceContainerId() + " with the pod: it is not a service container");
        }
        if (req.replace() && req.name() != null && exists(req.name())) {
            remove(req.name(), new PodRemoveOptions(true, 0)); // podman's --replace: the pod of that name goes, with its containers
        }
        io.jpod.storage.ImageRecord pause = pod.infraId() == null ? null : req.infraImage() == null ? PauseImage.ensure(store) // built on first need
                : new io.jpod.engine.image.ImageResolver(store, dirs.runRoot().path(), env)
                        .resolve(req.infraImage(), io.jpod.engine.image.PullPolicy.MISSING, true, null, true,
                                pullProgress); // pulled as run pulls, quiet (podman's): its warnings go to the front end
        store.pods().create(pod);
        if (pause != null) {
            try {
                createInfraContainer(pod, pause, req.infraImage());
            } catch (RuntimeException e) {
                store.pods().remove(id); // nothing half-made stays
                throw e;
            }
        }
        if (limits != null) {
            try {
                ContainerCgroups.createPod(limits, id, store.pods().dir(id));
            } catch (IOException e) {
                if (pause != null) {
                    store.containers().remove(pod.infraId());
                }
                store.pods().remove(id); // nothing half-made stays
                throw new EngineException("cannot set up the pod's cgroup: " + e.getMessage(), e);
            }
        }
        return pod;
    }

    /**
     * The infra container's record, as podman makes it: named {@code <podid:12>-infra} (or --infra-name), from the
     * pause image, its command the image's entrypoint (or --infra-command), created, in the pod's network.
     */
    private void createInfraContainer(PodRecord pod, io.jpod.storage.ImageRecord image, String infraImage) {
        List<String> command = !pod.infraCommand().isEmpty() ? pod.infraCommand()
                : infraImage == null ? PauseImage.ENTRYPOINT : imageCommand(image);
        ContainerRecord r;
        try {
            r = store.containers().create(pod.infraId(), infraName(pod), image.id(), infraImage == null ? PauseImage.reference() : infraImage, command);
        } catch (io.jpod.storage.StorageException e) {
            String holder = store.containers().get(infraName(pod)).map(ContainerRecord::id).orElse(null);
            if (holder != null) { // podman's words for a --infra-name in use
                throw new EngineException("adding pod to state: the container name \"" + infraName(pod) + "\" is already in use by " + holder
                        + ". You have to remove that container to be able to reuse that name: that name is already in use", e);
            }
            throw new EngineException(e.getMessage(), e);
        }
        ContainerLifecycle.Config config = new ContainerLifecycle.Config(hostname(pod), "", "/", List.of(), command, Map.of(),
                false, false, false, false, null, null, infraNetworkMode(pod), null, null, null, null, null, null, null, pod.id()); // k8s-file: `logs` of it prints nothing, as podman's
        store.containers().update(new ContainerRecord(r.id(), r.name(), r.imageId(), r.imageName(), r.command(), r.created(),
                ContainerState.CREATED, null, new ContainerLifecycle(null, null, null, null, null, null, config)));
    }

    /** An --infra-image's entrypoint and command, as the infra's record shows them. */
    private List<String> imageCommand(io.jpod.storage.ImageRecord image) {
        io.jpod.image.ImageConfig.Config c = io.jpod.image.ImageConfig.parse(store.images().config(image.id()), image.id()).config();
        List<String> command = new ArrayList<>();
        if (c != null && c.entrypoint() != null) {
            command.addAll(c.entrypoint());
        }
        if (c != null && c.cmd() != null) {
            command.addAll(c.cmd());
        }
        return command;
    }

    /** The infra's network mode as inspect shows it: the pod's mode without its options (slirp4netns:port_handler=… → slirp4netns). */
    static String infraNetworkMode(PodRecord pod) {
        String mode = networkMode(pod);
        int colon = mode.indexOf(':');
        return colon > 0 && (mode.startsWith("slirp4netns") || mode.startsWith("pasta")) ? mode.substring(0, colon) : mode;
    }

    /** Whether {@code c} is the infra container of its pod (removed only with the pod, started and stopped with it). */
    public static boolean isInfra(Store store, ContainerRecord c) {
        String podId = podOf(c);
        return podId != null && store.pods().get(podId).map(p -> c.id().equals(p.infraId())).orElse(false);
    }

    /** --share: podman's names, "none" for nothing; "+ns" adds to the default. */
    static List<String> parseShare(String share) {
        if (share == null) {
            return DEFAULT_SHARE;
        }
        List<String> out = new ArrayList<>();
        String s = share;
        if (s.startsWith("+")) {
            out.addAll(DEFAULT_SHARE);
            s = s.substring(1);
        }
        for (String ns : s.split(",")) {
            String n = ns.strip();
            if (!SHAREABLE.contains(n)) {
                throw new EngineException("invalid kernel namespace to share: " + n + ". Options are: cgroup, ipc, net, pid, uts or none");
            }
            if (n.equals("none")) {
                return List.of();
            }
            if (n.equals("cgroup")) {
                continue; // each container has its own cgroup namespace rooted at its own cgroup
            }
            if (!out.contains(n)) {
                out.add(n);
            }
        }
        return List.copyOf(out);
    }

    // ---- lookup and state

    /** The pod's record (the engine's own callers: kube generate). */
    public PodRecord get(String idOrName) {
        return store.pods().get(idOrName).orElseThrow(() -> new NoSuchPodException(idOrName));
    }

    public boolean exists(String idOrName) {
        return store.pods().get(idOrName).isPresent();
    }

    @Override
    public PodLookupReport lookup(String idOrName) {
        PodRecord pod = get(idOrName);
        return new PodLookupReport(pod.id(), pod.name());
    }

    /** The pods' records, newest first. */
    public List<PodRecord> list() {
        return store.pods().list();
    }

    /** The pod's containers (not the infra container), newest first, states reconciled. */
    public List<ContainerRecord> containers(PodRecord pod) {
        return members(pod, records.list());
    }

    /** The pod's containers among {@code all} (not the infra), in their order. */
    private static List<ContainerRecord> members(PodRecord pod, List<ContainerRecord> all) {
        List<ContainerRecord> out = new ArrayList<>();
        for (ContainerRecord c : all) {
            if (pod.id().equals(podOf(c)) && !c.id().equals(pod.infraId())) {
                out.add(c);
            }
        }
        return out;
    }

    /** The id of the pod the container belongs to, or null. */
    public static String podOf(ContainerRecord c) {
        return c.lifecycle() == null || c.lifecycle().config() == null ? null : c.lifecycle().config().pod();
    }

    /** The infra as podman lists it among the pod's containers: created (never started), running or exited. */
    public ContainerState infraState(PodRecord pod) {
        if (pod.infraId() == null) {
            return null;
        }
        if (engine.containers().exists(pod.infraId())) {
            return records.get(pod.infraId()).state(); // reconciled: a dead monitor is an exit
        }
        if (infra.running(pod) != null) { // a pod of an older jpod, whose infra had no record
            return ContainerState.RUNNING;
        }
        return java.nio.file.Files.isDirectory(infra.runDir(pod)) ? ContainerState.EXITED : ContainerState.CREATED;
    }

    /** podman's pod state from its containers' states (the infra included). */
    public String state(PodRecord pod) {
        return state(pod, containers(pod));
    }

    String state(PodRecord pod, List<ContainerRecord> containers) {
        List<ContainerState> states = new ArrayList<>();
        containers.forEach(c -> states.add(c.state()));
        ContainerState is = infraState(pod);
        if (is != null) {
            states.add(is);
        }
        return derive(states);
    }

    /** podman's rule: all running → Running; some → Degraded; all ended → Exited; some → Stopped; else Created. */
    static String derive(List<ContainerState> states) {
        int n = states.size();
        if (n == 0) {
            return "Created";
        }
        long running = states.stream().filter(ContainerState::isRunning).count();
        long stopped = states.stream().filter(s -> s == ContainerState.EXITED).count();
        if (running == n) {
            return "Running";
        }
        if (running > 0) {
            return "Degraded";
        }
        if (stopped == n) {
            return "Exited";
        }
        if (stopped > 0) {
            return "Stopped";
        }
        return "Created";
    }

    // ---- lifecycle

    /** Starts the infra, then every container of the pod that is not running. */
    public void start(String idOrName) {
        PodRecord pod = get(idOrName);
        ServiceContainers.podStarting(store, engine.containers(), pod); // before the pod, as podman's
        if (pod.infraId() != null) {
            infra.start(pod, store.pods().dir(pod.id()));
        }
        List<ContainerRecord> cs = new ArrayList<>(containers(pod));
        java.util.Collections.reverse(cs); // the oldest first, as they were added
        for (ContainerRecord c : cs) {
            if (c.state() != ContainerState.RUNNING) {
                int code = engine.containers().start(c.id(), io.jpod.engine.container.ContainerStartOptions.detached());
                if (code != 0) {
                    throw new EngineException("starting container " + c.id() + ": the container exited with status " + code);
                }
            }
        }
    }

    /** Stops every container of the pod (stop signal, then SIGKILL after the timeout), then the infra. */
    @Override
    public void stop(String idOrName, PodStopOptions options) {
        Integer timeoutSeconds = options.timeout();
        PodRecord pod = get(idOrName);
        for (ContainerRecord c : containers(pod)) {
            if (c.state() == ContainerState.RUNNING) {
                engine.containers().stop(c.id(), new ContainerStopOptions(timeoutSeconds)).warning();
            }
        }
        infra.stop(pod, Signals.TERM);
        serviceMayStop(pod);
    }

    /** The pod's service container stops once every pod of it is done. */
    private void serviceMayStop(PodRecord pod) {
        ServiceContainers.podStopped(store, pod, this::state, id -> engine.containers().stop(id, new ContainerStopOptions(null)));
    }

    @Override
    public String createServiceContainer(String name, boolean replace) {
        return ServiceContainers.create(store, engine.containers(), name, replace);
    }

    public void restart(String idOrName) {
        stop(idOrName, new PodStopOptions(null));
        start(idOrName);
    }

    /** Sends the signal to every running container of the pod and to the infra. */
    @Override
    public void kill(String idOrName, PodKillOptions options) {
        String signal = options.signal();
        PodRecord pod = get(idOrName);
        int sig = Signals.parse(signal);
        for (ContainerRecord c : containers(pod)) {
            if (c.state() == ContainerState.RUNNING) {
                engine.containers().kill(c.id(), new ContainerKillOptions(signal));
            }
        }
        infra.stop(pod, sig);
        serviceMayStop(pod); // else the last container's teardown stops it (PodExitPolicy)
    }

    /** Removes the pod with its containers; running ones only with force (then stopped, killed after stopSeconds). */
    @Override
    public void remove(String idOrName, PodRemoveOptions options) {
        boolean force = options.force();
        int stopSeconds = options.timeout();
        PodRecord pod = get(idOrName);
        List<ContainerRecord> cs = containers(pod);
        if (!force) {
            for (ContainerRecord c : cs) {
                if (c.state() == ContainerState.RUNNING) {
                    throw new ContainerRunningException("pod " + pod.id() + " has containers that are not ready to be removed: cannot remove container "
                            + c.id() + " as it is running - running or paused containers cannot be removed without force: container state improper");
                }
            }
        }
        for (ContainerRecord c : cs) {
            engine.containers().remove(c.id(), new ContainerRemoveOptions(true, false, stopSeconds));
        }
        infra.stop(pod, Signals.TERM);
        infra.forget(pod);
        if (pod.infraId() != null) {
            store.containers().get(pod.infraId()).ifPresent(c -> {
                store.containers().remove(c.id());
                io.jpod.engine.system.EventLog.container(dirs.runRoot().path(), "remove", c.id(), c.name(), c.imageName(), Map.of());
            });
        }
        PodNetworks.release(store, infra.bridge(), pod);
        PodShm.remove(dirs, pod.id());
        if (!ContainerCgroups.removePod(store.pods().dir(pod.id()), pod.infraId())) {
            err.println("jpod: warning: cannot remove the cgroup of pod " + pod.name() + ": processes are still in it");
        }
        store.pods().remove(pod.id());
        ServiceContainers.podRemoved(store, engine.containers(), pod); // with the last pod of it
    }

    /** Removes the pod of an infra container (rm --depend, rm --all, rmi -f of the pause image); the containers' ids, the infra's last. */
    public List<String> removeWithInfra(String podId, boolean force, int stopSeconds) {
        PodRecord pod = get(podId);
        List<String> ids = new ArrayList<>(containers(pod).stream().map(ContainerRecord::id).toList());
        remove(pod.id(), new PodRemoveOptions(force, stopSeconds));
        ids.add(pod.infraId());
        return ids;
    }

    /** Removes every pod that is not running (Created, Exited, Stopped); their ids. */
    public List<String> prune() {
        List<String> removed = new ArrayList<>();
        for (PodRecord p : list()) {
            String s = state(p);
            if (!s.equals("Running") && !s.equals("Degraded") && !s.equals("Paused")) {
                remove(p.id(), new PodRemoveOptions(false, 0));
                removed.add(p.id());
            }
        }
        return removed;
    }

    /** The join records for a container of this pod starting now (the infra is started first when it is not running). */
    public static List<io.jpod.rootless.ContainerSpec.Extra> joinForStart(Store store, PodInfra infra, String podId) {
        PodRecord pod = store.pods().get(podId)
                .orElseThrow(() -> new EngineException("the container's pod " + podId.substring(0, 12) + " no longer exists; remove the container"));
        if (pod.infraId() == null || pod.share().isEmpty()) {
            return List.of();
        }
        return PodInfra.joinRecords(pod, infra.start(pod, store.pods().dir(pod.id())));
    }

    /** Starts the pod's infra (`start INFRA`, `start --all`). */
    public static void startInfra(Store store, PodInfra infra, String podId) {
        store.pods().get(podId).ifPresent(pod -> infra.start(pod, store.pods().dir(pod.id())));
    }

    /** The network request a container of this pod is planned with: the pod's, without ports (they are the infra's). */
    public static RunRequest.NetworkRequest containerNetwork(PodRecord pod, RunRequest.NetworkRequest own) {
        if (!pod.share().contains("net")) {
            return own;
        }
        if (!own.publish().isEmpty() || own.publishAll()) {
            throw new EngineException("invalid config provided: published or exposed ports must be defined when the pod is created: network cannot be configured when it is shared with a pod");
        }
        List<String> hosts = new ArrayList<>(pod.addHosts());
        hosts.addAll(own.addHosts() == null ? List.of() : own.addHosts());
        return new RunRequest.NetworkRequest(networkMode(pod), hosts, List.of(), false,
                own.dns().isEmpty() ? pod.dns() : own.dns(), own.dnsSearch(), own.dnsOptions(), own.noHosts());
    }

    // ---- reports

    @Override
    public Map<String, Object> inspect(String idOrName) {
        return inspect(get(idOrName));
    }

    /** podman's `pod inspect` object. */
    Map<String, Object> inspect(PodRecord pod) {
        List<ContainerRecord> cs = containers(pod);
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("Id", pod.id());
        m.put("Name", pod.name());
        m.put("Created", pod.created() == null ? null : pod.created().toString());
        m.put("CreateCommand", pod.createCommand());
        m.put("ExitPolicy", pod.exitPolicy() == null ? "continue" : pod.exitPolicy());
        m.put("State", state(pod, cs));
        m.put("Hostname", pod.hostname() == null ? "" : pod.hostname());
        m.put("Labels", pod.labels());
        m.put("CreateCgroup", false);
        m.putAll(ContainerCgroups.podInspect(store.pods().dir(pod.id()))); // --memory/--cpus: CreateCgroup, CgroupPath, limits
        m.put("CreateInfra", pod.infraId() != null);
        if (pod.infraId() != null) {
            m.put("InfraContainerID", pod.infraId());
            Map<String, Object> ic = new LinkedHashMap<>();
            Map<String, Object> bindings = new LinkedHashMap<>();
            for (String p : pod.publish()) {
                for (PortMapping pm : PortParser.parse(p)) {
                    @SuppressWarnings("unchecked")
                    List<Map<String, String>> l = (List<Map<String, String>>) bindings.computeIfAbsent(
                            pm.containerPort() + "/" + pm.protocol(), k -> new ArrayList<Map<String, String>>());
                    Map<String, String> b = new LinkedHashMap<>();
                    b.put("HostIp", pm.hostIp() == null || pm.hostIp().equals("0.0.0.0") ? "" : pm.hostIp());
                    b.put("HostPort", pm.hostPort() == 0 ? "" : Integer.toString(pm.hostPort()));
                    l.add(b);
                }
            }
            ic.put("PortBindings", bindings);
            ic.put("HostNetwork", "host".equals(pod.network()));
            ic.put("DNSServer", pod.dns().isEmpty() ? null : pod.dns());
            ic.put("HostAdd", pod.addHosts().isEmpty() ? null : pod.addHosts());
            ic.put("NetworkOptions", null);
            ic.put("pid_ns", pod.share().contains("pid") ? "pod" : "private");
            ic.put("userns", pod.userns() == null ? "host" : pod.userns());
            ic.put("uts_ns", "private");
            m.put("InfraConfig", ic);
        }
        m.put("SharedNamespaces", pod.share());
        List<Map<String, Object>> list = new ArrayList<>();
        if (pod.infraId() != null) {
            list.add(containerEntry(pod.infraId(), infraName(pod), infraState(pod)));
        }
        for (ContainerRecord c : cs) {
            list.add(containerEntry(c.id(), c.name(), c.state()));
        }
        m.put("NumContainers", list.size());
        m.put("Containers", list);
        return m;
    }

    /** The infra's name: --infra-name's, else podman's default, the pod id's first 12 digits and "-infra". */
    public static String infraName(PodRecord pod) {
        return pod.infraName() != null ? pod.infraName() : pod.id().substring(0, 12) + "-infra";
    }

    /** A member of `pod inspect`'s Containers list. */
    private static Map<String, Object> containerEntry(String id, String name, ContainerState state) {
        Map<String, Object> e = new LinkedHashMap<>();
        e.put("Id", id);
        e.put("Name", name);
        e.put("State", state.value());
        return e;
    }

    @Override
    public List<PodListReport> listReports() {
        List<PodListReport> out = new ArrayList<>();
        List<ContainerRecord> all = records.list(); // read and reconciled once for every pod
        for (PodRecord pod : list()) {
            List<ContainerRecord> cs = members(pod, all);
            List<PodListReport.Member> members = new ArrayList<>();
            cs.forEach(c -> members.add(new PodListReport.Member(c.id(), c.name(), c.state())));
            out.add(new PodListReport(pod.id(), pod.name(), pod.created(), pod.labels(), state(pod, cs), pod.infraId(),
                    pod.infraId() == null ? null : infraName(pod), infraState(pod), members));
        }
        return out;
    }

    /** `pod top`: the processes of every running container of the pod, one header. */
    public List<String[]> top(String idOrName) {
        PodRecord pod = get(idOrName);
        List<String[]> rows = new ArrayList<>();
        for (ContainerRecord c : containers(pod)) {
            if (c.state() != ContainerState.RUNNING) {
                continue;
            }
            List<String[]> t = engine.containers().top(c.id(), List.of()).rows();
            rows.addAll(rows.isEmpty() ? t : t.subList(Math.min(1, t.size()), t.size()));
        }
        if (rows.isEmpty()) {
            throw new EngineException("no containers in pod " + pod.id() + " are running");
        }
        return rows;
    }

    /** `pod stats --no-stream`: each running container's stats, with its pod. */
    public List<Map<String, Object>> stats(String idOrName) {
        PodRecord pod = get(idOrName);
        List<String> ids = containers(pod).stream().filter(c -> c.state() == ContainerState.RUNNING).map(ContainerRecord::id).toList();
        if (ids.isEmpty()) {
            return List.of();
        }
        List<Map<String, Object>> out = new ArrayList<>();
        for (io.jpod.engine.container.ContainerStatsReport s : engine.containers().stats(ids).next()) {
            Map<String, Object> m = new LinkedHashMap<>();
            m.put("Pod", pod.id().substring(0, 12));
            m.put("id", s.id());
            m.put("name", s.name());
            m.put("cpu_percent", s.cpuPercent());
            m.put("mem_usage", s.memUsage());
            m.put("mem_usage_bytes", s.memUsageBytes());
            m.put("mem_limit_bytes", s.memLimitBytes());
            m.put("mem_percent", s.memPercent());
            m.put("net_io", s.netIo());
            m.put("block_io", s.blockIo());
            m.put("pids", s.pids());
            out.add(m);
        }
        return out;
    }
}
