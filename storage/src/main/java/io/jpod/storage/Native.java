package io.jpod.storage;

import jnr.ffi.LibraryLoader;
import jnr.ffi.annotations.SaveError;
import jnr.posix.POSIX;
import jnr.posix.POSIXFactory;

/**
 * The few libc calls the JDK does not offer: mknod (overlay whiteouts), mkfifo, syncfs, geteuid.
 * Loaded lazily on first use (start-up speed: most commands never unpack a layer).
 */
final class Native {
    /** libc functions missing from jnr-posix. dev_t and the mode are passed as the C ABI wants them on 64-bit Linux. */
    public interface LibC {
        @SaveError
        int mknod(String path, int mode, long dev);

        @SaveError
        int syncfs(int fd);

        @SaveError
        int open(String path, int flags);

        int close(int fd);
    }

    static final int S_IFMT = 0170000;
    static final int S_IFCHR = 0020000;
    static final int S_IFDIR = 0040000;
    static final int S_IFLNK = 0120000;
    static final int S_IFREG = 0100000;
    static final int S_IFIFO = 0010000;
    private static final int AT_FDCWD = -100;
    private static final int AT_SYMLINK_NOFOLLOW = 0x100;
    private static final int O_RDONLY = 0;
    private static final int O_DIRECTORY = 0200000;
    private static final int O_CLOEXEC = 02000000;

    private static volatile POSIX posix;
    private static volatile LibC libc;
    private static volatile jnr.ffi.Runtime runtime;

    private Native() {
    }

    static POSIX posix() {
        POSIX p = posix;
        if (p == null) {
            synchronized (Native.class) {
                if (posix == null) {
                    posix = POSIXFactory.getNativePOSIX();
                }
                p = posix;
            }
        }
        return p;
    }

    private static LibC libc() {
        LibC l = libc;
        if (l == null) {
            synchronized (Native.class) {
                if (libc == null) {
                    LibC loaded = LibraryLoader.create(LibC.class).load("c");
                    runtime = jnr.ffi.Runtime.getRuntime(loaded);
                    libc = loaded;
                }
                l = libc;
            }
        }
        return l;
    }

    private static int lastErrno() {
        return jnr.ffi.LastError.getLastError(runtime);
    }

    static boolean isRoot() {
        return posix().geteuid() == 0;
    }

    /** Creates the overlay whiteout (character device 0:0); returns 0 or the errno. */
    static int mknodWhiteout(String path) {
        LibC l = libc();
        return l.mknod(path, S_IFCHR, 0L) == 0 ? 0 : lastErrno();
    }

    /** Returns 0 or the errno. */
    static int mkfifo(String path, int mode) {
        POSIX p = posix();
        return p.mkfifo(path, mode) == 0 ? 0 : p.errno();
    }

    /**
     * Flushes the file system holding {@code dir} to disk; best effort. One syncfs before a layer becomes visible is
     * far cheaper than an fsync per unpacked file and gives the same guarantee for the rename that follows.
     */
    static void syncfs(String dir) {
        try {
            LibC l = libc();
            int fd = l.open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
            if (fd >= 0) {
                l.syncfs(fd);
                l.close(fd);
            }
        } catch (RuntimeException | LinkageError e) {
            // durability is best effort here; the rename that publishes the layer is still atomic
        }
    }

    /** chmod with all 12 mode bits (setuid/setgid/sticky too); returns 0 or the errno. Follows a final symlink: call it only on non-symlinks. */
    static int chmod(String path, int mode) {
        POSIX p = posix();
        return p.chmod(path, mode & 07777) == 0 ? 0 : p.errno();
    }

    /**
     * Sets access and modification times without following a final symlink and without opening the file (opening a
     * FIFO would block). Returns 0 or the errno.
     */
    static int setTimes(String path, java.nio.file.attribute.FileTime mtime, java.nio.file.attribute.FileTime atime) {
        POSIX p = posix();
        long[] m = timespec(mtime);
        long[] a = timespec(atime != null ? atime : mtime);
        return p.utimensat(AT_FDCWD, path, a, m, AT_SYMLINK_NOFOLLOW) == 0 ? 0 : p.errno();
    }

    private static long[] timespec(java.nio.file.attribute.FileTime t) {
        java.time.Instant i = t.toInstant();
        return new long[] {i.getEpochSecond(), i.getNano()};
    }

    static String strerror(int errno) {
        try {
            jnr.constants.platform.Errno e = jnr.constants.platform.Errno.valueOf(errno);
            return e.description() + " (errno " + errno + ")";
        } catch (RuntimeException e) {
            return "errno " + errno;
        }
    }
}
