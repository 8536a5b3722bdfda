package io.jpod.tests.support;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.stream.Stream;

/**
 * A cgroup v2 directory delegated to the test user the way systemd's {@code Delegate=yes} does it: as root, below
 * this JVM's own cgroup in the unified hierarchy, a {@code jpod-e2e-v2-<pid>} directory whose directory,
 * {@code cgroup.procs}, {@code cgroup.subtree_control} and {@code cgroup.threads} are chowned to the user, plus a
 * root-owned leaf {@code session} standing for the user's login session (systemd keeps the user's processes in
 * such leaves: a delegated cgroup that enables controllers may hold no processes itself). Works on a hybrid
 * machine too, whose unified hierarchy ({@code /sys/fs/cgroup/unified}) is a real cgroup2 file system.
 *
 * <p>When the unified root offers {@code hugetlb} (hybrid machines leave it to v2) and this JVM runs in the root
 * cgroup, it is enabled in the root's {@code cgroup.subtree_control} so the delegated directory has a controller
 * to pass down (left enabled: harmless, and disabling it would race with other users of the hierarchy).
 * {@link #close()} removes the directory tree (killing what is left); leftovers of a dead test JVM are swept.
 */
public final class DelegatedV2Cgroup implements AutoCloseable {
    private static final String PREFIX = "jpod-e2e-v2-";

    private final Path dir;
    private final String path;

    private DelegatedV2Cgroup(Path dir, String path) {
        this.dir = dir;
        this.path = path;
    }

    /** The unified hierarchy's mount point, if one is mounted. */
    public static Optional<Path> unifiedMount() {
        try {
            for (String l : Files.readAllLines(Path.of("/proc/self/mountinfo"))) {
                int dash = l.indexOf(" - ");
                if (dash > 0 && l.substring(dash + 3).startsWith("cgroup2 ")) {
                    return Optional.of(Path.of(l.substring(0, dash).split(" ")[4]));
                }
            }
        } catch (IOException e) {
            // none
        }
        return Optional.empty();
    }

    public static DelegatedV2Cgroup create(TestUser user) {
        Path mount = unifiedMount().orElseThrow(() -> new IllegalStateException("no cgroup2 file system is mounted"));
        try {
            String own = "/";
            for (String l : Files.readAllLines(Path.of("/proc/self/cgroup"))) {
                if (l.startsWith("0::")) {
                    own = l.substring(3);
                }
            }
            Path parent = own.equals("/") ? mount : mount.resolve(own.substring(1));
            if (own.equals("/")) {
                String offered = Files.readString(mount.resolve("cgroup.controllers"));
                String enabled = Files.readString(mount.resolve("cgroup.subtree_control"));
                if ((" " + offered.strip() + " ").contains(" hugetlb ") && !(" " + enabled.strip() + " ").contains(" hugetlb ")) {
                    Files.writeString(mount.resolve("cgroup.subtree_control"), "+hugetlb");
                }
            }
            sweep(parent);
            String name = PREFIX + ProcessHandle.current().pid();
            Path dir = parent.resolve(name);
            if (Files.isDirectory(dir)) {
                DelegatedCgroups.removeTree(dir);
            }
            Files.createDirectory(dir);
            for (String f : List.of("cgroup.procs", "cgroup.subtree_control", "cgroup.threads")) {
                user.chown(dir.resolve(f));
            }
            user.chown(dir);
            Files.createDirectory(dir.resolve("session"));
            return new DelegatedV2Cgroup(dir, (own.endsWith("/") ? own : own + "/") + name);
        } catch (IOException e) {
            throw new IllegalStateException("cannot create a delegated cgroup v2 directory: " + e, e);
        }
    }

    /** The delegated directory on the host. */
    public Path dir() {
        return dir;
    }

    /** Its cgroup path, as /proc/self/cgroup writes it (the value of JPOD_CGROUP_V2_PARENT). */
    public String setting() {
        return path;
    }

    /** The session leaf where the user's jpod commands start. */
    public Path session() {
        return dir.resolve("session");
    }

    /** Controllers the delegated directory offers to its children. */
    public List<String> controllers() {
        try {
            String s = Files.readString(dir.resolve("cgroup.controllers")).strip();
            return s.isEmpty() ? List.of() : List.of(s.split("\\s+"));
        } catch (IOException e) {
            return List.of();
        }
    }

    /** Runs a command line in {@code cgroup}: a root shell moves itself there, then execs it. */
    public static List<String> inCgroup(Path cgroup, List<String> command) {
        List<String> out = new ArrayList<>(List.of("sh", "-c", "echo $$ > \"$0\"/cgroup.procs && exec \"$@\"", cgroup.toString()));
        out.addAll(command);
        return out;
    }

    private static void sweep(Path parent) throws IOException {
        try (Stream<Path> s = Files.list(parent)) {
            for (Path d : s.filter(p -> p.getFileName().toString().startsWith(PREFIX) && Files.isDirectory(p)).toList()) {
                String pid = d.getFileName().toString().substring(PREFIX.length());
                if (!pid.matches("[0-9]+") || ProcessHandle.of(Long.parseLong(pid)).isEmpty()) {
                    DelegatedCgroups.removeTree(d);
                }
            }
        }
    }

    @Override
    public void close() {
        DelegatedCgroups.removeTree(dir);
    }
}
