package io.jpod.rootless;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.Map;

/**
 * Where run-time state lives: {@code $XDG_RUNTIME_DIR/jpod}, or a private 0700 directory under /tmp when the
 * variable is unset (as on a plain ssh or su session). The launcher script computes the same path for the
 * pause process's pid file, so the two rules must stay identical (see bin/jpod).
 */
public record RunRoot(Path path, boolean fallback) {

    public static RunRoot resolve(Map<String, String> env, long hostUid) {
        String xdg = env.get("XDG_RUNTIME_DIR");
        if (xdg != null && !xdg.isBlank()) {
            return new RunRoot(Path.of(xdg, "jpod"), false);
        }
        return new RunRoot(Path.of("/tmp", "jpod-run-" + hostUid, "jpod"), true);
    }

    public Path pausePidFile() {
        return path.resolve("pause.pid");
    }

    public Path containerDir(String id) {
        return path.resolve("containers").resolve(id);
    }

    /**
     * Creates the directory (0700). For the /tmp fallback the parent must be ours and private, or another
     * local user could have planted it; the first creation is announced once on {@code warn}.
     */
    public void create(java.io.PrintStream warn) {
        try {
            if (fallback) {
                Path parent = path.getParent();
                if (!Files.exists(parent, LinkOption.NOFOLLOW_LINKS)) {
                    Files.createDirectory(parent, PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rwx------")));
                    warn.println("jpod: XDG_RUNTIME_DIR is not set; keeping run-time state in " + parent);
                }
                if (Files.isSymbolicLink(parent) || !Files.isDirectory(parent, LinkOption.NOFOLLOW_LINKS)
                        || !PosixFilePermissions.toString(Files.getPosixFilePermissions(parent, LinkOption.NOFOLLOW_LINKS)).equals("rwx------")
                        || ((Number) Files.getAttribute(parent, "unix:uid", LinkOption.NOFOLLOW_LINKS)).longValue() != ProcessIds.effectiveUid()) {
                    throw new RootlessException(parent + " is not a private directory of yours (it must be mode 0700 and owned by you);"
                            + " remove it or set XDG_RUNTIME_DIR");
                }
            }
            if (!Files.isDirectory(path)) { // there already (every command but the first): no mkdir(2) and its exception
                Files.createDirectories(path, PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rwx------")));
            }
        } catch (IOException e) {
            throw new RootlessException("cannot create the run-time directory " + path + ": " + e.getMessage()
                    + "; check that XDG_RUNTIME_DIR points to a writable directory", e);
        }
    }
}
