package io.jpod.engine.container;

import io.jpod.engine.EngineException;
import io.jpod.rootless.Cgroups;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * The files a container's limits are written to, per controller, for cgroup v1 or v2 (podman's conversions:
 * --cpus → a CFS quota over a 100 ms period, --cpu-shares → cpu.weight on v2, pids default 2048).
 */
public final class CgroupLimits {
    static final long DEFAULT_PIDS_LIMIT = 2048;
    static final long CPU_PERIOD = 100_000;

    /** One value written to one file of the container's cgroup of a controller. */
    record Write(String controller, String file, String value) {
    }

    private CgroupLimits() {
    }

    /** A size of zero ("0", "0m"…): podman's "no limit" for --memory. */
    static boolean isZero(String size) {
        return size != null && size.strip().matches("0+(\\.0*)?[bkmgtBKMGT]?");
    }

    /** True when the request sets any limit (the default pids limit does not count). */
    static boolean requested(RunRequest.ResourceRequest r) {
        return r.memory() != null || r.memorySwap() != null || r.memoryReservation() != null || r.cpus() != null
                || r.cpuShares() != null || r.cpuWeight() != null || r.cpusetCpus() != null
                || (r.pidsLimit() != null && r.pidsLimit() > 0) || r.blockIo().requested();
    }

    /**
     * The writes for a request on the detected cgroups, in the order they must happen.
     *
     * @throws EngineException when a requested limit has no usable controller (what to change in the message)
     */
    static List<Write> plan(RunRequest.ResourceRequest r, Cgroups cg) {
        return plan(r, cg, BlockIoLimits::deviceNumber);
    }

    /** As {@link #plan(RunRequest.ResourceRequest, Cgroups)}, with the resolution of device paths to major:minor. */
    static List<Write> plan(RunRequest.ResourceRequest r, Cgroups cg, java.util.function.Function<String, String> device) {
        boolean v2 = cg.version().equals("v2");
        checkValues(r); // a bad value is named as such, whether or not this machine could apply it
        if (requested(r) && !cg.usable()) {
            throw new EngineException("resource limits need a delegated cgroup, and there is none: " + cg.reason());
        }
        List<Write> w = new ArrayList<>();
        Long memory = r.memory() == null ? null : parseSize("--memory", r.memory());
        Long swap = r.memorySwap() == null ? null : r.memorySwap().equals("-1") ? -1L : parseSize("--memory-swap", r.memorySwap());
        Long reservation = r.memoryReservation() == null ? null : parseSize("--memory-reservation", r.memoryReservation());
        if (memory != null || swap != null || reservation != null) {
            need(cg, "memory", "--memory");
        }
        if (swap != null && swap != -1 && (memory == null || swap < memory)) {
            throw new EngineException("--memory-swap must be at least --memory (and needs --memory): memory plus swap, or -1 for unlimited swap");
        }
        if (memory != null) {
            w.add(new Write("memory", v2 ? "memory.max" : "memory.limit_in_bytes", Long.toString(memory)));
        }
        if (swap != null) {
            if (v2) {
                w.add(new Write("memory", "memory.swap.max", swap == -1 ? "max" : Long.toString(swap - memory)));
            } else {
                w.add(new Write("memory", "memory.memsw.limit_in_bytes", Long.toString(swap)));
            }
        }
        if (reservation != null) {
            w.add(new Write("memory", v2 ? "memory.low" : "memory.soft_limit_in_bytes", Long.toString(reservation)));
        }
        if (r.cpus() != null) {
            need(cg, "cpu", "--cpus");
            double cpus = cpus(r.cpus());
            long quota = Math.max(1000, Math.round(cpus * CPU_PERIOD));
            if (v2) {
                w.add(new Write("cpu", "cpu.max", quota + " " + CPU_PERIOD));
            } else {
                w.add(new Write("cpu", "cpu.cfs_period_us", Long.toString(CPU_PERIOD)));
                w.add(new Write("cpu", "cpu.cfs_quota_us", Long.toString(quota)));
            }
        }
        if (r.cpuShares() != null) {
            need(cg, "cpu", "--cpu-shares");
            long shares = r.cpuShares();
            if (shares < 2 || shares > 262144) {
                throw new EngineException("--cpu-shares " + shares + " is out of range: give 2 to 262144");
            }
            w.add(v2 ? new Write("cpu", "cpu.weight", Long.toString(sharesToWeight(shares)))
                    : new Write("cpu", "cpu.shares", Long.toString(shares)));
        }
        if (r.cpuWeight() != null) {
            need(cg, "cpu", "--cpu-weight");
            long weight = r.cpuWeight();
            if (weight < 1 || weight > 10000) {
                throw new EngineException("--cpu-weight " + weight + " is out of range: give 1 to 10000");
            }
            w.add(v2 ? new Write("cpu", "cpu.weight", Long.toString(weight))
                    : new Write("cpu", "cpu.shares", Long.toString(Math.max(2, weight * 1024 / 100))));
        }
        if (r.cpusetCpus() != null) {
            need(cg, "cpuset", "--cpuset-cpus");
            if (!r.cpusetCpus().matches("[0-9]+(-[0-9]+)?(,[0-9]+(-[0-9]+)?)*")) {
                throw new EngineException("--cpuset-cpus " + r.cpusetCpus() + " is not a CPU list: give e.g. 0-1,3");
            }
            w.add(new Write("cpuset", "cpuset.cpus", r.cpusetCpus()));
        }
        Long pids = r.pidsLimit();
        if (pids != null && pids > 0) {
            need(cg, "pids", "--pids-limit");
            w.add(new Write("pids", "pids.max", Long.toString(pids)));
        } else if (pids != null && cg.has("pids")) {
            w.add(new Write("pids", "pids.max", "max"));
        } else if (pids == null && cg.has("pids")) {
            w.add(new Write("pids", "pids.max", Long.toString(DEFAULT_PIDS_LIMIT)));
        }
        w.addAll(BlockIoLimits.plan(r.blockIo(), cg, device));
        return w;
    }

    /** The values of the memory and CPU flags (block I/O: {@link BlockIoLimits}), checked before any controller is. */
    static void checkValues(RunRequest.ResourceRequest r) {
        Long memory = r.memory() == null ? null : parseSize("--memory", r.memory());
        Long swap = r.memorySwap() == null || r.memorySwap().equals("-1") ? null : parseSize("--memory-swap", r.memorySwap());
        if (r.memoryReservation() != null) {
            parseSize("--memory-reservation", r.memoryReservation());
        }
        if (swap != null && (memory == null || swap < memory)) {
            throw new EngineException("--memory-swap must be at least --memory (and needs --memory): memory plus swap, or -1 for unlimited swap");
        }
        if (r.cpus() != null) {
            cpus(r.cpus());
        }
        if (r.cpuShares() != null && (r.cpuShares() < 2 || r.cpuShares() > 262144)) {
            throw new EngineException("--cpu-shares " + r.cpuShares() + " is out of range: give 2 to 262144");
        }
        if (r.cpuWeight() != null && (r.cpuWeight() < 1 || r.cpuWeight() > 10000)) {
            throw new EngineException("--cpu-weight " + r.cpuWeight() + " is out of range: give 1 to 10000");
        }
        if (r.cpusetCpus() != null && !r.cpusetCpus().matches("[0-9]+(-[0-9]+)?(,[0-9]+(-[0-9]+)?)*")) {
            throw new EngineException("--cpuset-cpus " + r.cpusetCpus() + " is not a CPU list: give e.g. 0-1,3");
        }
    }

    private static double cpus(String value) {
        double cpus;
        try {
            cpus = Double.parseDouble(value);
        } catch (NumberFormatException e) {
            throw new EngineException("--cpus " + value + " is not a number: give the CPUs as a decimal, e.g. 0.5");
        }
        if (!(cpus > 0) || cpus > 1024) {
            throw new EngineException("--cpus " + value + " is out of range: give a number above 0, e.g. 0.5");
        }
        return cpus;
    }

    /** The controllers jpod writes limits to, per cgroup version, with the flags that need each. */
    private static final Map<String, String> V2_FLAGS = flags("memory", "--memory, --memory-swap, --memory-reservation",
            "pids", "--pids-limit and the default pids limit", "cpu", "--cpus, --cpu-shares, --cpu-weight",
            "cpuset", "--cpuset-cpus", "io", "--blkio-weight, --device-read-bps and the other --device-* limits");
    private static final Map<String, String> V1_FLAGS = flags("memory", "--memory, --memory-swap, --memory-reservation",
            "pids", "--pids-limit and the default pids limit", "cpu", "--cpus, --cpu-shares, --cpu-weight",
            "cpuacct", "stats' CPU time", "cpuset", "--cpuset-cpus",
            "blkio", "--blkio-weight, --device-read-bps and the other --device-* limits");

    private static Map<String, String> flags(String... kv) {
        Map<String, String> m = new LinkedHashMap<>();
        for (int i = 0; i < kv.length; i += 2) {
            m.put(kv[i], kv[i + 1]);
        }
        return m;
    }

    /**
     * The controllers jpod would use that are not delegated, each with one line saying what fails without it and how
     * to get it (`jpod info`), so a missing controller is never silently ignored. Empty when nothing is delegated at
     * all (the reason says why) or everything is.
     */
    static Map<String, String> missingControllers(Cgroups cg) {
        Map<String, String> out = new LinkedHashMap<>();
        if (!cg.usable()) {
            return out;
        }
        boolean v2 = cg.version().equals("v2");
        (v2 ? V2_FLAGS : V1_FLAGS).forEach((c, needs) -> {
            if (!cg.has(c)) {
                out.put(c, "not delegated (needed by " + needs + "); to delegate it, " + (v2
                        ? "an administrator adds the systemd drop-in /etc/systemd/system/user@.service.d/delegate.conf with"
                        + " [Service] Delegate=cpu cpuset io memory pids, runs systemctl daemon-reload, and you log in again"
                        : "add " + c + ":PATH to " + Cgroups.V1_PARENT_ENV + " (a directory made for you with cgcreate)"));
            }
        });
        return out;
    }

    /**
     * crun's (and runc 1.3's) mapping of shares 2…262144 onto weight 1…10000, with the default 1024 → 100
     * (the older linear mapping gave 39, so a default container lost weight against others).
     */
    static long sharesToWeight(long shares) {
        double l = Math.log(shares) / Math.log(2);
        double exponent = (l * l + 125 * l) / 612.0 - 7.0 / 34.0;
        return Math.max(1, Math.min(10000, (long) Math.ceil(Math.pow(10, exponent) - 1e-9)));
    }

    static void need(Cgroups cg, String controller, String flag) {
        if (cg.has(controller)) {
            return;
        }
        if (cg.version().equals("v2") && cg.usable()) {
            Path delegated = cg.parents().values().iterator().next().getParent();
            throw new EngineException(flag + " needs the " + controller + " cgroup controller, which is not delegated to this user (usable: "
                    + (cg.controllers().isEmpty() ? "none" : String.join(", ", cg.controllers())) + "); the administrator must enable it in the"
                    + " cgroup.subtree_control of the parent of " + delegated + " (systemd's Delegate=yes gives only some controllers:"
                    + " a drop-in /etc/systemd/system/user@.service.d/delegate.conf with [Service] Delegate=cpu cpuset io memory pids)");
        }
        throw new EngineException(flag + " needs the " + controller + " cgroup controller, which is not delegated to this user"
                + (cg.usable() ? " (usable: " + String.join(", ", cg.controllers()) + ")" : ": " + cg.reason())
                + (cg.version().equals("v1") ? "; add " + controller + ":PATH to " + Cgroups.V1_PARENT_ENV
                + " or to [jpod] cgroup_v1_parent in ~/.config/jpod/containers.conf" : ""));
    }

    /** podman's sizes: a number with an optional b, k, m or g suffix (powers of 1024). */
    public static long parseSize(String flag, String s) {
        String t = s.strip().toLowerCase(Locale.ROOT);
        long mult = 1;
        if (t.endsWith("b")) {
            t = t.substring(0, t.length() - 1);
        }
        if (t.endsWith("i")) { // docker's units also take "MiB"
            t = t.substring(0, t.length() - 1);
        }
        if (!t.isEmpty()) {
            switch (t.charAt(t.length() - 1)) {
                case 'k' -> mult = 1024L;
                case 'm' -> mult = 1024L * 1024;
                case 'g' -> mult = 1024L * 1024 * 1024;
                case 't' -> mult = 1024L * 1024 * 1024 * 1024;
                default -> mult = 1;
            }
            if (mult > 1) {
                t = t.substring(0, t.length() - 1);
            }
        }
        try {
            double v = Double.parseDouble(t);
            long bytes = (long) (v * mult);
            if (!(v > 0)) {
                throw new NumberFormatException();
            }
            if (flag.startsWith("--memory") && bytes < 6L * 1024 * 1024 && !flag.equals("--memory-reservation")) {
                throw new EngineException(flag + " " + s + " is below the minimum of 6m: give at least 6m");
            }
            return bytes;
        } catch (NumberFormatException e) {
            throw new EngineException(flag + " " + s + " is not a size: give a number with b, k, m or g, e.g. 512m");
        }
    }
}
