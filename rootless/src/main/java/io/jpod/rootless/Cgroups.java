package io.jpod.rootless;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Predicate;

/**
 * Which cgroups a rootless jpod may use, found by reading files only (no systemd, no D-Bus).
 *
 * <p>cgroup v2: systemd's {@code user.slice/user-UID.slice/user@UID.service} when the caller runs below it, else
 * the caller's own cgroup ({@code 0::/path} of /proc/self/cgroup), else that user service, is delegated when its directory, {@code cgroup.procs} and
 * {@code cgroup.subtree_control} are writable by the user; containers go in {@code <delegated>/jpod/jpod-<id>}.
 * cgroup v1 (and hybrid): per controller, the directory named by {@code JPOD_CGROUP_V1_PARENT}
 * ({@code controller:cgroup-path,…}, paths as /proc/self/cgroup writes them), else the caller's own cgroup of
 * that controller, when writable; containers go in {@code <that>/jpod-<id>}.
 *
 * <p>Writability is access(2) ({@link Files#isWritable}): inside jpod's user namespace the JVM is uid 0, but a
 * host-root-owned cgroup file is not writable by it, which access(2) reports truthfully.
 *
 * @param version     "v1", "v2" or "none" (no cgroup file system found)
 * @param manager     "cgroupfs" (jpod writes the files itself)
 * @param parents     controller → directory the container cgroups are created in (v2: every controller → the same)
 * @param reason      why no controller is usable (null when some are)
 */
public record Cgroups(String version, String manager, Map<String, Path> parents, String reason) {
    /** The environment variable naming delegated v1 directories. */
    public static final String V1_PARENT_ENV = "JPOD_CGROUP_V1_PARENT";
    /** The environment variable naming a delegated cgroup v2 directory (used even on a hybrid machine). */
    public static final String V2_PARENT_ENV = "JPOD_CGROUP_V2_PARENT";
    /**
     * The pseudo-controller of cgroup v2's core files (cgroup.procs, cpu.stat): on v2 a container gets its own cgroup
     * even when no controller is delegated, so its processes are accounted for and killed together.
     */
    public static final String CORE = "cgroup";

    /**
     * Where the delegated parents are configured: {@code v1Parent} as JPOD_CGROUP_V1_PARENT's value, {@code v2Parent} a
     * cgroup path in the unified hierarchy; the sources name where each came from (for `jpod info`). Nulls: unset.
     */
    public record Settings(String v1Parent, String v1Source, String v2Parent, String v2Source) {
        public static Settings fromEnv(Map<String, String> env) {
            String v1 = env.get(V1_PARENT_ENV);
            String v2 = env.get(V2_PARENT_ENV);
            boolean has1 = v1 != null && !v1.isBlank();
            boolean has2 = v2 != null && !v2.isBlank();
            return new Settings(has1 ? v1 : null, has1 ? "environment " + V1_PARENT_ENV : null,
                    has2 ? v2 : null, has2 ? "environment " + V2_PARENT_ENV : null);
        }
    }
    /** v1 controllers jpod uses. */
    static final List<String> V1_CONTROLLERS = List.of("memory", "pids", "cpu", "cpuacct", "cpuset", "blkio");

    public Cgroups {
        parents = Map.copyOf(parents);
    }

    public boolean usable() {
        return !parents.isEmpty();
    }

    public boolean has(String controller) {
        return parents.containsKey(controller);
    }

    /** Controllers usable, in a stable order (without v2's core pseudo-controller). */
    public List<String> controllers() {
        return parents.keySet().stream().filter(c -> !c.equals(CORE)).sorted().toList();
    }

    /** Detects from this process's /proc files. */
    public static Cgroups detect(Map<String, String> env, long uid) {
        return detect(Settings.fromEnv(env), uid);
    }

    /** Detects from this process's /proc files with the configured parents. */
    public static Cgroups detect(Settings settings, long uid) {
        try {
            return detect(Files.readString(Path.of("/proc/self/cgroup")), Files.readString(Path.of("/proc/self/mountinfo")),
                    settings.v1Parent(), settings.v2Parent(), uid, Files::isWritable, Cgroups::readOrEmpty);
        } catch (IOException e) {
            return new Cgroups("none", "cgroupfs", Map.of(), "cannot read /proc/self/cgroup: " + e.getMessage());
        }
    }

    static String readOrEmpty(Path p) {
        try {
            return Files.readString(p);
        } catch (IOException e) {
            return "";
        }
    }

    /** A cgroup file system mount: its root within the hierarchy and where it is mounted. */
    record Mount(Path mountPoint, String root, List<String> controllers, boolean v2) {
        /** The directory of a cgroup path as /proc/self/cgroup names it, or null when outside this mount. */
        Path dirOf(String cgroupPath) {
            String rel;
            if (root.equals("/")) {
                rel = cgroupPath;
            } else if (cgroupPath.equals(root) || cgroupPath.startsWith(root + "/")) {
                rel = cgroupPath.substring(root.length());
            } else {
                return null;
            }
            rel = rel.replaceFirst("^/+", "");
            return rel.isEmpty() ? mountPoint : mountPoint.resolve(rel);
        }
    }

    static List<Mount> mounts(String mountinfo) {
        List<Mount> out = new ArrayList<>();
        for (String line : mountinfo.split("\n")) {
            int dash = line.indexOf(" - ");
            if (dash < 0) {
                continue;
            }
            String[] left = line.substring(0, dash).split(" ");
            String[] right = line.substring(dash + 3).split(" ");
            if (left.length < 5 || right.length < 3) {
                continue;
            }
            String type = right[0];
            if (type.equals("cgroup2")) {
                out.add(new Mount(Path.of(unescape(left[4])), unescape(left[3]), List.of(), true));
            } else if (type.equals("cgroup")) {
                List<String> ctl = new ArrayList<>();
                for (String o : right[2].split(",")) {
                    if (V1_CONTROLLERS.contains(o)) {
                        ctl.add(o);
                    }
                }
                out.add(new Mount(Path.of(unescape(left[4])), unescape(left[3]), ctl, false));
            }
        }
        return out;
    }

    private static String unescape(String s) {
        return s.replace("\\040", " ").replace("\\011", "\t").replace("\\012", "\n").replace("\\134", "\\");
    }

    static Cgroups detect(String procCgroup, String mountinfo, String v1Setting, long uid, Predicate<Path> writable,
                          java.util.function.Function<Path, String> reader) {
        return detect(procCgroup, mountinfo, v1Setting, null, uid, writable, reader);
    }

    static Cgroups detect(String procCgroup, String mountinfo, String v1Setting, String v2Setting, long uid, Predicate<Path> writable,
                          java.util.function.Function<Path, String> reader) {
        List<Mount> mounts = mounts(mountinfo);
        boolean anyV1 = mounts.stream().anyMatch(m -> !m.v2() && !m.controllers().isEmpty());
        Mount v2 = mounts.stream().filter(Mount::v2).findFirst().orElse(null);
        Map<String, String> own = new LinkedHashMap<>(); // controller (or "" for v2) → cgroup path
        for (String line : procCgroup.split("\n")) {
            String[] f = line.split(":", 3);
            if (f.length < 3) {
                continue;
            }
            if (f[0].equals("0") && f[1].isEmpty()) {
                own.put("", f[2]);
            } else {
                for (String c : f[1].split(",")) {
                    own.put(c, f[2]);
                }
            }
        }
        if (v2Setting != null && !v2Setting.isBlank()) {
            if (v2 == null) {
                return new Cgroups("none", "cgroupfs", Map.of(), "a cgroup v2 parent is configured (" + v2Setting
                        + ") but no cgroup2 file system is mounted; remove the setting");
            }
            Path dir = v2.dirOf(v2Setting.strip());
            if (dir == null) {
                return new Cgroups("v2", "cgroupfs", Map.of(), "the configured cgroup v2 parent " + v2Setting
                        + " is outside the cgroup2 mount " + v2.mountPoint() + "; give a path as /proc/self/cgroup writes it");
            }
            return detectV2(List.of(dir), writable, reader);
        }
        if (!anyV1) {
            if (v2 == null) {
                return new Cgroups("none", "cgroupfs", Map.of(), "no cgroup file system is mounted");
            }
            return detectV2(v2, own.getOrDefault("", "/"), uid, writable, reader);
        }
        return detectV1(mounts, own, v1Setting, writable);
    }

    private static Cgroups detectV2(Mount m, String ownPath, long uid, Predicate<Path> writable,
                                    java.util.function.Function<Path, String> reader) {
        List<Path> candidates = new ArrayList<>();
        Path own = m.dirOf(ownPath);
        Path systemd = m.mountPoint().resolve("user.slice/user-" + uid + ".slice/user@" + uid + ".service");
        // Below systemd's user service (a desktop terminal's app scope) the service itself comes first: its
        // leaves hold processes, so controllers cannot be enabled there, and a move between two of its
        // subtrees needs write access only to the service's own cgroup.procs.
        if (own != null && own.startsWith(systemd)) {
            candidates.add(systemd);
        }
        if (own != null && !candidates.contains(own)) {
            candidates.add(own);
        }
        if (!candidates.contains(systemd)) {
            candidates.add(systemd);
        }
        return detectV2(candidates, writable, reader);
    }

    private static Cgroups detectV2(List<Path> candidates, Predicate<Path> writable, java.util.function.Function<Path, String> reader) {
        for (Path d : candidates) {
            if (writable.test(d) && writable.test(d.resolve("cgroup.procs")) && writable.test(d.resolve("cgroup.subtree_control"))) {
                Map<String, Path> parents = new LinkedHashMap<>();
                for (String c : reader.apply(d.resolve("cgroup.controllers")).strip().split("\\s+")) {
                    if (!c.isEmpty()) {
                        parents.put(c, d.resolve("jpod"));
                    }
                }
                parents.put(CORE, d.resolve("jpod"));
                // without controllers the container still gets its own cgroup; limits then say what is missing
                return new Cgroups("v2", "cgroupfs", parents, parents.size() > 1 ? null : "the delegated cgroup " + d
                        + " has no controllers in cgroup.controllers; the administrator must enable them in its parent's"
                        + " cgroup.subtree_control (systemd: Delegate=yes)");
            }
        }
        return new Cgroups("v2", "cgroupfs", Map.of(), "no delegated cgroup: " + String.join(" and ", candidates.stream().map(Path::toString).toList())
                + " are not writable by the user; enable delegation (systemd: Delegate=yes in user@.service, or chown a cgroup to the user)");
    }

    private static Cgroups detectV1(List<Mount> mounts, Map<String, String> own, String setting, Predicate<Path> writable) {
        Map<String, String> configured = new LinkedHashMap<>();
        if (setting != null && !setting.isBlank()) {
            for (String item : setting.split(",")) {
                int colon = item.indexOf(':');
                if (colon > 0) {
                    configured.put(item.substring(0, colon).strip(), item.substring(colon + 1).strip());
                }
            }
        }
        Map<String, Path> parents = new LinkedHashMap<>();
        for (String c : V1_CONTROLLERS) {
            Mount m = mounts.stream().filter(x -> !x.v2() && x.controllers().contains(c)).findFirst().orElse(null);
            if (m == null) {
                continue;
            }
            String path = configured.containsKey(c) ? configured.get(c) : own.get(c);
            if (path == null) {
                continue;
            }
            Path dir = m.dirOf(path);
            if (dir != null && writable.test(dir) && writable.test(dir.resolve("cgroup.procs"))) {
                parents.put(c, dir);
            }
        }
        if (parents.isEmpty()) {
            return new Cgroups("v1", "cgroupfs", Map.of(), "cgroup v1 has no cgroup delegated to this user;"
                    + " have an administrator create writable cgroups for you (cgcreate -a USER -t USER -g memory,pids,cpu,cpuacct:PATH)"
                    + " and set " + V1_PARENT_ENV + "=memory:PATH,pids:PATH,cpu:PATH,cpuacct:PATH (or [jpod] cgroup_v1_parent in ~/.config/jpod/containers.conf), or use cgroup v2 with delegation");
        }
        return new Cgroups("v1", "cgroupfs", parents, null);
    }
}
