package io.jpod.storage;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.attribute.BasicFileAttributeView;
import java.nio.file.attribute.FileTime;
import jnr.ffi.LibraryLoader;
import jnr.ffi.annotations.In;
import jnr.ffi.annotations.SaveError;
import jnr.posix.POSIX;
import jnr.posix.POSIXFactory;

/**
 * File-metadata calls for unpacking and copying layers. chmod and lchown go through the JDK's "unix" attribute view:
 * binding all of jnr-posix generates classes at run time, which cost about a tenth of a cold pull's CPU. The few calls
 * the JDK does not offer, or offers only at three times the system calls (mknod for overlay whiteouts, syncfs, times
 * without following a symlink), go through the small {@link LibC} interface, bound lazily on first use (every pull
 * binds it for syncfs anyway); mkfifo through jnr-posix.
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

        /** {@code times}: atime then mtime, each a struct timespec (seconds, nanoseconds) as the C ABI lays them out. */
        @SaveError
        int utimensat(int dirfd, @In byte[] path, @In long[] times, int flags);

        /** NUL-terminated byte strings, as the C ABI takes them. */
        @SaveError
        int mount(@In byte[] source, @In byte[] target, @In byte[] fstype, long flags, @In byte[] data);

        @SaveError
        int umount2(@In byte[] target, int flags);

        String strerror(int errnum);
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
    private static final int O_NOFOLLOW = 0400000;
    private static final int O_CLOEXEC = 02000000;

    /** The charset the JDK encodes file names with (sun.jnu.encoding, from the locale at start-up). */
    private static final java.nio.charset.Charset FILE_NAMES = fileNames();
    private static volatile POSIX posix;
    private static volatile LibC libc;
    private static volatile jnr.ffi.Runtime runtime;

    private Native() {
    }

    private static java.nio.charset.Charset fileNames() {
        try {
            return java.nio.charset.Charset.forName(System.getProperty("sun.jnu.encoding", "UTF-8"));
        } catch (RuntimeException e) {
            return java.nio.charset.StandardCharsets.UTF_8;
        }
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

    /** Whether {@link LibC} is bound already (binding generates classes: worth it in a long-lived JVM only). */
    static boolean libcBound() {
        return libc != null;
    }

    /** Binds {@link LibC} now. */
    static void bindLibc() {
        libc();
    }

    private static int lastErrno() {
        return jnr.ffi.LastError.getLastError(runtime);
    }

    /** Whether this process runs as uid 0 (of its user namespace): /proc/self belongs to the effective uid. */
    static boolean isRoot() {
        try {
            return (Integer) Files.getAttribute(Path.of("/proc/self"), "unix:uid") == 0;
        } catch (IOException | RuntimeException e) {
            return false;
        }
    }

    private static final int MNT_DETACH = 2;

    /**
     * mount(2) of a kernel overlayfs at {@code target} with {@code options} (absolute paths: this call has no working
     * directory of its own); 0, or the errno. A system call, not a process: the JVM is uid 0 in jpod's user namespace
     * and its mount namespace is the one every jpod process shares, as the helper's would be.
     */
    static int mountOverlay(Path target, String options) {
        LibC l = libc();
        return l.mount(cString("overlay"), pathBytes(target), cString("overlay"), 0L, cString(options)) == 0 ? 0 : lastErrno();
    }

    /** umount2(target, MNT_DETACH); 0, or the errno. */
    static int unmountDetached(Path target) {
        LibC l = libc();
        return l.umount2(pathBytes(target), MNT_DETACH) == 0 ? 0 : lastErrno();
    }

    /** "strerror (errno N)", as the helper reports a failed system call. */
    static String describeErrno(int errno) {
        return libc().strerror(errno) + " (errno " + errno + ")";
    }

    private static byte[] cString(String s) {
        byte[] b = s.getBytes(FILE_NAMES);
        return java.util.Arrays.copyOf(b, b.length + 1);
    }

    /** Creates the overlay whiteout (character device 0:0); returns 0 or the errno. */
    static int mknodWhiteout(String path) {
        LibC l = libc();
        return l.mknod(path, S_IFCHR, 0L) == 0 ? 0 : lastErrno();
    }

    /**
     * Opens directory {@code path} without following a final symlink (O_NOFOLLOW|O_DIRECTORY); the fd, or minus the
     * errno.
     */
    static int openDirectoryNoFollow(String path) {
        LibC l = libc();
        int fd = l.open(path, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
        return fd >= 0 ? fd : -lastErrno();
    }

    static void close(int fd) {
        libc().close(fd);
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

    /**
     * chmod with all 12 mode bits (setuid/setgid/sticky too); returns null or why it failed. Follows a final symlink:
     * call it only on non-symlinks.
     */
    static String chmod(Path path, int mode) {
        try {
            Files.setAttribute(path, "unix:mode", mode & 07777);
            return null;
        } catch (IOException | RuntimeException e) {
            return Fs.describe(e);
        }
    }

    /** lchown (never follows a final symlink); returns null or why it failed. */
    static String lchown(Path path, int uid, int gid) {
        try {
            Files.setAttribute(path, "unix:uid", uid, LinkOption.NOFOLLOW_LINKS);
            Files.setAttribute(path, "unix:gid", gid, LinkOption.NOFOLLOW_LINKS);
            return null;
        } catch (IOException | RuntimeException e) {
            return Fs.describe(e);
        }
    }

    /**
     * Sets access and modification times without following a final symlink (a symlink's own times, a FIFO's without
     * opening it); best effort. One utimensat(2) by path: the JDK's attribute view opens the file, calls futimens and
     * closes it again, three calls for each unpacked file. {@code fifo} is kept for the JDK fallback, which would open a
     * FIFO (and block there) and so goes through jnr-posix instead.
     */
    static void setTimes(Path path, FileTime mtime, FileTime atime, boolean fifo) {
        if (mtime == null) {
            return;
        }
        FileTime a = atime != null ? atime : mtime;
        java.time.Instant ai = a.toInstant();
        java.time.Instant mi = mtime.toInstant();
        try {
            libc().utimensat(AT_FDCWD, pathBytes(path), new long[] {ai.getEpochSecond(), ai.getNano(), mi.getEpochSecond(), mi.getNano()},
                    AT_SYMLINK_NOFOLLOW);
            return;
        } catch (RuntimeException | LinkageError e) {
            // no jnr here: the JDK's way below
        }
        if (fifo) {
            POSIX p = posix();
            p.utimensat(AT_FDCWD, path.toString(), timespec(a), timespec(mtime), AT_SYMLINK_NOFOLLOW);
            return;
        }
        try {
            Files.getFileAttributeView(path, BasicFileAttributeView.class, LinkOption.NOFOLLOW_LINKS).setTimes(mtime, a, null);
        } catch (IOException | RuntimeException e) {
            // times are best effort, as they were with utimensat
        }
    }

    /** The path as the JDK passes it to the kernel (the file name encoding), NUL-terminated for a C string argument. */
    static byte[] pathBytes(Path path) {
        byte[] b = path.toString().getBytes(FILE_NAMES);
        return java.util.Arrays.copyOf(b, b.length + 1);
    }

    private static long[] timespec(FileTime t) {
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
