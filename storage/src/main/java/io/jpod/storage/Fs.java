package io.jpod.storage;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.DirectoryStream;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.BasicFileAttributes;
import java.security.SecureRandom;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/** File-system helpers shared by the stores: atomic writes, safe tree deletion, lstat. */
final class Fs {
    static final LinkOption NOFOLLOW = LinkOption.NOFOLLOW_LINKS;
    private static final char[] ALNUM = "ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789".toCharArray();
    private static final char[] HEX = "0123456789abcdef".toCharArray();
    private static volatile SecureRandom random;

    private Fs() {
    }

    static SecureRandom random() {
        SecureRandom r = random;
        if (r == null) {
            synchronized (Fs.class) {
                if (random == null) {
                    random = new SecureRandom();
                }
                r = random;
            }
        }
        return r;
    }

    /** Random [A-Z0-9] string, as containers/storage uses for its short layer links. */
    static String randomAlnum(int length) {
        SecureRandom r = random();
        char[] c = new char[length];
        for (int i = 0; i < length; i++) {
            c[i] = ALNUM[r.nextInt(ALNUM.length)];
        }
        return new String(c);
    }

    static String randomHex(int length) {
        SecureRandom r = random();
        char[] c = new char[length];
        for (int i = 0; i < length; i++) {
            c[i] = HEX[r.nextInt(16)];
        }
        return new String(c);
    }

    /** lstat; null when the path does not exist. */
    static BasicFileAttributes lstat(Path p) throws IOException {
        try {
            return Files.readAttributes(p, BasicFileAttributes.class, NOFOLLOW);
        } catch (NoSuchFileException e) {
            return null;
        }
    }

    /** lstat with mode, ids, device, rdev and size; null when the path does not exist. */
    static Map<String, Object> unixStat(Path p) throws IOException {
        try {
            return Files.readAttributes(p, "unix:mode,uid,gid,dev,ino,nlink,rdev,size,lastModifiedTime,lastAccessTime", NOFOLLOW);
        } catch (NoSuchFileException e) {
            return null;
        }
    }

    /**
     * Writes {@code data} to {@code target} atomically: temp file in the same directory, fsync, rename, fsync of the
     * directory. A reader sees the old or the new content, never a torn file, even after a crash.
     */
    static void writeAtomic(Path target, byte[] data) throws IOException {
        Path dir = target.toAbsolutePath().getParent();
        Path tmp = dir.resolve(".tmp-" + target.getFileName() + "-" + randomHex(12));
        try {
            try (FileChannel ch = FileChannel.open(tmp, StandardOpenOption.CREATE_NEW, StandardOpenOption.WRITE)) {
                ByteBuffer buf = ByteBuffer.wrap(data);
                while (buf.hasRemaining()) {
                    ch.write(buf);
                }
                ch.force(true);
            }
            Files.move(tmp, target, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
        } catch (IOException | RuntimeException e) {
            Files.deleteIfExists(tmp);
            throw e;
        }
        fsyncDir(dir);
    }

    /**
     * The slow half of {@link #writeAtomic}, for callers that hold a lock only for the rename: {@code data} in a new
     * temp file beside {@code target}, fsynced. {@link #publish} renames it into place; delete it if not published.
     */
    static Path writeTemp(Path target, byte[] data) throws IOException {
        Path tmp = target.toAbsolutePath().getParent().resolve(".tmp-" + target.getFileName() + "-" + randomHex(12));
        try (FileChannel ch = FileChannel.open(tmp, StandardOpenOption.CREATE_NEW, StandardOpenOption.WRITE)) {
            ByteBuffer buf = ByteBuffer.wrap(data);
            while (buf.hasRemaining()) {
                ch.write(buf);
            }
            ch.force(true);
        } catch (IOException | RuntimeException e) {
            Files.deleteIfExists(tmp);
            throw e;
        }
        return tmp;
    }

    /** Renames a {@link #writeTemp} file over {@code target} (atomically); the directory's fsync is the caller's. */
    static void publish(Path tmp, Path target) throws IOException {
        Files.move(tmp, target, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
    }

    /** Makes a rename or creation in {@code dir} durable; best effort (some file systems refuse to fsync dirs). */
    static void fsyncDir(Path dir) {
        try (FileChannel ch = FileChannel.open(dir, StandardOpenOption.READ)) {
            ch.force(true);
        } catch (IOException | RuntimeException e) {
            // durability only; the rename itself already happened atomically
        }
    }

    /** rename(2); the source and target are on the same file system by construction (all under the store root). */
    static void rename(Path from, Path to) throws IOException {
        try {
            Files.move(from, to, StandardCopyOption.ATOMIC_MOVE);
        } catch (AtomicMoveNotSupportedException e) {
            throw new IOException("cannot rename " + from + " to " + to + " atomically: " + e.getMessage(), e);
        }
    }

    /**
     * Deletes a tree without following symlinks. Read-only or unsearchable directories (layers may contain 0555 or
     * 0000 dirs) get u+rwx first. Refuses to descend into another file system (a still-mounted rootfs), so a leftover
     * mount can never make us delete files outside the store.
     */
    static void deleteTree(Path top) throws IOException {
        Map<String, Object> st = unixStat(top);
        if (st == null) {
            return;
        }
        deleteTree(top, st, (Long) st.get("dev"));
    }

    private static void deleteTree(Path p, Map<String, Object> st, long dev) throws IOException {
        int mode = (Integer) st.get("mode");
        if ((mode & Native.S_IFMT) == Native.S_IFDIR) {
            if ((Long) st.get("dev") != dev) {
                throw new StorageException(p + " is a mount point (still mounted?); unmount it, then retry");
            }
            if ((mode & 0700) != 0700) {
                makeWritable(p, mode);
            }
            List<Path> children = new ArrayList<>();
            try (DirectoryStream<Path> ds = Files.newDirectoryStream(p)) {
                for (Path c : ds) {
                    children.add(c);
                }
            }
            for (Path c : children) {
                Map<String, Object> cst = unixStat(c);
                if (cst != null) {
                    deleteTree(c, cst, dev);
                }
            }
        }
        try {
            Files.delete(p);
        } catch (NoSuchFileException e) {
            // already gone
        }
    }

    /**
     * u+rwx on a directory. The JDK's no-follow chmod opens the directory first, which a non-root owner cannot do on a
     * 0000 directory; then plain chmod(2) by path is used, after checking again that the path is a directory.
     */
    private static void makeWritable(Path dir, int mode) throws IOException {
        try {
            Files.setAttribute(dir, "unix:mode", (mode & 07777) | 0700, NOFOLLOW);
        } catch (java.nio.file.AccessDeniedException e) {
            BasicFileAttributes st = lstat(dir);
            if (st == null || !st.isDirectory() || Native.chmod(dir, (mode & 07777) | 0700) != null) {
                throw e;
            }
        }
    }

    /** Creates {@code dir} (and parents) and returns it; a concurrent creation is fine. */
    static Path mkdirs(Path dir) {
        if (Files.isDirectory(dir)) {
            return dir; // as createDirectories would find, without the exception its mkdir(2) on an existing one throws
        }
        try {
            Files.createDirectories(dir);
            return dir;
        } catch (FileAlreadyExistsException e) {
            throw new StorageException(dir + " exists and is not a directory; move it away and retry");
        } catch (IOException e) {
            throw new StorageException("cannot create directory " + dir + ": " + describe(e) + "; check permissions and free space");
        }
    }

    /** A short description of an IOException for one-line messages. */
    static String describe(Throwable e) {
        String m = e.getMessage();
        String kind = e.getClass().getSimpleName();
        if (e instanceof java.nio.file.FileSystemException fse) {
            String reason = fse.getReason();
            if (reason == null) {
                reason = e instanceof java.nio.file.AccessDeniedException ? "permission denied"
                        : e instanceof NoSuchFileException ? "no such file or directory"
                        : e instanceof FileAlreadyExistsException ? "file exists"
                        : e instanceof java.nio.file.DirectoryNotEmptyException ? "directory not empty"
                        : e instanceof java.nio.file.NotDirectoryException ? "not a directory"
                        : kind;
            }
            return oneLine(reason) + (fse.getFile() != null ? " (" + oneLine(fse.getFile()) + ")" : "");
        }
        return m == null ? kind : oneLine(m);
    }

    static String oneLine(String s) {
        return s.replace('\n', ' ').replace('\r', ' ');
    }

    /**
     * Quotes untrusted text (tar entry names, link targets) for a one-line message: control characters and quotes are
     * escaped, very long names are shortened.
     */
    static String quote(String s) {
        StringBuilder b = new StringBuilder(Math.min(s.length(), 300) + 2).append('"');
        int n = 0;
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            if (n++ > 256) {
                b.append("...");
                break;
            }
            if (c == '"' || c == '\\') {
                b.append('\\').append(c);
            } else if (c < 0x20 || c == 0x7f) {
                b.append(String.format("\\x%02x", (int) c));
            } else {
                b.append(c);
            }
        }
        return b.append('"').toString();
    }
}
