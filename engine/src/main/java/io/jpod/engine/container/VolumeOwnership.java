package io.jpod.engine.container;

import io.jpod.engine.EngineException;

import io.jpod.engine.container.Lifecycle;
import io.jpod.engine.container.SandboxPolicy;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.FileVisitResult;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.SimpleFileVisitor;
import java.nio.file.attribute.BasicFileAttributes;
import java.util.List;

/**
 * The {@code :U} volume option (podman's): before every start of the container its source is chowned to the
 * container's user, recursively, unless its top directory already has that owner (so a file chowned to someone
 * else inside it afterwards keeps its owner, as in podman). The ids are the ones jpod's user namespace (the pause
 * process's, where the JVM is root) gives the container's user, so its map (keep-id) is applied first. What to
 * chown is written at create time into the container's directory ({@value #FILE}: "UID GID PATH" lines).
 */
final class VolumeOwnership {
    static final String FILE = "chown-volumes";

    private VolumeOwnership() {
    }

    /** Records the sources to chown at each start; nothing is written when there are none. */
    static void record(Path containerDir, List<Path> sources, long uid, long gid) throws IOException {
        if (sources.isEmpty()) {
            return;
        }
        StringBuilder b = new StringBuilder();
        for (Path p : sources) {
            b.append(uid).append(' ').append(gid).append(' ').append(p).append('\n');
        }
        Lifecycle.writeAtomic(containerDir.resolve(FILE), b.toString().getBytes(StandardCharsets.UTF_8));
    }

    /** Chowns what {@link #record} listed (at start, before the monitor runs). */
    static void apply(Path containerDir) {
        Path file = containerDir.resolve(FILE);
        List<String> lines;
        try {
            lines = Files.readAllLines(file, StandardCharsets.UTF_8);
        } catch (NoSuchFileException e) {
            return;
        } catch (IOException e) {
            throw new EngineException("cannot read " + file + ": " + e.getMessage(), e);
        }
        for (String line : lines) {
            String[] f = line.split(" ", 3);
            if (f.length == 3) {
                chown(Path.of(f[2]), Integer.parseInt(f[0]), Integer.parseInt(f[1]));
            }
        }
    }

    /** Recursively, symlinks themselves (never followed), unless the top already has the owner. */
    static void chown(Path top, int uid, int gid) {
        try {
            if (owner(top, "uid") == uid && owner(top, "gid") == gid) {
                return;
            }
            Files.walkFileTree(top, new SimpleFileVisitor<>() {
                @Override
                public FileVisitResult preVisitDirectory(Path dir, BasicFileAttributes attrs) throws IOException {
                    set(dir);
                    return FileVisitResult.CONTINUE;
                }

                @Override
                public FileVisitResult visitFile(Path file, BasicFileAttributes attrs) throws IOException {
                    set(file);
                    return FileVisitResult.CONTINUE;
                }

                private void set(Path p) throws IOException {
                    Files.setAttribute(p, "unix:uid", uid, LinkOption.NOFOLLOW_LINKS);
                    Files.setAttribute(p, "unix:gid", gid, LinkOption.NOFOLLOW_LINKS);
                }
            });
        } catch (IOException e) {
            throw new EngineException("cannot chown the volume source " + top + " to " + uid + ":" + gid + " (:U): " + e.getMessage(), e);
        }
    }

    private static int owner(Path p, String which) throws IOException {
        return (Integer) Files.getAttribute(p, "unix:" + which, LinkOption.NOFOLLOW_LINKS);
    }

    /** The id in the parent namespace for {@code id} inside a map of "INSIDE PARENT COUNT" lines (unmapped: -1). */
    static long toParent(List<String> map, long id) {
        for (String line : map) {
            String[] f = line.strip().split("\\s+");
            long inside = Long.parseLong(f[0]);
            long count = Long.parseLong(f[2]);
            if (id >= inside && id < inside + count) {
                return Long.parseLong(f[1]) + (id - inside);
            }
        }
        return -1;
    }

    /** The container user's ids as jpod's namespace numbers them, under the container's --userns mode (null: the default). */
    static long[] parentIds(String usernsMode, long uid, long gid) {
        if (usernsMode == null) {
            return new long[] {uid, gid};
        }
        long u = toParent(SandboxPolicy.uidMap(usernsMode), uid);
        long g = toParent(SandboxPolicy.gidMap(usernsMode), gid);
        if (u < 0 || g < 0) {
            throw new EngineException("the container's user " + uid + ":" + gid + " is not mapped by --userns=" + usernsMode
                    + ": cannot chown a :U volume to it");
        }
        return new long[] {u, g};
    }
}
