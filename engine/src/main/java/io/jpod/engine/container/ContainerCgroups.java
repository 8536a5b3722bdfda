package io.jpod.engine.container;

import io.jpod.engine.ContainersConf;
import io.jpod.engine.EngineException;
import io.jpod.engine.Trace;
import io.jpod.rootless.Cgroups;
import io.jpod.rootless.ContainerSpec;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * One container's cgroups: a {@code jpod-<id>} directory per controller hierarchy below the delegated parent,
 * created with its limits before each start, joined by the helper's container child before it unshares its
 * cgroup namespace ({@code cgroup=DIR} spec records), read for stats and the OOM flag, removed at teardown.
 *
 * <p>The plan is kept in {@code <storage>/containers/<id>/cgroups} (lines {@code dir TAB controller TAB path},
 * {@code set TAB controller TAB file TAB value}), so `start`, `update`, the exit command and the sweep of a
 * killed monitor need no detection and no environment.
 */
public final class ContainerCgroups {
    static final String FILE = "cgroups";
    private static final Duration EMPTY_TIMEOUT = Duration.ofSeconds(10);

    private final String version;
    private final Map<String, Path> dirs;            // controller → container cgroup dir
    private final List<CgroupLimits.Write> writes;

    ContainerCgroups(String version, Map<String, Path> dirs, List<CgroupLimits.Write> writes) {
        this.version = version;
        this.dirs = new LinkedHashMap<>(dirs);
        this.writes = new ArrayList<>(writes);
    }

    /** The cgroups of a new container, or empty when none is usable (and none was asked for). */
    static Optional<ContainerCgroups> plan(String id, Cgroups cg, List<CgroupLimits.Write> writes) {
        return below(cg, "jpod-" + id, writes);
    }

    private static Optional<ContainerCgroups> below(Cgroups cg, String name, List<CgroupLimits.Write> writes) {
        if (!cg.usable()) {
            return Optional.empty();
        }
        Map<String, Path> dirs = new LinkedHashMap<>();
        cg.parents().entrySet().stream().sorted(Map.Entry.comparingByKey())
                .forEach(e -> dirs.put(e.getKey(), e.getValue().resolve(name)));
        return Optional.of(new ContainerCgroups(cg.version(), dirs, writes));
    }

    /** Detection and the limits of a run, checked before the container exists; bound to its id later. */
    public record Planned(Cgroups cgroups, List<CgroupLimits.Write> writes, boolean requested) {
        /**
         * Creates the container's cgroups and keeps the plan; returns the helper's records. When that fails
         * and no limit was asked for (only podman's default pids limit), the container runs without cgroups.
         */
        List<ContainerSpec.Extra> prepare(String id, Path containerDir, java.io.PrintStream err) {
            Optional<ContainerCgroups> c = plan(id, cgroups, writes);
            if (c.isEmpty()) {
                return List.of();
            }
            try {
                c.get().create();
                c.get().save(containerDir);
                return c.get().extras();
            } catch (IOException e) {
                c.get().remove();
                if (requested) {
                    throw new EngineException("cannot set up the container's cgroups: " + e.getMessage(), e);
                }
                err.println("jpod: warning: the container runs without cgroups: " + e.getMessage());
                return List.of();
            }
        }
    }

    static Planned planRun(RunRequest.ResourceRequest request, Map<String, String> env, java.io.PrintStream err) {
        return planRun(request, env, err, null);
    }

    /**
     * For a container of a pod with a cgroup (its dir {@code podDir} keeps the plan), the container's cgroups are
     * made below the pod's, and must be; podDir null: a container of its own.
     */
    static Planned planRun(RunRequest.ResourceRequest request, Map<String, String> env, java.io.PrintStream err, Path podDir) {
        RunRequest.ResourceRequest r = request == null ? new RunRequest.ResourceRequest() : request;
        ContainersConf.Values conf = ContainersConf.load(env);
        Optional<ContainerCgroups> pod = podDir == null ? Optional.empty() : load(podDir);
        Cgroups cg = pod.isPresent() ? new Cgroups(pod.get().version, "cgroupfs", pod.get().dirs, null)
                : Cgroups.detect(conf.cgroupSettings(), io.jpod.rootless.HostUser.current().uid());
        if (CgroupLimits.isZero(r.memory())) {
            // --memory=0 is podman's "no limit": nothing to apply, so it needs no cgroup; where there is none on
            // cgroup v1, podman's warning that the flag is ignored (its words, a plain line)
            r = new RunRequest.ResourceRequest(null, r.memorySwap(), r.memoryReservation(), r.cpus(), r.cpuShares(),
                    r.cpuWeight(), r.cpusetCpus(), r.pidsLimit(), r.blockIo());
            if (err != null && !cg.usable() && !cg.version().equals("v2")) {
                err.println("Resource limits are not supported and ignored on cgroups V1 rootless systems");
            }
        }
        boolean requested = CgroupLimits.requested(r) || pod.isPresent(); // without its cgroup the pod's limit would not hold
        if (r.pidsLimit() == null && conf.pidsLimit() != null && cg.has("pids")) {
            // containers.conf's default replaces podman's built-in 2048, where a pids controller exists
            long pids = conf.pidsLimit() <= 0 ? -1 : conf.pidsLimit();
            r = new RunRequest.ResourceRequest(r.memory(), r.memorySwap(), r.memoryReservation(), r.cpus(), r.cpuShares(),
                    r.cpuWeight(), r.cpusetCpus(), pids, r.blockIo());
        }
        return new Planned(cg, CgroupLimits.plan(r, cg), requested);
    }

    // ---- pods

    /**
     * `pod create --memory/--cpus`: the limits checked on the detected cgroups (one line saying what to change
     * when none is delegated), before the pod exists.
     */
    public static Planned planPod(String memory, String cpus, Map<String, String> env) {
        ContainersConf.Values conf = ContainersConf.load(env);
        Cgroups cg = Cgroups.detect(conf.cgroupSettings(), io.jpod.rootless.HostUser.current().uid());
        RunRequest.ResourceRequest r = new RunRequest.ResourceRequest(memory, null, null, cpus, null, null, null, -1L, null);
        return new Planned(cg, CgroupLimits.plan(r, cg), true);
    }

    /** Creates the pod's cgroup ({@code jpod-pod-<id>} per hierarchy) with its limits and keeps the plan in its dir. */
    public static void createPod(Planned planned, String podId, Path podDir) throws IOException {
        ContainerCgroups c = below(planned.cgroups(), "jpod-pod-" + podId, planned.writes()).orElseThrow();
        try {
            c.create();
            c.save(podDir);
        } catch (IOException e) {
            c.remove();
            throw e;
        }
    }

    /** `pod inspect`'s cgroup fields (podman's names) of a pod with a cgroup; empty without one. */
    public static Map<String, Object> podInspect(Path podDir) {
        Map<String, Object> m = new LinkedHashMap<>();
        load(podDir).ifPresent(c -> {
            m.put("CreateCgroup", true);
            m.put("CgroupPath", c.distinctDirs().get(0).toString());
            for (CgroupLimits.Write w : c.writes) {
                switch (w.file()) {
                    case "memory.limit_in_bytes", "memory.max" -> m.put("MemoryLimit", Long.parseLong(w.value()));
                    case "cpu.cfs_period_us" -> m.put("CPUPeriod", Long.parseLong(w.value()));
                    case "cpu.cfs_quota_us" -> m.put("CPUQuota", Long.parseLong(w.value()));
                    case "cpu.max" -> {
                        String[] qp = w.value().split(" ");
                        m.put("CPUPeriod", Long.parseLong(qp[1]));
                        m.put("CPUQuota", Long.parseLong(qp[0]));
                    }
                    default -> { }
                }
            }
        });
        return m;
    }

    /**
     * Before the infra starts: the pod's cgroup (again) and the infra's own {@code jpod-<infraId>} below it (as
     * podman's infra has its own; v2 allows no process beside child cgroups); the helper's records, none without
     * a pod cgroup.
     */
    public static List<ContainerSpec.Extra> prepareInfra(Path podDir, String infraId) throws IOException {
        Optional<ContainerCgroups> pod = load(podDir);
        if (pod.isEmpty()) {
            return List.of();
        }
        pod.get().create();
        ContainerCgroups infra = infraOf(pod.get(), infraId);
        infra.create();
        return infra.extras();
    }

    private static ContainerCgroups infraOf(ContainerCgroups pod, String infraId) {
        return below(new Cgroups(pod.version, "cgroupfs", pod.dirs, null), "jpod-" + infraId, List.of()).orElseThrow();
    }

    /** `pod rm`: the infra's cgroup and the pod's, once its containers' are gone; whether they are (or never were). */
    public static boolean removePod(Path podDir, String infraId) {
        return load(podDir).map(pod -> (infraId == null || infraOf(pod, infraId).remove()) & pod.remove()).orElse(true);
    }

    String version() {
        return version;
    }

    Map<String, Path> dirs() {
        return dirs;
    }

    /** Distinct directories (co-mounted v1 controllers and v2 share one). */
    List<Path> distinctDirs() {
        return List.copyOf(new LinkedHashSet<>(dirs.values()));
    }

    Optional<Path> dir(String controller) {
        return Optional.ofNullable(dirs.get(controller));
    }

    /** The helper's records: it writes its own pid to each cgroup.procs before unsharing the cgroup namespace. */
    List<ContainerSpec.Extra> extras() {
        return distinctDirs().stream().map(d -> new ContainerSpec.Extra("cgroup", d.toString())).toList();
    }

    // ---- persistence

    void save(Path containerDir) throws IOException {
        StringBuilder sb = new StringBuilder("version\t" + version + "\n");
        dirs.forEach((c, d) -> sb.append("dir\t").append(c).append('\t').append(d).append('\n'));
        for (CgroupLimits.Write w : writes) {
            sb.append("set\t").append(w.controller()).append('\t').append(w.file()).append('\t').append(w.value()).append('\n');
        }
        Lifecycle.writeAtomic(containerDir.resolve(FILE), sb.toString().getBytes(StandardCharsets.UTF_8));
    }

    static Optional<ContainerCgroups> load(Path containerDir) {
        Path f = containerDir.resolve(FILE);
        if (!Files.exists(f)) {
            return Optional.empty();
        }
        try {
            String version = "v1";
            Map<String, Path> dirs = new LinkedHashMap<>();
            List<CgroupLimits.Write> writes = new ArrayList<>();
            for (String line : Files.readAllLines(f)) {
                String[] p = line.split("\t", 4);
                switch (p[0]) {
                    case "version" -> version = p[1];
                    case "dir" -> dirs.put(p[1], Path.of(p[2]));
                    case "set" -> writes.add(new CgroupLimits.Write(p[1], p[2], p[3]));
                    default -> { }
                }
            }
            return Optional.of(new ContainerCgroups(version, dirs, writes));
        } catch (IOException | ArrayIndexOutOfBoundsException e) {
            return Optional.empty();
        }
    }

    // ---- lifecycle hooks

    /** Before a launch: the container's cgroups with their limits, when it has any. */
    static void createFor(Path containerDir) throws IOException {
        Optional<ContainerCgroups> c = load(containerDir);
        if (c.isPresent()) {
            c.get().create();
            Trace.mark("cgroups created");
        }
    }

    /** At teardown: whether the OOM killer struck, then the cgroups are removed. */
    static boolean teardown(Path containerDir, java.io.PrintStream err) {
        Optional<ContainerCgroups> c = load(containerDir);
        if (c.isEmpty()) {
            return false;
        }
        boolean oom = c.get().oomKilled();
        boolean removed = c.get().remove();
        Trace.mark("cgroups removed");
        if (!removed) {
            err.println("jpod: warning: cannot remove the cgroups " + c.get().distinctDirs() + "; they are tried again at the next teardown");
        }
        return oom;
    }

    /** `exec`: the helper joins the container's cgroups too (cgroup= records appended to its spec). */
    static void appendExecRecords(Path containerDir, Path specFile) throws IOException {
        Optional<ContainerCgroups> c = load(containerDir);
        if (c.isEmpty()) {
            return;
        }
        StringBuilder sb = new StringBuilder();
        for (Path d : c.get().distinctDirs()) {
            if (Files.isDirectory(d)) {
                sb.append("cgroup=").append(d).append('\0');
            }
        }
        Files.writeString(specFile, sb.toString(), java.nio.file.StandardOpenOption.APPEND);
    }

    // ---- create and remove

    /** Creates the directories (again) and writes the limits; before the monitor starts. */
    void create() throws IOException {
        if (version.equals("v2")) {
            enableV2Controllers();
        }
        for (Map.Entry<String, Path> e : dirs.entrySet()) {
            Path d = e.getValue();
            if (!Files.isDirectory(d)) {
                try {
                    Files.createDirectory(d);
                } catch (java.nio.file.FileAlreadyExistsException ignored) {
                    // co-mounted controller made it already
                }
            }
            if (e.getKey().equals("cpuset") && version.equals("v1")) {
                // v1 cpuset children start empty and admit no process until both are set
                for (String f : List.of("cpuset.cpus", "cpuset.mems")) {
                    if (Files.readString(d.resolve(f)).isBlank()) {
                        write(d.resolve(f), Files.readString(d.getParent().resolve(f)).strip());
                    }
                }
            }
        }
        apply(writes);
    }

    /** v2's "no internal processes": controllers are enabled on the delegated dir and on its jpod child. */
    private void enableV2Controllers() throws IOException {
        Path parent = distinctDirs().get(0).getParent();    // <delegated>/jpod
        Path delegated = parent.getParent();
        if (!Files.isDirectory(parent)) {
            Files.createDirectories(parent);
        }
        String wanted = String.join(" ", dirs.keySet().stream().filter(c -> !c.equals(Cgroups.CORE)).map(c -> "+" + c).toList());
        if (wanted.isEmpty()) {
            return; // no controller delegated: the container's cgroup only groups its processes
        }
        try {
            enable(delegated, wanted);
        } catch (IOException busy) {
            // processes in the delegated cgroup itself (jpod's own JVM among them, and the client's service starter
            // waiting for it): move them all to a leaf, as podman does, or the cgroup cannot become an inner node
            Path leaf = delegated.resolve("jpod-init");
            Files.createDirectories(leaf);
            write(leaf.resolve("cgroup.procs"), Long.toString(ProcessHandle.current().pid()));
            for (String pid : Files.readString(delegated.resolve("cgroup.procs")).split("\\s+")) {
                if (!pid.isEmpty()) {
                    try {
                        write(leaf.resolve("cgroup.procs"), pid);
                    } catch (IOException gone) {
                        // it ended meanwhile, or is not ours to move: enabling below says so if it matters
                    }
                }
            }
            try {
                enable(delegated, wanted);
            } catch (IOException e) {
                throw new IOException("cannot enable the cgroup controllers in " + delegated
                        + "/cgroup.subtree_control (other processes live in it; move them to a child cgroup): " + e.getMessage());
            }
        }
        enable(parent, wanted);
    }

    private static void enable(Path dir, String wanted) throws IOException {
        String have = Files.readString(dir.resolve("cgroup.subtree_control"));
        boolean all = true;
        for (String w : wanted.split(" ")) {
            all &= (" " + have.strip() + " ").contains(" " + w.substring(1) + " ");
        }
        if (!all) {
            write(dir.resolve("cgroup.subtree_control"), wanted);
        }
    }

    void apply(List<CgroupLimits.Write> ws) throws IOException {
        for (CgroupLimits.Write w : ws) {
            Path d = dirs.get(w.controller());
            if (d == null) {
                throw new IOException("the container has no " + w.controller() + " cgroup");
            }
            String[] fv = BlockIoLimits.resolve(d, w.file(), w.value());
            try {
                write(d.resolve(fv[0]), fv[1]);
            } catch (IOException e) {
                // BFQ accepts per-device weights only for devices it schedules
                throw fv[0].contains("weight") && fv[1].contains(":")
                        ? new IOException(e.getMessage() + " (a per-device weight needs the device's I/O scheduler to be bfq)", e) : e;
            }
        }
    }

    /** update: applies and remembers new values for the next start. */
    void update(Path containerDir, List<CgroupLimits.Write> ws) throws IOException {
        List<CgroupLimits.Write> ordered = new ArrayList<>(ws);
        if (version.equals("v1")) {
            // memsw must stay >= the memory limit: raise it first when the new limit is above it
            ordered.sort((a, b) -> Boolean.compare(!a.file().contains("memsw"), !b.file().contains("memsw")));
            try {
                apply(ws);
            } catch (IOException first) {
                apply(ordered);
            }
        } else {
            apply(ws);
        }
        remember(containerDir, ws);
    }

    /** Keeps new values for the next start (a stopped container). */
    void remember(Path containerDir, List<CgroupLimits.Write> ws) throws IOException {
        for (CgroupLimits.Write w : ws) {
            writes.removeIf(x -> x.controller().equals(w.controller()) && x.file().equals(w.file()) && sameTarget(x.value(), w.value()));
            writes.add(w);
        }
        save(containerDir);
    }

    /**
     * Whether two values of one file set the same thing: per-device files ("MAJ:MIN VALUE", io.max's
     * "MAJ:MIN KEY=VALUE") hold one setting per device (and key); other files one.
     */
    static boolean sameTarget(String a, String b) {
        java.util.regex.Pattern dev = java.util.regex.Pattern.compile("^(\\d+:\\d+) (?:([a-z]+)=)?.*");
        java.util.regex.Matcher ma = dev.matcher(a);
        java.util.regex.Matcher mb = dev.matcher(b);
        if (!ma.matches() || !mb.matches()) {
            return ma.matches() == mb.matches();
        }
        return ma.group(1).equals(mb.group(1)) && java.util.Objects.equals(ma.group(2), mb.group(2));
    }

    private static void write(Path file, String value) throws IOException {
        try {
            Files.writeString(file, value);
        } catch (IOException e) {
            throw new IOException("cannot write " + value + " to " + file + ": " + e.getMessage(), e);
        }
    }

    /**
     * Kills what is left in the cgroups (the monitor was killed) and removes them. Best effort, bounded; a
     * leftover is tried again by the next teardown of this container (the plan file stays until then).
     */
    boolean remove() {
        Instant deadline = Instant.now().plus(EMPTY_TIMEOUT);
        boolean all = true;
        List<Path> ds = new ArrayList<>(distinctDirs());
        for (Path d : ds) {
            while (Files.isDirectory(d)) {
                for (long pid : pids(d)) {
                    ProcessHandle.of(pid).ifPresent(ProcessHandle::destroyForcibly);
                }
                try {
                    Files.deleteIfExists(d);
                    break;
                } catch (IOException e) {
                    if (Instant.now().isAfter(deadline)) {
                        all = false;
                        break;
                    }
                    Lifecycle.pause();
                }
            }
        }
        return all;
    }

    static List<Long> pids(Path dir) {
        List<Long> out = new ArrayList<>();
        try {
            for (String l : Files.readAllLines(dir.resolve("cgroup.procs"))) {
                if (!l.isBlank()) {
                    out.add(Long.parseLong(l.strip()));
                }
            }
        } catch (IOException | NumberFormatException e) {
            // gone
        }
        return out;
    }

    /** Whether the kernel's OOM killer killed a process of the container's memory cgroup. */
    boolean oomKilled() {
        Path d = dirs.get("memory");
        if (d == null) {
            return false;
        }
        if (version.equals("v2")) {
            return keyed(d.resolve("memory.events"), "oom_kill") > 0;
        }
        long kills = keyed(d.resolve("memory.oom_control"), "oom_kill");
        return kills > 0 || keyed(d.resolve("memory.oom_control"), "under_oom") > 0;
    }

    /** The value of "KEY N" lines (memory.events, memory.oom_control, cpu.stat); -1 when absent. */
    static long keyed(Path file, String key) {
        try {
            for (String l : Files.readAllLines(file)) {
                String[] p = l.strip().split("\\s+");
                if (p.length == 2 && p[0].equals(key)) {
                    return Long.parseLong(p[1]);
                }
            }
        } catch (IOException | NumberFormatException e) {
            // absent
        }
        return -1;
    }

    static long number(Path file) {
        try {
            String s = Files.readString(file).strip();
            return s.equals("max") ? Long.MAX_VALUE : Long.parseLong(s);
        } catch (IOException | NumberFormatException e) {
            return -1;
        }
    }

    // ---- stats

    /** Memory in use, bytes; -1 unknown. */
    long memoryUsage() {
        return dir("memory").map(d -> {
            if (version.equals("v2")) {
                return number(d.resolve("memory.current"));
            }
            long usage = number(d.resolve("memory.usage_in_bytes"));
            long cache = keyed(d.resolve("memory.stat"), "total_inactive_file");
            return usage >= 0 && cache > 0 && cache < usage ? usage - cache : usage;
        }).orElse(-1L);
    }

    /** The memory limit, bytes; Long.MAX_VALUE for none, -1 unknown. */
    long memoryLimit() {
        return dir("memory").map(d -> {
            long l = number(d.resolve(version.equals("v2") ? "memory.max" : "memory.limit_in_bytes"));
            return l >= (1L << 62) ? Long.MAX_VALUE : l;
        }).orElse(-1L);
    }

    /** Processes in the container: pids.current, else (no pids controller) the length of cgroup.procs. */
    long pidsCurrent() {
        long n = dir("pids").map(d -> number(d.resolve("pids.current"))).orElse(-1L);
        if (n < 0 && !dirs.isEmpty()) {
            Path d = distinctDirs().get(0);
            return Files.isRegularFile(d.resolve("cgroup.procs")) ? pids(d).size() : -1;
        }
        return n;
    }

    long pidsLimit() {
        return dir("pids").map(d -> number(d.resolve("pids.max"))).orElse(-1L);
    }

    /** CPU time used, nanoseconds; -1 unknown. */
    long cpuNanos() {
        if (version.equals("v2")) {
            // cpu.stat's usage_usec is a core file of every v2 cgroup, with or without the cpu controller
            return dir("cpu").or(() -> dir(Cgroups.CORE)).map(d -> {
                long us = keyed(d.resolve("cpu.stat"), "usage_usec");
                return us < 0 ? -1 : us * 1000;
            }).orElse(-1L);
        }
        return dir("cpuacct").map(d -> number(d.resolve("cpuacct.usage"))).orElse(-1L);
    }

    /** Block I/O bytes read and written; -1 unknown. */
    long[] blockIo() {
        long[] rw = {-1, -1};
        if (version.equals("v2")) {
            dir("io").ifPresent(d -> {
                try {
                    rw[0] = 0;
                    rw[1] = 0;
                    for (String l : Files.readAllLines(d.resolve("io.stat"))) {
                        for (String kv : l.split("\\s+")) {
                            if (kv.startsWith("rbytes=")) {
                                rw[0] += Long.parseLong(kv.substring(7));
                            } else if (kv.startsWith("wbytes=")) {
                                rw[1] += Long.parseLong(kv.substring(7));
                            }
                        }
                    }
                } catch (IOException | NumberFormatException e) {
                    rw[0] = rw[1] = -1;
                }
            });
            return rw;
        }
        dir("blkio").ifPresent(d -> {
            try {
                rw[0] = 0;
                rw[1] = 0;
                for (String l : Files.readAllLines(d.resolve("blkio.throttle.io_service_bytes"))) {
                    String[] p = l.strip().split("\\s+");
                    if (p.length == 3 && p[1].equals("Read")) {
                        rw[0] += Long.parseLong(p[2]);
                    } else if (p.length == 3 && p[1].equals("Write")) {
                        rw[1] += Long.parseLong(p[2]);
                    }
                }
            } catch (IOException | NumberFormatException e) {
                rw[0] = rw[1] = -1;
            }
        });
        return rw;
    }
}
