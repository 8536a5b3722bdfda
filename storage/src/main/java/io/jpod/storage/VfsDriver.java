package io.jpod.storage;

import java.io.IOException;
import java.io.PrintStream;
import java.nio.ByteBuffer;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.nio.file.attribute.UserDefinedFileAttributeView;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * No mount at all: the rootfs is a full copy of the layers, bottom to top, with whiteouts applied (0:0 devices and
 * {@code .wh.} files hide a lower entry; {@code user.overlay.opaque=y}, {@code user.fuseoverlayfs.opaque=y} or a
 * {@code .wh..wh..opq} file hide a lower directory's contents). The copy is assembled in {@code <work>/vfs-rootfs} and
 * renamed onto the (empty) target, so a crash never leaves a half-populated rootfs. A target that already has content
 * is the container's own rootfs from an earlier start and is kept; {@code upper} is unused (changes go to the copy).
 */
public final class VfsDriver implements RootfsDriver {
    private final PrintStream warnings;

    public VfsDriver(PrintStream warnings) {
        this.warnings = warnings;
    }

    @Override
    public String name() {
        return "vfs";
    }

    @Override
    public void mount(List<Path> lowerDirsTopFirst, Path upper, Path work, Path target) {
        try {
            if (!Files.isDirectory(target, Fs.NOFOLLOW) || !Files.isDirectory(work, Fs.NOFOLLOW)) {
                throw new StorageException("cannot assemble the rootfs: " + target + " or " + work
                        + " is not a directory; the container's storage is damaged, remove the container");
            }
            try (DirectoryStream<Path> ds = Files.newDirectoryStream(target)) {
                if (ds.iterator().hasNext()) {
                    return; // populated by an earlier start: it holds the container's changes
                }
            }
            Path staging = work.resolve("vfs-rootfs");
            Fs.deleteTree(staging); // leftover of an interrupted copy
            Files.createDirectory(staging);
            Copier copier = new Copier(staging, new Ownership(warnings));
            for (int i = lowerDirsTopFirst.size() - 1; i >= 0; i--) {
                Path layer = lowerDirsTopFirst.get(i);
                if (!Files.isDirectory(layer, Fs.NOFOLLOW)) {
                    throw new StorageException("cannot assemble the rootfs: layer directory " + layer
                            + " is missing; remove the image and pull it again");
                }
                copier.layer(layer);
            }
            copier.finish();
            Fs.rename(staging, target); // replaces the empty target dir atomically
        } catch (IOException e) {
            throw new StorageException("cannot assemble the rootfs in " + target + ": " + Fs.describe(e)
                    + "; check free space and permissions of the storage directory");
        }
    }

    /** Nothing is mounted; the copy stays until the container is removed. */
    @Override
    public void unmount(Path target) {
    }

    /** Whether a layer directory is marked opaque, in any of the forms the overlay drivers read. */
    static boolean isOpaque(Path dir) {
        if (Files.exists(dir.resolve(LayerUnpacker.OPAQUE_MARKER), Fs.NOFOLLOW)) {
            return true;
        }
        try {
            UserDefinedFileAttributeView v = Files.getFileAttributeView(dir, UserDefinedFileAttributeView.class, Fs.NOFOLLOW);
            List<String> names = v.list();
            for (String n : new String[] {"overlay.opaque", "fuseoverlayfs.opaque"}) {
                if (names.contains(n)) {
                    ByteBuffer b = ByteBuffer.allocate(v.size(n));
                    v.read(n, b);
                    b.flip();
                    if (b.remaining() == 1 && b.get(0) == 'y') {
                        return true;
                    }
                }
            }
        } catch (IOException | UnsupportedOperationException e) {
            // no xattrs here: only the marker file form applies
        }
        return false;
    }

    private static final class Copier {
        private final Path root;
        private final Ownership ownership;
        /** Directory metadata, applied at the end (deepest first) so read-only dirs can be filled by upper layers. */
        private final Map<Path, Map<String, Object>> dirs = new LinkedHashMap<>();

        Copier(Path root, Ownership ownership) {
            this.root = root;
            this.ownership = ownership;
        }

        void layer(Path layer) throws IOException {
            Map<String, Object> st = Fs.unixStat(layer);
            dirs.put(root, st);
            dir(layer, root, new HashMap<>());
        }

        private void dir(Path src, Path dst, Map<String, Path> links) throws IOException {
            if (isOpaque(src)) {
                clear(dst);
            }
            List<Path> children = new ArrayList<>();
            try (DirectoryStream<Path> ds = Files.newDirectoryStream(src)) {
                for (Path c : ds) {
                    children.add(c);
                }
            }
            children.sort(null);
            for (Path child : children) {
                String name = child.getFileName().toString();
                if (name.startsWith(LayerUnpacker.WHITEOUT_PREFIX + LayerUnpacker.WHITEOUT_PREFIX)) {
                    continue; // opaque marker (handled above) or aufs bookkeeping
                }
                if (name.startsWith(LayerUnpacker.WHITEOUT_PREFIX)) {
                    String hidden = name.substring(LayerUnpacker.WHITEOUT_PREFIX.length());
                    if (!hidden.isEmpty() && !hidden.equals(".") && !hidden.equals("..")) {
                        Fs.deleteTree(dst.resolve(hidden));
                    }
                    continue;
                }
                Map<String, Object> st = Fs.unixStat(child);
                if (st == null) {
                    continue;
                }
                int mode = (Integer) st.get("mode");
                int type = mode & Native.S_IFMT;
                Path d = dst.resolve(name);
                if (type == Native.S_IFCHR && ((Long) st.get("rdev")) == 0L) {
                    Fs.deleteTree(d); // whiteout
                    continue;
                }
                Map<String, Object> existing = Fs.unixStat(d);
                if (type == Native.S_IFDIR) {
                    if (existing == null || (((Integer) existing.get("mode")) & Native.S_IFMT) != Native.S_IFDIR) {
                        if (existing != null) {
                            Fs.deleteTree(d);
                        }
                        Files.createDirectory(d);
                    }
                    copyXattrs(child, d);
                    dirs.put(d, st);
                    dir(child, d, links);
                    continue;
                }
                if (existing != null) {
                    Fs.deleteTree(d);
                }
                String what = "layer file " + child;
                if (type == Native.S_IFREG) {
                    String key = st.get("dev") + ":" + st.get("ino");
                    Path first = ((Integer) st.get("nlink")) > 1 ? links.get(key) : null;
                    if (first != null && Files.isRegularFile(first, Fs.NOFOLLOW)) {
                        Files.createLink(d, first);
                        continue;
                    }
                    Files.copy(child, d, Fs.NOFOLLOW);
                    links.put(key, d);
                    copyXattrs(child, d);
                    meta(d, st, what);
                } else if (type == Native.S_IFLNK) {
                    Files.createSymbolicLink(d, Files.readSymbolicLink(child));
                    ownership.chown(d, ((Integer) st.get("uid")) & 0xFFFFFFFFL, ((Integer) st.get("gid")) & 0xFFFFFFFFL, what);
                    Native.setTimes(d, (FileTime) st.get("lastModifiedTime"), (FileTime) st.get("lastAccessTime"), false);
                } else if (type == Native.S_IFIFO) {
                    int err = Native.mkfifo(d.toString(), 0600);
                    if (err != 0) {
                        throw new StorageException("cannot create FIFO " + d + ": " + Native.strerror(err));
                    }
                    meta(d, st, what);
                }
                // sockets and device nodes are not copied (layers never hold them; rootless cannot create devices)
            }
        }

        private void meta(Path d, Map<String, Object> st, String what) {
            ownership.chown(d, ((Integer) st.get("uid")) & 0xFFFFFFFFL, ((Integer) st.get("gid")) & 0xFFFFFFFFL, what);
            String failure = Native.chmod(d, (Integer) st.get("mode"));
            if (failure != null) {
                throw new StorageException("cannot set the mode of " + d + ": " + failure);
            }
            int type = (Integer) st.get("mode") & Native.S_IFMT;
            Native.setTimes(d, (FileTime) st.get("lastModifiedTime"), (FileTime) st.get("lastAccessTime"), type == Native.S_IFIFO);
        }

        private static void clear(Path dir) throws IOException {
            List<Path> children = new ArrayList<>();
            try (DirectoryStream<Path> ds = Files.newDirectoryStream(dir)) {
                for (Path c : ds) {
                    children.add(c);
                }
            }
            for (Path c : children) {
                Fs.deleteTree(c);
            }
        }

        /** user.* xattrs, except the overlay drivers' own (their meaning ends with the layer). Best effort. */
        private static void copyXattrs(Path src, Path dst) {
            try {
                UserDefinedFileAttributeView from = Files.getFileAttributeView(src, UserDefinedFileAttributeView.class, Fs.NOFOLLOW);
                UserDefinedFileAttributeView to = Files.getFileAttributeView(dst, UserDefinedFileAttributeView.class, Fs.NOFOLLOW);
                for (String n : from.list()) {
                    if (n.startsWith("overlay.") || n.startsWith("fuseoverlayfs.")) {
                        continue;
                    }
                    ByteBuffer b = ByteBuffer.allocate(from.size(n));
                    from.read(n, b);
                    b.flip();
                    to.write(n, b);
                }
            } catch (IOException | UnsupportedOperationException e) {
                // file systems without user xattrs: nothing to copy
            }
        }

        void finish() throws IOException {
            List<Path> all = new ArrayList<>(dirs.keySet());
            all.sort(Comparator.comparingInt(Path::getNameCount).reversed());
            for (Path d : all) {
                if (!isRealDir(d)) {
                    continue; // replaced or whited out by an upper layer
                }
                meta(d, dirs.get(d), "layer directory " + root.relativize(d));
            }
        }

        /** Every component from the root is a real directory (no symlink): metadata never lands outside. */
        private boolean isRealDir(Path d) throws IOException {
            Path cur = root;
            if (!Files.isDirectory(cur, Fs.NOFOLLOW)) {
                return false;
            }
            for (Path c : root.relativize(d)) {
                if (c.toString().isEmpty()) {
                    continue;
                }
                cur = cur.resolve(c);
                if (!Files.isDirectory(cur, Fs.NOFOLLOW)) {
                    return false;
                }
            }
            return true;
        }
    }
}
