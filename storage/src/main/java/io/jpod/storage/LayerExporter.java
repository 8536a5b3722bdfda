package io.jpod.storage;

import org.apache.commons.compress.archivers.tar.TarArchiveEntry;
import org.apache.commons.compress.archivers.tar.TarArchiveOutputStream;
import org.apache.commons.compress.archivers.tar.TarConstants;

import java.io.FilterOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.nio.file.attribute.UserDefinedFileAttributeView;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;

/**
 * Writes a directory tree as a tar stream: a whole rootfs ({@link #exportTree}, `jpod export`) or a container's upper
 * dir as an OCI layer ({@link #exportDiff}, `jpod commit`). Entries come parents first in name order, with numeric
 * owners as seen in jpod's user namespace (the container's ids), modes with setuid/setgid/sticky, mtimes, symlinks,
 * FIFOs, hard links within the tree (by inode) and {@code user.*} xattrs as PAX records. Nothing is followed: a symlink
 * is written as a symlink.
 *
 * <p>In a layer, the overlay forms of deletions become the OCI forms: a 0:0 character device is written as an empty
 * {@code .wh.NAME} file, a directory marked opaque ({@code user.overlay.opaque} or {@code user.fuseoverlayfs.opaque} = y) gets a {@code .wh..wh..opq} entry; {@code .wh.} files already in the upper dir
 * (fuse-overlayfs' fallback form) pass through as they are. Other device nodes are skipped (rootless containers cannot
 * create them).
 */
public final class LayerExporter {
    /** diff_id ("sha256:hex") and byte count of a written layer. */
    public record Result(String diffId, long size) {
    }

    private LayerExporter() {
    }

    /** The tree under {@code root} as a tar (the root itself is not an entry, as in `podman export`). */
    public static void exportTree(Path root, OutputStream out) throws IOException {
        new Writer(root, out, false).write();
    }

    /** The upper dir as an OCI layer tar, with whiteouts converted; returns its diff_id and size. */
    public static Result exportDiff(Path upper, OutputStream out) throws IOException {
        Hashing h = new Hashing(out);
        new Writer(upper, h, true).write();
        h.flush();
        return new Result("sha256:" + HexFormat.of().formatHex(h.digest.digest()), h.count);
    }

    /**
     * The listed changes of a full rootfs copy (the vfs driver's container rootfs) as an OCI layer: every added or
     * changed path with its parent directories (so their metadata is kept), and a {@code .wh.} entry per deletion.
     */
    public static Result exportChanges(Path rootfs, List<DiffWalker.Change> changes, OutputStream out) throws IOException {
        Hashing h = new Hashing(out);
        Writer w = new Writer(rootfs, h, true);
        java.util.Set<String> written = new java.util.HashSet<>();
        for (DiffWalker.Change c : changes) {
            String rel = c.path().substring(1);
            int slash = rel.lastIndexOf('/');
            String parent = slash < 0 ? "" : rel.substring(0, slash);
            String name = rel.substring(slash + 1);
            if (!parent.isEmpty()) {
                String[] comps = parent.split("/");
                StringBuilder sb = new StringBuilder();
                for (String comp : comps) {
                    String up = sb.toString();
                    sb.append(sb.length() == 0 ? "" : "/").append(comp);
                    if (written.add(sb.toString())) {
                        try (PinnedDir p = PinnedDir.walk(rootfs, up)) {
                            w.one(p.path().resolve(comp), up, false);
                        }
                    }
                }
            }
            if (c.kind() == 'D') {
                TarArchiveEntry e = Writer.entry((parent.isEmpty() ? "" : parent + "/") + LayerUnpacker.WHITEOUT_PREFIX + name,
                        TarConstants.LF_NORMAL, 0644, 0, 0, null);
                w.tar.putArchiveEntry(e);
                w.tar.closeArchiveEntry();
            } else if (written.add(rel)) {
                try (PinnedDir p = PinnedDir.walk(rootfs, parent)) {
                    w.one(p.path().resolve(name), parent, false);
                }
            }
        }
        w.tar.finish();
        w.tar.close();
        h.flush();
        return new Result("sha256:" + HexFormat.of().formatHex(h.digest.digest()), h.count);
    }

    private static final class Writer {
        private final Path root;
        private final TarArchiveOutputStream tar;
        private final boolean layer;
        private final Map<String, String> links = new HashMap<>();
        private final byte[] buffer = new byte[128 * 1024];

        Writer(Path root, OutputStream out, boolean layer) {
            this.root = root;
            this.layer = layer;
            this.tar = new TarArchiveOutputStream(new Unclosable(out), StandardCharsets.UTF_8.name());
            tar.setLongFileMode(TarArchiveOutputStream.LONGFILE_POSIX);
            tar.setBigNumberMode(TarArchiveOutputStream.BIGNUMBER_POSIX);
            tar.setAddPaxHeadersForNonAsciiNames(true);
        }

        void write() throws IOException {
            try (PinnedDir r = PinnedDir.open(root)) {
                dir(r.path(), "");
            }
            tar.finish();
            tar.close(); // writes the end blocks; the caller's stream stays open
        }

        /** The entries of {@code dir}, a {@link PinnedDir#path()}: no symlink is followed on the way to them. */
        private void dir(Path dir, String rel) throws IOException {
            List<Path> children = new ArrayList<>();
            try (DirectoryStream<Path> ds = Files.newDirectoryStream(dir)) {
                ds.forEach(children::add);
            }
            children.sort(null);
            for (Path c : children) {
                one(c, rel, true);
            }
        }

        /** Writes the entry for {@code c} (whose parent's relative path is {@code rel}); a directory's content too if {@code recurse}. */
        void one(Path c, String rel, boolean recurse) throws IOException {
            {
                String name = c.getFileName().toString();
                String path = rel.isEmpty() ? name : rel + "/" + name;
                Map<String, Object> st = Fs.unixStat(c);
                if (st == null) {
                    return; // removed meanwhile
                }
                int mode = (Integer) st.get("mode");
                int type = mode & Native.S_IFMT;
                long uid = ((Integer) st.get("uid")) & 0xFFFFFFFFL;
                long gid = ((Integer) st.get("gid")) & 0xFFFFFFFFL;
                FileTime mtime = (FileTime) st.get("lastModifiedTime");
                if (type == Native.S_IFDIR) {
                    try (PinnedDir pinned = PinnedDir.open(c)) {
                        Path d = pinned.path();
                        TarArchiveEntry e = entry(path + "/", TarConstants.LF_DIR, mode, uid, gid, mtime);
                        xattrs(d, e);
                        tar.putArchiveEntry(e);
                        tar.closeArchiveEntry();
                        if (layer && opaque(d)) {
                            TarArchiveEntry o = entry(path + "/" + LayerUnpacker.OPAQUE_MARKER, TarConstants.LF_NORMAL, 0644, 0, 0, mtime);
                            tar.putArchiveEntry(o);
                            tar.closeArchiveEntry();
                        }
                        if (recurse) {
                            dir(d, path);
                        }
                    }
                } else if (type == Native.S_IFREG) {
                    String key = st.get("dev") + ":" + st.get("ino");
                    String first = ((Integer) st.get("nlink")) > 1 ? links.get(key) : null;
                    if (first != null) {
                        TarArchiveEntry e = entry(path, TarConstants.LF_LINK, mode, uid, gid, mtime);
                        e.setLinkName(first);
                        tar.putArchiveEntry(e);
                        tar.closeArchiveEntry();
                        return;
                    }
                    links.put(key, path);
                    TarArchiveEntry e = entry(path, TarConstants.LF_NORMAL, mode, uid, gid, mtime);
                    long size = (Long) st.get("size");
                    e.setSize(size);
                    xattrs(c, e);
                    tar.putArchiveEntry(e);
                    long copied = 0;
                    try (InputStream in = Files.newInputStream(c, Fs.NOFOLLOW)) {
                        int n;
                        while (copied < size && (n = in.read(buffer, 0, (int) Math.min(buffer.length, size - copied))) > 0) {
                            tar.write(buffer, 0, n);
                            copied += n;
                        }
                    }
                    if (copied != size) {
                        throw new IOException(c + " changed size while it was being archived; stop the container and retry");
                    }
                    tar.closeArchiveEntry();
                } else if (type == Native.S_IFLNK) {
                    TarArchiveEntry e = entry(path, TarConstants.LF_SYMLINK, mode, uid, gid, mtime);
                    try {
                        e.setLinkName(Files.readSymbolicLink(c).toString());
                    } catch (java.nio.file.NotLinkException changed) {
                        throw PinnedDir.replaced("/" + path);
                    }
                    tar.putArchiveEntry(e);
                    tar.closeArchiveEntry();
                } else if (type == Native.S_IFIFO) {
                    tar.putArchiveEntry(entry(path, TarConstants.LF_FIFO, mode, uid, gid, mtime));
                    tar.closeArchiveEntry();
                } else if (type == Native.S_IFCHR && ((Long) st.get("rdev")) == 0L && layer) {
                    String wh = (rel.isEmpty() ? "" : rel + "/") + LayerUnpacker.WHITEOUT_PREFIX + name;
                    tar.putArchiveEntry(entry(wh, TarConstants.LF_NORMAL, 0644, 0, 0, mtime));
                    tar.closeArchiveEntry();
                }
                // sockets and device nodes are not archived
            }
        }

        private static TarArchiveEntry entry(String name, byte type, int mode, long uid, long gid, FileTime mtime) {
            TarArchiveEntry e = new TarArchiveEntry(name, type, true);
            e.setMode(mode & 07777);
            e.setUserId(uid);
            e.setGroupId(gid);
            e.setUserName("");
            e.setGroupName("");
            if (mtime != null) {
                e.setModTime(mtime);
            }
            return e;
        }

        /** user.* xattrs as PAX records, except the overlay drivers' own (their meaning ends with the upper dir). */
        private static void xattrs(Path p, TarArchiveEntry e) {
            try {
                UserDefinedFileAttributeView v = Files.getFileAttributeView(p, UserDefinedFileAttributeView.class, Fs.NOFOLLOW);
                for (String n : v.list()) {
                    if (n.startsWith("overlay.") || n.startsWith("fuseoverlayfs.")) {
                        continue;
                    }
                    ByteBuffer b = ByteBuffer.allocate(v.size(n));
                    v.read(n, b);
                    b.flip();
                    e.addPaxHeader("SCHILY.xattr.user." + n, StandardCharsets.UTF_8.decode(b).toString());
                }
            } catch (IOException | UnsupportedOperationException ex) {
                // no user xattrs on this file system
            }
        }

        private static boolean opaque(Path dir) {
            if (VfsDriver.isOpaque(dir)) {
                return !Files.exists(dir.resolve(LayerUnpacker.OPAQUE_MARKER), Fs.NOFOLLOW); // a marker file passes through itself
            }
            return false; // trusted.overlay.* is never used: jpod mounts kernel overlay with userxattr
        }
    }

    /** Counts and hashes what is written. */
    private static final class Hashing extends FilterOutputStream {
        final MessageDigest digest;
        long count;

        Hashing(OutputStream out) {
            super(out);
            try {
                digest = MessageDigest.getInstance("SHA-256");
            } catch (NoSuchAlgorithmException e) {
                throw new IllegalStateException(e);
            }
        }

        @Override
        public void write(int b) throws IOException {
            out.write(b);
            digest.update((byte) b);
            count++;
        }

        @Override
        public void write(byte[] b, int off, int len) throws IOException {
            out.write(b, off, len);
            digest.update(b, off, len);
            count += len;
        }
    }

    /** The tar writer closes its stream when done; the caller's stream (stdout) must stay open. */
    private static final class Unclosable extends FilterOutputStream {
        Unclosable(OutputStream out) {
            super(out);
        }

        @Override
        public void write(byte[] b, int off, int len) throws IOException {
            out.write(b, off, len);
        }

        @Override
        public void close() throws IOException {
            out.flush();
        }
    }
}
