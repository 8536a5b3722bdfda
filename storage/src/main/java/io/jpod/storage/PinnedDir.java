package io.jpod.storage;

import java.io.IOException;
import java.nio.file.Path;

/**
 * A directory held open by an fd and named {@code /proc/self/fd/N}: a lookup of {@code path().resolve(name)} starts
 * at that very directory, whatever was renamed meanwhile, so with NOFOLLOW on the last component no symlink is ever
 * followed on the way. The readers of a running container's files (export, commit, diff) walk its tree this way: a
 * container that swaps a directory for a symlink to a host directory while they walk cannot make them read the host's
 * files. Opening one costs a jnr libc binding on first use; only those commands pay it.
 */
final class PinnedDir implements AutoCloseable {
    private static final int ENOTDIR = 20;
    private static final int ELOOP = 40;
    private static final String REPLACED = "the container replaced it meanwhile (it is running): retry, or stop it first";

    private final int fd;
    private final Path shown;

    private PinnedDir(int fd, Path shown) {
        this.fd = fd;
        this.shown = shown;
    }

    /** Opens {@code dir} (a path from the store, or a child of another pinned dir); a symlink there is an error. */
    static PinnedDir open(Path dir) throws IOException {
        int fd = Native.openDirectoryNoFollow(dir.toString());
        if (fd < 0) {
            boolean replaced = -fd == ELOOP || -fd == ENOTDIR; // what O_NOFOLLOW|O_DIRECTORY gives for a symlink or a file
            throw new IOException("cannot open directory " + dir + ": " + Native.strerror(-fd) + (replaced ? "; " + REPLACED : ""));
        }
        return new PinnedDir(fd, dir);
    }

    /** For an entry that turned out another type than its lstat said a moment before. */
    static IOException replaced(String containerPath) {
        return new IOException(containerPath + ": " + REPLACED);
    }

    /** Opens {@code rel} (components separated by "/") below {@code root}, one pinned step per component. */
    static PinnedDir walk(Path root, String rel) throws IOException {
        PinnedDir cur = open(root);
        for (String c : rel.split("/")) {
            if (c.isEmpty()) {
                continue;
            }
            PinnedDir next;
            try {
                next = open(cur.path().resolve(c));
            } finally {
                cur.close();
            }
            cur = next;
        }
        return cur;
    }

    /**
     * {@code /proc/self/fd/N/.}: resolve children against this. The trailing "." makes the fd's link an inner
     * component, so a NOFOLLOW access of the directory itself (its xattrs) reaches the directory, not the link.
     */
    Path path() {
        return Path.of("/proc/self/fd/" + fd + "/.");
    }

    @Override
    public String toString() {
        return shown.toString();
    }

    @Override
    public void close() {
        Native.close(fd);
    }
}
