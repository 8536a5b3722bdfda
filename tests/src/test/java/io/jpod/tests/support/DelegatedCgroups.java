package io.jpod.tests.support;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;

/**
 * cgroup v1 directories delegated to the test user, as an administrator would (cgcreate -a/-t): as root, below
 * this JVM's OWN cgroup of each controller, a {@code jpod-e2e-<pid>} directory chowned to the user; no other
 * cgroup is touched. {@link #close()} removes them (killing what is left inside); leftovers of a killed test
 * JVM (a dead pid in the name) are swept by the next {@link #create}, since a leftover child would block the
 * removal of its parent.
 */
public final class DelegatedCgroups implements AutoCloseable {
    public static final List<String> CONTROLLERS = List.of("memory", "pids", "cpu", "cpuacct", "blkio");
    private static final String PREFIX = "jpod-e2e-";

    private final Map<String, Path> dirs;       // controller → host directory
    private final Map<String, String> paths;    // controller → cgroup path (as /proc/self/cgroup writes it)

    private DelegatedCgroups(Map<String, Path> dirs, Map<String, String> paths) {
        this.dirs = dirs;
        this.paths = paths;
    }

    /** Whether this machine mounts cgroup v1 hierarchies for all of {@link #CONTROLLERS}. */
    public static boolean v1Available() {
        return CONTROLLERS.stream().allMatch(c -> Files.isRegularFile(Path.of("/sys/fs/cgroup", c, "cgroup.procs")));
    }

    public static DelegatedCgroups create(TestUser user) {
        Map<String, String> own = ownCgroups();
        Map<String, Path> dirs = new LinkedHashMap<>();
        Map<String, String> paths = new LinkedHashMap<>();
        String name = PREFIX + ProcessHandle.current().pid();
        try {
            for (String c : CONTROLLERS) {
                String ownPath = own.getOrDefault(c, "/");
                Path parent = Path.of("/sys/fs/cgroup", c).toRealPath().resolve(ownPath.substring(1));
                sweep(parent);
                Path dir = parent.resolve(name);
                if (!Files.isDirectory(dir)) {
                    Files.createDirectory(dir);
                }
                try (Stream<Path> files = Files.list(dir)) {
                    for (Path f : files.toList()) {
                        user.chown(f);
                    }
                }
                user.chown(dir);
                dirs.put(c, dir);
                paths.put(c, (ownPath.endsWith("/") ? ownPath : ownPath + "/") + name);
            }
        } catch (IOException e) {
            throw new IllegalStateException("cannot create delegated cgroups: " + e, e);
        }
        return new DelegatedCgroups(dirs, paths);
    }

    /** The value of JPOD_CGROUP_V1_PARENT for jpod. */
    public String setting() {
        List<String> items = new ArrayList<>();
        paths.forEach((c, p) -> items.add(c + ":" + p));
        return String.join(",", items);
    }

    public Path dir(String controller) {
        return dirs.get(controller);
    }

    private static Map<String, String> ownCgroups() {
        Map<String, String> m = new LinkedHashMap<>();
        try {
            for (String l : Files.readAllLines(Path.of("/proc/self/cgroup"))) {
                String[] f = l.split(":", 3);
                if (f.length == 3) {
                    for (String c : f[1].split(",")) {
                        m.put(c, f[2]);
                    }
                }
            }
        } catch (IOException e) {
            throw new IllegalStateException("cannot read /proc/self/cgroup: " + e, e);
        }
        return m;
    }

    /** Removes leftovers of earlier test JVMs that are gone. */
    private static void sweep(Path parent) throws IOException {
        try (Stream<Path> s = Files.list(parent)) {
            for (Path d : s.filter(p -> p.getFileName().toString().startsWith(PREFIX) && Files.isDirectory(p)).toList()) {
                String pid = d.getFileName().toString().substring(PREFIX.length());
                boolean alive = pid.matches("[0-9]+") && ProcessHandle.of(Long.parseLong(pid)).isPresent();
                if (!alive) {
                    removeTree(d);
                }
            }
        }
    }

    /** Kills the processes left inside and removes the directories, children first. Bounded. */
    static void removeTree(Path dir) {
        Instant deadline = Instant.now().plus(Duration.ofSeconds(15));
        List<Path> all;
        try (Stream<Path> s = Files.walk(dir)) {
            all = s.filter(Files::isDirectory).sorted(Comparator.reverseOrder()).toList();
        } catch (IOException e) {
            return;
        }
        for (Path d : all) {
            while (true) {
                try {
                    for (String l : Files.readAllLines(d.resolve("cgroup.procs"))) {
                        if (!l.isBlank()) {
                            ProcessHandle.of(Long.parseLong(l.strip())).ifPresent(ProcessHandle::destroyForcibly);
                        }
                    }
                    Files.deleteIfExists(d);
                    break;
                } catch (IOException | NumberFormatException e) {
                    if (!Files.exists(d) || Instant.now().isAfter(deadline)) {
                        break;
                    }
                    try {
                        Thread.sleep(50);
                    } catch (InterruptedException ie) {
                        Thread.currentThread().interrupt();
                        return;
                    }
                }
            }
        }
    }

    @Override
    public void close() {
        dirs.values().forEach(DelegatedCgroups::removeTree);
    }
}
