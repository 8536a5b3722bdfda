package io.jpod.engine.container;

import io.jpod.engine.ContainersConf;
import io.jpod.engine.EngineException;
import io.jpod.rootless.Cgroups;
import io.jpod.storage.ContainerRecord;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * `jpod stats` and `jpod update` and the cgroups section of `jpod info`: read from (and written to) the
 * container's own cgroup files; network bytes from /proc/PID/net/dev of its init (its network namespace).
 */
public final class ContainerStats {
    private ContainerStats() {
    }

    /** One sample of a running container. */
    public record Sample(String id, String name, long cpuNanos, Instant at, long memUsage, long memLimit, long pids,
                  long netIn, long netOut, long blockIn, long blockOut) {
    }

    public static Sample sample(Lifecycle lc, ContainerRecord r) {
        Optional<ContainerCgroups> cg = ContainerCgroups.load(lc.store().containers().dir(r.id()));
        long[] net = {-1, -1};
        try {
            net = netDev(Path.of("/proc", Long.toString(lc.initPid(r)), "net", "dev"));
        } catch (EngineException e) {
            // no init pid yet
        }
        long[] blk = cg.map(ContainerCgroups::blockIo).orElse(new long[]{-1, -1});
        return new Sample(r.id(), r.name(), cg.map(ContainerCgroups::cpuNanos).orElse(-1L), Instant.now(),
                cg.map(ContainerCgroups::memoryUsage).orElse(-1L), cg.map(ContainerCgroups::memoryLimit).orElse(-1L),
                cg.map(ContainerCgroups::pidsCurrent).orElse(-1L), net[0], net[1], blk[0], blk[1]);
    }

    /** Received and sent bytes of every interface but lo. */
    static long[] netDev(Path file) {
        long[] io = {0, 0};
        try {
            for (String l : Files.readAllLines(file)) {
                int colon = l.indexOf(':');
                if (colon < 0 || l.substring(0, colon).strip().equals("lo")) {
                    continue;
                }
                String[] f = l.substring(colon + 1).strip().split("\\s+");
                if (f.length >= 9) {
                    io[0] += Long.parseLong(f[0]);
                    io[1] += Long.parseLong(f[8]);
                }
            }
            return io;
        } catch (IOException | NumberFormatException e) {
            return new long[]{-1, -1};
        }
    }

    /**
     * The row of a sample: CPU % over the interval since {@code previous} (or since the container started),
     * memory usage / limit (the host's memory when unlimited), PIDs, network and block I/O.
     */
    public static ContainerStatsReport row(Sample s, Sample previous, Instant started) {
        double cpu = 0;
        if (s.cpuNanos() >= 0) {
            long usedNs = previous != null && previous.cpuNanos() >= 0 ? s.cpuNanos() - previous.cpuNanos() : s.cpuNanos();
            Instant from = previous != null ? previous.at() : started;
            long wallNs = from == null ? 0 : Duration.between(from, s.at()).toNanos();
            cpu = wallNs > 0 ? 100.0 * usedNs / wallNs : 0;
        }
        long limit = s.memLimit() == Long.MAX_VALUE || s.memLimit() < 0 ? hostMemory() : s.memLimit();
        return new ContainerStatsReport(s.id().substring(0, 12), s.name(), String.format(java.util.Locale.ROOT, "%.2f%%", cpu),
                s.memUsage() < 0 ? "--" : human(s.memUsage()) + " / " + human(limit), Math.max(0, s.memUsage()), limit,
                String.format(java.util.Locale.ROOT, "%.2f%%", s.memUsage() < 0 || limit <= 0 ? 0.0 : 100.0 * s.memUsage() / limit),
                s.netIn() < 0 ? "--" : human(s.netIn()) + " / " + human(s.netOut()),
                s.blockIn() < 0 ? "--" : human(s.blockIn()) + " / " + human(s.blockOut()),
                s.pids() < 0 ? "--" : Long.toString(s.pids()));
    }

    public static long hostMemory() {
        try {
            for (String l : Files.readAllLines(Path.of("/proc/meminfo"))) {
                if (l.startsWith("MemTotal:")) {
                    return Long.parseLong(l.replaceAll("[^0-9]", "")) * 1024;
                }
            }
        } catch (IOException | NumberFormatException e) {
            // unknown
        }
        return -1;
    }

    /** podman's units: B, kB, MB, GB in powers of 1000. */
    static String human(long bytes) {
        if (bytes < 1000) {
            return bytes + "B";
        }
        String[] units = {"kB", "MB", "GB", "TB"};
        double v = bytes;
        int i = -1;
        while (v >= 1000 && i < units.length - 1) {
            v /= 1000;
            i++;
        }
        return String.format(java.util.Locale.ROOT, "%.3g%s", v, units[i]);
    }

    /** `jpod update`: new limits on a container's cgroups, now and at its next start. */
    public static void update(Lifecycle lc, ContainerRecord r, RunRequest.ResourceRequest req) {
        Path dir = lc.store().containers().dir(r.id());
        ContainerCgroups cg = ContainerCgroups.load(dir).orElseThrow(() -> new EngineException(
                "container " + r.name() + " has no cgroup (no delegated cgroup when it was created); its limits cannot change"));
        Cgroups avail = new Cgroups(cg.version(), "cgroupfs", cg.dirs(), null);
        List<CgroupLimits.Write> ws = CgroupLimits.plan(req, avail).stream()
                .filter(w -> req.pidsLimit() != null || !w.file().equals("pids.max")).toList();
        if (ws.isEmpty()) {
            throw new EngineException("nothing to update: give --memory, --cpus, --pids-limit or a block I/O limit");
        }
        try {
            if (lc.running(r)) {
                cg.update(dir, ws);
            } else {
                cg.remember(dir, ws);
            }
        } catch (IOException e) {
            throw new EngineException("cannot update container " + r.name() + ": " + e.getMessage(), e);
        }
    }

    /** The cgroups section of `jpod info`. */
    public static Map<String, Object> info(Map<String, String> env) {
        ContainersConf.Values conf = ContainersConf.load(env);
        Cgroups cg = Cgroups.detect(conf.cgroupSettings(), io.jpod.rootless.HostUser.current().uid());
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("version", cg.version());
        m.put("manager", cg.manager());
        // where the delegated parents were taken from
        if (conf.v2Parent() != null) {
            m.put("v2_parent", conf.v2Parent());
            m.put("v2_parent_source", conf.v2Source());
        }
        if (conf.v1Parent() != null) {
            m.put("v1_parent", conf.v1Parent());
            m.put("v1_parent_source", conf.v1Source());
        } else if (cg.version().equals("v1")) {
            m.put("v1_parent_source", "the caller's own cgroups (no " + Cgroups.V1_PARENT_ENV + ", no [jpod] cgroup_v1_parent in containers.conf)");
        }
        if (conf.pidsLimit() != null) {
            m.put("pids_limit", conf.pidsLimit());
            m.put("pids_limit_source", conf.pidsSource());
        }
        if (cg.usable()) {
            Map<String, String> parents = new LinkedHashMap<>();
            cg.controllers().forEach(c -> parents.put(c, cg.parents().get(c).toString()));
            m.put("delegated", parents);
            m.put("controllers", String.join(" ", cg.controllers()));
            // one line per controller jpod uses that was not delegated: what fails without it, and the fix
            CgroupLimits.missingControllers(cg).forEach((c, why) -> m.put("missing_" + c, why));
            if (cg.reason() != null) {
                m.put("reason", cg.reason()); // usable, but without controllers
            }
        } else {
            m.put("controllers", "");
            m.put("reason", cg.reason());
        }
        return m;
    }
}
